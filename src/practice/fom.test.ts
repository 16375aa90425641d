import { describe, expect, it } from 'vitest';
import {
  afrocFom,
  caseAuc,
  fpPerCase,
  frocPoints,
  lesionSensitivity,
  psi,
  ratedCase,
  typeAccuracy,
  type RatedCase,
} from './fom';
import type { ReaderMark, TruthLesion } from './types';

/** A case by hand: lesion ratings (−∞ unmarked) with equal weights, false-positive ratings. */
const rc = (id: string, lesions: number[], fps: number[] = []): RatedCase => ({
  id,
  lesions: lesions.map((rating) => ({ rating, weight: 1 / lesions.length })),
  falsePositives: fps,
  typeRight: 0,
});
const U = -Infinity;

// Two normal cases (one with a false positive rated 2, one without marks) and two abnormal cases (one
// lesion rated 3; two lesions, one rated 2 and one missed, and a false positive rated 4).
const example = [rc('N1', [], [2]), rc('N2', []), rc('A1', [3]), rc('A2', [2, U], [4])];

describe('figures of merit, computed by hand', () => {
  it('ψ: above 1, tie ½ (also −∞ against −∞), below 0', () => {
    expect(psi(2, 3)).toBe(1);
    expect(psi(2, 2)).toBe(0.5);
    expect(psi(U, U)).toBe(0.5);
    expect(psi(3, 2)).toBe(0);
    expect(psi(U, 1)).toBe(1);
  });

  it('AFROC (JAFROC): normal-case highest false positive against every lesion', () => {
    // N1 (2): 3 → 1, 2 → ½, −∞ → 0 = 1.5; N2 (−∞): 1 + 1 + ½ = 2.5; (1.5 + 2.5) / (2 normals × 3 lesions).
    expect(afrocFom(example, 'AFROC')).toBeCloseTo(4 / 6, 12);
  });

  it('wAFROC: each abnormal case weighs 1, its lesions share it', () => {
    // N1: A1 1 + A2 (½·½ + ½·0) = 1.25; N2: A1 1 + A2 (½·1 + ½·½) = 1.75; 3 / (2 × 2).
    expect(afrocFom(example, 'wAFROC')).toBeCloseTo(0.75, 12);
  });

  it('AFROC1 and wAFROC1: the false positives of every case count', () => {
    // Highest false positives: N1 2, N2 −∞, A1 −∞, A2 4. AFROC1: (1.5 + 2.5 + 2.5 + 0) / (4 × 3).
    expect(afrocFom(example, 'AFROC1')).toBeCloseTo(6.5 / 12, 12);
    // wAFROC1: (1.25 + 1.75 + 1.75 + 0) / (4 × 2).
    expect(afrocFom(example, 'wAFROC1')).toBeCloseTo(4.75 / 8, 12);
  });

  it('a perfect reader scores 1, a reader who marks nothing ½ (all ties at −∞)', () => {
    const perfect = [rc('N', []), rc('A', [5, 4])];
    expect(afrocFom(perfect, 'wAFROC')).toBe(1);
    const silent = [rc('N', []), rc('A', [U, U])];
    expect(afrocFom(silent, 'wAFROC')).toBe(0.5);
    expect(afrocFom(silent, 'AFROC')).toBe(0.5);
  });

  it('no normal cases: AFROC and wAFROC are undefined, the "1" variants are not; no lesions: all undefined', () => {
    const abnormalOnly = [rc('A1', [3]), rc('A2', [U], [1])];
    expect(afrocFom(abnormalOnly, 'wAFROC')).toBeNaN();
    // Noise: A1 −∞, A2 1; lesions 3 and −∞: A1 → 1 + ½, A2 → 1 + 0; 2.5 / (2 × 2).
    expect(afrocFom(abnormalOnly, 'wAFROC1')).toBeCloseTo(2.5 / 4, 12);
    const normalOnly = [rc('N1', [], [3]), rc('N2', [])];
    expect(afrocFom(normalOnly, 'AFROC')).toBeNaN();
    expect(caseAuc(normalOnly)).toBeNaN();
    expect(lesionSensitivity(normalOnly)).toBeNaN();
    expect(fpPerCase(normalOnly)).toBe(0.5);
  });

  it('case-level AUC: each case rated by its highest mark, ties count ½', () => {
    // Case ratings: N1 2, N2 −∞; A1 3, A3 −∞, A4 2. N1: 1 + 0 + ½; N2: 1 + ½ + 1; 4 / 6.
    const cases = [rc('N1', [], [2]), rc('N2', []), rc('A1', [3]), rc('A3', [U]), rc('A4', [U], [2])];
    expect(caseAuc(cases)).toBeCloseTo(4 / 6, 12);
    // In the first example the abnormal cases are rated 3 and 4 (A2's false positive counts), above both.
    expect(caseAuc(example)).toBe(1);
  });

  it('FROC operating points, sensitivity and false positives per case', () => {
    expect(frocPoints(example)).toEqual([
      { threshold: 4, llf: 0, nlf: 0.25 },
      { threshold: 3, llf: 1 / 3, nlf: 0.25 },
      { threshold: 2, llf: 2 / 3, nlf: 0.5 },
    ]);
    expect(lesionSensitivity(example)).toBeCloseTo(2 / 3, 12);
    expect(fpPerCase(example)).toBe(0.5);
  });
});

describe('ratedCase: marks matched by the LUNA16 rule', () => {
  const truth: TruthLesion[] = [
    { centerMm: [0, 0, 0], diameterMm: 10, type: 'solid' },
    { centerMm: [40, 0, 0], diameterMm: 6, type: 'ground-glass' },
  ];
  const mark = (
    id: string,
    at: [number, number, number],
    confidence: number,
    type = 'solid',
  ): ReaderMark => ({
    id,
    centerMm: at,
    confidence,
    type: type as ReaderMark['type'],
  });

  it('takes the most confident mark inside a lesion; a further mark inside is ignored, not a false positive', () => {
    const c = ratedCase('c', truth, [
      mark('a', [1, 1, 1], 2),
      mark('b', [-2, 0, 0], 4),
      mark('c', [40, 2.9, 0], 3, 'solid'),
      mark('d', [40, 3.1, 0], 5),
      mark('e', [80, 0, 0], 1),
    ]);
    expect(c.lesions.map((l) => l.rating)).toEqual([4, 3]);
    // d lies just outside the 3 mm radius of the second lesion: a false positive, like e.
    expect(c.falsePositives).toEqual([5, 1]);
    // b named the solid nodule right; c called the ground-glass nodule solid.
    expect(c.typeRight).toBe(1);
    expect(typeAccuracy([c])).toBe(0.5);
  });

  it('equally confident marks in one lesion: the first takes it', () => {
    const c = ratedCase('c', truth.slice(0, 1), [
      mark('a', [1, 0, 0], 3, 'ground-glass'),
      mark('b', [0, 1, 0], 3),
    ]);
    expect(c.lesions.map((l) => l.rating)).toEqual([3]);
    expect(c.falsePositives).toEqual([]);
    expect(c.typeRight).toBe(0);
  });

  it('a case without nodules: every mark is a false positive', () => {
    const c = ratedCase('n', [], [mark('a', [0, 0, 0], 2), mark('b', [5, 0, 0], 1)]);
    expect(c.lesions).toEqual([]);
    expect(c.falsePositives).toEqual([2, 1]);
  });
});
