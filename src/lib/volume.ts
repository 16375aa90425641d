/**
 * A CT volume in Hounsfield units with its patient-space geometry. Built by the host (browser or Node)
 * from decoded slices; consumed by preprocessing. Axial acquisitions only, in a canonical layout whatever
 * the acquisition's orientation: columns along patient +x, rows along +y, slices along +z (supine,
 * prone, feet-first and mirrored images all end up the same way round).
 */
import { LucentError } from './errors';
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

export interface SliceInput extends SliceGeometry {
  /** HU values, row-major, as stored (before reorientation). */
  readonly hu: Int16Array | Float32Array;
}

/** Why the slices of a series do not make a volume. */
export const VOLUME_ERROR_CODES = [
  'not-axial',
  'irregular',
  'too-few-slices',
  'mixed-size',
  'no-geometry',
] as const;

export class VolumeError extends LucentError {
  declare readonly code: (typeof VOLUME_ERROR_CODES)[number];

  constructor(code: VolumeError['code'], message: string, detail: Record<string, string | number> = {}) {
    super(code, message, detail);
    this.name = 'VolumeError';
  }
}

export interface SliceGeometry {
  /** Image Position (Patient): the centre of the first stored pixel (mm). */
  readonly position: readonly [number, number, number];
  /**
   * Image Orientation (Patient): direction cosines of a row (towards increasing column index), then of a
   * column (towards increasing row index). Absent: the axial default [1, 0, 0, 0, 1, 0].
   */
  readonly orientation?: readonly number[];
  readonly rows: number;
  readonly columns: number;
  /** [row spacing, column spacing] (mm), as PixelSpacing gives them. */
  readonly pixelSpacing: readonly [number, number];
  /** Slice Thickness (mm), when known: the volume takes the first one its slices give. */
  readonly sliceThickness?: number;
}

/**
 * How stored pixels map onto the canonical plane (columns along +x, rows along +y): whether stored rows
 * run along x (a transposed acquisition), and whether each canonical axis runs against the stored one.
 */
export interface PlaneMap {
  readonly transpose: boolean;
  readonly flipX: boolean;
  readonly flipY: boolean;
}

export interface VolumePlan {
  /** Indices of the input slices in ascending z. */
  readonly order: readonly number[];
  /** Canonical plane size: rows along +y, columns along +x. */
  readonly rows: number;
  readonly columns: number;
  /** Patient position of the centre of canonical voxel (0, 0, 0). */
  readonly origin: readonly [number, number, number];
  /** Canonical spacing along x, y, z (mm). */
  readonly spacing: readonly [number, number, number];
  readonly map: PlaneMap;
  /** Stored plane size (what the decoder gives). */
  readonly stored: { readonly rows: number; readonly columns: number };
}

/** Largest angle between an image axis and the patient axis it is taken for (gantry tilt, oblique). */
const MAX_TILT_DEG = 3;
const AXIS_COS = Math.cos((MAX_TILT_DEG * Math.PI) / 180);

/** Which patient axis (0 x, 1 y, 2 z) a direction runs along, and its sign; null when oblique. */
function axisOf(d: readonly number[]): { axis: 0 | 1 | 2; sign: 1 | -1 } | null {
  const len = Math.hypot(d[0] ?? 0, d[1] ?? 0, d[2] ?? 0) || 1;
  for (const axis of [0, 1, 2] as const) {
    const c = (d[axis] ?? 0) / len;
    if (Math.abs(c) >= AXIS_COS) return { axis, sign: c > 0 ? 1 : -1 };
  }
  return null;
}

/** An orientation as volume planning reads it: absent or short, the axial default. */
const axialDefault = (o: readonly number[] | undefined): readonly number[] =>
  o && o.length >= 6 ? o : [1, 0, 0, 0, 1, 0];

/** The plane map of an orientation, or an error saying why it is not an axial image. */
export function planeMap(orientation: readonly number[] | undefined): PlaneMap {
  const o = axialDefault(orientation);
  const row = axisOf(o.slice(0, 3));
  const col = axisOf(o.slice(3, 6));
  if (!row || !col || row.axis === 2 || col.axis === 2 || row.axis === col.axis) {
    throw new VolumeError(
      'not-axial',
      `The images are not axial (Image Orientation (Patient) ${o.map((v) => Number(v.toFixed(3))).join('\\')}); only axial series within ${MAX_TILT_DEG}° of the patient axes can be analysed.`,
      { degrees: MAX_TILT_DEG },
    );
  }
  const transpose = row.axis === 1;
  return transpose
    ? { transpose, flipX: col.sign < 0, flipY: row.sign < 0 }
    : { transpose, flipX: row.sign < 0, flipY: col.sign < 0 };
}

/**
 * The unit normal of an image plane (row direction × column direction) from Image Orientation (Patient);
 * absent, the axial default's +z (a missing cosine takes the axial default's value). The one slice normal of the project: series ordering
 * (dicom/series), instance description and the page's slice search use it.
 */
export function sliceNormal(orientation: readonly number[] | undefined): [number, number, number] {
  const [r0 = 1, r1 = 0, r2 = 0, c0 = 0, c1 = 1, c2 = 0] = orientation ?? [];
  const n: [number, number, number] = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const len = Math.hypot(n[0], n[1], n[2]) || 1;
  return [n[0] / len, n[1] / len, n[2] / len];
}

/** Largest difference between two direction cosines of the same orientation (rounding in headers). */
const ORIENTATION_TOLERANCE = 1e-3;

/**
 * Whether two Image Orientation (Patient) values are the same orientation: each of the six direction
 * cosines within {@link ORIENTATION_TOLERANCE}. Both absent count as the same, one absent as different;
 * a value that lacks one of the six cosines matches nothing. The one test of orientation that series
 * assembly (`dicom/series.ts`) and volume planning share.
 */
export function sameOrientation(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (!a || !b) return a === b;
  for (let i = 0; i < 6; i++) {
    if (!(Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)) < ORIENTATION_TOLERANCE)) return false;
  }
  return true;
}

/**
 * Check that axial slices (any order, any axial orientation) stack into a regular volume, and say how:
 * the order along +z and how each stored plane maps onto the canonical one.
 */
export function planVolume(slices: readonly SliceGeometry[]): VolumePlan {
  if (slices.length < 2)
    throw new VolumeError('too-few-slices', 'A volume needs at least two slices.', { min: 2 });
  const order = slices.map((_, i) => i).sort((a, b) => slices[a].position[2] - slices[b].position[2]);
  const first = slices[order[0]];
  const last = slices[order[order.length - 1]];
  const map = planeMap(first.orientation);
  const dz = (last.position[2] - first.position[2]) / (order.length - 1);
  if (!(dz > 0)) throw new VolumeError('irregular', 'Slices share the same position.');
  order.forEach((i, k) => {
    const s = slices[i];
    if (s.rows !== first.rows || s.columns !== first.columns)
      throw new VolumeError('mixed-size', 'Slices differ in size.');
    if (!sameOrientation(axialDefault(s.orientation), axialDefault(first.orientation)))
      throw new VolumeError('irregular', 'Slices differ in orientation.');
    const expected = first.position[2] + k * dz;
    if (Math.abs(s.position[2] - expected) > Math.max(0.05, 0.1 * dz)) {
      throw new VolumeError('irregular', 'Slices are not evenly spaced.');
    }
  });
  // Stored axes: columns step by PixelSpacing[1] along the row direction, rows by PixelSpacing[0].
  const [rowSpacing, colSpacing] = first.pixelSpacing;
  const columns = map.transpose ? first.rows : first.columns;
  const rows = map.transpose ? first.columns : first.rows;
  const sx = map.transpose ? rowSpacing : colSpacing;
  const sy = map.transpose ? colSpacing : rowSpacing;
  // The first stored pixel sits at the canonical corner the flips point away from.
  const x0 = first.position[0] - (map.flipX ? (columns - 1) * sx : 0);
  const y0 = first.position[1] - (map.flipY ? (rows - 1) * sy : 0);
  return {
    order,
    rows,
    columns,
    origin: [x0, y0, first.position[2]],
    spacing: [sx, sy, dz],
    map,
    stored: { rows: first.rows, columns: first.columns },
  };
}

const IDENTITY: PlaneMap = { transpose: false, flipX: false, flipY: false };

/**
 * Write one stored slice's values (× slope + intercept = HU) into canonical plane k of a volume, rounded
 * and clamped to int16. `plan` (from planVolume) reorients it; without one the slice is taken as canonical.
 */
export function writePlane(
  data: Int16Array,
  plane: number,
  k: number,
  values: ArrayLike<number>,
  slope = 1,
  intercept = 0,
  plan?: Pick<VolumePlan, 'rows' | 'columns' | 'map'>,
): void {
  const off = k * plane;
  const map = plan?.map ?? IDENTITY;
  if (!plan || (!map.transpose && !map.flipX && !map.flipY)) {
    for (let i = 0; i < plane; i++) {
      const v = Math.round(values[i] * slope + intercept);
      data[off + i] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
    return;
  }
  const { rows, columns } = plan;
  // Stored row length: canonical rows when transposed, else canonical columns.
  const storedColumns = map.transpose ? rows : columns;
  for (let y = 0; y < rows; y++) {
    const sy = map.flipY ? rows - 1 - y : y;
    for (let x = 0; x < columns; x++) {
      const sx = map.flipX ? columns - 1 - x : x;
      const src = map.transpose ? sx * storedColumns + sy : sy * storedColumns + sx;
      const v = Math.round(values[src] * slope + intercept);
      data[off + y * columns + x] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
  }
}

function volumeOf(plan: VolumePlan, data: Int16Array, slices: number, sliceThickness: number): Volume {
  return {
    data,
    columns: plan.columns,
    rows: plan.rows,
    slices,
    origin: plan.origin,
    spacing: plan.spacing,
    sliceThickness,
  };
}

/** Stack axial slices (any order, any axial orientation) into a canonical volume with ascending z. */
export function buildVolume(slices: readonly SliceInput[], sliceThickness: number): Volume {
  const plan = planVolume(slices);
  const plane = plan.rows * plan.columns;
  const data = new Int16Array(plane * slices.length);
  plan.order.forEach((i, k) => writePlane(data, plane, k, slices[i].hu, 1, 0, plan));
  return volumeOf(plan, data, slices.length, sliceThickness);
}

/** One slice as a host decoded it: stored values (× slope + intercept = HU) and the size they have. */
export interface SliceValues {
  readonly values: ArrayLike<number>;
  readonly rows: number;
  readonly columns: number;
  readonly slope: number;
  readonly intercept: number;
}

/** A typed array a slice's values travel in between threads (its buffer is transferred). */
export type SliceArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array;

export interface SeriesVolumeOptions {
  /** Reported every 16 slices and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops between slices with an AbortError. */
  readonly signal?: AbortSignal;
}

/** The canonical planes a series gives, in ascending z: `plane(k)` is called once per plane, in order. */
export interface PlaneSink {
  plane(hu: Int16Array, k: number): void;
}

/**
 * Read a series slice by slice (`readSlice(i)`, i indexing `geometry`) in ascending z, reorient each into
 * its canonical plane (HU, rounded to int16) and hand it to `write`, so that no decoded slice is held
 * longer than its write. Returns the plan (from the headers, made before the first read) and the slice
 * thickness.
 */
async function readPlanes(
  plan: VolumePlan,
  geometry: readonly SliceGeometry[],
  readSlice: (index: number) => Promise<SliceValues> | SliceValues,
  options: SeriesVolumeOptions,
  write: (k: number, s: SliceValues) => void,
): Promise<number> {
  const plane = plan.rows * plan.columns;
  const total = geometry.length;
  let done = 0;
  for (const [k, i] of plan.order.entries()) {
    if (options.signal?.aborted) throw new DOMException('The analysis was cancelled.', 'AbortError');
    const s = await readSlice(i);
    if (s.rows !== plan.stored.rows || s.columns !== plan.stored.columns || s.values.length < plane)
      throw new VolumeError('mixed-size', 'A decoded slice does not have the size its header gives.');
    write(k, s);
    done++;
    if (done % 16 === 0 || done === total) options.onProgress?.(done, total);
  }
  return geometry.find((g) => g.sliceThickness)?.sliceThickness ?? 0;
}

/**
 * The volume builder both hosts use: plan the volume from the slices' geometry (header data only),
 * allocate it once, then read each slice and write it straight into its canonical plane.
 */
export async function buildSeriesVolume(
  geometry: readonly SliceGeometry[],
  readSlice: (index: number) => Promise<SliceValues> | SliceValues,
  options: SeriesVolumeOptions = {},
): Promise<Volume> {
  const plan = planVolume(geometry);
  const plane = plan.rows * plan.columns;
  const data = new Int16Array(plane * geometry.length);
  const thickness = await readPlanes(plan, geometry, readSlice, options, (k, s) =>
    writePlane(data, plane, k, s.values, s.slope, s.intercept, plan),
  );
  return volumeOf(plan, data, geometry.length, thickness);
}

/**
 * The same planes without the volume: each canonical plane (HU as the volume would hold them) goes to
 * `sink` as soon as its slice is read, through one reused plane buffer, so a consumer that needs only a
 * few planes at a time (resampling to a coarser grid) never holds the series at full resolution.
 * `plan` is `planVolume(geometry)`, made by the caller to size what it builds before any slice is read.
 */
export async function streamSeriesPlanes(
  plan: VolumePlan,
  geometry: readonly SliceGeometry[],
  readSlice: (index: number) => Promise<SliceValues> | SliceValues,
  sink: PlaneSink,
  options: SeriesVolumeOptions = {},
): Promise<number> {
  const plane = plan.rows * plan.columns;
  const buffer = new Int16Array(plane);
  return readPlanes(plan, geometry, readSlice, options, (k, s) => {
    writePlane(buffer, plane, 0, s.values, s.slope, s.intercept, plan);
    sink.plane(buffer, k);
  });
}
