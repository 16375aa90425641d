/**
 * Which model runs on a series, the same rule in both hosts: the first of the candidates (the model the
 * reader or `--model` named, else every detection model) whose applicability admits the series.
 */
import { applicability, type SeriesFacts, type Skip } from '../ai/shared/applicability';
import type { Manifest } from '../ai/registry/manifest';

/**
 * The first model of `pool` that applies to the series; otherwise why none runs: the first model's
 * refusal, or `none` when the pool is empty (each host words that case itself).
 */
export function firstApplicable<M extends { readonly manifest: Manifest }>(
  pool: readonly M[],
  facts: SeriesFacts,
  none: Skip,
): M | Skip {
  let firstSkip: Skip | null = null;
  for (const m of pool) {
    const skip = applicability(m.manifest, facts);
    if (!skip) return m;
    firstSkip ??= skip;
  }
  return firstSkip ?? none;
}
