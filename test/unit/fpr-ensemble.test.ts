/**
 * models/training/ensemble.py merges second-stage classifiers into one ONNX file whose probability is the
 * mean of theirs, so the engine runs an ensemble as one session. Checked with onnxruntime-node on members
 * that disagree (test/reference/fpr_ensemble.py) and on the committed classifier.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const ENSEMBLE = join(ROOT, 'models/training/ensemble.py');
const dir = mkdtempSync(join(tmpdir(), 'lucent-fpr-ensemble-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
execFileSync('/usr/bin/python3', [join(ROOT, 'test/reference/fpr_ensemble.py'), dir]);

const merge = (out: string, members: string[], info: string[] = []) =>
  spawnSync('/usr/bin/python3', [ENSEMBLE, ...info, out, ...members], { encoding: 'utf8' });
const member = (k: number) => join(dir, `m${k}`, 'fpr.onnx');

/** Deterministic patches [n, 1, 15, 31, 31] with values spread over the normalised HU range. */
function patches(n: number): ort.Tensor {
  const data = new Float32Array(n * 15 * 31 * 31);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = ((s / 2147483648) * 2 - 1) * (1 + (i % 7) / 7);
  }
  return new ort.Tensor('float32', data, [n, 1, 15, 31, 31]);
}

async function probabilities(file: string, input: ort.Tensor): Promise<number[]> {
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ patch: input });
  const p = out['probability'];
  if (!p) throw new Error(`${file} has no probability output`);
  expect(p.dims).toEqual([input.dims[0], 1]);
  return Array.from(p.data as Float32Array);
}

describe('second-stage ensemble', () => {
  it('outputs the mean of its members’ probabilities, candidate by candidate', async () => {
    const members = [0, 1, 2].map(member);
    const out = join(dir, 'ensemble.onnx');
    const r = merge(out, members, ['--info', join(dir, 'ensemble.json')]);
    expect(r.status, r.stderr).toBe(0);
    const input = patches(6);
    const each = await Promise.all(members.map((m) => probabilities(m, input)));
    const merged = await probabilities(out, input);
    for (let n = 0; n < 6; n++) {
      const mean = (each[0][n] + each[1][n] + each[2][n]) / 3;
      expect(merged[n]).toBeCloseTo(mean, 5);
    }
    // The members disagree, so a merge that kept one member's answer would fail above.
    expect(Math.max(...each.map((e) => Math.abs(e[0] - merged[0])))).toBeGreaterThan(0.01);
    // The training record adds the members up and names each one's seed, for the model card.
    const info = JSON.parse(readFileSync(join(dir, 'ensemble.json'), 'utf8')) as {
      steps: number;
      parameters: number;
      patch: number[];
      members: { seed: number; steps: number }[];
    };
    expect(info.steps).toBe(600);
    expect(info.parameters).toBe(9);
    expect(info.patch).toEqual([15, 31, 31]);
    expect(info.members.map((m) => m.seed)).toEqual([11, 21, 31]);
  });

  it('merges the committed classifier with itself into the same answers', async () => {
    const committed = join(ROOT, 'models/lung-nodule-ct/fpr.onnx');
    const out = join(dir, 'committed-twice.onnx');
    expect(merge(out, [committed, committed]).status).toBe(0);
    const input = patches(3);
    const [one, two] = await Promise.all([probabilities(committed, input), probabilities(out, input)]);
    two.forEach((p, n) => expect(p).toBeCloseTo(one[n], 5));
  });

  it('refuses a member without the probability output, and a single member', () => {
    const bad = merge(join(dir, 'bad.onnx'), [member(0), join(dir, 'wrong-output.onnx')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/wrong-output\.onnx: expected input 'patch' and output 'probability'/);
    const single = merge(join(dir, 'single.onnx'), [member(0)]);
    expect(single.status).not.toBe(0);
  });
});
