/**
 * What a false-positive mark most probably was, read from the image around it as a radiologist would
 * look: the slice through the mark and the slices above and below (a HU volume, lib/volume's canonical
 * layout). Rules, in order:
 *
 * - outside: the mark is not in aerated lung (soft tissue or bone all round it);
 * - pleura: dense tissue fills one side of the neighbourhood (chest wall, mediastinum, diaphragm);
 * - airway: air in the middle with a wall around it;
 * - vessel: a dense structure that continues through the slices, or runs along the slice, well beyond
 *   the size of a nodule (a nodule ends within its own diameter);
 * - fissure: a thin, faint, straight line;
 * - nothing: only aerated lung within a few millimetres;
 * - unclear: none of these (a nodule-like density that is not one: look again in three planes).
 */
import type { Volume } from '../lib/volume';
import type { Vec3 } from './types';

export type Lookalike = 'outside' | 'pleura' | 'airway' | 'vessel' | 'fissure' | 'nothing' | 'unclear';

const DENSE = -400;
const SOFT = -250;
const AIR = -850;

class Neighbourhood {
  constructor(
    private readonly v: Volume,
    readonly ci: number,
    readonly cj: number,
    readonly ck: number,
  ) {}

  hu(i: number, j: number, k: number): number | null {
    const { columns, rows, slices, data } = this.v;
    const x = Math.round(i);
    const y = Math.round(j);
    const z = Math.round(k);
    if (x < 0 || y < 0 || z < 0 || x >= columns || y >= rows || z >= slices) return null;
    return data[(z * rows + y) * columns + x] ?? null;
  }

  /** Voxels (di, dj) of slice k within `radiusMm` of (ci + oi, cj + oj), with their HU. */
  disc(k: number, radiusMm: number, oi = 0, oj = 0): { di: number; dj: number; hu: number }[] {
    const [sx, sy] = this.v.spacing;
    const ri = Math.ceil(radiusMm / sx);
    const rj = Math.ceil(radiusMm / sy);
    const out: { di: number; dj: number; hu: number }[] = [];
    for (let dj = -rj; dj <= rj; dj++)
      for (let di = -ri; di <= ri; di++) {
        if (Math.hypot(di * sx, dj * sy) > radiusMm) continue;
        const hu = this.hu(this.ci + oi + di, this.cj + oj + dj, k);
        if (hu !== null) out.push({ di: di + oi, dj: dj + oj, hu });
      }
    return out;
  }
}

interface Blob {
  readonly area: number;
  /** Centroid offset from the mark (voxels). */
  readonly ci: number;
  readonly cj: number;
  /** Ratio of the long to the short axis of the region's second moments. */
  readonly elongation: number;
  /** Short-axis thickness (mm), from the second moments. */
  readonly thicknessMm: number;
  readonly lengthMm: number;
}

/** The connected region above `threshold` through the densest voxel near (oi, oj) on slice k. */
function blob(
  n: Neighbourhood,
  v: Volume,
  k: number,
  threshold: number,
  oi = 0,
  oj = 0,
  reachMm = 10,
): Blob | null {
  const [sx, sy] = v.spacing;
  const near = n.disc(k, 2, oi, oj).filter((p) => p.hu > threshold);
  if (near.length === 0) return null;
  const seed = near.reduce((a, b) => (b.hu > a.hu ? b : a));
  const inside = new Map<string, { di: number; dj: number }>();
  const key = (di: number, dj: number): string => `${di},${dj}`;
  const queue = [{ di: seed.di, dj: seed.dj }];
  inside.set(key(seed.di, seed.dj), queue[0]);
  while (queue.length > 0) {
    const p = queue.pop() as { di: number; dj: number };
    for (const [a, b] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      const q = { di: p.di + a, dj: p.dj + b };
      if (inside.has(key(q.di, q.dj)) || Math.hypot(q.di * sx, q.dj * sy) > reachMm) continue;
      const hu = n.hu(n.ci + q.di, n.cj + q.dj, k);
      if (hu === null || hu <= threshold) continue;
      inside.set(key(q.di, q.dj), q);
      queue.push(q);
    }
  }
  const pts = [...inside.values()];
  const mi = pts.reduce((s, p) => s + p.di, 0) / pts.length;
  const mj = pts.reduce((s, p) => s + p.dj, 0) / pts.length;
  let a = 0;
  let b = 0;
  let c = 0;
  for (const p of pts) {
    const x = (p.di - mi) * sx;
    const y = (p.dj - mj) * sy;
    a += x * x;
    b += x * y;
    c += y * y;
  }
  a /= pts.length;
  b /= pts.length;
  c /= pts.length;
  const root = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const long = (a + c) / 2 + root;
  const short = Math.max(1e-6, (a + c) / 2 - root);
  return {
    area: pts.length * sx * sy,
    ci: mi,
    cj: mj,
    elongation: Math.sqrt(long / short),
    // A uniform bar of width w has variance w²/12 across it.
    thicknessMm: Math.sqrt(12 * short),
    lengthMm: Math.sqrt(12 * long),
  };
}

/** How far (mm) a dense structure through the mark continues up and down, following its centre. */
function throughSlices(n: Neighbourhood, v: Volume, start: Blob, reachMm: number): number {
  const dz = v.spacing[2];
  let total = 0;
  for (const step of [1, -1]) {
    let oi = start.ci;
    let oj = start.cj;
    for (let s = 1; s * dz <= reachMm; s++) {
      const b = blob(n, v, n.ck + step * s, DENSE, oi, oj, 6);
      if (!b) break;
      oi = b.ci;
      oj = b.cj;
      total += dz;
    }
  }
  return total;
}

export function lookAround(v: Volume, centerMm: Vec3): Lookalike {
  const [sx, sy, sz] = v.spacing;
  const n = new Neighbourhood(
    v,
    Math.round((centerMm[0] - v.origin[0]) / sx),
    Math.round((centerMm[1] - v.origin[1]) / sy),
    Math.round((centerMm[2] - v.origin[2]) / sz),
  );
  const k = n.ck;
  const wide = n.disc(k, 8);
  if (wide.length === 0) return 'unclear';
  const soft = wide.filter((p) => p.hu > SOFT).length / wide.length;
  if (soft >= 0.85) return 'outside';
  // Dense tissue in a ring 5–10 mm out, lying to one side: a wall, not a vessel crossing.
  const ring = n.disc(k, 10).filter((p) => Math.hypot(p.di * sx, p.dj * sy) >= 5);
  const ringSoft = ring.filter((p) => p.hu > SOFT);
  if (ring.length > 0 && ringSoft.length / ring.length >= 0.2) {
    const mx = ringSoft.reduce((s, p) => s + p.di * sx, 0) / ringSoft.length;
    const my = ringSoft.reduce((s, p) => s + p.dj * sy, 0) / ringSoft.length;
    if (Math.hypot(mx, my) >= 3.5) return 'pleura';
  }
  const core = n.disc(k, 1);
  const centre = core.reduce((s, p) => s + p.hu, 0) / Math.max(1, core.length);
  const wall = n.disc(k, 4).filter((p) => Math.hypot(p.di * sx, p.dj * sy) >= 1.5);
  if (centre < AIR && wall.length > 0 && wall.filter((p) => p.hu > -550).length / wall.length >= 0.45)
    return 'airway';
  const dense = blob(n, v, k, DENSE);
  if (dense) {
    const width = Math.max(dense.thicknessMm, 1);
    const along = throughSlices(n, v, dense, 12);
    if (along >= Math.max(8, 2.5 * width) || (dense.elongation >= 2.5 && dense.lengthMm >= 8))
      return 'vessel';
  }
  const faint = blob(n, v, k, -750, 0, 0, 8);
  if (faint && faint.elongation >= 4 && faint.thicknessMm <= 3 && faint.lengthMm >= 8) return 'fissure';
  const near = n.disc(k, 2.5);
  if (near.every((p) => p.hu < -600)) return 'nothing';
  return 'unclear';
}
