/**
 * Fleischner Society 2017 behaviour, checked against MacMahon et al., Radiology 2017;284:228–243,
 * Table 1 (A. solid nodules, B. subsolid nodules) and its notes: size is the average of long and
 * short axes rounded to the nearest millimetre, so 5.4 mm is "< 6 mm", 5.5 mm is "6–8 mm", 8.4 mm is
 * still "6–8 mm" and 8.5 mm is "> 8 mm".
 */
import { describe, expect, it } from 'vitest';
import {
  fleischnerApplies,
  fleischnerMatches,
  fleischnerRecommendation,
  fleischnerSizeMm,
  type FleischnerInput,
} from './fleischner';
import {
  FLEISCHNER_ROWS,
  type FleischnerMultiplicity,
  type FleischnerNoduleType,
  type FleischnerRisk,
} from './fleischnerTable';

const decided = new Set<string>();

function recommend(
  multiplicity: FleischnerMultiplicity,
  type: FleischnerNoduleType,
  meanDiameterMm: number,
  risk: FleischnerRisk,
) {
  const r = fleischnerRecommendation({ multiplicity, type, meanDiameterMm, risk });
  decided.add(r.rowId);
  return r;
}

describe('size', () => {
  it('is the average of long and short axes rounded to the nearest millimetre', () => {
    expect(fleischnerSizeMm(6, 5)).toBe(6); // 5.5 → 6
    expect(fleischnerSizeMm(6, 4.8)).toBe(5); // 5.4 → 5
    expect(fleischnerSizeMm(9, 8)).toBe(9); // 8.5 → 9
    expect(recommend('single', 'solid', 8.49, 'low').sizeMm).toBe(8);
  });
});

describe('A. solid nodules, single', () => {
  it.each([
    [5.4, 'low', 'single-solid-lt6-low', /^No routine follow-up\.$/],
    [5.4, 'high', 'single-solid-lt6-high', /^Optional CT at 12 months\.$/],
    [5.5, 'low', 'single-solid-6-8-low', /^CT at 6–12 months, then consider CT at 18–24 months\.$/],
    [6.0, 'high', 'single-solid-6-8-high', /^CT at 6–12 months, then CT at 18–24 months\.$/],
    [8.4, 'low', 'single-solid-6-8-low', /then consider CT at 18–24/],
    [8.4, 'high', 'single-solid-6-8-high', /then CT at 18–24/],
    [8.5, 'low', 'single-solid-gt8', /^Consider CT at 3 months, PET\/CT, or tissue sampling\.$/],
    [8.5, 'high', 'single-solid-gt8', /^Consider CT at 3 months, PET\/CT, or tissue sampling\.$/],
    [25, 'high', 'single-solid-gt8', /PET\/CT/],
  ] as const)('%f mm, %s risk → %s', (mm, risk, rowId, text) => {
    const r = recommend('single', 'solid', mm, risk);
    expect(r.rowId).toBe(rowId);
    expect(r.recommendation).toMatch(text);
  });

  it('carries the table comment on high-risk small nodules', () => {
    expect(recommend('single', 'solid', 4, 'high').comment).toMatch(/upper lobe location/);
  });
});

describe('A. solid nodules, multiple', () => {
  it.each([
    [5.4, 'low', 'multiple-solid-lt6-low', /^No routine follow-up\.$/],
    [5.4, 'high', 'multiple-solid-lt6-high', /^Optional CT at 12 months\.$/],
    [5.5, 'low', 'multiple-solid-6-8-low', /^CT at 3–6 months, then consider CT at 18–24 months\.$/],
    [8.4, 'high', 'multiple-solid-6-8-high', /^CT at 3–6 months, then at 18–24 months\.$/],
    [8.5, 'low', 'multiple-solid-gt8-low', /^CT at 3–6 months, then consider CT at 18–24 months\.$/],
    [8.5, 'high', 'multiple-solid-gt8-high', /^CT at 3–6 months, then at 18–24 months\.$/],
  ] as const)('%f mm, %s risk → %s', (mm, risk, rowId, text) => {
    const r = recommend('multiple', 'solid', mm, risk);
    expect(r.rowId).toBe(rowId);
    expect(r.recommendation).toMatch(text);
    expect(r.comment).toMatch(/most suspicious nodule/);
  });
});

describe('B. subsolid nodules (no risk distinction)', () => {
  it.each([
    ['single', 'ground-glass', 5.4, 'single-ground-glass-lt6', /^No routine follow-up\.$/],
    [
      'single',
      'ground-glass',
      5.5,
      'single-ground-glass-gte6',
      /6–12 months to confirm persistence, then CT every 2 years until 5 years/,
    ],
    ['single', 'part-solid', 5.4, 'single-part-solid-lt6', /^No routine follow-up\.$/],
    [
      'single',
      'part-solid',
      5.5,
      'single-part-solid-gte6',
      /3–6 months to confirm persistence.*annual CT .* 5 years/,
    ],
    [
      'multiple',
      'ground-glass',
      5.4,
      'multiple-subsolid-lt6',
      /^CT at 3–6 months\. If stable, consider CT at 2 and 4 years\.$/,
    ],
    ['multiple', 'part-solid', 5.4, 'multiple-subsolid-lt6', /2 and 4 years/],
    ['multiple', 'part-solid', 5.5, 'multiple-subsolid-gte6', /most suspicious nodule/],
    ['multiple', 'ground-glass', 30, 'multiple-subsolid-gte6', /^CT at 3–6 months\./],
  ] as const)('%s %s %f mm → %s', (multiplicity, type, mm, rowId, text) => {
    for (const risk of ['low', 'high'] as const) {
      const r = recommend(multiplicity, type, mm, risk);
      expect(r.rowId).toBe(rowId);
      expect(r.recommendation).toMatch(text);
    }
  });

  it('says in Chinese what the table says', () => {
    const r = fleischnerRecommendation(
      { multiplicity: 'single', type: 'part-solid', meanDiameterMm: 7, risk: 'low' },
      'zh-CN',
    );
    expect(r.recommendation).toBe(
      '3–6个月时复查CT以确认病灶持续存在。若无变化且实性成分仍< 6 mm，应每年复查CT，持续5年。',
    );
    expect(r.source).toMatch(/Table 1, B\. Subsolid nodules, single, part solid, ≥ 6 mm/);
  });
});

describe('the table as a whole', () => {
  it('exactly one row matches every input', () => {
    for (const multiplicity of ['single', 'multiple'] as const) {
      for (const type of ['solid', 'part-solid', 'ground-glass'] as const) {
        for (const risk of ['low', 'high'] as const) {
          for (let tenths = 1; tenths <= 400; tenths++) {
            const input: FleischnerInput = { multiplicity, type, risk, meanDiameterMm: tenths / 10 };
            expect(fleischnerMatches(input)).toHaveLength(1);
          }
        }
      }
    }
  });

  it('refuses a size that is not a positive number', () => {
    expect(() =>
      fleischnerRecommendation({ multiplicity: 'single', type: 'solid', meanDiameterMm: 0, risk: 'low' }),
    ).toThrow(/positive/);
  });
});

describe('fleischnerApplies (Table 1 notes and scope)', () => {
  const adult = {
    ageYears: 60,
    knownOrSuspectedCancer: false,
    immunocompromised: false,
    lungCancerScreening: false,
  };

  it('applies to an adult of 35 or older with none of the exclusions', () => {
    expect(fleischnerApplies(adult)).toEqual({ applies: true, exclusions: [], caveats: [] });
    expect(fleischnerApplies({ ...adult, ageYears: 35 }).applies).toBe(true);
  });

  it.each([
    [{ ageYears: 34.9 }, 'age-under-35', /younger than 35/],
    [{ knownOrSuspectedCancer: true }, 'known-cancer', /metastases/],
    [{ immunocompromised: true }, 'immunocompromised', /Immunocompromised/],
    [{ lungCancerScreening: true }, 'screening', /Lung-RADS/],
  ] as const)('%j excludes it (%s)', (change, code, reason) => {
    const r = fleischnerApplies({ ...adult, ...change });
    expect(r.applies).toBe(false);
    expect(r.exclusions.map((e) => e.code)).toEqual([code]);
    expect(r.exclusions[0].reason).toMatch(reason);
    expect(r.exclusions[0].source).toMatch(/Fleischner Society 2017/);
  });

  it('lists every exclusion that holds, in Chinese too', () => {
    const r = fleischnerApplies(
      { ageYears: 20, knownOrSuspectedCancer: true, immunocompromised: true, lungCancerScreening: true },
      'zh-CN',
    );
    expect(r.exclusions.map((e) => e.code)).toEqual([
      'age-under-35',
      'known-cancer',
      'immunocompromised',
      'screening',
    ]);
    expect(r.exclusions[0].reason).toMatch(/35岁/);
  });

  it('asks to confirm the age when it is not recorded', () => {
    const r = fleischnerApplies({ ...adult, ageYears: null });
    expect(r.applies).toBe(true);
    expect(r.caveats[0]).toMatch(/35 or older/);
  });
});

describe('coverage of the table (runs last)', () => {
  it('every row decided at least one case above', () => {
    expect(FLEISCHNER_ROWS.map((r) => r.id).filter((id) => !decided.has(id))).toEqual([]);
  });
});
