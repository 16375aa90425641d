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
 * The symmetric views of a patch the classifier may average over (`views` in the manifest), in order:
 * as is, mirrored left–right, mirrored front–back, upside down in z, and rows and columns swapped. The
 * classifier was trained with all of them as augmentation, so each is a patch it knows.
 */
const VIEW_COUNT = 5;

/** View v of a [d][h][w] block (h === w when v is the transposition), written into `dst` at `at`. */
function writeView(
  src: Float32Array,
  from: number,
  [d, h, w]: readonly [number, number, number],
  v: number,
  dst: Float32Array,
  at: number,
): void {
  for (let k = 0; k < d; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sk = k;
        let sy = y;
        let sx = x;
        if (v === 1) sx = w - 1 - x;
        else if (v === 2) sy = h - 1 - y;
        else if (v === 3) sk = d - 1 - k;
        else if (v === 4) {
          sy = x;
          sx = y;
        }
        dst[at + (k * h + y) * w + x] = src[from + (sk * h + sy) * w + sx] ?? 0;
      }
    }
  }
}

/**
 * The second stage: the best candidates (up to the manifest's maximum, detector score at least its
 * candidate score) are scored by the 3D classifier on a patch around each (the mean over the manifest's
 * symmetric views of the patch, when it asks for more than one); the final score is
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
  const views = Math.min(VIEW_COUNT, Math.max(1, fpr.views ?? 1));
  const out: RawFinding[] = [];
  const one = new Float32Array(block);
  for (let b = 0; b < chosen.length; b += FPR_BATCH) {
    if (signal?.aborted) throw new CancelledError();
    const part = chosen.slice(b, b + FPR_BATCH);
    const input = new Float32Array(per * part.length * views);
    part.forEach((f, n) =>
      scales.forEach((s, c) => {
        writePatch(grid, f.center, fpr.patch, spec, one, 0, s);
        for (let v = 0; v < views; v++)
          writeView(one, 0, fpr.patch, v, input, (n * views + v) * per + c * block);
      }),
    );
    const result = await runner.run(input, [part.length * views, scales.length, d, h, w]);
    const p = result[fpr.output];
    if (!p) throw new Error(`the false-positive reduction model has no output named ${fpr.output}`);
    part.forEach((f, n) => {
      let sum = 0;
      for (let v = 0; v < views; v++) sum += Math.min(1, Math.max(0, p.data[n * views + v] ?? 0));
      const q = sum / views;
      out.push({
        ...f,
        score: f.score ** (1 - fpr.weight) * q ** fpr.weight,
        stages: { detector: f.score, classifier: q },
      });
    });
  }
  return out.sort((a, b) => b.score - a.score);
}
