/**
 * Figures of merit of free-response reader studies (Chakraborty's definitions, as RJafroc computes them),
 * over cases whose marks are already matched to lesions by the LUNA16 rule (match.ts):
 *
 * - AFROC (the JAFROC figure of merit): the probability that a lesion's rating exceeds the highest
 *   false-positive rating on a normal case, over all (normal case, lesion) pairs.
 * - wAFROC: the same with the lesions of each abnormal case weighted to sum to 1 (equal weights), so
 *   that every abnormal case counts once whatever its number of lesions.
 * - AFROC1 / wAFROC1: false positives of every case count (for data sets without normal cases).
 * - Case-level AUC: a case's rating is its highest mark (any mark); normal against abnormal cases.
 *
 * An unmarked lesion and a normal case without marks are rated −∞; a tie (also −∞ against −∞) counts ½.
 */
import { matchMarks } from './match';
import type { ReaderMark, TruthLesion } from './types';

/** One case as a figure of merit sees it. */
export interface RatedCase {
  readonly id: string;
  /** Each true lesion: the rating of the mark that found it (−∞ when none did), and its weight. */
  readonly lesions: readonly { readonly rating: number; readonly weight: number }[];
  /** Ratings of the marks that found no lesion. */
  readonly falsePositives: readonly number[];
  /** Lesions found whose type the reader named right. */
  readonly typeRight: number;
}

export function ratedCase(
  id: string,
  truth: readonly TruthLesion[],
  marks: readonly ReaderMark[],
): RatedCase {
  const m = matchMarks(truth, marks);
  const byLesion = new Map(m.hits.map((h) => [h.lesion, h.mark.confidence]));
  return {
    id,
    lesions: truth.map((_, i) => ({ rating: byLesion.get(i) ?? -Infinity, weight: 1 / truth.length })),
    falsePositives: m.falsePositives.map((f) => f.confidence),
    typeRight: m.hits.filter((h) => h.typeRight).length,
  };
}

/** ψ of the Wilcoxon statistic: 1 when the lesion (or abnormal case) is rated above, ½ for a tie. */
export function psi(noise: number, signal: number): number {
  return signal > noise ? 1 : signal === noise ? 0.5 : 0;
}

const highest = (ratings: readonly number[]): number => ratings.reduce((a, b) => (b > a ? b : a), -Infinity);

export type AfrocVariant = 'AFROC' | 'wAFROC' | 'AFROC1' | 'wAFROC1';

/**
 * AFROC-family figure of merit; NaN without abnormal cases, or (AFROC, wAFROC) without normal cases.
 */
export function afrocFom(cases: readonly RatedCase[], variant: AfrocVariant): number {
  const weighted = variant === 'wAFROC' || variant === 'wAFROC1';
  const allCases = variant === 'AFROC1' || variant === 'wAFROC1';
  const abnormal = cases.filter((c) => c.lesions.length > 0);
  const noiseCases = allCases ? cases : cases.filter((c) => c.lesions.length === 0);
  const lesions = abnormal.reduce((n, c) => n + c.lesions.length, 0);
  if (abnormal.length === 0 || noiseCases.length === 0) return NaN;
  let sum = 0;
  for (const n of noiseCases) {
    const fpMax = highest(n.falsePositives);
    for (const a of abnormal)
      for (const l of a.lesions) sum += (weighted ? l.weight : 1) * psi(fpMax, l.rating);
  }
  return sum / (noiseCases.length * (weighted ? abnormal.length : lesions));
}

/** A case's rating for case-level (ROC) analysis: its highest-rated mark, −∞ when it has none. */
export function caseRating(c: RatedCase): number {
  return Math.max(highest(c.falsePositives), highest(c.lesions.map((l) => l.rating)));
}

/** Area under the case-level ROC curve (highest rating inferred); NaN without normal or abnormal cases. */
export function caseAuc(cases: readonly RatedCase[]): number {
  const normal = cases.filter((c) => c.lesions.length === 0).map(caseRating);
  const abnormal = cases.filter((c) => c.lesions.length > 0).map(caseRating);
  if (normal.length === 0 || abnormal.length === 0) return NaN;
  let sum = 0;
  for (const n of normal) for (const a of abnormal) sum += psi(n, a);
  return sum / (normal.length * abnormal.length);
}

export interface FrocPoint {
  /** Marks rated at least this count. */
  readonly threshold: number;
  /** Lesion localisation fraction: lesions found / lesions. */
  readonly llf: number;
  /** Non-lesion localisations per case. */
  readonly nlf: number;
}

/** The empirical FROC operating points, one per distinct rating, from the strictest to the laxest. */
export function frocPoints(cases: readonly RatedCase[]): FrocPoint[] {
  const lesions = cases.flatMap((c) => c.lesions.map((l) => l.rating));
  const fps = cases.flatMap((c) => c.falsePositives);
  const thresholds = [...new Set([...lesions, ...fps].filter(Number.isFinite))].sort((a, b) => b - a);
  return thresholds.map((t) => ({
    threshold: t,
    llf: lesions.length ? lesions.filter((r) => r >= t).length / lesions.length : NaN,
    nlf: cases.length ? fps.filter((r) => r >= t).length / cases.length : NaN,
  }));
}

/** Lesions found / lesions (any mark counts); NaN without lesions. */
export function lesionSensitivity(cases: readonly RatedCase[]): number {
  const all = cases.flatMap((c) => c.lesions);
  return all.length ? all.filter((l) => Number.isFinite(l.rating)).length / all.length : NaN;
}

/** False-positive marks per case. */
export function fpPerCase(cases: readonly RatedCase[]): number {
  return cases.length ? cases.reduce((n, c) => n + c.falsePositives.length, 0) / cases.length : NaN;
}

/** Share of the found lesions whose type was named right; NaN when none was found. */
export function typeAccuracy(cases: readonly RatedCase[]): number {
  const found = cases.reduce((n, c) => n + c.lesions.filter((l) => Number.isFinite(l.rating)).length, 0);
  return found ? cases.reduce((n, c) => n + c.typeRight, 0) / found : NaN;
}
