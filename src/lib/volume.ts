/**
 * A CT volume in Hounsfield units with its patient-space geometry. Built by the host (browser or Node)
 * from decoded slices; consumed by preprocessing. Axial acquisitions only: rows along +y, columns along +x.
 */
export interface Volume {
  /** HU, slice after slice (ascending z), row-major within a slice. */
  readonly data: Int16Array;
  readonly columns: number;
  readonly rows: number;
  readonly slices: number;
  /** Patient position (mm) of the centre of voxel (0, 0, 0). */
  readonly origin: readonly [number, number, number];
  /** Column spacing (x), row spacing (y), slice spacing (z), in mm. */
  readonly spacing: readonly [number, number, number];
  readonly sliceThickness: number;
}

export interface SliceInput {
  /** Image Position (Patient) of the slice. */
  readonly position: readonly [number, number, number];
  readonly rows: number;
  readonly columns: number;
  /** [row spacing, column spacing] (mm). */
  readonly pixelSpacing: readonly [number, number];
  /** HU values, row-major. */
  readonly hu: Int16Array | Float32Array;
}

export class VolumeError extends Error {
  constructor(
    readonly code: 'not-axial' | 'irregular' | 'too-few-slices' | 'mixed-size',
    message: string,
  ) {
    super(message);
  }
}

/** Stack axial slices (any order) into a volume with ascending z. */
export function buildVolume(slices: readonly SliceInput[], sliceThickness: number): Volume {
  if (slices.length < 2) throw new VolumeError('too-few-slices', 'A volume needs at least two slices.');
  const sorted = [...slices].sort((a, b) => a.position[2] - b.position[2]);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const dz = (last.position[2] - first.position[2]) / (sorted.length - 1);
  if (!(dz > 0)) throw new VolumeError('irregular', 'Slices share the same position.');
  const { rows, columns } = first;
  const plane = rows * columns;
  const data = new Int16Array(plane * sorted.length);
  sorted.forEach((s, k) => {
    if (s.rows !== rows || s.columns !== columns)
      throw new VolumeError('mixed-size', 'Slices differ in size.');
    const expected = first.position[2] + k * dz;
    if (Math.abs(s.position[2] - expected) > Math.max(0.05, 0.1 * dz)) {
      throw new VolumeError('irregular', 'Slices are not evenly spaced.');
    }
    const src = s.hu;
    const off = k * plane;
    for (let i = 0; i < plane; i++) {
      const v = Math.round(src[i]);
      data[off + i] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
  });
  return {
    data,
    columns,
    rows,
    slices: sorted.length,
    origin: [first.position[0], first.position[1], first.position[2]],
    spacing: [first.pixelSpacing[1], first.pixelSpacing[0], dz],
    sliceThickness,
  };
}
