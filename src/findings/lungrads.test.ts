/**
 * Lung-RADS v2022 behaviour at every published boundary, checked against the ACR Lung-RADS v2022
 * Assessment Categories table (November 2022; Christensen et al., Chest 2024;165:738–753). Each
 * block names the category rows it exercises. Sizes are mean diameters; "x.x5" values check that the
 * mean is rounded to 0.1 mm before classification.
 */
import { describe, expect, it } from 'vitest';
import {
  assessCase,
  assessNodule,
  isLungRadsGrowth,
  lungRadsFacts,
  lungRadsMeanDiameterMm,
  matchingRows,
} from './lungrads';
import type { LungRadsNoduleInput } from './lungradsInput';
import { LUNG_RADS_ROWS, type LungRadsFacts } from './lungradsTable';
import type { LungRadsCategory, NoduleStatus, NoduleType } from './types';

/** Row ids that decided at least one case in this file; every row must be reachable. */
const decided = new Set<string>();

function assess(input: LungRadsNoduleInput): LungRadsCategory {
  const a = assessNodule(input);
  decided.add(a.rowId);
  return a.category;
}

function solid(status: NoduleStatus, meanDiameterMm: number, extra: Partial<LungRadsNoduleInput> = {}) {
  return assess({ type: 'solid', status, meanDiameterMm, ...extra });
}

function partSolid(status: NoduleStatus, meanDiameterMm: number, solidComponentMm: number) {
  return assess({ type: 'part-solid', status, meanDiameterMm, solidComponentMm });
}

function ggn(status: NoduleStatus, meanDiameterMm: number, extra: Partial<LungRadsNoduleInput> = {}) {
  return assess({ type: 'ground-glass', status, meanDiameterMm, ...extra });
}

describe('solid nodules at baseline (categories 2, 3, 4A, 4B: "< 6", "≥ 6 to < 8", "≥ 8 to < 15", "≥ 15 mm")', () => {
  it.each([
    [5.9, '2'],
    [5.94, '2'],
    [5.95, '3'], // rounds to 6.0
    [6.0, '3'],
    [7.9, '3'],
    [7.94, '3'],
    [7.95, '4A'], // rounds to 8.0
    [8.0, '4A'],
    [14.9, '4A'],
    [14.94, '4A'],
    [14.95, '4B'], // rounds to 15.0
    [15.0, '4B'],
    [45.0, '4B'],
  ] as const)('%f mm is %s', (mm, expected) => {
    expect(solid('baseline', mm)).toBe(expected);
  });
});

describe('new solid nodules (categories 2, 3, 4A, 4B: "new < 4", "new 4 to < 6", "new 6 to < 8", "new ≥ 8 mm")', () => {
  it.each([
    [3.9, '2'],
    [3.95, '3'],
    [4.0, '3'],
    [5.9, '3'],
    [6.0, '4A'],
    [7.9, '4A'],
    [8.0, '4B'],
    [20.0, '4B'],
  ] as const)('%f mm is %s', (mm, expected) => {
    expect(solid('new', mm)).toBe(expected);
  });
});

describe('growing solid nodules (categories 4A and 4B: "growing < 8 mm", "growing ≥ 8 mm")', () => {
  it.each([
    [3.0, '4A'],
    [7.9, '4A'],
    [7.95, '4B'],
    [8.0, '4B'],
  ] as const)('%f mm is %s', (mm, expected) => {
    expect(solid('growing', mm)).toBe(expected);
  });

  it('growth is an increase in mean diameter of more than 1.5 mm within 12 months', () => {
    expect(isLungRadsGrowth(6.0, 7.5, 12)).toBe(false); // +1.5 mm exactly: not growth
    expect(isLungRadsGrowth(6.0, 7.6, 12)).toBe(true);
    expect(isLungRadsGrowth(6.1, 7.6, 6)).toBe(false); // 7.6 − 6.1 is 1.4999… in binary; still 1.5
    expect(isLungRadsGrowth(6.1, 7.7, 6)).toBe(true);
    expect(isLungRadsGrowth(6.0, 8.0, 13)).toBe(false); // outside a 12-month interval
    expect(isLungRadsGrowth(8.0, 6.0, 3)).toBe(false); // decreased
  });
});

describe('stable solid and part-solid nodules (v2022 stepped management)', () => {
  // Category 2: "category 3 lesion(s) that are stable or decreased in size at 6-month follow-up CT".
  // Category 3: "category 4A lesion(s) that are stable or decreased in size at 3-month follow-up CT".
  // Category 4B lesions step down only when "proven benign in etiology following appropriate workup".
  it.each([
    [undefined, '2'],
    ['2', '2'],
    ['3', '2'],
    ['4A', '3'],
    ['4B', '4B'],
    ['4X', '4B'],
  ] as const)('a stable 10 mm solid nodule followed as %s is %s', (prior, expected) => {
    const extra = prior === undefined ? {} : { priorCategory: prior };
    expect(solid('stable', 10, extra)).toBe(expected);
  });

  it('a stable part-solid nodule follows the same steps', () => {
    expect(assess({ type: 'part-solid', status: 'stable', meanDiameterMm: 12, solidComponentMm: 7 })).toBe(
      '2',
    );
    expect(
      assess({
        type: 'part-solid',
        status: 'stable',
        meanDiameterMm: 12,
        solidComponentMm: 7,
        priorCategory: '4A',
      }),
    ).toBe('3');
  });

  it('a 4B lesion proven benign after workup is category 2', () => {
    expect(solid('stable', 18, { priorCategory: '4B', provenBenign: true })).toBe('2');
  });
});

describe('part-solid nodules at baseline (categories 2, 3, 4A, 4B)', () => {
  // 2: "< 6 mm total"; 3: "≥ 6 mm total with solid component < 6 mm";
  // 4A: "≥ 6 mm total with solid component ≥ 6 to < 8 mm"; 4B: "solid component ≥ 8 mm".
  it.each([
    [5.9, 3.0, '2'],
    [5.9, 5.9, '2'],
    [5.95, 2.0, '3'], // total rounds to 6.0
    [6.0, 2.0, '3'],
    [12.0, 5.9, '3'],
    [12.0, 5.95, '4A'], // solid component rounds to 6.0
    [12.0, 6.0, '4A'],
    [12.0, 7.9, '4A'],
    [12.0, 8.0, '4B'],
    [25.0, 20.0, '4B'],
  ] as const)('total %f mm, solid %f mm is %s', (total, solidMm, expected) => {
    expect(partSolid('baseline', total, solidMm)).toBe(expected);
  });
});

describe('new and growing part-solid nodules (categories 3, 4A, 4B)', () => {
  // 3: "new < 6 mm total"; 4A: "new or growing < 4 mm solid component";
  // 4B: "new or growing ≥ 4 mm solid component".
  it.each([
    ['new', 5.9, 3.9, '3'],
    ['new', 6.0, 3.9, '4A'],
    ['new', 6.0, 3.95, '4B'], // solid component rounds to 4.0
    ['new', 6.0, 4.0, '4B'],
    ['new', 5.9, 4.0, '4B'], // both "new < 6 mm total" and "new ≥ 4 mm solid": the more suspicious row
    ['growing', 5.0, 3.9, '4A'],
    ['growing', 12.0, 3.9, '4A'],
    ['growing', 12.0, 4.0, '4B'],
  ] as const)('%s, total %f mm, solid %f mm is %s', (status, total, solidMm, expected) => {
    expect(partSolid(status, total, solidMm)).toBe(expected);
  });
});

describe('ground-glass nodules (category 2: "< 30 mm at baseline, new, or growing", "≥ 30 mm stable or slowly growing"; category 3: "≥ 30 mm at baseline or new")', () => {
  it.each([
    ['baseline', 29.9, '2'],
    ['baseline', 29.95, '3'], // rounds to 30.0
    ['baseline', 30.0, '3'],
    ['new', 29.9, '2'],
    ['new', 30.0, '3'],
    ['growing', 29.9, '2'],
    ['growing', 30.0, '3'],
    ['stable', 12.0, '2'],
    ['stable', 30.0, '2'],
    ['stable', 45.0, '2'],
  ] as const)('%s, %f mm is %s', (status, mm, expected) => {
    expect(ggn(status, mm)).toBe(expected);
  });

  it('a slowly growing GGN of 30 mm or more is category 2', () => {
    expect(ggn('growing', 32, { slowGrowth: true })).toBe('2');
  });

  it('ignores a solid component given for a ground-glass nodule', () => {
    expect(ggn('baseline', 10, { solidComponentMm: 8 })).toBe('2');
  });
});

describe('juxtapleural nodules (category 2: "< 10 mm at baseline or new; solid; smooth margins")', () => {
  it.each([
    ['baseline', 9.9, '2'],
    ['baseline', 9.95, '4A'], // rounds to 10.0: solid baseline 8 to < 15
    ['baseline', 10.0, '4A'],
    ['new', 9.9, '2'], // a non-juxtapleural new 9.9 mm solid nodule is 4B
    ['new', 10.0, '4B'],
    ['growing', 9.0, '4B'], // growth removes the benign reading
  ] as const)('%s, %f mm is %s', (status, mm, expected) => {
    expect(solid(status, mm, { juxtapleural: true })).toBe(expected);
  });

  it('needs smooth margins', () => {
    expect(solid('baseline', 7, { juxtapleural: true, margin: 'smooth' })).toBe('2');
    expect(solid('baseline', 7, { juxtapleural: true, margin: 'lobulated' })).toBe('3');
    expect(solid('baseline', 9, { juxtapleural: true, margin: 'spiculated' })).toBe('4X');
  });

  it('applies to solid nodules only', () => {
    expect(
      assess({
        type: 'part-solid',
        status: 'baseline',
        meanDiameterMm: 8,
        solidComponentMm: 6.5,
        juxtapleural: true,
      }),
    ).toBe('4A');
  });
});

describe('benign features (category 1: "specific calcifications", "fat-containing nodules")', () => {
  it.each([
    ['baseline', 3],
    ['new', 12],
    ['growing', 25],
  ] as const)('a calcified nodule, %s, %f mm, is category 1', (status, mm) => {
    expect(assess({ type: 'calcified', status, meanDiameterMm: mm })).toBe('1');
  });

  it('a fat-containing solid nodule is category 1 whatever its size', () => {
    expect(solid('baseline', 18, { fatContaining: true })).toBe('1');
  });
});

describe('slow growth (category 4B: "growth over multiple screening exams")', () => {
  it('makes a small solid or part-solid nodule 4B', () => {
    expect(solid('stable', 5, { slowGrowth: true })).toBe('4B');
    expect(
      assess({
        type: 'part-solid',
        status: 'stable',
        meanDiameterMm: 7,
        solidComponentMm: 2,
        slowGrowth: true,
      }),
    ).toBe('4B');
  });
});

describe('category 4X ("category 3 or 4 nodules with additional features that increase the suspicion")', () => {
  it('upgrades categories 3, 4A and 4B with spiculation', () => {
    expect(solid('baseline', 6.0, { margin: 'spiculated' })).toBe('4X');
    expect(solid('baseline', 9.0, { margin: 'spiculated' })).toBe('4X');
    expect(solid('baseline', 16.0, { margin: 'spiculated' })).toBe('4X');
  });

  it('leaves categories 1 and 2 alone', () => {
    expect(solid('baseline', 5.9, { margin: 'spiculated' })).toBe('2');
    expect(
      assess({ type: 'calcified', status: 'baseline', meanDiameterMm: 9, suspiciousFeatures: true }),
    ).toBe('1');
  });

  it('upgrades on other suspicious features and records the base category', () => {
    const a = assessNodule({
      type: 'solid',
      status: 'baseline',
      meanDiameterMm: 16,
      suspiciousFeatures: true,
    });
    expect(a.category).toBe('4X');
    expect(a.upgrade?.from).toBe('4B');
    expect(a.upgrade?.source).toMatch(/Category 4X/);
    expect(a.rowSource).toMatch(/Category 4B: solid nodule\(s\) ≥ 15 mm/);
  });
});

describe('assessNodule output', () => {
  it('reports the rounded sizes the table saw and cites the deciding row', () => {
    const a = assessNodule({
      type: 'part-solid',
      status: 'baseline',
      meanDiameterMm: 7.96,
      solidComponentMm: 5.95,
    });
    expect(a.meanDiameterMm).toBe(8);
    expect(a.solidComponentMm).toBe(6);
    expect(a.category).toBe('4A');
    expect(a.rowSource).toMatch(/^ACR Lung-RADS v2022, Assessment Categories table, Category 4A: part solid/);
  });

  it('writes management in English and Simplified Chinese', () => {
    const input: LungRadsNoduleInput = { type: 'solid', status: 'baseline', meanDiameterMm: 7 };
    expect(assessNodule(input).management).toMatch(/^6-month LDCT/);
    expect(assessNodule(input, 'zh-CN').management).toMatch(/^6个月后复查低剂量CT/);
    const fourA = assessNodule({ type: 'solid', status: 'baseline', meanDiameterMm: 9 }, 'zh-CN');
    expect(fourA.management).toContain('PET/CT');
  });

  it('marks rows where Lucent chose a reading the table leaves open', () => {
    expect(
      assessNodule({ type: 'ground-glass', status: 'growing', meanDiameterMm: 31 }).interpretation,
    ).toMatch(/more cautious/);
    expect(assessNodule({ type: 'solid', status: 'baseline', meanDiameterMm: 7 }).interpretation).toBeNull();
  });

  it('refuses impossible input', () => {
    expect(() => assessNodule({ type: 'solid', status: 'baseline', meanDiameterMm: 0 })).toThrow(
      /meanDiameterMm/,
    );
    expect(() => assessNodule({ type: 'part-solid', status: 'baseline', meanDiameterMm: 8 })).toThrow(
      /solidComponentMm/,
    );
    expect(() =>
      assessNodule({ type: 'part-solid', status: 'baseline', meanDiameterMm: 8, solidComponentMm: 9 }),
    ).toThrow(/must not exceed/);
  });
});

describe('lungRadsMeanDiameterMm', () => {
  it('rounds each axis and the mean to 0.1 mm', () => {
    expect(lungRadsMeanDiameterMm(8.0, 3.9)).toBe(6); // 5.95 → 6.0: category 3 at baseline, not 2
    expect(lungRadsMeanDiameterMm(8.0, 3.8)).toBe(5.9);
    expect(lungRadsMeanDiameterMm(10.04, 5.96)).toBe(8); // 10.0 and 6.0
  });
});

describe('assessCase (the examination takes the most suspicious nodule)', () => {
  const n = (meanDiameterMm: number, extra: Partial<LungRadsNoduleInput> = {}): LungRadsNoduleInput => ({
    type: 'solid',
    status: 'baseline',
    meanDiameterMm,
    ...extra,
  });

  it('is category 1 without nodules', () => {
    const c = assessCase([]);
    expect(c.category).toBe('1');
    expect(c.dominantIndex).toBeNull();
    expect(c.source).toMatch(/no lung nodules/);
  });

  it('takes the highest category and its management', () => {
    const c = assessCase([n(5), n(9), n(7)]);
    expect(c.perNodule.map((p) => p.category)).toEqual(['2', '4A', '3']);
    expect(c.category).toBe('4A');
    expect(c.dominantIndex).toBe(1);
    expect(c.management).toBe(c.perNodule[1].management);
  });

  it('ranks 4X above 4B and keeps the first of equals', () => {
    expect(assessCase([n(16), n(9, { margin: 'spiculated' })]).category).toBe('4X');
    expect(assessCase([n(9), n(10)]).dominantIndex).toBe(0);
  });

  it('is category 0 when incomplete, with the nodules still assessed', () => {
    const c = assessCase([n(16)], { incomplete: 'inflammatory-or-infectious', language: 'zh-CN' });
    expect(c.category).toBe('0');
    expect(c.management).toMatch(/1–3个月/);
    expect(c.perNodule[0].category).toBe('4B');
    expect(assessCase([], { incomplete: 'prior-ct-pending' }).management).toMatch(/prior chest CT/);
  });
});

describe('the table as a whole', () => {
  /** Facts over a grid of sizes for every type and status (no benign flags). */
  function* grid(): Generator<LungRadsFacts> {
    const types: NoduleType[] = ['solid', 'part-solid', 'ground-glass'];
    const statuses: NoduleStatus[] = ['baseline', 'new', 'growing', 'stable'];
    const priors = ['none', '2', '3', '4A', '4B', '4X'] as const;
    for (const type of types) {
      for (const status of statuses) {
        for (let tenths = 1; tenths <= 400; tenths++) {
          const meanDiameterMm = tenths / 10;
          const solids = type === 'part-solid' ? [0.1, 3.9, 4, 5.9, 6, 7.9, 8, meanDiameterMm] : [null];
          for (const s of solids) {
            if (s !== null && s > meanDiameterMm) continue;
            for (const priorCategory of status === 'stable' ? priors : (['none'] as const)) {
              yield lungRadsFacts({
                type,
                status,
                meanDiameterMm,
                solidComponentMm: s,
                ...(priorCategory === 'none' ? {} : { priorCategory }),
              });
            }
          }
        }
      }
    }
  }

  it('size rows never overlap: exactly one non-precedence row matches each nodule', () => {
    for (const facts of grid()) {
      const sizeRows = matchingRows(facts).filter((r) => r.precedence !== true);
      if (sizeRows.length !== 1) {
        throw new Error(
          `${JSON.stringify(facts)} matches ${sizeRows.map((r) => r.id).join(', ') || 'no row'}`,
        );
      }
    }
  });
});

describe('coverage of the table (runs last)', () => {
  it('every row decided at least one case above: no dead rows', () => {
    const missing = LUNG_RADS_ROWS.map((r) => r.id).filter((id) => !decided.has(id));
    expect(missing).toEqual([]);
  });
});
