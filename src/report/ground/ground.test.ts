import { describe, expect, it } from 'vitest';
import type { Language } from '../../i18n/language';
import { ground, type GroundingFinding, type ProblemKind } from './index';

const F1: GroundingFinding = {
  id: 'F1',
  type: 'solid',
  meanDiameterMm: 10.9,
  longAxisMm: 12.1,
  shortAxisMm: 9.7,
  solidComponentMm: null,
  volumeMm3: 600,
  location: { side: 'right', zone: 'upper' },
  lungRads: '4A',
};
const F2: GroundingFinding = {
  id: 'F2',
  type: 'ground-glass',
  meanDiameterMm: 6.2,
  longAxisMm: 7.0,
  shortAxisMm: 5.4,
  solidComponentMm: null,
  location: { side: 'left', zone: 'lower' },
  lungRads: '2',
};
const F3: GroundingFinding = {
  id: 'F3',
  type: 'part-solid',
  meanDiameterMm: 14.2,
  longAxisMm: 16.0,
  shortAxisMm: 12.4,
  solidComponentMm: 8.4,
  location: { side: 'right', zone: 'lower' },
  lungRads: '4B',
};
const TWO = [F1, F2];

/** The kinds of problem in each sentence of a checked text. */
function kinds(
  text: string,
  findings: readonly GroundingFinding[],
  language: Language = 'en',
): ProblemKind[][] {
  return ground(text, findings, language).sentences.map((s) => s.problems.map((p) => p.kind));
}
function passes(text: string, findings: readonly GroundingFinding[] = TWO, language: Language = 'en'): void {
  const g = ground(text, findings, language);
  expect(
    g.sentences.flatMap((s) => s.problems),
    text,
  ).toEqual([]);
  expect(g.grounded).toBe(true);
}
function fails(
  text: string,
  kind: ProblemKind,
  findings: readonly GroundingFinding[] = TWO,
  language: Language = 'en',
): void {
  const g = ground(text, findings, language);
  expect(
    g.sentences.flatMap((s) => s.problems.map((p) => p.kind)),
    text,
  ).toContain(kind);
  expect(g.grounded).toBe(false);
}

describe('ground: sizes', () => {
  it('accepts a size as rounded in the text, in mm or cm, with or without a space', () => {
    for (const t of [
      'A 10.9 mm solid nodule in the right upper lobe.',
      'A 11 mm solid nodule in the right upper lobe.',
      'A solid nodule in the right upper lobe measuring 1.1 cm.',
      'A solid nodule in the right upper lobe measuring 1.1cm.',
      'A solid nodule in the right upper lobe measuring 11mm.',
      'Right upper lobe solid nodule, approximately 11-mm.',
      'A solid nodule in the right upper lobe measuring 1,1 cm.',
      'The right upper lobe nodule measures 12.1 × 9.7 mm.',
      'The right upper lobe nodule measures 12 x 10 mm.',
      'The right upper lobe nodule measures 12x10mm.',
      'The right upper lobe nodule measures 1.2 × 1.0 cm.',
      'The right upper lobe nodule measures 12 mm × 10 mm.',
      'The right upper lobe nodule measures 10 × 12 mm.',
      'The right upper lobe nodule has a mean diameter of 10.9 mm and a long axis of 12.1 mm.',
      'Right upper lobe nodule, 10-12 mm.',
      'Right upper lobe nodule, up to 12 mm.',
      'Right upper lobe nodule, less than 2 cm.',
    ])
      passes(t);
  });

  it('flags a size that is not the finding’s, and says what it should be', () => {
    const g = ground('A 12.8 mm solid nodule in the right upper lobe.', TWO, 'en');
    expect(g.sentences[0]?.findingIds).toEqual(['F1']);
    expect(g.sentences[0]?.problems).toEqual([
      expect.objectContaining({ kind: 'size', found: '12.8 mm', expected: '12.1 mm' }),
    ]);
    for (const t of [
      'A 14 mm solid nodule in the right upper lobe.',
      'A solid nodule in the right upper lobe measuring 1.4 cm.',
      'The right upper lobe nodule measures 14 × 10 mm.',
      'The right upper lobe nodule measures 12 × 7 mm.',
      'The right upper lobe nodule has a mean diameter of 12.1 mm.',
      'Right upper lobe nodule, 4-6 mm.',
      'Right upper lobe nodule, less than 6 mm.',
      'F1 measures 9 mm.',
      'F3 has a solid component of 6 mm.',
    ])
      fails(t, 'size', [F1, F2, F3]);
  });

  it('reads a measurement written without a unit as millimetres, and flags it when it is no size', () => {
    for (const t of [
      'F1: solid nodule in the right upper zone, mean diameter 10.9.',
      'The right upper lobe nodule measures 12.1.',
      'F1，右上野实性结节，直径 10.9。',
    ])
      passes(t, TWO, t.includes('直径') ? 'zh-CN' : 'en');
    const g = ground(
      'F2: solid nodule in the right upper zone, mean diameter 1.',
      [F1, { ...F2, type: 'solid', location: { side: 'right', zone: 'upper' } }],
      'en',
    );
    expect(g.sentences[0]?.problems).toEqual([
      expect.objectContaining({ kind: 'size', found: '1', expected: '6.2 mm' }),
    ]);
    fails('The right upper lobe nodule measures 14.', 'size');
    // Numbers that are not a measurement stay unread: a series, a count, a threshold, a year.
    passes('F1 is a solid nodule in the right upper lobe, series 3 image 45.');
    passes('2 pulmonary nodules.');
  });

  it('flags what is left of a placeholder that was not filled, as the kind of value it stood for', () => {
    const g = ground(
      'F1: 1.mean} mm solid nodule in the right upper zone, Lung-RADS {F1.category}.',
      TWO,
      'en',
    );
    expect(g.sentences[0]?.problems).toEqual([
      expect.objectContaining({ kind: 'size', found: '1.mean}', expected: 'a value from the findings' }),
      expect.objectContaining({ kind: 'category', found: '{F1.category}.' }),
    ]);
    expect(g.grounded).toBe(false);
    fails('F1 is a solid nodule in the right upper lobe, {F7.whatever}.', 'unmatched');
  });

  it('gives the expected size of the right dimension: pairs as long × short, the solid component', () => {
    const pair = ground('F1 measures 14 × 9 mm.', TWO, 'en').sentences[0]?.problems[0];
    expect(pair).toMatchObject({ kind: 'size', found: '14 × 9 mm', expected: '12.1 × 9.7 mm' });
    const solid = ground('F3, solid component 6.0 mm.', [F3], 'en').sentences[0]?.problems[0];
    expect(solid).toMatchObject({ kind: 'size', expected: '8.4 mm' });
    const none = ground('F2 has a solid component of 3 mm.', TWO, 'en').sentences[0]?.problems[0];
    expect(none).toMatchObject({ kind: 'size', expected: 'no solid component' });
  });

  it('does not read the sizes of other things: slices, kernels, dose, other organs', () => {
    passes('Technique: CT of the chest, 1.0 mm slices, reconstruction interval 0.8 mm, B50f kernel.');
    passes('Axial images were reconstructed at 3 mm.');
    passes('DLP 250 mGy·cm; CTDIvol 3.1 mGy.');
    passes('A 2 cm hiatal hernia. The ascending aorta measures 3.6 cm. A 12 mm right hilar lymph node.');
    passes('层厚 1.25 mm，重建间隔 1 mm。右肺门淋巴结短径 12 mm。', TWO, 'zh-CN');
  });

  it('reads full-width digits and units, Chinese punctuation and 约/左右', () => {
    passes('右肺上叶见一实性结节，大小约１２×１０ｍｍ。', TWO, 'zh-CN');
    passes('右肺上叶实性结节，直径约11 mm左右。', TWO, 'zh-CN');
    passes('左肺下叶磨玻璃结节，长径7毫米。', TWO, 'zh-CN');
    fails('右肺上叶实性结节，大小约１５×１０ｍｍ。', 'size', TWO, 'zh-CN');
    fails('左肺下叶磨玻璃结节，约1.5厘米。', 'size', TWO, 'zh-CN');
  });

  it('keeps each size with its finding when a sentence names several', () => {
    passes('F1 measures 10.9 mm and F2 measures 6.2 mm.');
    passes('Solid nodule 11 mm (F1) and ground-glass nodule 6 mm (F2).');
    fails('F1 measures 6.2 mm and F2 measures 10.9 mm.', 'size');
    fails('Solid nodule 6 mm (F1) and ground-glass nodule 11 mm (F2).', 'size');
  });

  it('checks "It measures …" against the finding of the sentence before', () => {
    passes('A solid nodule is seen in the right upper lobe. It measures 1.1 cm.');
    expect(kinds('A solid nodule is seen in the right upper lobe. It measures 2 cm.', TWO)).toEqual([
      [],
      ['size'],
    ]);
  });
});

describe('ground: sides, zones and types', () => {
  it('accepts paraphrases of side, zone and lobe', () => {
    for (const t of [
      'F1: solid nodule in the right upper zone.',
      'Solid nodule in the RUL.',
      'A right upper lobe solid nodule.',
      'Solid nodule at the right apex.',
      'Ground-glass opacity in the left lower lobe.',
      'Pure ground glass nodule at the left base.',
      'GGN, LLL.',
      'Non-solid nodule in the left lower lung zone.',
      'There are nodules in both lungs.',
    ])
      passes(t);
    passes('右肺上叶实性结节。左肺下叶磨玻璃结节。双肺多发结节。', TWO, 'zh-CN');
    passes('F1：实性结节，位于右肺上野。', TWO, 'zh-CN');
  });

  it('flags a wrong side, zone or type for the finding the sentence speaks of', () => {
    fails('F1: solid nodule in the left upper zone.', 'side');
    fails('F1: solid nodule in the right lower zone.', 'zone');
    fails('F1: ground-glass nodule in the right upper zone.', 'type');
    fails('F2 is calcified.', 'type');
    fails('F2 is a part-solid nodule.', 'type');
    fails('F1：左肺上野实性结节。', 'side', TWO, 'zh-CN');
    fails('F1：右肺下野实性结节。', 'zone', TWO, 'zh-CN');
    fails('F1：右肺上野磨玻璃结节。', 'type', TWO, 'zh-CN');
    // Without an id: the finding that fits best, and what does not fit it.
    expect(ground('A solid nodule in the left lower lobe.', TWO, 'en').sentences[0]).toMatchObject({
      findingIds: ['F2'],
      problems: [expect.objectContaining({ kind: 'type', found: 'solid', expected: 'ground-glass' })],
    });
  });

  it('treats non-calcified and "no solid component" as statements of type', () => {
    passes('F1 is a non-calcified solid nodule.');
    passes('F2 is a ground-glass nodule without a solid component.');
    fails('F3 is a nodule without a solid component.', 'type', [F1, F2, F3]);
    fails('F1 is not calcified. F2 is calcified.', 'type');
  });

  it('reports a nodule that matches no finding, and an id that does not exist', () => {
    fails('A 25 mm spiculated mass in the left upper lobe.', 'unmatched');
    fails('F7: solid nodule in the right upper zone.', 'unmatched');
    fails('A 6 mm solid nodule in the right middle lobe.', 'unmatched', []);
    fails('右肺中叶见一25 mm肿块。', 'unmatched', TWO, 'zh-CN');
  });
});

describe('ground: counts and absence', () => {
  it('checks counts in words, digits and Chinese numerals', () => {
    for (const t of [
      '2 pulmonary nodules.',
      'Two nodules are present.',
      'There are multiple nodules.',
      'One solid nodule.',
    ])
      passes(t);
    passes('共 2 个肺结节。双肺见两个结节。双肺多发结节。', TWO, 'zh-CN');
    fails('3 pulmonary nodules.', 'count');
    fails('Three nodules are present.', 'count');
    fails('A single nodule is present.', 'count');
    fails('There are two solid nodules.', 'count');
    fails('共3个肺结节。', 'count', TWO, 'zh-CN');
    fails('单发结节。', 'count', TWO, 'zh-CN');
    expect(ground('Three nodules.', TWO, 'en').sentences[0]?.problems[0]).toMatchObject({ expected: '2' });
  });

  it('checks statements of absence in both languages, with their qualifiers', () => {
    for (const t of ['No pulmonary nodules.', 'There is no evidence of nodules.', 'Nodules are not seen.'])
      fails(t, 'absence');
    for (const t of ['未见结节。', '双肺未见明确结节。', '未发现肺结节。']) fails(t, 'absence', TWO, 'zh-CN');
    passes('No pulmonary nodules.', []);
    passes('双肺未见结节。', [], 'zh-CN');
    passes('No calcified nodules.');
    passes('No nodule in the left upper zone larger than 8 mm.');
    fails('No nodules in the right lung.', 'absence');
    fails('No solid nodules.', 'absence');
    fails('No suspicious nodules.', 'absence');
    fails('No nodule ≥ 6 mm.', 'absence');
    // Relative statements cannot be checked alone, and are not flagged.
    passes('No other nodules. No new nodules. 余肺未见结节。其余肺野未见明确结节。');
    const a = ground('No pulmonary nodules.', TWO, 'en').sentences[0]?.problems[0];
    expect(a).toMatchObject({
      kind: 'absence',
      found: 'No pulmonary nodules',
      expected: '2 findings (F1, F2)',
    });
  });
});

describe('ground: Lung-RADS categories and guideline wording', () => {
  it('checks a finding’s category and the examination’s', () => {
    passes('F1: Lung-RADS 4A.');
    passes('F2: Lung-RADS category 2.');
    passes('Overall: Lung-RADS 4A.');
    passes('Lung-RADS v2022 category 4A.');
    passes('F1 (Lung-RADS 4A) and F2 (Lung-RADS 2).');
    passes('总体评估：Lung-RADS 4A类。', TWO, 'zh-CN');
    fails('F1: Lung-RADS 3.', 'category');
    fails('F2: Lung-RADS 4A.', 'category');
    fails('Overall: Lung-RADS 4B.', 'category');
    fails('F1 (Lung-RADS 2) and F2 (Lung-RADS 4A).', 'category');
    fails('总体评估：Lung-RADS 3类。', 'category', TWO, 'zh-CN');
    expect(ground('Overall: Lung-RADS 2.', TWO, 'en').sentences[0]?.problems[0]).toMatchObject({
      kind: 'category',
      expected: 'Lung-RADS 4A',
    });
    // "Lung-RADS 4" admits 4A, 4B and 4X; "4X" is never a "4 × …" size.
    passes('Overall: Lung-RADS 4.');
    passes('F1 is Lung-RADS 4A 12 mm.', [F1]);
  });

  it('grounds guideline wording in the guideline: management text, thresholds, conditional categories', () => {
    passes(
      'Lung-RADS 4A: 3-month LDCT; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component. If stable or decreased in size at 3 months, category 3: 6-month LDCT.',
    );
    passes('PET/CT may be considered for a solid component ≥ 8 mm.');
    passes('Follow-up LDCT in 3 months is recommended; if stable, downgrade to category 3.');
    passes(
      '3个月后复查低剂量CT（LDCT）；若存在≥8 mm（≥268 mm³）的实性结节或实性成分，可考虑行PET/CT检查。若3个月时结节稳定或缩小，归为3类，6个月后复查LDCT。',
      TWO,
      'zh-CN',
    );
    // A threshold that is not the guideline's is a claim.
    fails('The right upper lobe nodule is ≥ 15 mm.', 'size');
  });
});

describe('ground: sentences and offsets', () => {
  it('splits English and Chinese sentences, list items and headings, with offsets into the text', () => {
    const text =
      'Findings:\n1. Solid nodule in the right upper lobe, 11 mm (F1).\n2. Ground-glass nodule, left lower lobe (F2).\n\n印象：右肺上叶实性结节，约1.1 cm。左肺下叶磨玻璃结节！';
    const g = ground(text, TWO, 'en');
    for (const s of g.sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(g.sentences.map((s) => s.text)).toEqual([
      'Findings:',
      '1. Solid nodule in the right upper lobe, 11 mm (F1).',
      '2. Ground-glass nodule, left lower lobe (F2).',
      '印象：右肺上叶实性结节，约1.1 cm。',
      '左肺下叶磨玻璃结节！',
    ]);
    expect(g.sentences.map((s) => s.findingIds)).toEqual([[], ['F1'], ['F2'], ['F1'], ['F2']]);
    expect(g.grounded).toBe(true);
  });

  it('joins a hard-wrapped sentence and keeps decimals and abbreviations inside sentences', () => {
    const text = 'A solid nodule in the right upper lobe\nmeasures approx. 1.1 cm, i.e. about 11 mm. Stable.';
    const g = ground(text, TWO, 'en');
    expect(g.sentences.map((s) => s.text)).toEqual([
      'A solid nodule in the right upper lobe\nmeasures approx. 1.1 cm, i.e. about 11 mm.',
      'Stable.',
    ]);
    expect(g.grounded).toBe(true);
  });

  it('gives each problem its place in the text', () => {
    const text = 'Technique: CT.\nF1: solid nodule, 14 mm, Lung-RADS 3.';
    const g = ground(text, TWO, 'en');
    const problems = g.sentences.flatMap((s) => s.problems);
    expect(problems.map((p) => text.slice(p.start, p.end))).toEqual(problems.map((p) => p.found));
    expect(problems.map((p) => p.kind).sort()).toEqual(['category', 'size']);
  });

  it('explains problems in the language asked for', () => {
    const p = ground('F1：左肺上野磨玻璃结节。', TWO, 'zh-CN').sentences[0]?.problems ?? [];
    expect(p.map((x) => x.expected).sort()).toEqual(['右', '实性'].sort());
  });
});
