/**
 * From model outputs to 3D findings: per-slice peaks of the CenterNet heatmap, grouped across slices into
 * nodules, with 3D non-maximum suppression, then measured on the image (long/short axis, volume, solid
 * component). Pure.
 */
import type { CenterNetOutput } from '../registry/manifest';
import type { Box, Grid } from './preprocess';

export interface Candidate {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly score: number;
  /** Cross-section diameter predicted at this slice (mm). */
  readonly size: number;
  readonly classes: Float32Array;
  readonly attributes: readonly Float32Array[];
}

export interface SliceOutputs {
  /** Output name → data for one slice, [channels][h][w]. */
  readonly [name: string]: Float32Array;
}

/** Peaks of one slice's heatmap: local maxima in 3×3 above `minScore`. */
export function slicePeaks(
  out: SliceOutputs,
  spec: CenterNetOutput,
  h: number,
  w: number,
  z: number,
  box: Box,
  grid: Grid,
  minScore: number,
): Candidate[] {
  const hm = out[spec.heatmap];
  const size = out[spec.size];
  const off = out[spec.offset];
  const cls = out[spec.classes.output];
  if (!hm || !size || !off || !cls) throw new Error('model outputs do not match the manifest');
  const plane = h * w;
  const nClasses = spec.classes.labels.length;
  const found: Candidate[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const s = hm[i];
      if (s < minScore) continue;
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          const o = hm[yy * w + xx];
          if (o > s || (o === s && yy * w + xx < i)) {
            peak = false;
            break;
          }
        }
      }
      if (!peak) continue;
      const gx = box.x0 + (x + off[i]) * spec.stride;
      const gy = box.y0 + (y + off[plane + i]) * spec.stride;
      const classes = new Float32Array(nClasses);
      for (let c = 0; c < nClasses; c++) classes[c] = cls[c * plane + i];
      const attributes = spec.attributes.map((a) => {
        const data = out[a.output];
        const v = new Float32Array(a.labels.length);
        if (data) for (let c = 0; c < a.labels.length; c++) v[c] = data[c * plane + i];
        return v;
      });
      found.push({
        x: grid.origin[0] + gx * grid.spacing[0],
        y: grid.origin[1] + gy * grid.spacing[1],
        z,
        score: s,
        size: size[i],
        classes,
        attributes,
      });
    }
  }
  // A poorly calibrated (or untrained) model can light up whole slices: keep the strongest peaks.
  return found.length > MAX_PEAKS_PER_SLICE
    ? found.sort((a, b) => b.score - a.score).slice(0, MAX_PEAKS_PER_SLICE)
    : found;
}

const MAX_PEAKS_PER_SLICE = 40;

export interface RawFinding {
  readonly center: [number, number, number];
  readonly score: number;
  readonly diameter: number;
  readonly classes: Float32Array;
  readonly attributes: readonly Float32Array[];
  /** z of the slice with the highest score. */
  readonly bestZ: number;
  /** When a second stage rescored the finding: the detector's score and the classifier's probability. */
  readonly stages?: { readonly detector: number; readonly classifier: number };
}

/**
 * Group per-slice candidates into nodules: a candidate joins a group when it lies within the group's
 * radius in the plane and within one slice step (plus the radius) along z of the group's extent.
 */
export function groupCandidates(cands: readonly Candidate[], sliceStep: number): RawFinding[] {
  const sorted = [...cands].sort((a, b) => b.score - a.score);
  interface Group {
    members: Candidate[];
    best: Candidate;
    zmin: number;
    zmax: number;
  }
  const groups: Group[] = [];
  // A candidate joins the first group (in the order they were made) that takes it. A chest CT gives
  // thousands of low-scoring candidates and as many groups, so only the groups that can take a candidate
  // are tested, which gives the same answer as testing them all: each group is filed in the cells its own
  // reach covers, and a candidate looks in its own cell and, when it is large enough that its own size
  // widens the reach, in the cells within that.
  const index = new CellIndex(GROUP_CELL_MM);
  for (const c of sorted) {
    let chosen = -1;
    index.visit(c.x, c.y, c.z, 0.6 * c.size, 0, (gi) => {
      if (chosen !== -1 && gi > chosen) return;
      const g = groups[gi];
      const r = Math.max(3, 0.6 * g.best.size, 0.6 * c.size);
      const dxy = Math.hypot(c.x - g.best.x, c.y - g.best.y);
      const dz = c.z < g.zmin ? g.zmin - c.z : c.z > g.zmax ? c.z - g.zmax : 0;
      if (
        dxy <= r &&
        dz <= sliceStep * 1.01 &&
        Math.abs(c.z - g.best.z) <= Math.max(g.best.size, 4) / 2 + sliceStep
      )
        chosen = gi;
    });
    if (chosen !== -1) {
      const g = groups[chosen];
      g.members.push(c);
      g.zmin = Math.min(g.zmin, c.z);
      g.zmax = Math.max(g.zmax, c.z);
    } else {
      groups.push({ members: [c], best: c, zmin: c.z, zmax: c.z });
      index.add(c.x, c.y, c.z, Math.max(3, 0.6 * c.size), Math.max(c.size, 4) / 2 + sliceStep);
    }
  }
  const findings: RawFinding[] = groups.map((g) => {
    const strong = g.members.filter((m) => m.score >= 0.5 * g.best.score);
    let wsum = 0;
    let cx = 0;
    let cy = 0;
    let cz = 0;
    const classes = new Float32Array(g.best.classes.length);
    const attributes = g.best.attributes.map((a) => new Float32Array(a.length));
    for (const m of strong) {
      const w = m.score * m.score;
      wsum += w;
      cx += m.x * w;
      cy += m.y * w;
      cz += m.z * w;
      m.classes.forEach((v, i) => (classes[i] = classes[i] + v * w));
      m.attributes.forEach((a, k) =>
        a.forEach(
          (v, i) => ((attributes[k] as Float32Array)[i] = (attributes[k] as Float32Array)[i] + v * w),
        ),
      );
    }
    const diameter = Math.max(...strong.map((m) => m.size));
    return {
      center: [cx / wsum, cy / wsum, cz / wsum],
      score: g.best.score,
      diameter,
      classes: classes.map((v) => v / wsum),
      attributes: attributes.map((a) => a.map((v) => v / wsum)),
      bestZ: g.best.z,
    };
  });
  // 3D NMS: drop a finding whose centre lies inside a higher-scoring one (kept findings filed by the cells
  // their spheres cover, as above).
  findings.sort((a, b) => b.score - a.score);
  const kept: RawFinding[] = [];
  const keptIndex = new CellIndex(GROUP_CELL_MM);
  for (const f of findings) {
    let inside = false;
    const [x, y, z] = f.center;
    keptIndex.visit(x, y, z, f.diameter / 2 + 1, f.diameter / 2 + 1, (ki) => {
      if (inside) return;
      const k = kept[ki];
      inside =
        Math.hypot(x - k.center[0], y - k.center[1], z - k.center[2]) <
        Math.max(k.diameter, f.diameter) / 2 + 1;
    });
    if (!inside) {
      kept.push(f);
      keptIndex.add(x, y, z, f.diameter / 2 + 1, f.diameter / 2 + 1);
    }
  }
  return kept;
}

/** Cell size of the grouping indexes (mm): about a small nodule's reach. */
const GROUP_CELL_MM = 8;
const PAD_MM = 0.01;

/** One number for a cell (each index within ±2^16 cells: ±500 m at 8 mm), exact below 2^53. */
function cellKey(i: number, j: number, k: number): number {
  return ((i + CELL_OFFSET) * CELL_RANGE + (j + CELL_OFFSET)) * CELL_RANGE + (k + CELL_OFFSET);
}
const CELL_OFFSET = 2 ** 16;
const CELL_RANGE = 2 ** 17;

/**
 * Items, numbered 0, 1, 2, … in the order they are added, filed by the cells that a box around a point
 * covers, for finding those that may reach a point without testing them all. An item whose box cannot be
 * bounded (a size or position that is not a finite number) is kept apart and visited on every query.
 */
class CellIndex {
  private readonly cells = new Map<number, number[]>();
  private readonly always: number[] = [];
  private count = 0;
  constructor(private readonly cell: number) {}

  /** Files the next item in every cell within `reachXY` in x and y and `reachZ` in z of the point. */
  add(x: number, y: number, z: number, reachXY: number, reachZ: number): void {
    const item = this.count++;
    if (!Number.isFinite(x + y + z + reachXY + reachZ)) {
      this.always.push(item);
      return;
    }
    this.cover(x, y, z, reachXY, reachZ, (key) => {
      const list = this.cells.get(key);
      if (list) list.push(item);
      else this.cells.set(key, [item]);
    });
  }

  /**
   * Calls `visit` for every item filed in a cell within `reachXY` and `reachZ` of the point (some items
   * more than once): every item whose own box holds the point, and every item whose point lies within
   * that reach of it. A reach that is not a number counts as none; an infinite one visits every item.
   */
  visit(
    x: number,
    y: number,
    z: number,
    reachXY: number,
    reachZ: number,
    visit: (item: number) => void,
  ): void {
    if (!Number.isFinite(x + y + z) || reachXY === Infinity || reachZ === Infinity) {
      for (let item = 0; item < this.count; item++) visit(item);
      return;
    }
    for (const item of this.always) visit(item);
    this.cover(x, y, z, reachXY >= 0 ? reachXY : 0, reachZ >= 0 ? reachZ : 0, (key) => {
      const list = this.cells.get(key);
      if (list) for (const item of list) visit(item);
    });
  }

  private cover(x: number, y: number, z: number, rxy: number, rz: number, each: (key: number) => void): void {
    const c = this.cell;
    // A little more than asked, so that rounding in the callers' own distances never leaves a cell out.
    const [pxy, pz] = [Math.max(0, rxy) + PAD_MM, Math.max(0, rz) + PAD_MM];
    for (let i = Math.floor((x - pxy) / c); i <= Math.floor((x + pxy) / c); i++)
      for (let j = Math.floor((y - pxy) / c); j <= Math.floor((y + pxy) / c); j++)
        for (let k = Math.floor((z - pz) / c); k <= Math.floor((z + pz) / c); k++) each(cellKey(i, j, k));
  }
}

export interface Measurement {
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly volumeMm3: number;
  readonly solidComponentMm: number | null;
}

/**
 * Measure a nodule on the grid: segment at half the contrast between its centre and lung (-850 HU),
 * within a sphere 1.6× its predicted radius; axes from second moments on the slice through the centre;
 * volume from the 3D region; solid component from the part above -300 HU.
 */
export function measure(g: Grid, f: RawFinding, partSolid: boolean): Measurement | null {
  const [sx, sy, sz] = g.spacing;
  const ci = Math.round((f.center[0] - g.origin[0]) / sx);
  const cj = Math.round((f.center[1] - g.origin[1]) / sy);
  const ck = Math.round((f.center[2] - g.origin[2]) / sz);
  if (ci < 0 || cj < 0 || ck < 0 || ci >= g.nx || cj >= g.ny || ck >= g.nz) return null;
  const at = (i: number, j: number, k: number): number => g.data[(k * g.ny + j) * g.nx + i];
  let core = 0;
  let n = 0;
  for (let dj = -1; dj <= 1; dj++) {
    for (let di = -1; di <= 1; di++) {
      if (ci + di >= 0 && ci + di < g.nx && cj + dj >= 0 && cj + dj < g.ny) {
        core += at(ci + di, cj + dj, ck);
        n++;
      }
    }
  }
  core /= n;
  const threshold = (Math.min(core, 100) + -850) / 2;
  const limit = Math.max(3, 0.8 * f.diameter);
  const seen = new Set<number>();
  const queue: number[] = [(ck * g.ny + cj) * g.nx + ci];
  let voxels = 0;
  let solidOnSlice: [number, number][] = [];
  const onSlice: [number, number][] = [];
  while (queue.length > 0 && voxels < 200_000) {
    const idx = queue.pop() as number;
    if (seen.has(idx)) continue;
    seen.add(idx);
    const v = g.data[idx];
    if (v < threshold) continue;
    const i = idx % g.nx;
    const j = Math.floor(idx / g.nx) % g.ny;
    const k = Math.floor(idx / (g.nx * g.ny));
    const d = Math.hypot((i - ci) * sx, (j - cj) * sy, (k - ck) * sz);
    if (d > limit) continue;
    voxels++;
    if (k === ck) {
      onSlice.push([i * sx, j * sy]);
      if (v > -300) solidOnSlice.push([i * sx, j * sy]);
    }
    if (i > 0) queue.push(idx - 1);
    if (i < g.nx - 1) queue.push(idx + 1);
    if (j > 0) queue.push(idx - g.nx);
    if (j < g.ny - 1) queue.push(idx + g.nx);
    if (k > 0) queue.push(idx - g.nx * g.ny);
    if (k < g.nz - 1) queue.push(idx + g.nx * g.ny);
  }
  if (onSlice.length < 3) return null;
  const axes = momentsAxes(onSlice, sx);
  if (!partSolid) solidOnSlice = [];
  const solid = solidOnSlice.length >= 3 ? momentsAxes(solidOnSlice, sx) : null;
  return {
    longAxisMm: axes.long,
    shortAxisMm: axes.short,
    volumeMm3: voxels * sx * sy * sz,
    solidComponentMm: partSolid ? (solid ? (solid.long + solid.short) / 2 : 0) : null,
  };
}

/** Long and short axis (mm) of a filled region from its second moments (ellipse of equal moments). */
export function momentsAxes(
  points: readonly (readonly [number, number])[],
  pixel: number,
): { long: number; short: number } {
  let mx = 0;
  let my = 0;
  for (const [x, y] of points) {
    mx += x;
    my += y;
  }
  mx /= points.length;
  my /= points.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
    sxy += (x - mx) * (y - my);
  }
  // Each pixel is a square, not a point: add its own variance (pixel²/12) along both axes.
  sxx = sxx / points.length + (pixel * pixel) / 12;
  syy = syy / points.length + (pixel * pixel) / 12;
  sxy /= points.length;
  const tr = (sxx + syy) / 2;
  const det = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy * sxy);
  return { long: 4 * Math.sqrt(tr + det), short: 4 * Math.sqrt(Math.max(0, tr - det)) };
}
