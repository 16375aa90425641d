import { describe, expect, it } from 'vitest';
import type { FindingRecord } from './record';
import {
  auditExport,
  brockForFinding,
  editFinding,
  fleischnerForCase,
  manualFinding,
  nextFindingId,
  sortFindings,
} from './review';

const AT = '2026-11-26T10:00:00.000Z';
const MODEL = { kind: 'model', id: 'lung-nodule-ct', version: '1.0.0' } as const;
const PATIENT = { ageYears: 62, sex: 'F' };
const NO_CONTEXT = {
  ageYears: 62,
  knownOrSuspectedCancer: false,
  immunocompromised: false,
  lungCancerScreening: false,
};

function finding(over: Partial<FindingRecord> = {}): FindingRecord {
  return {
    id: 'F1',
    seriesKey: 's',
    source: MODEL,
    status: 'pending',
    type: 'solid',
    score: 0.9,
    centerMm: [-60, 10, -100],
    longAxisMm: 9,
    shortAxisMm: 8,
    meanDiameterMm: 8.5,
    solidComponentMm: null,
    volumeMm3: 320,
    location: { side: 'right', zone: 'upper' },
    lungRads: '4A',
    differentials: [],
    history: [{ at: AT, by: MODEL, action: 'created' }],
    ...over,
  };
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('editing a finding', () => {
  it('re-measuring a solid nodule below 6 mm moves it from 4A to 2, scales the volume and audits the change', () => {
    const f = value(editFinding(finding(), { longAxisMm: 6, shortAxisMm: 5 }, PATIENT, 'en', AT));
    expect(f.meanDiameterMm).toBe(5.5);
    expect(f.lungRads).toBe('2');
    expect(f.volumeMm3).toBeCloseTo(320 * (5.5 / 8.5) ** 3, 0);
    const last = f.history.at(-1);
    expect(last?.action).toBe('remeasured');
    expect(last?.by).toEqual({ kind: 'user' });
    expect(last?.detail).toContain('8.5 mm → 5.5 mm');
  });

  it('keeps the long axis the longer when one axis is edited alone', () => {
    const shorter = value(editFinding(finding(), { longAxisMm: 5 }, PATIENT, 'en', AT));
    expect([shorter.longAxisMm, shorter.shortAxisMm]).toEqual([5, 5]);
    const wider = value(editFinding(finding(), { shortAxisMm: 12 }, PATIENT, 'en', AT));
    expect([wider.longAxisMm, wider.shortAxisMm]).toEqual([12, 12]);
    const narrower = value(editFinding(finding(), { shortAxisMm: 4 }, PATIENT, 'en', AT));
    expect([narrower.longAxisMm, narrower.shortAxisMm, narrower.meanDiameterMm]).toEqual([9, 4, 6.5]);
  });

  it('orders the axes whichever way they are given', () => {
    const f = value(editFinding(finding(), { longAxisMm: 4, shortAxisMm: 12 }, PATIENT, 'en', AT));
    expect([f.longAxisMm, f.shortAxisMm, f.meanDiameterMm]).toEqual([12, 4, 8]);
    expect(f.lungRads).toBe('4A');
  });

  it('re-typing a 25 mm solid nodule as ground-glass changes its category to 2 and its differentials', () => {
    const base = finding({ longAxisMm: 26, shortAxisMm: 24, meanDiameterMm: 25, lungRads: '4B' });
    const solid = value(editFinding(base, { longAxisMm: 26.01 }, PATIENT, 'en', AT));
    const ggn = value(editFinding(base, { type: 'ground-glass' }, PATIENT, 'en', AT));
    expect(solid.lungRads).toBe('4B');
    expect(ggn.lungRads).toBe('2');
    expect(ggn.history.at(-1)).toMatchObject({ action: 'retyped', detail: 'solid → ground-glass' });
    expect(ggn.differentials.map((d) => d.label)).not.toEqual(solid.differentials.map((d) => d.label));
  });

  it('a part-solid nodule is categorised by its solid component', () => {
    const ps = value(editFinding(finding(), { type: 'part-solid', solidComponentMm: 7 }, PATIENT, 'en', AT));
    const psSmall = value(editFinding(ps, { solidComponentMm: 3 }, PATIENT, 'en', AT));
    // Lung-RADS v2022 table 1: part-solid ≥ 6 mm with a solid component of 6 to < 8 mm is 4A, < 6 mm is 3.
    expect([ps.lungRads, psSmall.lungRads]).toEqual(['4A', '3']);
    expect(psSmall.solidComponentMm).toBe(3);
    // Leaving part-solid drops the solid component.
    expect(value(editFinding(ps, { type: 'solid' }, PATIENT, 'en', AT)).solidComponentMm).toBeNull();
  });

  it('spiculation raises a category 4A nodule to 4X', () => {
    expect(value(editFinding(finding(), { margin: 'spiculated' }, PATIENT, 'en', AT)).lungRads).toBe('4X');
  });

  it('refuses sizes that are not positive millimetres, and solid parts larger than the nodule', () => {
    for (const bad of [0, -3, Number.NaN, 400]) {
      const r = editFinding(finding(), { longAxisMm: bad }, PATIENT, 'en', AT);
      expect(r.ok).toBe(false);
    }
    const r = editFinding(finding(), { type: 'part-solid', solidComponentMm: 20 }, PATIENT, 'en', AT);
    expect(r.ok ? null : r.error.code).toBe('solid-larger');
  });

  it('an edit that changes nothing leaves the record and its history alone', () => {
    const f = finding();
    expect(value(editFinding(f, { longAxisMm: 9, type: 'solid' }, PATIENT, 'en', AT))).toBe(f);
  });
});

describe('findings added by hand', () => {
  it('are accepted, authored by the user, sized from the outline and placed in a zone', () => {
    const f = value(
      manualFinding(
        {
          id: 'F4',
          seriesKey: 's',
          centerMm: [40, 0, -20],
          longAxisMm: 7,
          shortAxisMm: 11,
          type: 'solid',
          lungZ: [-200, 0],
        },
        PATIENT,
        'en',
        AT,
      ),
    );
    expect(f).toMatchObject({ status: 'accepted', source: { kind: 'user' }, score: null });
    expect([f.longAxisMm, f.shortAxisMm, f.meanDiameterMm]).toEqual([11, 7, 9]);
    expect(f.lungRads).toBe('4A');
    expect(f.location).toEqual({ side: 'left', zone: 'upper' });
    expect(f.volumeMm3).toBeCloseTo((Math.PI / 6) * 11 * 7 * 7, 0);
  });

  it('refuse an outline without a size', () => {
    const r = manualFinding(
      {
        id: 'F1',
        seriesKey: 's',
        centerMm: [0, 0, 0],
        longAxisMm: 0,
        shortAxisMm: 0,
        type: 'solid',
        lungZ: [0, 1],
      },
      PATIENT,
      'en',
      AT,
    );
    expect(r.ok).toBe(false);
  });

  it('take the next id without reusing one', () => {
    expect(nextFindingId([])).toBe('F1');
    expect(nextFindingId([finding({ id: 'F1' }), finding({ id: 'F7' }), finding({ id: 'F3' })])).toBe('F8');
  });
});

describe('ordering', () => {
  const list = [
    finding({ id: 'F1', lungRads: '2', meanDiameterMm: 4, score: 0.99 }),
    finding({ id: 'F2', lungRads: '4B', meanDiameterMm: 16, score: 0.6 }),
    finding({ id: 'F3', lungRads: '4X', meanDiameterMm: 9, score: 0.7 }),
    finding({ id: 'F4', lungRads: '2', meanDiameterMm: 5, score: null, source: { kind: 'user' } }),
  ];
  it('by category puts the most suspicious first, ties by size', () => {
    expect(sortFindings(list, 'category').map((f) => f.id)).toEqual(['F3', 'F2', 'F4', 'F1']);
  });
  it('by score puts the radiologist-drawn findings first, then the highest scores', () => {
    expect(sortFindings(list, 'score').map((f) => f.id)).toEqual(['F4', 'F1', 'F3', 'F2']);
  });
});

describe('Fleischner for the case', () => {
  it('a single 7 mm solid nodule in a low-risk patient takes the 6–8 mm low-risk row', () => {
    const v = fleischnerForCase([finding({ longAxisMm: 8, shortAxisMm: 6 })], 'low', NO_CONTEXT, 'en');
    expect(v.multiplicity).toBe('single');
    expect(v.recommendation?.rowId).toBe('single-solid-6-8-low');
    expect(v.applicability.applies).toBe(true);
  });

  it('leaves calcified and rejected nodules out, and lets the most suspicious guide multiple nodules', () => {
    const v = fleischnerForCase(
      [
        finding({ id: 'F1', type: 'calcified', longAxisMm: 12, shortAxisMm: 12, lungRads: '2' }),
        finding({ id: 'F2', status: 'rejected', longAxisMm: 20, shortAxisMm: 20, lungRads: '4B' }),
        finding({ id: 'F3', longAxisMm: 5, shortAxisMm: 4, meanDiameterMm: 4.5, lungRads: '2' }),
        finding({ id: 'F4', longAxisMm: 10, shortAxisMm: 9, meanDiameterMm: 9.5, lungRads: '4A' }),
      ],
      'high',
      NO_CONTEXT,
      'en',
    );
    expect(v.multiplicity).toBe('multiple');
    expect(v.guideFindingId).toBe('F4');
    expect(v.recommendation?.rowId).toBe('multiple-solid-gt8-high');
  });

  it('gives no recommendation when only calcified nodules remain, and states the exclusions', () => {
    const v = fleischnerForCase(
      [finding({ type: 'calcified' })],
      'low',
      { ...NO_CONTEXT, lungCancerScreening: true },
      'en',
    );
    expect(v.recommendation).toBeNull();
    expect(v.applicability.applies).toBe(false);
    expect(v.applicability.exclusions.map((e) => e.code)).toEqual(['screening']);
  });
});

describe('Brock for a finding', () => {
  it('uses the long axis, the count of kept nodules, spiculation and the upper zone', () => {
    const f = finding({ margin: 'spiculated' });
    const others = [f, finding({ id: 'F2' }), finding({ id: 'F3', status: 'rejected' })];
    const r = value(brockForFinding(f, others, PATIENT, { emphysema: true, familyHistory: false }, 'en'));
    expect(r.inputs).toMatchObject({
      noduleSizeMm: 9,
      noduleCount: 2,
      spiculation: true,
      upperLobe: true,
      sex: 'female',
      emphysema: true,
    });
    const lower = value(
      brockForFinding(
        finding({ margin: 'spiculated', location: { side: 'right', zone: 'lower' } }),
        others,
        PATIENT,
        { emphysema: true, familyHistory: false },
        'en',
      ),
    );
    expect(lower.probability).toBeLessThan(r.probability);
  });

  it('says which DICOM inputs are missing, and does not apply to calcified nodules', () => {
    const r = brockForFinding(finding(), [], {}, { emphysema: false, familyHistory: false }, 'en');
    expect(r.ok ? '' : r.error.message).toMatch(/age and sex/);
    const c = brockForFinding(
      finding({ type: 'calcified' }),
      [],
      PATIENT,
      { emphysema: false, familyHistory: false },
      'en',
    );
    expect(c.ok ? '' : c.error.code).toBe('not-applicable');
  });
});

describe('audit export', () => {
  it('carries every finding with its author and history, and no series or patient identifiers', () => {
    const edited = value(editFinding(finding(), { longAxisMm: 6, shortAxisMm: 5 }, PATIENT, 'en', AT));
    const out = auditExport([edited, finding({ id: 'F2', seriesKey: '1.2.840.99.1' })], '2', AT);
    expect(out.schema).toBe('lucent.audit/1');
    expect(out.findings.map((f) => f.id)).toEqual(['F1', 'F2']);
    expect(out.findings[0]?.history.map((h) => h.action)).toEqual(['created', 'remeasured']);
    expect(out.findings[0]?.source).toEqual(MODEL);
    expect(JSON.stringify(out)).not.toContain('1.2.840.99.1');
  });
});
