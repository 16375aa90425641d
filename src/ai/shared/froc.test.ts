import { describe, expect, it } from 'vitest';
import { atThreshold, attributeAccuracy, froc, thresholdAt, type CaseResult } from './froc';

const nodule = (x: number, d = 8, type = 'solid') => ({ centerMm: [x, 0, 0] as const, diameterMm: d, type });
const det = (x: number, score: number, type = 'solid', size = 8) => ({
  centerMm: [x, 0, 0] as const,
  score,
  type,
  meanDiameterMm: size,
});

describe('LUNA16 FROC', () => {
  it('counts a detection as a hit only inside the nodule radius, each nodule once', () => {
    const cases: CaseResult[] = [
      // Two detections on the same nodule (the second is ignored, not a false positive), one miss.
      { name: 'a', truth: [nodule(0), nodule(100)], detections: [det(3.9, 0.9), det(-2, 0.8), det(50, 0.7)] },
      { name: 'b', truth: [nodule(0, 4)], detections: [det(2.1, 0.95)] }, // 2.1 mm > radius 2: a false positive
    ];
    const f = froc(cases);
    // 3 nodules, 1 found; false positives: 0.7 (case a) and 0.95 (case b) → 1 per scan over 2 scans.
    const at1 = f.sensitivities[3];
    expect(at1).toBeCloseTo(1 / 3, 6);
    expect(f.sensitivities[0]).toBe(0); // 1/8 FP per scan allows none: the first FP scores above the hit
    const op = atThreshold(cases, 0.85);
    expect(op).toMatchObject({ hits: 1, fpPerScan: 0.5 });
  });

  it('reaches full sensitivity when every nodule is found without false positives', () => {
    const cases: CaseResult[] = [
      {
        name: 'a',
        truth: [nodule(0), nodule(50, 20, 'ground-glass')],
        detections: [det(1, 0.6), det(52, 0.4, 'solid', 17)],
      },
    ];
    const f = froc(cases);
    expect(f.cpm).toBe(1);
    const op = atThreshold(cases, thresholdAt(cases, 1));
    expect(op.typeAccuracy).toBe(0.5);
    expect(op.diameterMaeMm).toBeCloseTo(1.5, 6);
  });

  it('scores an attribute on the hits at the threshold against always answering the commonest value', () => {
    const withMargin = (x: number, margin?: string) => ({
      ...nodule(x),
      ...(margin ? { attributes: { margin } } : {}),
    });
    const said = (x: number, score: number, margin: string) => ({ ...det(x, score), attributes: { margin } });
    const cases: CaseResult[] = [
      {
        name: 'a',
        truth: [withMargin(0, 'smooth'), withMargin(100, 'smooth'), withMargin(200, 'spiculated')],
        detections: [said(0, 0.9, 'smooth'), said(100, 0.9, 'lobulated'), said(200, 0.9, 'spiculated')],
      },
      {
        name: 'b',
        // No true margin: not judged. Below the threshold: not a hit at it.
        truth: [withMargin(0), withMargin(100, 'smooth')],
        detections: [said(0, 0.9, 'smooth'), said(100, 0.2, 'smooth')],
      },
    ];
    const a = attributeAccuracy(cases, 0.5, 'margin');
    expect(a).toEqual({ name: 'margin', hits: 3, accuracy: 2 / 3, baseline: 2 / 3, commonest: 'smooth' });
    // Lowering the threshold adds case b's second nodule (right, and smooth).
    expect(attributeAccuracy(cases, 0.1, 'margin')).toMatchObject({
      hits: 4,
      accuracy: 3 / 4,
      baseline: 3 / 4,
    });
    expect(attributeAccuracy(cases, 0.5, 'calcification')).toMatchObject({ hits: 0, commonest: null });
    // A model that beats the baseline: every margin right, against 2/3 for always "smooth".
    const right = cases.map((c) => ({
      ...c,
      detections: c.detections.map((d) => ({
        ...d,
        attributes: {
          margin: c.truth.find((n) => n.centerMm[0] === d.centerMm[0])?.attributes?.margin ?? '',
        },
      })),
    }));
    expect(attributeAccuracy(right, 0.5, 'margin')).toMatchObject({ hits: 3, accuracy: 1, baseline: 2 / 3 });
  });
});
