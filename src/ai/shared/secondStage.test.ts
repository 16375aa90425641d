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

describe('the second stage with symmetric views', () => {
  it('scores each patch as is, mirrored in x, y and z, and transposed, and averages the probabilities', async () => {
    const g = grid();
    const fpr: FalsePositiveReduction = {
      file: 'fpr.onnx',
      sha256: '0'.repeat(64),
      bytes: 1,
      input: 'patch',
      patch: [3, 5, 5],
      output: 'probability',
      candidateScore: 0.1,
      maxCandidates: 4,
      weight: 1,
      views: 5,
    };
    const block = 3 * 5 * 5;
    const seen: { input: Float32Array; dims: readonly number[] }[] = [];
    // A stand-in classifier whose answer is the patch's first voxel, squashed into [0, 1]: every view of
    // an asymmetric patch then gets its own answer, so the mean is visible.
    const first = (v: number): number => 1 / (1 + Math.exp(-v));
    const runner = {
      run: (input: Float32Array, dims: readonly number[]) => {
        seen.push({ input: input.slice(), dims });
        const n = dims[0] ?? 0;
        const data = new Float32Array(n).map((_, i) => first(input[i * block] ?? 0));
        return Promise.resolve({ probability: { data, dims: [n, 1] } });
      },
    };
    const out = await rescore([finding(17, 0.8)], g, fpr, spec as InputSpec, runner);
    expect(seen[0]?.dims).toEqual([5, 1, 3, 5, 5]);
    const want = new Float32Array(block);
    writePatch(g, [17, 20, 20], fpr.patch, spec, want, 0, 1);
    const at = (k: number, y: number, x: number): number => want[(k * 5 + y) * 5 + x] ?? NaN;
    const view = (v: number, k: number, y: number, x: number): number =>
      seen[0]?.input[v * block + (k * 5 + y) * 5 + x] ?? NaN;
    for (let k = 0; k < 3; k++)
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 5; x++) {
          expect(view(0, k, y, x)).toBe(at(k, y, x));
          expect(view(1, k, y, x)).toBe(at(k, y, 4 - x));
          expect(view(2, k, y, x)).toBe(at(k, 4 - y, x));
          expect(view(3, k, y, x)).toBe(at(2 - k, y, x));
          expect(view(4, k, y, x)).toBe(at(k, x, y));
        }
    // The first voxel of each view: the corners (0,0,0), (0,0,4), (0,4,0), (2,0,0) and (0,0,0) again.
    const mean = [at(0, 0, 0), at(0, 0, 4), at(0, 4, 0), at(2, 0, 0), at(0, 0, 0)].map(first);
    expect(out[0]?.stages?.classifier).toBeCloseTo(mean.reduce((a, b) => a + b, 0) / 5, 6);
  });
});
