/**
 * The training recipe's placement of pasted nodules on tissue above or below them (`touches_across` in
 * models/training/dataset.py: the dome of the diaphragm, the apex, a vessel crossing the slices), answered
 * on synthetic slabs by test/reference/across_placement.py.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const SLICE_MM = 1.5;

type Answers = Record<string, boolean | Record<string, boolean>>;

const answers = (): Answers =>
  JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [join(ROOT, 'test/reference/across_placement.py'), join(ROOT, 'models/training')],
      { encoding: 'utf8' },
    ),
  ) as Answers;

describe('pasted nodules resting on tissue above or below', () => {
  const a = answers();

  it('rest on tissue that starts just past their edge, on either side, for every size', () => {
    for (const r of [2, 4, 7.5])
      for (const side of [1, -1]) {
        const byOffset = a[`r${r.toFixed(1)}_side${side}`];
        if (typeof byOffset !== 'object') throw new Error(`no answers for r ${r}, side ${side}`);
        const accepted = Object.entries(byOffset)
          .filter(([, yes]) => yes)
          .map(([off]) => Number(off) * SLICE_MM);
        // One tissue position is a resting place: beyond the nodule's edge (never inside it), and within
        // about a slice and a half of it (not a gap of open lung).
        expect(accepted, `r ${r} mm, side ${side}`).toHaveLength(1);
        const mm = accepted[0] ?? 0;
        expect(mm).toBeGreaterThan(r);
        expect(mm - r).toBeLessThanOrEqual(0.75 + SLICE_MM);
      }
  });

  it('follow a vessel crossing the slices, and never float in open lung or leave the volume', () => {
    expect(a.vesselBelow).toBe(true);
    expect(a.vesselBeside).toBe(false);
    expect(a.noTissue).toBe(false);
    expect(a.edge).toBe(false);
    expect(a.volumeEnd).toBe(false);
  });
});
