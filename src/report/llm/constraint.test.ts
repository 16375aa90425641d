import { describe, expect, it } from 'vitest';
import { F1 } from '../../../test/support/reportFixtures';
import type { Language } from '../../i18n/language';
import { ValueConstraint } from './constraint';
import type { DraftFacts } from './facts';
import { allowedValues } from './values';

const management =
  '3-month LDCT; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component.';
const facts = (language: Language): DraftFacts => ({
  language,
  findings: [
    { ...F1, location: { side: 'right', zone: 'upper' } },
    {
      id: 'F2',
      type: 'ground-glass',
      meanDiameterMm: 12.0,
      longAxisMm: 13.1,
      shortAxisMm: 10.9,
      solidComponentMm: null,
      location: { side: 'left', zone: 'lower' },
      lungRads: '2',
    },
  ],
  overall: { category: '4A', management },
});

// A vocabulary like a real tokenizer's: single characters plus whole words with their leading space.
const chars = [...'0123456789.,;:()×- \nabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const words = [
  ' right',
  ' left',
  ' upper',
  ' middle',
  ' lower',
  ' solid',
  ' ground-glass',
  ' part-solid',
  ' component',
  ' nodule',
  ' mm',
  ' ×',
  ' zone',
  'Lung-RADS',
  ' 4A',
  '4A',
  '4B',
  '左',
  '右',
  '上',
  '下',
  '野',
  '肺',
  '实性',
  '磨玻璃',
  '结节',
  '成分',
  '，',
  '位于',
];
const vocab = ['</s>', ...chars, ...words];
const EOS = 0;
const id = (t: string): number => {
  const i = vocab.indexOf(t);
  if (i < 0) throw new Error(`not in the test vocabulary: ${t}`);
  return i;
};

function allows(c: ValueConstraint, text: string, token: string): boolean {
  return !c.banned(text).includes(token === '</s>' ? EOS : id(token));
}

const make = (language: Language, scoped: boolean): ValueConstraint =>
  new ValueConstraint(vocab, new Set([EOS]), allowedValues(facts(language)), { scoped });

describe('ValueConstraint: numbers', () => {
  const c = make('en', false);

  it('lets a number grow only into a value the facts hold', () => {
    // 9.8 is F1's long axis: after "9." only 8 may follow.
    const next = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].filter((d) =>
      allows(c, 'long axis 9.', d),
    );
    expect(next).toEqual(['8']);
    // 13.1 is F2's long axis, 12.0 its mean: "1" may become either, "14" nothing.
    expect(allows(c, 'size 1', '3')).toBe(true);
    expect(allows(c, 'size 1', '2')).toBe(true);
    expect(allows(c, 'size 1', '4')).toBe(false);
  });

  it('refuses to end a number that is only the start of a value', () => {
    // "26" alone is no value (268 is): a space or the end of the text would make it one.
    expect(allows(c, 'size 26', ' ')).toBe(false);
    expect(allows(c, 'size 26', '</s>')).toBe(false);
    expect(allows(c, 'size 26', '8')).toBe(true);
    expect(allows(c, 'size 7.', '9')).toBe(true);
    expect(allows(c, 'size 7.', '</s>')).toBe(false); // "7." would leave the number 7
    // 8.9 mm may be written as 9 mm or 0.9 cm.
    expect(allows(c, 'size 9', ' mm')).toBe(true);
    expect(allows(c, 'size 0.', '9')).toBe(true);
  });

  it('keeps a size in its unit: "0.9" only in cm, "8.9" and "9" only in mm', () => {
    expect(allows(c, 'F1 measures 0.9', ' mm')).toBe(false);
    expect(allows(c, 'F1 measures 8.9', ' mm')).toBe(true);
    expect(allows(c, 'F1 measures 1.2 c', 'm')).toBe(true); // F2's 12.0 mm in cm
    expect(allows(c, 'F1 measures 1.2', ' mm')).toBe(false);
  });

  it('does not let two allowed numbers spell one that is not ("1..7", "1.3.5")', () => {
    // Found in the browser: the demo model wrote "mean diameter 1..7 mm" where the findings say 17.6.
    expect(allows(c, 'mean diameter 1.', '.')).toBe(false);
    expect(allows(c, 'mean diameter 1..', '7')).toBe(false);
    expect(allows(c, 'slice 1.3', '.')).toBe(true); // a sentence may end after a number
    expect(allows(c, 'slice 1.3.', '5')).toBe(false);
    expect(allows(c, 'slice 1.3. ', '1')).toBe(true); // a new sentence may start with a number
  });

  it('writes only a size as a size: not an item number or a category, but a threshold may be', () => {
    expect(allows(c, 'F1 measures 9', ' mm')).toBe(true);
    expect(allows(c, 'F1 measures 1', ' mm')).toBe(false); // 1 is an item number, no size
    expect(allows(c, 'F1 measures 2', ' mm')).toBe(false);
    expect(allows(c, 'F1 measures 4', ' mm')).toBe(false); // the 4 of 4A
    expect(allows(c, '(13.1', ' ×')).toBe(true);
    expect(allows(c, '(2', ' ×')).toBe(false);
    expect(allows(c, 'if there is a ≥ 8', ' mm')).toBe(true); // the management's threshold
    expect(allows(c, 'if there is a 268', ' mm')).toBe(false); // 268 is in the management text, no size
  });

  it('accepts the numbers of the management text and the item numbers', () => {
    expect(allows(c, 'in 26', '8')).toBe(true);
    expect(allows(c, '\n', '2')).toBe(true);
    expect(allows(c, '\n', '3')).toBe(true); // "3-month" is in the management text
    expect(allows(c, '\n', '5')).toBe(false);
  });
});

describe('ValueConstraint: categories', () => {
  const c = make('en', false);

  it('allows after "Lung-RADS" only the categories of the facts', () => {
    expect(allows(c, 'Lung-RADS ', '4A')).toBe(true);
    expect(allows(c, 'Lung-RADS ', '4B')).toBe(false);
    expect(allows(c, 'Lung-RADS ', '2')).toBe(true);
    expect(allows(c, 'Lung-RADS ', '3')).toBe(false);
    expect(allows(c, 'Lung-RADS 4', 'B')).toBe(false);
    expect(allows(c, 'Lung-RADS 4', 'A')).toBe(true);
  });

  it('checks a category written without "Lung-RADS"', () => {
    expect(allows(c, 'category', ' 4A')).toBe(true);
    expect(allows(c, 'category ', '4B')).toBe(false);
  });
});

describe('ValueConstraint: words', () => {
  it('refuses sides, zones and types that no finding has', () => {
    const c = make('en', false);
    // Both sides and both findings' zones and types exist somewhere in the facts…
    expect(allows(c, 'nodule in the', ' left')).toBe(true);
    expect(allows(c, 'nodule in the right', ' lower')).toBe(true);
    // …but no finding is in a middle zone or part-solid.
    expect(allows(c, 'nodule in the right', ' middle')).toBe(false);
    expect(allows(c, '1.', ' part-solid')).toBe(false);
  });

  it('scoped: a line about F1 may state only F1’s values', () => {
    const c = make('en', true);
    expect(allows(c, '1. solid nodule in the', ' right')).toBe(true);
    expect(allows(c, '1. solid nodule in the', ' left')).toBe(false);
    expect(allows(c, '2.', ' solid')).toBe(true); // may still become "solid component"…
    expect(allows(c, '2. solid', ' nodule')).toBe(false); // …but F2 is not a solid nodule
    expect(allows(c, '2. solid', ' component')).toBe(true);
    expect(allows(c, 'F2 measures 9', '.')).toBe(false); // 9.x is F1's, not F2's
    expect(allows(c, 'F1 measures 9', '.')).toBe(true);
    expect(allows(c, '2. ground-glass nodule; Lung-RADS ', '4A')).toBe(false);
    expect(allows(c, '2. ground-glass nodule; Lung-RADS ', '2')).toBe(true);
  });

  it('guards Chinese sides and zones the same way', () => {
    const c = make('zh-CN', true);
    expect(allows(c, '1. 实性结节，位于', '右')).toBe(true);
    expect(allows(c, '1. 实性结节，位于', '左')).toBe(false);
    expect(allows(c, '1. 实性结节，位于右肺', '下')).toBe(false); // "肺下": lower zone, F1 is upper
    expect(allows(c, '1. 实性结节，位于右肺', '上')).toBe(true);
    expect(allows(c, '1. 实性结节，位于右肺上', '野')).toBe(true);
    expect(allows(c, '2. ', '实性')).toBe(true); // "实性成分" is neutral
    expect(allows(c, '2. 实性', '结节')).toBe(false);
    expect(allows(c, '2. 实性', '成分')).toBe(true);
  });

  it('never refuses everything', () => {
    const c = make('en', false);
    expect(c.banned('Lung-RADS 4').length).toBeLessThan(vocab.length);
    expect(c.deadEnds).toBe(0);
  });
});
