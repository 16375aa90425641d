import { describe, expect, it } from 'vitest';
import { assessDetections, caseCategory, judgeNodule } from './assess';

const partSolid = (solidComponentMm: number | null) => ({
  type: 'part-solid',
  score: 0.9,
  centerMm: [-60, 10, 40] as [number, number, number],
  longAxisMm: 9,
  shortAxisMm: 7,
  meanDiameterMm: 8,
  volumeMm3: 270,
  solidComponentMm,
});

describe('assessDetections', () => {
  it('keeps a model solid component measured larger than its nodule within the nodule', () => {
    const [f] = assessDetections([partSolid(8.6)], {}, [0, 100]);
    expect(f?.solidComponentMm).toBe(8);
    // Categorised as a part-solid nodule whose solid part is the whole nodule (Lung-RADS v2022: 4B, solid part ≥ 8 mm).
    expect(f?.lungRads).toBe('4B');
  });

  it('keeps a smaller solid component as measured', () => {
    const [f] = assessDetections([partSolid(3)], {}, [0, 100]);
    expect(f?.solidComponentMm).toBe(3);
    expect(f?.lungRads).toBe('3');
  });
});

describe('caseCategory', () => {
  it('takes a part-solid nodule whose solid part is not measured yet, as the nodule does', () => {
    // The reader has just changed a solid 18.5 mm finding to part-solid: no solid component yet.
    const nodule = { type: 'part-solid' as const, meanDiameterMm: 18.5, solidComponentMm: null };
    const own = judgeNodule(nodule, {});
    expect(caseCategory([nodule]).category).toBe(own.lungRads);
    // And a measured one still decides: 9 mm solid part is 4B.
    expect(caseCategory([{ ...nodule, solidComponentMm: 9 }]).category).toBe('4B');
  });
});
