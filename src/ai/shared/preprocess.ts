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
/** Room air: air this thin on average is the air around the body, never lung. */
const ROOM_AIR_HU = -950;
/** A lung has places this far (mm) from anything but air; the partial-volume rim along the skin has none. */
const THICK_MM = 2;
/** Lung is air with vessels in it: separate small tissue regions (pixels, at about 1 mm a pixel). */
const VESSEL_PX = [3, 400] as const;
/** …and compact: none is longer than this along x or y (a table's shell is long and thin). */
const VESSEL_SPAN_PX = 40;
const MIN_VESSELS = 3;
// What the hole fill knows of each pixel of a slice (`reached`).
const OPEN = 0;
const OUTSIDE = 1;
const PADDING = 2;
const PENDING = 4;
const CUT_LUNG = 5;
// What markPadding found.
const NO_PADDING = 0;
const PADDING_APART = 1;
const PADDING_AT_BODY = 2;
/** The grid's floor: a reconstruction's padding outside its circle ends up here, without noise. */
const PADDING_HU = -1024;
/** How far padding is widened over the circle's rim, which resampling blends with what is inside it. */
const PADDING_RIM_MM = 2;

/** A 3D region of lung-mask voxels smaller than this share of the largest is not lung (see lungMask). */
const SMALL_REGION_SHARE = 0.01;

/**
 * Clears the 6-connected regions of set voxels smaller than `share` of the largest, in place; returns how
 * many voxels it cleared. Two flood fills: one to size every region (remembering a voxel of each), one to
 * clear the small ones from it.
 */
export function dropSmallRegions(mask: BitMask, nx: number, ny: number, nz: number, share: number): number {
  const plane = nx * ny;
  const total = plane * nz;
  const seen = bitMask(total);
  let stack = new Int32Array(1 << 16);
  const seeds: number[] = [];
  const sizes: number[] = [];
  /** Flood from `start` over set voxels not yet in `visited`; `clear` also clears them in the mask. */
  const flood = (start: number, visited: BitMask, clear: boolean): number => {
    let sp = 0;
    let size = 0;
    setBit(visited, start);
    stack[sp++] = start;
    while (sp > 0) {
      const i = stack[--sp];
      size++;
      if (clear) mask[i >> 3] &= ~(1 << (i & 7));
      const x = i % nx;
      const k = Math.floor(i / plane);
      const y = (i - k * plane - x) / nx;
      if (sp + 6 > stack.length) {
        const grown = new Int32Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
      }
      if (x > 0 && isSet(mask, i - 1) && !isSet(visited, i - 1)) {
        setBit(visited, i - 1);
        stack[sp++] = i - 1;
      }
      if (x < nx - 1 && isSet(mask, i + 1) && !isSet(visited, i + 1)) {
        setBit(visited, i + 1);
        stack[sp++] = i + 1;
      }
      if (y > 0 && isSet(mask, i - nx) && !isSet(visited, i - nx)) {
        setBit(visited, i - nx);
        stack[sp++] = i - nx;
      }
      if (y < ny - 1 && isSet(mask, i + nx) && !isSet(visited, i + nx)) {
        setBit(visited, i + nx);
        stack[sp++] = i + nx;
      }
      if (k > 0 && isSet(mask, i - plane) && !isSet(visited, i - plane)) {
        setBit(visited, i - plane);
        stack[sp++] = i - plane;
      }
      if (k < nz - 1 && isSet(mask, i + plane) && !isSet(visited, i + plane)) {
        setBit(visited, i + plane);
        stack[sp++] = i + plane;
      }
    }
    return size;
  };
  for (let byte = 0; byte < mask.length; byte++) {
    // Whole bytes at a time: most of the volume is not lung.
    if ((mask[byte] ?? 0) === 0 || (mask[byte] ?? 0) === ((seen[byte] ?? 0) & (mask[byte] ?? 0))) continue;
    for (let bit = 0; bit < 8; bit++) {
      const i = byte * 8 + bit;
      if (i < total && isSet(mask, i) && !isSet(seen, i)) {
        seeds.push(i);
        sizes.push(flood(i, seen, false));
      }
    }
  }
  if (sizes.length === 0) return 0;
  const largest = Math.max(...sizes);
  const cleared = bitMask(total);
  let dropped = 0;
  sizes.forEach((size, r) => {
    if (size < share * largest) dropped += flood(seeds[r] ?? 0, cleared, true);
  });
  return dropped;
}

/**
 * Where the lungs are. Per slice: the body is the largest connected region of tissue (> -500 HU) with
 * its holes filled; the lungs are the air (< -400 HU) inside it. Air around the body, inside a patient
 * table or a blanket, or in an arm is not lung. Slices with less than `minAreaMm2` of lung are left out;
 * the box pads the lungs by `marginMm`.
 *
 * Where the field of view cuts the body (a targeted reconstruction, a large patient, padding outside the
 * reconstruction circle up against the body), a lung can run off the image, and air reaching the edge is
 * no longer outside air by that alone: see openCutSlice. Slices the field does not cut are filled as
 * above, from the image edge.
 */
export function lungMask(g: Grid, marginMm = 12, minAreaMm2 = 400): LungMask {
  const { nx, ny, nz } = g;
  const plane = nx * ny;
  const px = g.spacing[0] * g.spacing[1];
  const mask = bitMask(plane * nz);
  const label = new Int32Array(plane);
  const stack = new Int32Array(plane);
  const reached = new Uint8Array(plane);
  const sizes = new Int32Array(plane + 1);
  const seen = new Int32Array(plane + 1);
  /** Each tissue region's bounding box: x0, x1, y0, y1. */
  const boxes = new Int32Array(4 * (plane + 1));
  const scratchA = new Uint8Array(plane);
  const scratchB = new Uint8Array(plane);
  const padArea = new Int32Array(4);
  const hullLo = new Float64Array(ny);
  const hullHi = new Float64Array(ny);
  let bx0 = nx;
  let by0 = ny;
  let bx1 = -1;
  let by1 = -1;
  let bz0 = nz;
  let bz1 = -1;
  // Hot loops: no closures (a closure per visited pixel made this the slowest step of an analysis).
  const data = g.data;
  const thick = Math.max(1, Math.round(THICK_MM / g.spacing[0]));
  const rim = Math.max(1, Math.round(PADDING_RIM_MM / g.spacing[0]));
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
      let cx0 = nx;
      let cx1 = 0;
      let cy0 = ny;
      let cy1 = 0;
      label[start] = next;
      stack[sp++] = start;
      while (sp > 0) {
        const i = stack[--sp];
        size++;
        const x = i % nx;
        const y = (i - x) / nx;
        if (x < cx0) cx0 = x;
        if (x > cx1) cx1 = x;
        if (y < cy0) cy0 = y;
        if (y > cy1) cy1 = y;
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
      sizes[next] = size;
      boxes[4 * next] = cx0;
      boxes[4 * next + 1] = cx1;
      boxes[4 * next + 2] = cy0;
      boxes[4 * next + 3] = cy1;
      if (size > bodySize) {
        bodySize = size;
        body = next;
      }
    }
    if (body === 0) continue;
    sizes[next + 1] = 0; // ends this slice's regions for openCutSlice
    // Fill the body's holes: everything not reachable from the image edge without crossing the body.
    reached.fill(OPEN);
    // Padding matters only where the body reaches it: looked for around the body first, over the whole
    // image only where the body is cut (a lung can run beyond the body's box to the field's edge).
    const atEdge = bodyAtEdge(label, body, nx, ny);
    const g1 = rim + 1;
    padArea[0] = atEdge ? 0 : Math.max(0, boxes[4 * body] - g1);
    padArea[1] = atEdge ? nx - 1 : Math.min(nx - 1, boxes[4 * body + 1] + g1);
    padArea[2] = atEdge ? 0 : Math.max(0, boxes[4 * body + 2] - g1);
    padArea[3] = atEdge ? ny - 1 : Math.min(ny - 1, boxes[4 * body + 3] + g1);
    let padding = markPadding(
      data,
      base,
      nx,
      ny,
      label,
      body,
      reached,
      stack,
      rim,
      scratchA,
      scratchB,
      padArea,
    );
    if (!atEdge && padding === PADDING_AT_BODY) {
      reached.fill(OPEN);
      padArea.set([0, nx - 1, 0, ny - 1]);
      padding = markPadding(
        data,
        base,
        nx,
        ny,
        label,
        body,
        reached,
        stack,
        rim,
        scratchA,
        scratchB,
        padArea,
      );
    }
    const cut = atEdge || padding === PADDING_AT_BODY;
    if (cut) {
      // Every region that reaches the edge or the padding is decided there; what is left are holes.
      openCutSlice(
        data,
        base,
        nx,
        ny,
        label,
        sizes,
        boxes,
        seen,
        Math.ceil(bodySize / 4),
        reached,
        stack,
        scratchA,
        padding !== NO_PADDING,
        padArea,
        hullLo,
        hullHi,
        thick,
      );
    } else if (padding !== NO_PADDING) {
      for (let y = padArea[2]; y <= padArea[3]; y++)
        for (let x = padArea[0]; x <= padArea[1]; x++)
          if (reached[y * nx + x] === PADDING) reached[y * nx + x] = OPEN;
    }
    let sp = 0;
    for (let e = 0; !cut && e < 2 * (nx + ny); e++) {
      const i = edgePixel(e, nx, ny);
      if (reached[i] === OPEN && label[i] !== body) {
        reached[i] = OUTSIDE;
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
      if ((reached[i] === OPEN || reached[i] === CUT_LUNG) && data[base + i] < LUNG_HU) {
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
  // Air that a slice took for lung but that is not part of a lung in 3D: a pocket trapped between the
  // back and the table or a pad, gas in a loop of bowel, a fold of skin. Each slice alone cannot tell it
  // from a small piece of lung; in 3D it is a region far smaller than the lungs. It leaves the mask (so
  // no finding counts as touching the lungs through it); the box, the detector's crop, stays as the
  // slices found it: the detector's scores move with where its crop starts, so a fix to the mask would
  // otherwise change every score a little.
  dropSmallRegions(mask, nx, ny, nz, SMALL_REGION_SHARE);
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

/**
 * Marks (reached = PADDING) the padding outside a reconstruction circle within `area` (x0, x1, y0, y1):
 * pixels at the floor value (-1024 HU) whose 8 neighbours are all at it too (noisy air never is, over
 * nine pixels), connected to the area's border (outside the body), widened by `grow` pixels over the
 * resampled rim. Floor-valued air inside the body (a noiseless gas bubble) is not padding. Returns
 * NO_PADDING, PADDING_APART, or PADDING_AT_BODY when the body (`label` = `body`) comes within `grow`
 * pixels of it. `a` and `b` are scratch planes.
 */
function markPadding(
  data: Int16Array,
  base: number,
  nx: number,
  ny: number,
  label: Int32Array,
  body: number,
  reached: Uint8Array,
  stack: Int32Array,
  grow: number,
  a: Uint8Array,
  b: Uint8Array,
  area: Int32Array,
): number {
  const plane = nx * ny;
  let any = false;
  for (let x = 0; x < nx && !any; x++)
    any = data[base + x] <= PADDING_HU || data[base + plane - nx + x] <= PADDING_HU;
  for (let y = 0; y < ny && !any; y++)
    any = data[base + y * nx] <= PADDING_HU || data[base + y * nx + nx - 1] <= PADDING_HU;
  if (!any) return NO_PADDING;
  const [x0, x1, y0, y1] = area;
  // a: floor pixels; b: floor with floor on both sides in the row; then a: cores, b above and below as
  // well. Beyond the box counts as floor: a core there is padding or floor-valued air, harmless.
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) a[y * nx + x] = data[base + y * nx + x] <= PADDING_HU ? 1 : 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = y * nx + x;
      b[i] = a[i] & (x === x0 ? 1 : a[i - 1]) & (x === x1 ? 1 : a[i + 1]);
    }
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = y * nx + x;
      a[i] = b[i] & (y === y0 ? 1 : b[i - nx]) & (y === y1 ? 1 : b[i + nx]);
    }
  for (let y = y0; y <= y1; y++) b.fill(0, y * nx + x0, y * nx + x1 + 1);
  // Only cores connected to the box's border (which is outside the body) are padding (b = 1); floor-valued
  // air inside the body (a noiseless gas bubble) is not.
  let sp = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x += y === y0 || y === y1 ? 1 : x1 - x0) {
      const i = y * nx + x;
      if (a[i] === 1 && b[i] === 0) {
        b[i] = 1;
        stack[sp++] = i;
      }
      if (x1 === x0) break;
    }
  if (sp === 0) return NO_PADDING;
  while (sp > 0) {
    const i = stack[--sp];
    const x = i % nx;
    const y = (i - x) / nx;
    if (x > x0 && a[i - 1] === 1 && b[i - 1] === 0) {
      b[i - 1] = 1;
      stack[sp++] = i - 1;
    }
    if (x < x1 && a[i + 1] === 1 && b[i + 1] === 0) {
      b[i + 1] = 1;
      stack[sp++] = i + 1;
    }
    if (y > y0 && a[i - nx] === 1 && b[i - nx] === 0) {
      b[i - nx] = 1;
      stack[sp++] = i - nx;
    }
    if (y < y1 && a[i + nx] === 1 && b[i + nx] === 0) {
      b[i + nx] = 1;
      stack[sp++] = i + nx;
    }
  }
  // Mark the cores; widen those at the rim (beside a non-core pixel), noting whether the body is there.
  let atBody = false;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = y * nx + x;
      if (b[i] === 0) continue;
      if (reached[i] === OPEN) reached[i] = PADDING;
      const inner =
        (x === x0 || b[i - 1] === 1) &&
        (x === x1 || b[i + 1] === 1) &&
        (y === y0 || b[i - nx] === 1) &&
        (y === y1 || b[i + nx] === 1);
      if (inner) continue;
      for (let yy = Math.max(y0, y - grow); yy <= Math.min(y1, y + grow); yy++)
        for (let xx = Math.max(x0, x - grow); xx <= Math.min(x1, x + grow); xx++) {
          const j = yy * nx + xx;
          if (label[j] === body) atBody = true;
          else if (reached[j] === OPEN) reached[j] = PADDING;
        }
    }
  return atBody ? PADDING_AT_BODY : PADDING_APART;
}

/** The `e`-th of the 2 (nx + ny) pixels round the edge of an nx × ny plane: top row, bottom row, left
 * column, right column (the corners twice). */
function edgePixel(e: number, nx: number, ny: number): number {
  if (e < nx) return e;
  if (e < 2 * nx) return (ny - 1) * nx + (e - nx);
  if (e < 2 * nx + ny) return (e - 2 * nx) * nx;
  return (e - 2 * nx - ny) * nx + nx - 1;
}

/** Whether the body reaches the image edge. */
function bodyAtEdge(label: Int32Array, body: number, nx: number, ny: number): boolean {
  const plane = nx * ny;
  for (let x = 0; x < nx; x++) if (label[x] === body || label[plane - nx + x] === body) return true;
  for (let y = 0; y < ny; y++) if (label[y * nx] === body || label[y * nx + nx - 1] === body) return true;
  return false;
}

/**
 * x of the convex hull's left (`sign` 1) or right (-1) boundary on each row, from each row's extreme x
 * (`ext`, NaN where the row is empty): the lower convex envelope of (y, sign·x), linearly interpolated.
 */
function hullSide(ext: Float64Array, sign: number, ny: number, out: Float64Array, ys: Int32Array): void {
  let h = 0;
  for (let y = 0; y < ny; y++) {
    const v = ext[y];
    if (v === undefined || Number.isNaN(v)) continue;
    // Pop while the last two points and this one turn the wrong way (not convex from below).
    while (h >= 2) {
      const y1 = ys[h - 2];
      const y2 = ys[h - 1];
      const a = sign * ext[y1];
      const b = sign * ext[y2];
      const c = sign * v;
      if ((b - a) * (y - y1) >= (c - a) * (y2 - y1)) h--;
      else break;
    }
    ys[h++] = y;
  }
  out.fill(NaN);
  for (let n = 0; n < h; n++) {
    const y1 = ys[n];
    const v1 = ext[y1];
    out[y1] = v1;
    if (n + 1 < h) {
      const y2 = ys[n + 1];
      const v2 = ext[y2];
      for (let y = y1 + 1; y < y2; y++) out[y] = v1 + ((v2 - v1) * (y - y1)) / (y2 - y1);
    }
  }
}

/**
 * A slice whose body the field of view cuts. Each region of air and loose tissue that reaches the edge or
 * the padding is decided as a whole. It is lung cut off by the field when all of these hold: it is
 * lung-dense (its air averages above room air); most of its air lies inside the convex hull of the body;
 * somewhere in it is thicker than the partial-volume rim along the skin; and it holds vessels (at least
 * three separate small, compact tissue regions), which a table's foam core, a blanket or the rim do not.
 * Otherwise it is the air around the body. The body here is every tissue region of at least `minPiece`
 * pixels, since the cut can split it.
 */
function openCutSlice(
  data: Int16Array,
  base: number,
  nx: number,
  ny: number,
  label: Int32Array,
  sizes: Int32Array,
  boxes: Int32Array,
  seen: Int32Array,
  minPiece: number,
  reached: Uint8Array,
  list: Int32Array,
  body: Uint8Array,
  padded: boolean,
  area: Int32Array,
  lo: Float64Array,
  hi: Float64Array,
  thick: number,
): void {
  const plane = nx * ny;

  // The hull of the body, row by row.
  const left = new Float64Array(ny).fill(NaN);
  const right = new Float64Array(ny).fill(NaN);
  // Only inside the union of the pieces' boxes: elsewhere there is no body.
  let ux0 = nx;
  let ux1 = -1;
  let uy0 = ny;
  let uy1 = -1;
  for (let l = 1; l < sizes.length && sizes[l] > 0; l++) {
    if (sizes[l] < minPiece) continue;
    ux0 = Math.min(ux0, boxes[4 * l]);
    ux1 = Math.max(ux1, boxes[4 * l + 1]);
    uy0 = Math.min(uy0, boxes[4 * l + 2]);
    uy1 = Math.max(uy1, boxes[4 * l + 3]);
  }
  body.fill(0);
  for (let y = uy0; y <= uy1; y++) {
    for (let x = ux0; x <= ux1; x++) {
      const l = label[y * nx + x];
      const piece = l !== 0 && sizes[l] >= minPiece;
      body[y * nx + x] = piece ? 1 : 0;
      if (!piece) continue;
      if (Number.isNaN(left[y])) left[y] = x;
      right[y] = x;
    }
  }
  const ys = new Int32Array(ny);
  hullSide(left, 1, ny, lo, ys);
  hullSide(right, -1, ny, hi, ys);
  // Starts: the image edge, then (where there is padding: only inside `area`) pixels beside padding.
  const edge = 2 * (nx + ny);
  const inArea = padded ? (area[1] - area[0] + 1) * (area[3] - area[2] + 1) : 0;
  for (let e = 0; e < edge + inArea; e++) {
    let start: number;
    if (e < edge) {
      start = edgePixel(e, nx, ny);
    } else {
      const w = area[1] - area[0] + 1;
      start = (area[2] + Math.floor((e - edge) / w)) * nx + area[0] + ((e - edge) % w);
    }
    if (reached[start] !== OPEN || body[start] === 1) continue;
    if (e >= edge) {
      const sx = start % nx;
      const besidePadding =
        (sx > 0 && reached[start - 1] === PADDING) ||
        (sx < nx - 1 && reached[start + 1] === PADDING) ||
        (start >= nx && reached[start - nx] === PADDING) ||
        (start < plane - nx && reached[start + nx] === PADDING);
      if (!besidePadding) continue;
    }
    // Where it starts in room air, the region is the air around the body: filled at once, no questions.
    if (roomAir(data, base, nx, ny, start, thick, reached)) {
      let sp = 0;
      list[sp++] = start;
      reached[start] = OUTSIDE;
      while (sp > 0) {
        const i = list[--sp];
        const x = i % nx;
        if (x > 0 && reached[i - 1] === OPEN && body[i - 1] === 0) {
          reached[i - 1] = OUTSIDE;
          list[sp++] = i - 1;
        }
        if (x < nx - 1 && reached[i + 1] === OPEN && body[i + 1] === 0) {
          reached[i + 1] = OUTSIDE;
          list[sp++] = i + 1;
        }
        if (i >= nx && reached[i - nx] === OPEN && body[i - nx] === 0) {
          reached[i - nx] = OUTSIDE;
          list[sp++] = i - nx;
        }
        if (i < plane - nx && reached[i + nx] === OPEN && body[i + nx] === 0) {
          reached[i + nx] = OUTSIDE;
          list[sp++] = i + nx;
        }
      }
      continue;
    }
    // Otherwise the region, breadth first, listed in `list`.
    let n = 0;
    list[n++] = start;
    reached[start] = PENDING;
    let airSum = 0;
    let airN = 0;
    let inHull = 0;
    let deep = false;
    let vessels = 0;
    const stamp = base + start + 1;
    for (let q = 0; q < n; q++) {
      const i = list[q];
      const x = i % nx;
      const y = (i - x) / nx;
      const v = data[base + i];
      const l = label[i];
      if (l !== 0 && seen[l] !== stamp) {
        seen[l] = stamp;
        const size = sizes[l];
        const span = Math.max(boxes[4 * l + 1] - boxes[4 * l], boxes[4 * l + 3] - boxes[4 * l + 2]);
        if (size >= VESSEL_PX[0] && size <= VESSEL_PX[1] && span <= VESSEL_SPAN_PX) vessels++;
      }
      if (v < LUNG_HU) {
        airSum += v;
        airN++;
        if (x >= lo[y] && x <= hi[y]) inHull++;
        if (!deep) deep = allAir(data, base, nx, ny, x, y, thick, reached);
      }
      if (x > 0 && reached[i - 1] === OPEN && body[i - 1] === 0) {
        reached[i - 1] = PENDING;
        list[n++] = i - 1;
      }
      if (x < nx - 1 && reached[i + 1] === OPEN && body[i + 1] === 0) {
        reached[i + 1] = PENDING;
        list[n++] = i + 1;
      }
      if (i >= nx && reached[i - nx] === OPEN && body[i - nx] === 0) {
        reached[i - nx] = PENDING;
        list[n++] = i - nx;
      }
      if (i < plane - nx && reached[i + nx] === OPEN && body[i + nx] === 0) {
        reached[i + nx] = PENDING;
        list[n++] = i + nx;
      }
    }
    const lung =
      airN > 0 && airSum / airN >= ROOM_AIR_HU && 2 * inHull >= airN && deep && vessels >= MIN_VESSELS;
    for (let q = 0; q < n; q++) reached[list[q]] = lung ? CUT_LUNG : OUTSIDE;
  }
}

/**
 * Whether the air within `r` pixels of pixel `i` (tissue and padding left out) is room air: well below
 * lung density (-975 HU on average), as only the air around the body is.
 */
function roomAir(
  data: Int16Array,
  base: number,
  nx: number,
  ny: number,
  i: number,
  r: number,
  reached: Uint8Array,
): boolean {
  const x = i % nx;
  const y = (i - x) / nx;
  let sum = 0;
  let n = 0;
  for (let yy = Math.max(0, y - r); yy <= Math.min(ny - 1, y + r); yy++)
    for (let xx = Math.max(0, x - r); xx <= Math.min(nx - 1, x + r); xx++) {
      const j = yy * nx + xx;
      const v = data[base + j];
      if (v < LUNG_HU && reached[j] !== PADDING) {
        sum += v;
        n++;
      }
    }
  return n > 0 && sum / n < ROOM_AIR_HU - 25;
}

/** Whether everything within `r` pixels of (x, y) is air, none of it padding or off the image. */
function allAir(
  data: Int16Array,
  base: number,
  nx: number,
  ny: number,
  x: number,
  y: number,
  r: number,
  reached: Uint8Array,
): boolean {
  if (x < r || y < r || x >= nx - r || y >= ny - r) return false;
  for (let yy = y - r; yy <= y + r; yy++)
    for (let xx = x - r; xx <= x + r; xx++) {
      const i = yy * nx + xx;
      if (!(data[base + i] < LUNG_HU) || reached[i] === PADDING) return false;
    }
  return true;
}

/**
 * Each slice's extent of a lung mask within `box`: 4 numbers a slice (x0, x1, y0, y1), x1 = -1 where the
 * slice has no lung. The crops of the detector's batches (`input.crop: 'lungs-per-batch'`).
 */
export function lungExtents(g: Grid, mask: BitMask, box: Box): Int32Array {
  const { nx, ny, nz } = g;
  const plane = nx * ny;
  const extents = new Int32Array(4 * nz).fill(-1);
  for (let k = box.z0; k <= box.z1; k++) {
    let x0 = nx;
    let x1 = -1;
    let y0 = ny;
    let y1 = -1;
    for (let y = box.y0; y <= box.y1; y++) {
      const row = k * plane + y * nx;
      for (let x = box.x0; x <= box.x1; x++) {
        const v = row + x;
        if ((mask[v >> 3] & (1 << (v & 7))) === 0) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
    if (x1 >= 0) extents.set([x0, x1, y0, y1], 4 * k);
  }
  return extents;
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
