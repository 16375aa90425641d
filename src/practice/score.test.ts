import { describe, expect, it } from 'vitest';
import { missFeedback } from './feedback';
import { scorePractice, truthLungRads } from './score';
import type { TruthLesion } from './types';

// The demo set's "Solid nodules" case, as its truth.json gives it.
const solid: TruthLesion[] = [
  {
    centerMm: [61.15, -11.58, 100.14],
    diameterMm: 19.13,
    type: 'solid',
    margin: 'spiculated',
    location: 'intraparenchymal',
  },
  {
    centerMm: [-46.6, 35.95, -35.62],
    diameterMm: 9,
    type: 'solid',
    margin: 'smooth',
    location: 'intraparenchymal',
  },
  {
    centerMm: [-80.17, 34.84, 90.06],
    diameterMm: 4.31,
    type: 'solid',
    margin: 'smooth',
    location: 'juxtapleural',
  },
];

describe('practice score', () => {
  it('the truth Lung-RADS of a case follows v2022', () => {
    // 19 mm solid is 4B; spiculation raises it to 4X.
    expect(truthLungRads(solid)).toBe('4X');
    expect(truthLungRads([])).toBe('1');
    // 14 mm ground-glass: 2. Part-solid 16 mm with a 7.8 mm solid part: 4A. Benign calcification: 1.
    expect(truthLungRads([{ centerMm: [0, 0, 0], diameterMm: 14, type: 'ground-glass' }])).toBe('2');
    expect(
      truthLungRads([{ centerMm: [0, 0, 0], diameterMm: 16.3, type: 'part-solid', solidComponentMm: 7.8 }]),
    ).toBe('4A');
    expect(truthLungRads([{ centerMm: [0, 0, 0], diameterMm: 7, type: 'calcified' }])).toBe('1');
    // A smooth 7 mm solid nodule on the pleura has the benign juxtapleural morphology: 2, not 3.
    const pleural: TruthLesion = {
      centerMm: [0, 0, 0],
      diameterMm: 7,
      type: 'solid',
      margin: 'smooth',
      location: 'juxtapleural',
    };
    expect(truthLungRads([pleural])).toBe('2');
    expect(truthLungRads([{ ...pleural, location: 'intraparenchymal' }])).toBe('3');
  });

  it('one right mark (wrong type), one false positive: sensitivity 1/3, 1 false positive, type 0/1', () => {
    const s = scorePractice({
      truth: solid,
      marks: [
        { id: 'm1', centerMm: [60, -10, 101], confidence: 3, type: 'part-solid' },
        { id: 'm2', centerMm: [20, 20, 0], confidence: 3, type: 'solid' },
      ],
      lungRads: '4B',
      seconds: 95,
    });
    expect(s.lesions).toBe(3);
    expect(s.sensitivity).toBeCloseTo(1 / 3, 12);
    expect(s.falsePositives).toBe(1);
    expect(s.matching.falsePositives.map((m) => m.id)).toEqual(['m2']);
    expect(s.matching.misses).toEqual([1, 2]);
    expect(s.typeAccuracy).toBe(0);
    expect(s.lungRads).toEqual({ given: '4B', truth: '4X', agree: false });
    expect(s.ai).toBeNull();
  });

  it('a normal case read clean: no sensitivity to speak of, no false positives, Lung-RADS 1 agreed', () => {
    const s = scorePractice({ truth: [], marks: [], lungRads: '1', seconds: 30 });
    expect(s.sensitivity).toBeNaN();
    expect(s.typeAccuracy).toBeNaN();
    expect(s.falsePositives).toBe(0);
    expect(s.lungRads.agree).toBe(true);
  });

  it('matches the AI findings by the same rule', () => {
    const s = scorePractice({
      truth: solid,
      marks: [],
      lungRads: null,
      seconds: 10,
      ai: [
        { id: 'F1', centerMm: [61, -11, 100], score: 0.9, type: 'solid', meanDiameterMm: 18 },
        { id: 'F2', centerMm: [0, 0, 0], score: 0.6, type: 'solid', meanDiameterMm: 5 },
      ],
    });
    expect(s.ai?.hits.map((h) => h.lesion)).toEqual([0]);
    expect(s.ai?.falsePositives.map((f) => f.id)).toEqual(['F2']);
    expect(s.lungRads.agree).toBe(false);
  });
});

describe('feedback on a miss', () => {
  const scan = { lungZ: [-150, 150] as const, sliceSpacingMm: 2.5 };

  it('says where it was and why it is easy to miss', () => {
    const f = missFeedback(solid[2], scan);
    expect(f.location).toEqual({ side: 'right', zone: 'upper' });
    expect(f.reasons).toEqual(['juxtapleural', 'small']);
    expect(f.slices).toBe(2);
  });

  it('a small nodule beside a vessel on a noisy scan; a large one with nothing special: search', () => {
    const f = missFeedback(
      { centerMm: [30, 0, -120], diameterMm: 5, type: 'solid', location: 'juxtavascular' },
      { ...scan, noiseSigma: 28 },
    );
    expect(f.location).toEqual({ side: 'left', zone: 'lower' });
    expect(f.reasons).toEqual(['juxtavascular', 'small', 'noise']);
    expect(missFeedback(solid[0], scan).reasons).toEqual(['search']);
    // A 7 mm ground-glass nodule on 2.5 mm slices shows on 3 of them.
    expect(missFeedback({ centerMm: [0, 0, 0], diameterMm: 7, type: 'ground-glass' }, scan).reasons).toEqual([
      'ground-glass',
      'few-slices',
    ]);
  });
});
