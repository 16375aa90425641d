/**
 * The values a draft may state, from its facts: for each finding its sizes (as the report writes them, in
 * mm with one decimal, rounded to whole mm, or in cm), type, side, zone and Lung-RADS category; and,
 * shared by the whole text, the count and item numbers, the examination's category, and the numbers of
 * the management text and the technique (guideline and acquisition wording, grounded outside the
 * findings). The constrained decoder lets a model write only these.
 */
import type { Language } from '../../i18n/language';
import { mm, type DraftFacts, type FactFinding } from './facts';
import { NEUTRAL, WORDS, type WordClass } from './words';

export interface ValueSet {
  readonly numbers: ReadonlySet<string>;
  /** The numbers that may be written as a size (followed by mm, cm or ×), not as a threshold. */
  readonly sizes: ReadonlySet<string>;
  /** Of those, the ones in cm (followed by cm there): "1.1" for 10.9 mm is no size in mm. */
  readonly cmSizes: ReadonlySet<string>;
  /** … and the ones in mm. */
  readonly mmSizes: ReadonlySet<string>;
  readonly categories: ReadonlySet<string>;
  /** Allowed words per class, lower case. */
  readonly words: Readonly<Record<WordClass, ReadonlySet<string>>>;
}

export interface AllowedValues {
  readonly language: Language;
  /** Every guarded word of the language with its class (lower case), and the neutral phrases. */
  readonly terms: readonly { readonly text: string; readonly cls: WordClass | 'neutral' }[];
  /** What a sentence about finding k (1-based: `byFinding[k - 1]`) may state. */
  readonly byFinding: readonly ValueSet[];
  /** What a sentence about no finding in particular may state: everything the facts hold. */
  readonly anywhere: ValueSet;
}

/** The ways a size in mm may be written in mm: 10.9 mm → "10.9", "11". */
function mmForms(v: number): string[] {
  return [mm(v), String(Math.round(v))];
}

/** … and in cm: 10.9 mm → "1.1". */
function cmForms(v: number): string[] {
  return [(v / 10).toFixed(1)];
}

/** The ways a size may be written: 10.9 mm → "10.9", "11" (mm) and "1.1" (cm). */
export function sizeForms(v: number): string[] {
  return [...mmForms(v), ...cmForms(v)];
}

const NUMBER = /\d+(?:\.\d+)?/g;

function numbersIn(text: string): string[] {
  return text.match(NUMBER) ?? [];
}

function classWords(language: Language, cls: WordClass, values: readonly string[]): Set<string> {
  const lists = WORDS[language][cls] as Readonly<Record<string, readonly string[]>>;
  return new Set(values.flatMap((v) => (lists[v] ?? []).map((w) => w.toLowerCase())));
}

function findingSet(f: FactFinding, language: Language, shared: ValueSet): ValueSet {
  const sizes = [
    f.meanDiameterMm,
    f.longAxisMm,
    f.shortAxisMm,
    ...(f.solidComponentMm === null ? [] : [f.solidComponentMm]),
  ];
  return {
    numbers: new Set([...shared.numbers, ...sizes.flatMap(sizeForms)]),
    sizes: new Set([...shared.sizes, ...sizes.flatMap(sizeForms)]),
    mmSizes: new Set([...shared.mmSizes, ...sizes.flatMap(mmForms)]),
    cmSizes: new Set([...shared.cmSizes, ...sizes.flatMap(cmForms)]),
    categories: new Set([f.lungRads]),
    words: {
      type: classWords(language, 'type', [f.type]),
      side: classWords(language, 'side', f.location ? [f.location.side] : []),
      zone: classWords(language, 'zone', f.location ? [f.location.zone] : []),
    },
  };
}

export function allowedValues(facts: DraftFacts): AllowedValues {
  const { language, findings, overall } = facts;
  const sharedNumbers = new Set<string>();
  for (let i = 1; i <= findings.length; i++) sharedNumbers.add(String(i));
  for (const n of numbersIn(overall.management)) sharedNumbers.add(n);
  const categories = new Set<string>([overall.category, ...findings.map((f) => f.lungRads)]);
  for (const c of categories) sharedNumbers.add(c.replace(/[A-Z]+$/, ''));
  const t = facts.technique;
  const sharedSizes = new Set<string>();
  const sharedMm = new Set<string>();
  const sharedCm = new Set<string>();
  if (t?.sliceThicknessMm !== undefined) {
    for (const n of sizeForms(t.sliceThicknessMm)) {
      sharedNumbers.add(n);
      sharedSizes.add(n);
    }
    for (const n of mmForms(t.sliceThicknessMm)) sharedMm.add(n);
    for (const n of cmForms(t.sliceThicknessMm)) sharedCm.add(n);
  }
  if (t?.ctdiVolMGy !== undefined) sharedNumbers.add(t.ctdiVolMGy.toFixed(1));
  if (t?.kernel) for (const n of numbersIn(t.kernel)) sharedNumbers.add(n);
  const none: ValueSet['words'] = { type: new Set(), side: new Set(), zone: new Set() };
  const shared: ValueSet = {
    numbers: sharedNumbers,
    sizes: sharedSizes,
    mmSizes: sharedMm,
    cmSizes: sharedCm,
    categories: new Set([overall.category]),
    words: none,
  };
  const byFinding = findings.map((f) => findingSet(f, language, shared));
  const union = (pick: (s: ValueSet) => ReadonlySet<string>): Set<string> =>
    new Set([...pick(shared), ...byFinding.flatMap((s) => [...pick(s)])]);
  const anywhere: ValueSet = {
    numbers: union((s) => s.numbers),
    sizes: union((s) => s.sizes),
    mmSizes: union((s) => s.mmSizes),
    cmSizes: union((s) => s.cmSizes),
    categories: new Set(categories),
    words: {
      type: union((s) => s.words.type),
      side: union((s) => s.words.side),
      zone: union((s) => s.words.zone),
    },
  };
  const terms: AllowedValues['terms'] = [
    ...(['type', 'side', 'zone'] as const).flatMap((cls) =>
      Object.values(WORDS[language][cls] as Readonly<Record<string, readonly string[]>>)
        .flat()
        .map((text) => ({ text: text.toLowerCase(), cls })),
    ),
    ...NEUTRAL[language].map((text) => ({ text: text.toLowerCase(), cls: 'neutral' as const })),
  ];
  return { language, terms, byFinding, anywhere };
}
