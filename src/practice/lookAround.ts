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

/** Vessel wall and nodule: denser than this (HU). */
const DENSE = -400;
/** Soft tissue (chest wall, mediastinum): denser than this. */
const SOFT = -250;
const AIR = -850;
const DIRECTIONS = 16;
const STEP_MM = 0.25;

/** HU of a volume around a point, smoothed over 3 × 3 voxels of the slice (against noise). */
class Sampler {
  constructor(private readonly v: Volume) {}

  /** Mean HU of the 3 × 3 voxels around patient (x, y) on slice k; null outside the volume. */
  at(x: number, y: number, k: number): number | null {
    const { columns, rows, slices, data, origin, spacing } = this.v;
    const i = Math.round((x - origin[0]) / spacing[0]);
    const j = Math.round((y - origin[1]) / spacing[1]);
    if (k < 0 || k >= slices || i < 1 || j < 1 || i >= columns - 1 || j >= rows - 1) return null;
    let sum = 0;
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) sum += data[(k * rows + j + dj) * columns + i + di] ?? 0;
    return sum / 9;
  }

  slice(z: number): number {
    return Math.round((z - this.v.origin[2]) / this.v.spacing[2]);
  }
}

/** Along each of 16 in-plane directions from (x, y): how far the image stays above `threshold`. */
function runs(s: Sampler, x: number, y: number, k: number, threshold: number, maxMm: number): number[] {
  return Array.from({ length: DIRECTIONS }, (_, d) => {
    const a = (2 * Math.PI * d) / DIRECTIONS;
    let t = 0;
    while (t < maxMm) {
      const hu = s.at(x + Math.cos(a) * t, y + Math.sin(a) * t, k);
      if (hu === null || hu <= threshold) break;
      t += STEP_MM;
    }
    return t;
  });
}

/** The densest point within `radiusMm` of (x, y) on slice k. */
function densest(
  s: Sampler,
  x: number,
  y: number,
  k: number,
  radiusMm: number,
): { x: number; y: number; hu: number } | null {
  let best: { x: number; y: number; hu: number } | null = null;
  for (let dy = -radiusMm; dy <= radiusMm; dy += 0.5)
    for (let dx = -radiusMm; dx <= radiusMm; dx += 0.5) {
      if (dx * dx + dy * dy > radiusMm * radiusMm) continue;
      const hu = s.at(x + dx, y + dy, k);
      if (hu !== null && (!best || hu > best.hu)) best = { x: x + dx, y: y + dy, hu };
    }
  return best;
}

/** What lookAround measures around a mark (for its rules, and for tests). */
export interface Surroundings {
  /** Share of the 16 directions in which soft tissue starts within 6 mm and goes on for 10 mm more. */
  readonly wallShare: number;
  /** Share of soft tissue within 8 mm on the mark's slice. */
  readonly softShare: number;
  readonly centreHu: number;
  /** Share of directions that meet a wall (> −550 HU) 1–4 mm out, for an airway. */
  readonly ringShare: number;
  /**
   * The dense structure (> −400 HU) at the mark: its smallest and largest width on the slice, and how far
   * (mm) it continues through the slices above and below; null when there is none within 2 mm.
   */
  readonly dense: { readonly widthMm: number; readonly lengthMm: number; readonly throughMm: number } | null;
  /** A faint structure (> −750 HU) at the mark: its smallest and largest width on the slice. */
  readonly faint: { readonly widthMm: number; readonly lengthMm: number } | null;
  /** Highest HU within 2.5 mm of the mark on its slice. */
  readonly nearMaxHu: number;
}

const pairs = (r: readonly number[]): number[] =>
  r.slice(0, DIRECTIONS / 2).map((t, d) => t + (r[d + DIRECTIONS / 2] ?? 0));

/** How far (mm) a dense structure continues up and down from slice k, following its densest point. */
function through(s: Sampler, v: Volume, start: { x: number; y: number }, k: number, widthMm: number): number {
  let total = v.spacing[2];
  for (const step of [1, -1]) {
    let p = start;
    for (let n = 1; n * v.spacing[2] <= 15; n++) {
      const next = densest(s, p.x, p.y, k + step * n, Math.max(1.5, widthMm / 2 + 1));
      if (!next || next.hu <= DENSE) break;
      p = next;
      total += v.spacing[2];
    }
  }
  return total;
}

export function surroundings(v: Volume, centerMm: Vec3): Surroundings | null {
  const s = new Sampler(v);
  const [x, y] = centerMm;
  const k = s.slice(centerMm[2]);
  const centreHu = s.at(x, y, k);
  if (centreHu === null) return null;
  const wall = Array.from({ length: DIRECTIONS }, (_, d) => {
    const a = (2 * Math.PI * d) / DIRECTIONS;
    for (let t = 0; t <= 6; t += STEP_MM) {
      const hu = s.at(x + Math.cos(a) * t, y + Math.sin(a) * t, k);
      if (hu === null) return false;
      if (hu > SOFT) {
        for (let u = t; u <= t + 10; u += 0.5) {
          const w = s.at(x + Math.cos(a) * u, y + Math.sin(a) * u, k);
          if (w === null || w <= SOFT) return false;
        }
        return true;
      }
    }
    return false;
  });
  let soft = 0;
  let all = 0;
  for (let dy = -8; dy <= 8; dy += 1)
    for (let dx = -8; dx <= 8; dx += 1) {
      if (dx * dx + dy * dy > 64) continue;
      const hu = s.at(x + dx, y + dy, k);
      if (hu === null) continue;
      all++;
      if (hu > SOFT) soft++;
    }
  const ring = Array.from({ length: DIRECTIONS }, (_, d) => {
    const a = (2 * Math.PI * d) / DIRECTIONS;
    for (let t = 1; t <= 4; t += STEP_MM)
      if ((s.at(x + Math.cos(a) * t, y + Math.sin(a) * t, k) ?? -1000) > -550) return true;
    return false;
  });
  const peak = densest(s, x, y, k, 2);
  let dense: Surroundings['dense'] = null;
  if (peak && peak.hu > DENSE) {
    const widths = pairs(runs(s, peak.x, peak.y, k, DENSE, 20));
    const widthMm = Math.min(...widths);
    dense = { widthMm, lengthMm: Math.max(...widths), throughMm: through(s, v, peak, k, widthMm) };
  }
  const faintPeak = densest(s, x, y, k, 1.5);
  let faint: Surroundings['faint'] = null;
  if (faintPeak && faintPeak.hu > -750) {
    const widths = pairs(runs(s, faintPeak.x, faintPeak.y, k, -750, 15));
    faint = { widthMm: Math.min(...widths), lengthMm: Math.max(...widths) };
  }
  let nearMaxHu = -Infinity;
  for (let dy = -2.5; dy <= 2.5; dy += 0.5)
    for (let dx = -2.5; dx <= 2.5; dx += 0.5)
      if (dx * dx + dy * dy <= 6.25) nearMaxHu = Math.max(nearMaxHu, s.at(x + dx, y + dy, k) ?? -Infinity);
  return {
    wallShare: wall.filter(Boolean).length / DIRECTIONS,
    softShare: all ? soft / all : 0,
    centreHu,
    ringShare: ring.filter(Boolean).length / DIRECTIONS,
    dense,
    faint,
    nearMaxHu,
  };
}

export function lookAround(v: Volume, centerMm: Vec3): Lookalike {
  const s = surroundings(v, centerMm);
  if (!s) return 'unclear';
  if (s.softShare >= 0.85) return 'outside';
  // Soft tissue that starts close by and goes on, on one side: the chest wall, mediastinum or diaphragm.
  if (s.wallShare >= 3 / DIRECTIONS && s.wallShare <= 0.75) return 'pleura';
  if (s.centreHu < AIR && s.ringShare >= 0.6) return 'airway';
  if (s.dense) {
    // A nodule is about as long, and as deep, as it is wide; a vessel runs on.
    const { widthMm, lengthMm, throughMm } = s.dense;
    if (Math.max(lengthMm, throughMm) >= Math.max(8, 2.5 * Math.max(widthMm, 1))) return 'vessel';
  }
  if (
    s.faint &&
    s.faint.widthMm <= 3 &&
    s.faint.lengthMm >= 4 * Math.max(1, s.faint.widthMm) &&
    s.faint.lengthMm >= 8
  )
    return 'fissure';
  if (s.nearMaxHu < -600) return 'nothing';
  return 'unclear';
}
