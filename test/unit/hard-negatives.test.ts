/**
 * The training recipe's hard-negative mining (models/training/hard.py, `train.py --mine-at`): on a synthetic
 * case, with a stand-in detector that scores anything denser than lung (test/reference/hard_negatives.py),
 * the false peaks it keeps must be the dense places that are not nodules, inside the lungs, once each, at
 * their own position.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

interface Answers {
  blobs: Record<string, [number, number, number]>;
  peaks: { k: number; j: number; i: number; score: number; case: number }[];
  trainingModeAfter: boolean;
}

const answers = (): Answers =>
  JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [join(ROOT, 'test/reference/hard_negatives.py'), join(ROOT, 'models/training')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ),
  ) as Answers;

describe('hard-negative mining of the detector', () => {
  const a = answers();
  const near = (name: string): Answers['peaks'] => {
    const b = a.blobs[name];
    if (!b) throw new Error(`no blob ${name}`);
    const [k, j, i] = b;
    // A blob is three slices deep: its peak may be on any of them; in-plane within an output cell.
    return a.peaks.filter((p) => Math.abs(p.k - k) <= 1 && Math.hypot(p.j - j, p.i - i) <= 3);
  };

  it('keeps each dense non-nodule in the lungs once, where it is', () => {
    expect(near('falseA')).toHaveLength(1);
    expect(near('falseB')).toHaveLength(1);
  });

  it('never keeps a true nodule or a peak away from the lungs, and nothing else', () => {
    expect(near('nodule')).toHaveLength(0);
    expect(near('outsideLung')).toHaveLength(0);
    expect(a.peaks).toHaveLength(2);
    for (const p of a.peaks) expect(p.case).toBe(0);
  });

  it('leaves the detector in training mode', () => {
    expect(a.trainingModeAfter).toBe(true);
  });
});
