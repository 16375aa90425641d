/**
 * The second stage of a detection model (its manifest's `falsePositiveReduction`): the best candidates are
 * rescored by a 3D classifier on patches of the model grid around each (one channel per scale). Pure, given
 * a runner.
 */
import type { FalsePositiveReduction, InputSpec } from '../registry/manifest';
import type { RawFinding } from './detect';
import { CancelledError } from './errors';
import type { Runner } from './pipeline';
import { writePatch, type Grid } from './preprocess';

const FPR_BATCH = 16;

/**
 * The second stage: the best candidates (up to the manifest's maximum, detector score at least its
 * candidate score) are scored by the 3D classifier on a patch around each; the final score is
 * detector^(1 − w) × classifier^w. Candidates beyond the maximum are dropped.
 */
export async function rescore(
  raw: readonly RawFinding[],
  grid: Grid,
  fpr: FalsePositiveReduction,
  spec: InputSpec,
  runner: Runner,
  signal?: AbortSignal,
): Promise<RawFinding[]> {
  const chosen = [...raw]
    .filter((f) => f.score >= fpr.candidateScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, fpr.maxCandidates);
  const [d, h, w] = fpr.patch;
  const scales = fpr.scales ?? [1];
  const block = d * h * w;
  const per = block * scales.length;
  const out: RawFinding[] = [];
  for (let b = 0; b < chosen.length; b += FPR_BATCH) {
    if (signal?.aborted) throw new CancelledError();
    const part = chosen.slice(b, b + FPR_BATCH);
    const input = new Float32Array(per * part.length);
    part.forEach((f, n) =>
      scales.forEach((s, c) => writePatch(grid, f.center, fpr.patch, spec, input, n * per + c * block, s)),
    );
    const result = await runner.run(input, [part.length, scales.length, d, h, w]);
    const p = result[fpr.output];
    if (!p) throw new Error(`the false-positive reduction model has no output named ${fpr.output}`);
    part.forEach((f, n) => {
      const q = Math.min(1, Math.max(0, p.data[n] ?? 0));
      out.push({
        ...f,
        score: f.score ** (1 - fpr.weight) * q ** fpr.weight,
        stages: { detector: f.score, classifier: q },
      });
    });
  }
  return out.sort((a, b) => b.score - a.score);
}
