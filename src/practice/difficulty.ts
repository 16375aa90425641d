/**
 * What a synthetic practice case holds, chosen from a difficulty (or from the weaknesses a trainee's
 * history shows): how many nodules, their sizes, types and places, the slice thickness and the noise.
 * Pure and deterministic: the same seed gives the same request; the app hands it to the generator.
 */
import type { NoduleType } from '../findings/types';
import { mulberry32 } from '../lib/random';

export type Difficulty = 'easy' | 'medium' | 'hard';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

/** Where a nodule sits, as the generator places it. */
export type Placement = 'intraparenchymal' | 'juxtavascular' | 'juxtapleural' | 'perifissural';

export interface CaseMix {
  /** Nodule count range (inclusive). */
  readonly count: readonly [number, number];
  /** Mean diameter range (mm). */
  readonly sizeMm: readonly [number, number];
  readonly types: readonly NoduleType[];
  /** Places to draw from; absent: the generator's own mix. */
  readonly placements?: readonly Placement[];
  readonly sliceThicknessMm: number;
  /** Image noise (HU standard deviation); above 20 reads as a low-dose scan. */
  readonly noiseSigma: number;
}

export const MIXES: Readonly<Record<Difficulty, CaseMix>> = {
  easy: {
    count: [1, 2],
    sizeMm: [8, 16],
    types: ['solid', 'part-solid', 'calcified'],
    placements: ['intraparenchymal'],
    sliceThicknessMm: 2.5,
    noiseSigma: 10,
  },
  medium: {
    count: [1, 3],
    sizeMm: [5, 10],
    types: ['solid', 'part-solid', 'ground-glass', 'calcified'],
    sliceThicknessMm: 2,
    noiseSigma: 14,
  },
  hard: {
    count: [0, 3],
    sizeMm: [4, 7],
    types: ['solid', 'ground-glass'],
    placements: ['juxtavascular', 'juxtapleural', 'perifissural'],
    sliceThicknessMm: 1.25,
    noiseSigma: 26,
  },
};

export interface NoduleRequest {
  readonly type: NoduleType;
  readonly diameterMm: number;
  readonly placement?: Placement;
}

export interface CaseRequest {
  /** The generator's seed (a case is the same for the same seed). */
  readonly seed: string;
  readonly nodules: readonly NoduleRequest[];
  readonly sliceThicknessMm: number;
  readonly noiseSigma: number;
}

/** A small deterministic generator (mulberry32) over a string seed. */
function random(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return mulberry32(h);
}

/** A case request drawn from a mix. */
export function requestFrom(mix: CaseMix, seed: string): CaseRequest {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(next() * xs.length))];
  const [lo, hi] = mix.count;
  const count = lo + Math.floor(next() * (hi - lo + 1));
  const nodules = Array.from({ length: count }, () => {
    const type = pick(mix.types);
    const diameterMm = Math.round((mix.sizeMm[0] + next() * (mix.sizeMm[1] - mix.sizeMm[0])) * 2) / 2;
    return { type, diameterMm, ...(mix.placements ? { placement: pick(mix.placements) } : {}) };
  });
  return { seed, nodules, sliceThicknessMm: mix.sliceThicknessMm, noiseSigma: mix.noiseSigma };
}

/**
 * The z-range (mm) to generate for a practice case: enough to hold its nodules with a margin, at most
 * `maxMm` (the window holding the most nodules; the generator leaves out those outside it), and
 * `emptyMm` around the middle of the lungs for a case without nodules. Short ranges keep generation on
 * the device to seconds.
 */
export function slabAround(
  nodules: readonly { readonly z: number; readonly r: number }[],
  lungs: readonly [number, number],
  maxMm = 90,
  marginMm = 12,
  emptyMm = 60,
): [number, number] {
  const clamp = (a: number, b: number): [number, number] => [Math.max(lungs[0], a), Math.min(lungs[1], b)];
  if (nodules.length === 0) {
    const mid = (lungs[0] + lungs[1]) / 2;
    return clamp(mid - emptyMm / 2, mid + emptyMm / 2);
  }
  let best: { lo: number; hi: number; count: number } | null = null;
  for (const start of nodules) {
    const lo = start.z - start.r - marginMm;
    const inside = nodules.filter(
      (n) => n.z - n.r - marginMm >= lo - 1e-9 && n.z + n.r + marginMm <= lo + maxMm,
    );
    if (inside.length === 0) continue;
    const hi = Math.max(...inside.map((n) => n.z + n.r + marginMm));
    if (!best || inside.length > best.count) best = { lo, hi, count: inside.length };
  }
  const chosen = best ?? { lo: (nodules[0]?.z ?? 0) - maxMm / 2, hi: (nodules[0]?.z ?? 0) + maxMm / 2 };
  return clamp(chosen.lo, chosen.hi);
}
