/**
 * The detector's sub-solid oversampling (`subsolid` in models/training/dataset.py's PatchSampler, `train.py
 * --subsolid`): the share of positive patches centred on, and of pasted nodules that are, part-solid or
 * ground-glass nodules. Measured on a small synthetic cache by test/reference/subsolid_sampling.py.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

interface Shares {
  positives: number;
  positiveShare: number;
  pasted: number;
  pastedShare: number;
}

const measured = (): Record<string, Shares> =>
  JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [join(ROOT, 'test/reference/subsolid_sampling.py'), join(ROOT, 'models/training')],
      { encoding: 'utf8' },
    ),
  ) as Record<string, Shares>;

// A quarter of the cache's nodules are sub-solid; share s of the draws come from them alone and the rest
// uniformly, so s + (1 - s) / 4 of the positives and of the pasted nodules should be sub-solid.
const expected = (s: number): number => s + (1 - s) * 0.25;

describe('sub-solid oversampling in the detector’s patches', () => {
  const m = measured();

  it('draws positive patches and pasted nodules from the sub-solid nodules at the share asked', () => {
    for (const s of [0, 0.6, 1]) {
      const r = m[s.toFixed(1)];
      if (!r) throw new Error(`no measurement for share ${s}`);
      // Several hundred draws each: the binomial spread is under 0.035.
      expect(r.positives).toBeGreaterThan(300);
      expect(r.pasted).toBeGreaterThan(150);
      expect(Math.abs(r.positiveShare - expected(s)), `positives at ${s}`).toBeLessThan(0.1);
      expect(Math.abs(r.pastedShare - expected(s)), `pasted at ${s}`).toBeLessThan(0.1);
    }
    expect(m['1.0']?.positiveShare).toBe(1);
    expect(m['1.0']?.pastedShare).toBe(1);
  });

  it('goes on sampling every nodule when the training cases hold no sub-solid one', () => {
    const r = m.none;
    if (!r) throw new Error('no measurement without sub-solid nodules');
    expect(r.positives).toBeGreaterThan(300);
    expect(r.pasted).toBeGreaterThan(150);
    expect(r.positiveShare).toBe(0);
  });
});
