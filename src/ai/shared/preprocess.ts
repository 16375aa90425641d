/**
 * Model input preparation, identical to the training recipe (models/training/common.py): separable linear
 * resampling to the model grid, HU window and normalisation, adjacent-slice stacking, and a crop to the
 * lungs that skips slices without lung. Pure; no second full copy of the source volume is kept.
 */
import type { InputSpec } from '../registry/manifest';
import type { Volume } from './volume';

/**
 * The volume on the model's grid, [z][y][x]: HU rounded to whole numbers (half to even) and clipped to
 * −1024…3071, as the training recipe caches its cases (models/training/dataset.py), in 2 bytes a voxel.
 */
export interface Grid {
  readonly data: Int16Array;
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly origin: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
}

function outCount(n: number, src: number, dst: number): number {
  return Math.floor(((n - 1) * src) / dst + 1e-6) + 1;
}

/** Source positions and weights for linear resampling along one axis (clamped at the ends). */
function plan(n: number, src: number, dst: number): { lo: Int32Array; hi: Int32Array; w: Float32Array } {
  const m = outCount(n, src, dst);
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  const w = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const pos = (i * dst) / src;
    const f = Math.min(n - 1, Math.max(0, Math.floor(pos)));
    lo[i] = f;
    hi[i] = Math.min(n - 1, f + 1);
    w[i] = pos - Math.floor(pos);
  }
  return { lo, hi, w };
}

/** What resampling needs to know of a source volume: its size and geometry, not its voxels. */
export interface SourceGeometry {
  readonly columns: number;
  readonly rows: number;
  readonly slices: number;
  readonly origin: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
}

/** HU range the grid keeps (the training cache's). */
export const GRID_MIN_HU = -1024;
export const GRID_MAX_HU = 3071;

/** A resampled value as the grid stores it: nearest whole HU, ties to even (numpy's round), clipped. */
export function gridHU(v: number): number {
  let r = Math.round(v);
  if (r - v === 0.5 && (r & 1) !== 0) r -= 1;
  return r < GRID_MIN_HU ? GRID_MIN_HU : r > GRID_MAX_HU ? GRID_MAX_HU : r;
}

/** Bytes of the int16 grid a source would resample to at these spacings. */
export function gridBytes(v: SourceGeometry, pixelSpacing: number, sliceSpacing: number): number {
  return (
    2 *
    outCount(v.columns, v.spacing[0], pixelSpacing) *
    outCount(v.rows, v.spacing[1], pixelSpacing) *
    outCount(v.slices, v.spacing[2], sliceSpacing)
  );
}

/**
 * Resample z, then y, then x: the same order and arithmetic as the training code. Takes the source's
 * canonical planes one at a time in ascending z (`plane`), keeps only the previous one, and writes each
 * output slice as soon as both planes it lies between have arrived; so the only large allocation is the
 * output grid itself, and the source never has to exist as a whole.
 */
export class GridResampler {
  private readonly pz: ReturnType<typeof plan>;
  private readonly py: ReturnType<typeof plan>;
  private readonly px: ReturnType<typeof plan>;
  private readonly cols: number;
  private readonly planeSize: number;
  private readonly a: Float32Array;
  private readonly b: Float32Array;
  private readonly out: Int16Array;
  private readonly spacing: readonly [number, number, number];
  private readonly origin: readonly [number, number, number];
  private previous: Int16Array;
  private next = 0;
  private received = 0;

  constructor(
    private readonly source: SourceGeometry,
    pixelSpacing: number,
    sliceSpacing: number,
  ) {
    this.pz = plan(source.slices, source.spacing[2], sliceSpacing);
    this.py = plan(source.rows, source.spacing[1], pixelSpacing);
    this.px = plan(source.columns, source.spacing[0], pixelSpacing);
    this.cols = source.columns;
    this.planeSize = source.rows * source.columns;
    this.a = new Float32Array(this.planeSize);
    this.b = new Float32Array(this.py.lo.length * this.cols);
    this.out = new Int16Array(this.pz.lo.length * this.py.lo.length * this.px.lo.length);
    this.previous = new Int16Array(this.planeSize);
    this.spacing = [pixelSpacing, pixelSpacing, sliceSpacing];
    this.origin = source.origin;
  }

  /** Source plane `k` (they must come in order 0, 1, 2 …); the values are read before this returns. */
  plane(hu: Int16Array, k: number): void {
    if (k !== this.received) throw new Error(`resampling: plane ${k} arrived, ${this.received} was due`);
    this.received++;
    const { lo, hi } = this.pz;
    // Every output slice whose upper plane is this one lies between it and the previous plane.
    while (this.next < lo.length && hi[this.next] <= k) {
      this.slice(this.next, lo[this.next] === k ? hu : this.previous, hu);
      this.next++;
    }
    this.previous.set(hu.subarray(0, this.planeSize));
  }

  private slice(k: number, below: Int16Array, above: Int16Array): void {
    const { a, b, cols } = this;
    const ny = this.py.lo.length;
    const nx = this.px.lo.length;
    const { lo: ylo, hi: yhi, w: yw } = this.py;
    const { lo: xlo, hi: xhi, w: xw } = this.px;
    // z: the plane pair → a
    const wz = this.pz.w[k];
    const vz = 1 - wz;
    for (let i = 0; i < this.planeSize; i++) a[i] = below[i] * vz + above[i] * wz;
    // y: a → b
    for (let j = 0; j < ny; j++) {
      const l = ylo[j] * cols;
      const h = yhi[j] * cols;
      const w = yw[j];
      const u = 1 - w;
      const o = j * cols;
      for (let i = 0; i < cols; i++) b[o + i] = a[l + i] * u + a[h + i] * w;
    }
    // x: b → output slice k
    const c = this.out;
    const base = k * ny * nx;
    for (let j = 0; j < ny; j++) {
      const row = j * cols;
      const o = base + j * nx;
      for (let i = 0; i < nx; i++) {
        const w = xw[i];
        c[o + i] = gridHU(Math.fround(b[row + xlo[i]] * (1 - w) + b[row + xhi[i]] * w));
      }
    }
  }

  /** The grid, once every source plane has arrived. */
  grid(): Grid {
    if (this.received !== this.source.slices || this.next !== this.pz.lo.length)
      throw new Error(`resampling: ${this.received} of ${this.source.slices} planes arrived`);
    return {
      data: this.out,
      nx: this.px.lo.length,
      ny: this.py.lo.length,
      nz: this.pz.lo.length,
      origin: this.origin,
      spacing: this.spacing,
    };
  }
}

/** A whole volume resampled to the model grid (the planes of `v` fed to a {@link GridResampler}). */
export function resampleToGrid(v: Volume, pixelSpacing: number, sliceSpacing: number): Grid {
  const r = new GridResampler(v, pixelSpacing, sliceSpacing);
  const plane = v.rows * v.columns;
  for (let k = 0; k < v.slices; k++) r.plane(v.data.subarray(k * plane, (k + 1) * plane), k);
  return r.grid();
}

export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly z0: number;
  readonly z1: number;
}

/** One bit a voxel (voxel i is bit i % 8 of byte i >> 3): an eighth of a byte mask's memory. */
export type BitMask = Uint8Array;

export const bitMask = (voxels: number): BitMask => new Uint8Array((voxels + 7) >> 3);
export const isSet = (m: BitMask, i: number): boolean => ((m[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
export const setBit = (m: BitMask, i: number): void => {
  m[i >> 3] |= 1 << (i & 7);
};

/** A bit mask as one byte a voxel (0 or 1), for code that wants a plain array (the training recipe). */
export function unpackBits(m: BitMask, voxels: number): Uint8Array {
  const out = new Uint8Array(voxels);
  for (let i = 0; i < voxels; i++) out[i] = isSet(m, i) ? 1 : 0;
  return out;
}

/** The lungs on the model grid: a voxel bit mask (set = lung) and its bounding box (null when none). */
export interface LungMask {
  readonly mask: BitMask;
  readonly box: Box | null;
}

const LUNG_HU = -400;
const TISSUE_HU = -500;

/**
 * Where the lungs are. Per slice: the body is the largest connected region of tissue (> -500 HU) with
 * its holes filled; the lungs are the air (< -400 HU) inside it. Air around the body, inside a patient
 * table or a blanket, or in an arm is not lung. Slices with less than `minAreaMm2` of lung are left out;
 * the box pads the lungs by `marginMm`.
 */
export function lungMask(g: Grid, marginMm = 12, minAreaMm2 = 400): LungMask {
  const { nx, ny, nz } = g;
  const plane = nx * ny;
  const px = g.spacing[0] * g.spacing[1];
  const mask = bitMask(plane * nz);
  const label = new Int32Array(plane);
  const stack = new Int32Array(plane);
  const reached = new Uint8Array(plane);
  let bx0 = nx;
  let by0 = ny;
  let bx1 = -1;
  let by1 = -1;
  let bz0 = nz;
  let bz1 = -1;
  // Hot loops: no closures (a closure per visited pixel made this the slowest step of an analysis).
  const data = g.data;
  for (let k = 0; k < nz; k++) {
    const base = k * plane;
    // The largest 4-connected tissue region is the body.
    label.fill(0);
    let next = 0;
    let body = 0;
    let bodySize = 0;
    for (let start = 0; start < plane; start++) {
      if (label[start] !== 0 || !(data[base + start] > TISSUE_HU)) continue;
      next++;
      let size = 0;
      let sp = 0;
      label[start] = next;
      stack[sp++] = start;
      while (sp > 0) {
        const i = stack[--sp];
        size++;
        const x = i % nx;
        if (x > 0 && label[i - 1] === 0 && data[base + i - 1] > TISSUE_HU) {
          label[i - 1] = next;
          stack[sp++] = i - 1;
        }
        if (x < nx - 1 && label[i + 1] === 0 && data[base + i + 1] > TISSUE_HU) {
          label[i + 1] = next;
          stack[sp++] = i + 1;
        }
        if (i >= nx && label[i - nx] === 0 && data[base + i - nx] > TISSUE_HU) {
          label[i - nx] = next;
          stack[sp++] = i - nx;
        }
        if (i < plane - nx && label[i + nx] === 0 && data[base + i + nx] > TISSUE_HU) {
          label[i + nx] = next;
          stack[sp++] = i + nx;
        }
      }
      if (size > bodySize) {
        bodySize = size;
        body = next;
      }
    }
    if (body === 0) continue;
    // Fill the body's holes: everything not reachable from the image edge without crossing the body.
    reached.fill(0);
    let sp = 0;
    for (let e = 0; e < 2 * (nx + ny); e++) {
      const i =
        e < nx
          ? e
          : e < 2 * nx
            ? (ny - 1) * nx + (e - nx)
            : e < 2 * nx + ny
              ? (e - 2 * nx) * nx
              : (e - 2 * nx - ny) * nx + nx - 1;
      if (reached[i] === 0 && label[i] !== body) {
        reached[i] = 1;
        stack[sp++] = i;
      }
    }
    while (sp > 0) {
      const i = stack[--sp];
      const x = i % nx;
      if (x > 0 && reached[i - 1] === 0 && label[i - 1] !== body) {
        reached[i - 1] = 1;
        stack[sp++] = i - 1;
      }
      if (x < nx - 1 && reached[i + 1] === 0 && label[i + 1] !== body) {
        reached[i + 1] = 1;
        stack[sp++] = i + 1;
      }
      if (i >= nx && reached[i - nx] === 0 && label[i - nx] !== body) {
        reached[i - nx] = 1;
        stack[sp++] = i - nx;
      }
      if (i < plane - nx && reached[i + nx] === 0 && label[i + nx] !== body) {
        reached[i + nx] = 1;
        stack[sp++] = i + nx;
      }
    }
    // The slice's lung pixels, listed in `stack` (free again after the fill): set in the mask only if
    // there are enough of them.
    let area = 0;
    let sx0 = nx;
    let sy0 = ny;
    let sx1 = -1;
    let sy1 = -1;
    for (let i = 0; i < plane; i++) {
      if (reached[i] === 0 && data[base + i] < LUNG_HU) {
        stack[area++] = i;
        const x = i % nx;
        const y = (i - x) / nx;
        if (x < sx0) sx0 = x;
        if (x > sx1) sx1 = x;
        if (y < sy0) sy0 = y;
        if (y > sy1) sy1 = y;
      }
    }
    if (area * px >= minAreaMm2) {
      bz0 = Math.min(bz0, k);
      bz1 = Math.max(bz1, k);
      bx0 = Math.min(bx0, sx0);
      by0 = Math.min(by0, sy0);
      bx1 = Math.max(bx1, sx1);
      by1 = Math.max(by1, sy1);
      for (let n = 0; n < area; n++) setBit(mask, base + stack[n]);
    }
  }
  if (bz1 < 0) return { mask, box: null };
  const m = Math.round(marginMm / g.spacing[0]);
  const mz = Math.max(1, Math.round(marginMm / 2 / g.spacing[2]));
  return {
    mask,
    box: {
      x0: Math.max(0, bx0 - m),
      y0: Math.max(0, by0 - m),
      x1: Math.min(nx - 1, bx1 + m),
      y1: Math.min(ny - 1, by1 + m),
      z0: Math.max(0, bz0 - mz),
      z1: Math.min(nz - 1, bz1 + mz),
    },
  };
}

/** The lungs' bounding box (see lungMask). */
export function lungBox(g: Grid, marginMm = 12, minAreaMm2 = 400): Box | null {
  return lungMask(g, marginMm, minAreaMm2).box;
}

/** Whether any lung voxel lies within `radiusMm` of a patient-space point. */
export function nearLung(
  g: Grid,
  mask: BitMask,
  p: readonly [number, number, number],
  radiusMm: number,
): boolean {
  const [sx, sy, sz] = g.spacing;
  const ci = (p[0] - g.origin[0]) / sx;
  const cj = (p[1] - g.origin[1]) / sy;
  const ck = (p[2] - g.origin[2]) / sz;
  const i0 = Math.max(0, Math.floor(ci - radiusMm / sx));
  const i1 = Math.min(g.nx - 1, Math.ceil(ci + radiusMm / sx));
  const j0 = Math.max(0, Math.floor(cj - radiusMm / sy));
  const j1 = Math.min(g.ny - 1, Math.ceil(cj + radiusMm / sy));
  const k0 = Math.max(0, Math.floor(ck - radiusMm / sz));
  const k1 = Math.min(g.nz - 1, Math.ceil(ck + radiusMm / sz));
  const r2 = radiusMm * radiusMm;
  for (let k = k0; k <= k1; k++) {
    const dz = (k - ck) * sz;
    for (let j = j0; j <= j1; j++) {
      const dy = (j - cj) * sy;
      const row = (k * g.ny + j) * g.nx;
      for (let i = i0; i <= i1; i++) {
        const dx = (i - ci) * sx;
        if (isSet(mask, row + i) && dx * dx + dy * dy + dz * dz <= r2) return true;
      }
    }
  }
  return false;
}

/**
 * A patch of the grid centred on the voxel nearest a patient-space point, [slices][rows][columns], windowed
 * and normalised as the model's input; air (-1024 HU) where it leaves the grid. Written into `out` at
 * `offset`. With `step` s > 1 the patch is sampled at s times the grid's spacing: each value is the mean HU
 * of s × s × s voxels (output index t on an axis of n covers voxels c − s·(n − 1)/2 − ⌊s/2⌋ + s·t … + s − 1,
 * c the nearest voxel), windowed after averaging.
 */
export function writePatch(
  g: Grid,
  center: readonly [number, number, number],
  size: readonly [number, number, number],
  spec: Pick<InputSpec, 'window' | 'normalize'>,
  out: Float32Array,
  offset = 0,
  step = 1,
): void {
  const [d, h, w] = size;
  const s = Math.max(1, Math.round(step));
  const first = (c: number, origin: number, spacing: number, n: number): number =>
    Math.round((c - origin) / spacing) - (s * (n - 1)) / 2 - Math.floor(s / 2);
  const ci = first(center[0], g.origin[0], g.spacing[0], w);
  const cj = first(center[1], g.origin[1], g.spacing[1], h);
  const ck = first(center[2], g.origin[2], g.spacing[2], d);
  const { lower, upper } = spec.window;
  const { offset: add, scale } = spec.normalize;
  const cells = s * s * s;
  const voxel = (k: number, j: number, i: number): number =>
    k < 0 || j < 0 || i < 0 || k >= g.nz || j >= g.ny || i >= g.nx
      ? -1024
      : g.data[(k * g.ny + j) * g.nx + i];
  let o = offset;
  for (let z = 0; z < d; z++) {
    const k = ck + s * z;
    for (let y = 0; y < h; y++) {
      const j = cj + s * y;
      for (let x = 0; x < w; x++) {
        const i = ci + s * x;
        let hu = 0;
        if (s === 1) hu = voxel(k, j, i);
        else {
          for (let a = 0; a < s; a++)
            for (let b = 0; b < s; b++) for (let c = 0; c < s; c++) hu += voxel(k + a, j + b, i + c);
          hu /= cells;
        }
        out[o++] = ((hu < lower ? lower : hu > upper ? upper : hu) + add) / scale;
      }
    }
  }
}

export function fullBox(g: Grid): Box {
  return { x0: 0, y0: 0, x1: g.nx - 1, y1: g.ny - 1, z0: 0, z1: g.nz - 1 };
}

export interface InputShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

export function inputShape(box: Box, spec: InputSpec): InputShape {
  const h = box.y1 - box.y0 + 1;
  const w = box.x1 - box.x0 + 1;
  const m = spec.multipleOf;
  return { channels: spec.slices, height: Math.ceil(h / m) * m, width: Math.ceil(w / m) * m };
}

/**
 * The model input centred on grid slice k: `spec.slices` adjacent slices (clamped at the ends), cropped to
 * the box, windowed and normalised, padded with air. Writes into `out` at `offset` (batching).
 */
export function writeInput(
  g: Grid,
  k: number,
  box: Box,
  spec: InputSpec,
  out: Float32Array,
  offset = 0,
): void {
  const shape = inputShape(box, spec);
  const { lower, upper } = spec.window;
  const { offset: add, scale } = spec.normalize;
  const air = (Math.min(upper, Math.max(lower, -1024)) + add) / scale;
  const half = (spec.slices - 1) / 2;
  const plane = shape.height * shape.width;
  for (let c = 0; c < spec.slices; c++) {
    const kk = Math.min(g.nz - 1, Math.max(0, k + c - half));
    const base = kk * g.nx * g.ny;
    const o = offset + c * plane;
    for (let y = 0; y < shape.height; y++) {
      const gy = box.y0 + y;
      for (let x = 0; x < shape.width; x++) {
        const gx = box.x0 + x;
        let v: number;
        if (gy > box.y1 || gx > box.x1) v = air;
        else {
          const hu = g.data[base + gy * g.nx + gx];
          v = ((hu < lower ? lower : hu > upper ? upper : hu) + add) / scale;
        }
        out[o + y * shape.width + x] = v;
      }
    }
  }
}
