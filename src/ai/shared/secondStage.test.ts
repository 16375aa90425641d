import { describe, expect, it } from 'vitest';
import type { FalsePositiveReduction, InputSpec } from '../registry/manifest';
import type { RawFinding } from './detect';
import { writePatch, type Grid } from './preprocess';
import { rescore } from './secondStage';

const spec = {
  window: { lower: -1100, upper: 500 },
  normalize: { offset: 300, scale: 800 },
} as const satisfies Pick<InputSpec, 'window' | 'normalize'>;

function grid(): Grid {
  const [nx, ny, nz] = [40, 40, 30];
  const data = new Int16Array(nx * ny * nz);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 4729) % 1500) - 1000;
  return { data, nx, ny, nz, origin: [0, 0, 0], spacing: [1, 1, 1.5] };
}

const finding = (x: number, score: number): RawFinding => ({
  center: [x, 20, 20],
  score,
  diameter: 6,
  classes: new Float32Array(4),
  attributes: [],
  bestZ: 20,
});

describe('the second stage', () => {
  it('feeds one channel per scale, in order, and combines the scores as the manifest says', async () => {
    const g = grid();
    const fpr: FalsePositiveReduction = {
      file: 'fpr.onnx',
      sha256: '0'.repeat(64),
      bytes: 1,
      input: 'patch',
      patch: [5, 7, 7],
      scales: [1, 2],
      output: 'probability',
      candidateScore: 0.1,
      maxCandidates: 2,
      weight: 0.5,
    };
    const seen: { input: Float32Array; dims: readonly number[] }[] = [];
    // A stand-in classifier that says 0.25 for every candidate: this test is about the input it is given.
    const runner = {
      run: (input: Float32Array, dims: readonly number[]) => {
        seen.push({ input: input.slice(), dims });
        const n = dims[0] ?? 0;
        return Promise.resolve({ probability: { data: new Float32Array(n).fill(0.25), dims: [n, 1] } });
      },
    };
    const out = await rescore(
      [finding(12, 0.9), finding(25, 0.64), finding(30, 0.05), finding(8, 0.5)],
      g,
      fpr,
      spec as InputSpec,
      runner,
    );
    // The two best candidates above the candidate score, best first; the others are dropped.
    expect(seen).toHaveLength(1);
    expect(seen[0]?.dims).toEqual([2, 2, 5, 7, 7]);
    expect(out.map((f) => f.center[0])).toEqual([12, 25]);
    expect(out[0]?.score).toBeCloseTo(Math.sqrt(0.9 * 0.25), 6);
    expect(out[1]?.stages).toEqual({ detector: 0.64, classifier: 0.25 });
    // Candidate n, channel c is writePatch at scales[c].
    const block = 5 * 7 * 7;
    [12, 25].forEach((x, n) =>
      [1, 2].forEach((s, c) => {
        const want = new Float32Array(block);
        writePatch(g, [x, 20, 20], fpr.patch, spec, want, 0, s);
        const got = seen[0]?.input.subarray((n * 2 + c) * block, (n * 2 + c + 1) * block);
        expect(Array.from(got ?? [])).toEqual(Array.from(want));
      }),
    );
  });
});
