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

export interface SliceGeometry {
  readonly position: readonly [number, number, number];
  readonly rows: number;
  readonly columns: number;
  readonly pixelSpacing: readonly [number, number];
}

export interface VolumePlan {
  /** Indices of the input slices in ascending z. */
  readonly order: readonly number[];
  readonly rows: number;
  readonly columns: number;
  readonly origin: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
}

/** Check that axial slices (any order) stack into a regular volume, and say in which order. */
export function planVolume(slices: readonly SliceGeometry[]): VolumePlan {
  if (slices.length < 2) throw new VolumeError('too-few-slices', 'A volume needs at least two slices.');
  const order = slices.map((_, i) => i).sort((a, b) => slices[a].position[2] - slices[b].position[2]);
  const first = slices[order[0]];
  const last = slices[order[order.length - 1]];
  const dz = (last.position[2] - first.position[2]) / (order.length - 1);
  if (!(dz > 0)) throw new VolumeError('irregular', 'Slices share the same position.');
  order.forEach((i, k) => {
    const s = slices[i];
    if (s.rows !== first.rows || s.columns !== first.columns)
      throw new VolumeError('mixed-size', 'Slices differ in size.');
    const expected = first.position[2] + k * dz;
    if (Math.abs(s.position[2] - expected) > Math.max(0.05, 0.1 * dz)) {
      throw new VolumeError('irregular', 'Slices are not evenly spaced.');
    }
  });
  return {
    order,
    rows: first.rows,
    columns: first.columns,
    origin: [first.position[0], first.position[1], first.position[2]],
    spacing: [first.pixelSpacing[1], first.pixelSpacing[0], dz],
  };
}

/** Write one slice's values (× slope + intercept = HU) into its plane of a volume, rounded and clamped to int16. */
export function writePlane(
  data: Int16Array,
  plane: number,
  k: number,
  values: ArrayLike<number>,
  slope = 1,
  intercept = 0,
): void {
  const off = k * plane;
  for (let i = 0; i < plane; i++) {
    const v = Math.round(values[i] * slope + intercept);
    data[off + i] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
  }
}

/** Stack axial slices (any order) into a volume with ascending z. */
export function buildVolume(slices: readonly SliceInput[], sliceThickness: number): Volume {
  const plan = planVolume(slices);
  const plane = plan.rows * plan.columns;
  const data = new Int16Array(plane * slices.length);
  plan.order.forEach((i, k) => writePlane(data, plane, k, slices[i].hu));
  return {
    data,
    columns: plan.columns,
    rows: plan.rows,
    slices: slices.length,
    origin: plan.origin,
    spacing: plan.spacing,
    sliceThickness,
  };
}
