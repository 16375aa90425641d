/**
 * Differential suggestions: the examples from the findings issue, the effect of context, and the
 * promise that every suggestion carries a rationale and a reference and is marked as a suggestion.
 */
import { describe, expect, it } from 'vitest';
import { suggestDifferentials, type DifferentialInput } from './differentials';
import { DIFFERENTIAL_RULES, REFERENCES } from './differentialsData';
import { LANGUAGES } from './types';

const ids = (input: DifferentialInput): string[] => suggestDifferentials(input).suggestions.map((s) => s.id);
const first = (input: DifferentialInput): string | undefined => ids(input)[0];

describe('examples from the issue', () => {
  it('calcified → granuloma, then hamartoma', () => {
    expect(ids({ type: 'calcified', meanDiameterMm: 6 }).slice(0, 2)).toEqual(['granuloma', 'hamartoma']);
  });

  it('popcorn calcification → hamartoma first', () => {
    expect(first({ type: 'calcified', meanDiameterMm: 12, calcification: 'popcorn' })).toBe('hamartoma');
  });

  it('ground-glass → adenocarcinoma spectrum (AAH, AIS, MIA), then focal infection or inflammation', () => {
    const r = suggestDifferentials({ type: 'ground-glass', meanDiameterMm: 9 });
    expect(r.suggestions.map((s) => s.id).slice(0, 2)).toEqual([
      'adenocarcinoma-spectrum',
      'infection-inflammation',
    ]);
    expect(r.suggestions[0].label).toBe('Adenocarcinoma spectrum (AAH, AIS, MIA)');
  });

  it('spiculated solid ≥ 8 mm → primary lung cancer first', () => {
    const r = suggestDifferentials({ type: 'solid', meanDiameterMm: 8, margin: 'spiculated' });
    expect(r.suggestions[0]).toMatchObject({
      id: 'primary-lung-cancer',
      rank: 1,
      ruleId: 'spiculated-solid-gte8',
    });
    expect(
      suggestDifferentials({ type: 'solid', meanDiameterMm: 7.9, margin: 'spiculated' }).suggestions[0]
        .ruleId,
    ).toBe('spiculated-solid-lt8');
  });
});

describe('features', () => {
  it('fat → hamartoma first', () => {
    expect(first({ type: 'solid', meanDiameterMm: 14, margin: 'smooth', fatContaining: true })).toBe(
      'hamartoma',
    );
  });

  it('indeterminate calcification does not exclude cancer', () => {
    expect(first({ type: 'solid', meanDiameterMm: 12, calcification: 'eccentric' })).toBe(
      'primary-lung-cancer',
    );
  });

  it('a small smooth juxtapleural solid nodule → intrapulmonary lymph node first', () => {
    expect(first({ type: 'solid', meanDiameterMm: 5, margin: 'smooth', juxtapleural: true })).toBe(
      'intrapulmonary-lymph-node',
    );
  });

  it('a part-solid nodule → invasive adenocarcinoma first, with a transient lesion still listed', () => {
    const list = ids({ type: 'part-solid', meanDiameterMm: 14 });
    expect(list[0]).toBe('invasive-adenocarcinoma');
    expect(list).toContain('infection-inflammation');
  });

  it('a small smooth solid nodule → granuloma first, cancer last', () => {
    const list = ids({ type: 'solid', meanDiameterMm: 4, margin: 'smooth' });
    expect(list[0]).toBe('granuloma');
    expect(list.at(-1)).toBe('primary-lung-cancer');
  });

  it('a known extrathoracic cancer brings metastasis in', () => {
    expect(ids({ type: 'solid', meanDiameterMm: 7, context: { knownExtrathoracicCancer: true } })).toContain(
      'metastasis',
    );
    expect(ids({ type: 'solid', meanDiameterMm: 7 })).not.toContain('metastasis');
  });

  it('each diagnosis appears once, keeping its strongest rule', () => {
    const r = suggestDifferentials({
      type: 'solid',
      meanDiameterMm: 10,
      margin: 'lobulated',
      calcification: 'popcorn',
    });
    const list = r.suggestions.map((s) => s.id);
    expect(new Set(list).size).toBe(list.length);
    expect(r.suggestions.find((s) => s.id === 'hamartoma')?.ruleId).toBe('popcorn-calcification');
  });
});

describe('context (age and sex)', () => {
  it('under 35, focal infection ranks above the adenocarcinoma spectrum for a ground-glass nodule', () => {
    const r = suggestDifferentials({ type: 'ground-glass', meanDiameterMm: 9, context: { ageYears: 28 } });
    expect(r.suggestions.map((s) => s.id).slice(0, 2)).toEqual([
      'infection-inflammation',
      'adenocarcinoma-spectrum',
    ]);
    expect(r.suggestions[0].context[0]?.rationale).toMatch(/rare before 35/);
  });

  it('does not take primary lung cancer off the top for a spiculated solid nodule ≥ 8 mm', () => {
    expect(
      first({ type: 'solid', meanDiameterMm: 12, margin: 'spiculated', context: { ageYears: 30 } }),
    ).toBe('primary-lung-cancer');
  });

  it('age ≥ 65 and female sex move cancer up past a near tie', () => {
    // Smooth solid 10 mm: primary lung cancer 0.55, granuloma 0.5.
    const plain = ids({ type: 'solid', meanDiameterMm: 10, margin: 'smooth' });
    const older = suggestDifferentials({
      type: 'solid',
      meanDiameterMm: 10,
      margin: 'smooth',
      context: { ageYears: 70, sex: 'female' },
    });
    expect(plain.slice(0, 2)).toEqual(['primary-lung-cancer', 'granuloma']);
    expect(older.suggestions[0].id).toBe('primary-lung-cancer');
    expect(older.suggestions[0].context.map((c) => c.reference)).toEqual([
      REFERENCES.mcwilliams2013,
      REFERENCES.mcwilliams2013,
    ]);
    expect(older.suggestions.find((s) => s.id === 'granuloma')?.context).toEqual([]);
  });

  it('never adds a diagnosis that no feature suggested', () => {
    expect(
      ids({ type: 'calcified', meanDiameterMm: 6, context: { ageYears: 80, sex: 'female' } }),
    ).not.toContain('primary-lung-cancer');
  });
});

describe('what every answer carries', () => {
  const inputs: DifferentialInput[] = [
    { type: 'solid', meanDiameterMm: 3 },
    { type: 'solid', meanDiameterMm: 7 },
    { type: 'solid', meanDiameterMm: 20 },
    { type: 'solid', meanDiameterMm: 20, margin: 'smooth' },
    { type: 'solid', meanDiameterMm: 5, margin: 'spiculated' },
    { type: 'part-solid', meanDiameterMm: 5 },
    { type: 'ground-glass', meanDiameterMm: 40 },
    { type: 'calcified', meanDiameterMm: 2, calcification: 'laminated' },
  ];

  it.each(LANGUAGES)(
    'is marked as suggestions, with a rationale and a reference per entry (%s)',
    (language) => {
      for (const input of inputs) {
        const r = suggestDifferentials(input, language);
        expect(r.kind).toBe('suggestion');
        expect(r.disclaimer).toMatch(language === 'en' ? /not a diagnosis/ : /并非诊断/);
        expect(r.suggestions.length).toBeGreaterThan(0);
        r.suggestions.forEach((s, i) => {
          expect(s.rank).toBe(i + 1);
          expect(s.label.length).toBeGreaterThan(0);
          expect(s.rationale.length).toBeGreaterThan(0);
          expect(Object.values(REFERENCES)).toContain(s.reference);
        });
      }
    },
  );

  it('keeps only the first n when asked', () => {
    expect(
      suggestDifferentials({ type: 'ground-glass', meanDiameterMm: 9 }, 'en', 1).suggestions,
    ).toHaveLength(1);
  });

  it('has unique rule ids', () => {
    const all = DIFFERENTIAL_RULES.map((r) => r.id);
    expect(new Set(all).size).toBe(all.length);
  });
});
