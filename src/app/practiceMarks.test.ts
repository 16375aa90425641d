import { describe, expect, it } from 'vitest';
import type { Measurement } from '../imaging/measurements';
import { DEFAULT_CONFIDENCE, marksFrom, truthFromJson } from './practiceMarks';

describe('the truth of a practice case', () => {
  it('names what is wrong with a file that is not usable truth', () => {
    expect(truthFromJson({ schema: 'lucent.analysis/1', nodules: [] })).toMatch(/not lucent\.truth\/1/);
    expect(truthFromJson(null)).toMatch(/not lucent\.truth\/1/);
    const bad = truthFromJson({ schema: 'lucent.truth/1', nodules: [{ centerMm: [1, 2], diameterMm: 5 }] });
    expect(bad).toMatch(/^truth\.json: /);
    expect(bad).toMatch(/centerMm/);
  });
});

describe('marks from what the reader drew', () => {
  const probe: Measurement = { uid: 'p1', kind: 'probe', instanceKey: 'a', worldPoints: [[10, 20, 30]] };
  const ellipse: Measurement = {
    uid: 'e1',
    kind: 'ellipse',
    instanceKey: 'b',
    // top, bottom, left, right: axes 10 mm and 6 mm around (0, 0, -5)
    worldPoints: [
      [0, -5, -5],
      [0, 5, -5],
      [-3, 0, -5],
      [3, 0, -5],
    ],
  };
  const length: Measurement = { uid: 'l1', kind: 'length', instanceKey: 'a', worldPoints: [[0, 0, 0]] };
  const elsewhere: Measurement = { ...probe, uid: 'p2', instanceKey: 'other-series' };

  it('takes probe points and ellipses on the series, not lengths or other series', () => {
    const marks = marksFrom([probe, ellipse, length, elsewhere], new Set(['a', 'b']), []);
    expect(marks.map((m) => m.id)).toEqual(['p1', 'e1']);
    expect(marks[0]).toEqual({
      id: 'p1',
      centerMm: [10, 20, 30],
      confidence: DEFAULT_CONFIDENCE,
      type: 'solid',
    });
    expect(marks[1]?.centerMm).toEqual([0, 0, -5]);
    expect(marks[1]?.diameterMm).toBeCloseTo(8, 6);
  });

  it('keeps the type and confidence the reader gave a mark when the drawing changes', () => {
    const before = marksFrom([probe], new Set(['a']), []).map((m) => ({
      ...m,
      type: 'ground-glass' as const,
      confidence: 5,
    }));
    const moved: Measurement = { ...probe, worldPoints: [[11, 20, 30]] };
    const after = marksFrom([moved], new Set(['a']), before);
    expect(after[0]).toMatchObject({ centerMm: [11, 20, 30], type: 'ground-glass', confidence: 5 });
  });
});
