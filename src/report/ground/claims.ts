/**
 * What one sentence claims about the findings: finding ids, sizes (with unit, precision, comparator
 * and which dimension), counts, statements of absence, sides, zones, types and Lung-RADS categories.
 * Sizes of other things (technique parameters, other organs) and guideline thresholds are left out.
 * Spans are relative to the sentence.
 */
import type { LungRadsCategory, NoduleType } from '../../findings/types';
import {
  ANAPHORA,
  APPROXIMATELY_ZH,
  CONDITIONAL,
  DIMENSION_HINTS,
  GUIDELINE_WORD,
  LOBE_ABBREVIATIONS,
  NODULE_WORD,
  OTHER_STRUCTURE,
  OVERALL,
  PLURAL_NODULE,
  RELATIVE,
  SIDE_WORDS,
  SOLID_COMPONENT,
  SUSPICIOUS,
  TECHNIQUE_WORD,
  TYPE_WORDS,
  ZONE_WORDS,
  type DimensionHint,
  type Side,
  type Zone,
} from './lexicon';
import { NUMBER, parseCount, parseNumber, splitClauses, type Span } from './text';

export type Comparator = '<' | '<=' | '>' | '>=';
export type SizeUnit = 'mm' | 'cm' | 'mm3' | 'cm3';

export interface SizeClaim {
  readonly span: Span;
  /** Stated values in the stated unit, and how many decimals each was written with. */
  readonly values: readonly number[];
  readonly decimals: readonly number[];
  readonly unit: SizeUnit;
  readonly form: 'single' | 'dims' | 'range';
  readonly comparator: Comparator | null;
  readonly hint: DimensionHint;
}

export interface CountClaim {
  readonly span: Span;
  readonly min: number;
  readonly max: number;
  readonly types: readonly NoduleType[] | null;
  readonly sides: readonly Side[] | null;
}

export interface AbsenceClaim {
  readonly span: Span;
  readonly types: readonly NoduleType[] | null;
  readonly sides: readonly Side[] | null;
  readonly suspicious: boolean;
  /** "No nodule ≥ 6 mm": only findings of such a size would contradict it. */
  readonly size: { readonly comparator: Comparator; readonly mm: number } | null;
}

export interface SentenceClaims {
  readonly ids: readonly { readonly id: string; readonly span: Span }[];
  readonly sizes: readonly SizeClaim[];
  readonly counts: readonly CountClaim[];
  readonly absences: readonly AbsenceClaim[];
  readonly sides: readonly { readonly span: Span; readonly sides: readonly Side[] }[];
  readonly zones: readonly {
    readonly span: Span;
    readonly zones: readonly Zone[];
    readonly exact: boolean;
  }[];
  readonly types: readonly { readonly span: Span; readonly types: readonly NoduleType[] }[];
  readonly categories: readonly {
    readonly span: Span;
    readonly categories: readonly LungRadsCategory[];
    readonly overall: boolean;
  }[];
  /** The sentence speaks of nodules (a nodule word or a finding id). */
  readonly nodular: boolean;
  /** It speaks of more than one. */
  readonly plural: boolean;
  /** It continues about the previous sentence's findings ("It measures …"). */
  readonly anaphora: boolean;
}

/** Lower case, one UTF-16 unit for one (so offsets stay valid). */
function lower(s: string): string {
  let out = '';
  for (const ch of s) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}

/** Blank a span (keep the length) so that later patterns do not read it again. */
function blank(s: string, start: number, end: number): string {
  return s.slice(0, start) + ' '.repeat(end - start) + s.slice(end);
}

const UNIT = String.raw`(mm|cm|毫米|厘米|公分|㎜|㎝)(?![a-z0-9³^])`;
const VOLUME_UNIT = String.raw`(mm\s*(?:3|³|\^3)|cm\s*(?:3|³|\^3)|立方毫米|立方厘米|ml|cc)(?![a-z])`;
const BY = String.raw`\s*(?:×|x|\*|by|乘)\s*`;
const LEAD = String.raw`(?<![\w.,\d])`;
const DIMS = new RegExp(
  `${LEAD}(${NUMBER})\\s*(?:${UNIT})?${BY}(${NUMBER})\\s*(?:${UNIT})?(?:${BY}(${NUMBER})\\s*(?:${UNIT})?)?`,
  'gu',
);
const RANGE = new RegExp(
  `${LEAD}(${NUMBER})\\s*(?:${UNIT})?\\s*(?:-|–|—|~|to|至|到)\\s*(${NUMBER})\\s*-?\\s*${UNIT}`,
  'gu',
);
const LIST = new RegExp(
  `${LEAD}(${NUMBER})(?:\\s*(?:and|or|和|及|、|与)\\s*|,\\s+|，\\s*)(${NUMBER})\\s*-?\\s*${UNIT}`,
  'gu',
);
const SINGLE = new RegExp(`${LEAD}(${NUMBER})\\s*-?\\s*${UNIT}`, 'gu');
/**
 * A number stated as a measurement without a unit ("mean diameter 1.", "measuring 12", "直径 9"): read as
 * millimetres, so that it must be one of the finding's sizes like any other (a report states its unit; a
 * number that is no size of the finding is a problem whatever unit was meant). Numbers with a unit, a
 * "×" or a comparator are read by the patterns above first.
 */
const UNITLESS = new RegExp(
  `(?:diameter|measur(?:ing|es|ed)|直径|大小)(?:\\s*(?:of|is|about|approximately|约|为|:|：))*\\s*${LEAD}(${NUMBER})(?![\\d.,]*\\s*(?:-|×|x\\b|%|\\d))`,
  'gu',
);
const VOLUME = new RegExp(`${LEAD}(${NUMBER})\\s*${VOLUME_UNIT}`, 'gu');
const COMPARATOR_BEFORE =
  /(≥|≤|>=|<=|>|<|⩾|⩽|at least|no more than|not more than|no larger than|not exceeding|more than|greater than|larger than|bigger than|less than|smaller than|under|over|below|above|up to|exceeding|至多|最大|不超过|不大于|不小于|大于|小于|超过|不足|达)\s*(?:approximately|about|约|~)?\s*$/u;
const COMPARATOR_AFTER =
  /^\s*(以上|以下|以内|or (?:more|larger|greater)|or (?:less|smaller)|and (?:above|over)|and (?:below|under))/u;
const COMPARATORS: Readonly<Record<string, Comparator>> = {
  '≥': '>=', '>=': '>=', '⩾': '>=', 'at least': '>=', 不小于: '>=', 达: '>=',
  '≤': '<=', '<=': '<=', '⩽': '<=', 'no more than': '<=', 'not more than': '<=', 'no larger than': '<=',
  'not exceeding': '<=', 'up to': '<=', 至多: '<=', 最大: '<=', 不超过: '<=', 不大于: '<=',
  '>': '>', 'more than': '>', 'greater than': '>', 'larger than': '>', 'bigger than': '>', over: '>',
  above: '>', exceeding: '>', 大于: '>', 超过: '>',
  '<': '<', 'less than': '<', 'smaller than': '<', under: '<', below: '<', 小于: '<', 不足: '<',
  以上: '>=', 以下: '<=', 以内: '<=', 'or more': '>=', 'or larger': '>=', 'or greater': '>=',
  'or less': '<=', 'or smaller': '<=', 'and above': '>=', 'and over': '>=', 'and below': '<=', 'and under': '<=',
}; // prettier-ignore

function unitOf(written: string | undefined): SizeUnit | null {
  if (written === undefined) return null;
  const u = written.replace(/\s/g, '');
  if (u === 'mm' || u === '毫米' || u === '㎜') return 'mm';
  if (u === 'cm' || u === '厘米' || u === '公分' || u === '㎝') return 'cm';
  if (/^mm/.test(u) || u === '立方毫米') return 'mm3';
  return 'cm3'; // cm³, 立方厘米, ml, cc
}

function clauseAt(clauses: readonly Span[], at: number): Span {
  return clauses.find((c) => at >= c.start && at < c.end) ?? { start: 0, end: 0 };
}

/** Whether a size at [start, end) belongs to the acquisition or to another structure. */
function notAFinding(work: string, clause: Span, start: number, end: number): boolean {
  const near = work.slice(Math.max(clause.start, start - 24), Math.min(clause.end, end + 16));
  if (TECHNIQUE_WORD.test(near)) return true;
  const text = work.slice(clause.start, clause.end);
  return OTHER_STRUCTURE.test(text) && !NODULE_WORD.test(text);
}

function hintBefore(work: string, clause: Span, start: number): DimensionHint {
  const before = work.slice(clause.start, start);
  let best: { at: number; hint: DimensionHint } | null = null;
  for (const { re, hint } of DIMENSION_HINTS) {
    const g = new RegExp(re.source, 'gu');
    for (const m of before.matchAll(g)) if (!best || m.index >= best.at) best = { at: m.index, hint };
  }
  return best?.hint ?? 'any';
}

export interface ClaimOptions {
  /** Sizes (in mm, and mm³) that guidelines use as thresholds. */
  readonly thresholdsMm: ReadonlySet<number>;
  readonly thresholdsMm3: ReadonlySet<number>;
}

interface Scan {
  work: string;
  readonly low: string;
  readonly clauses: readonly Span[];
}

function comparatorAround(
  scan: Scan,
  start: number,
  end: number,
): { cmp: Comparator | null; start: number; end: number } {
  const before = COMPARATOR_BEFORE.exec(scan.work.slice(Math.max(0, start - 20), start));
  if (before?.[1]) return { cmp: COMPARATORS[before[1]] ?? null, start: start - before[0].length, end };
  const after = COMPARATOR_AFTER.exec(scan.work.slice(end, end + 14));
  if (after?.[1]) return { cmp: COMPARATORS[after[1]] ?? null, start, end: end + after[0].length };
  return { cmp: null, start, end };
}

function extractSizes(scan: Scan, options: ClaimOptions, guideline: boolean): SizeClaim[] {
  const out: SizeClaim[] = [];
  const take = (
    m: RegExpMatchArray,
    numbers: readonly (string | undefined)[],
    units: readonly (string | undefined)[],
    form: SizeClaim['form'],
  ): void => {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const unit = units.map(unitOf).find((u): u is SizeUnit => u !== null);
    if (!unit) return; // "11 × 8" without a unit: not a size we can read
    const parsed = numbers.filter((n): n is string => n !== undefined).map(parseNumber);
    const clause = clauseAt(scan.clauses, start);
    const around = comparatorAround(scan, start, end);
    scan.work = blank(scan.work, start, end);
    if (notAFinding(scan.work, clause, start, end)) return;
    const volume = unit === 'mm3' || unit === 'cm3';
    const valueMm = (parsed[0]?.value ?? 0) * (unit === 'cm' ? 10 : unit === 'cm3' ? 1000 : 1);
    // A threshold quoted from a guideline ("≥ 8 mm", "< 113 mm³") is grounded in the guideline.
    const thresholds = volume ? options.thresholdsMm3 : options.thresholdsMm;
    if (around.cmp && guideline && form === 'single' && thresholds.has(valueMm)) return;
    out.push({
      span: { start: around.start, end: around.end },
      values: parsed.map((p) => p.value),
      decimals: parsed.map((p) => p.decimals),
      unit,
      form,
      comparator: around.cmp,
      hint: volume ? 'volume' : form === 'dims' ? 'any' : hintBefore(scan.work, clause, start),
    });
  };
  for (const m of scan.work.matchAll(VOLUME)) take(m, [m[1]], [m[2]], 'single');
  for (const m of scan.work.matchAll(DIMS)) take(m, [m[1], m[3], m[5]], [m[2], m[4], m[6]], 'dims');
  for (const m of scan.work.matchAll(RANGE)) take(m, [m[1], m[3]], [m[2], m[4]], 'range');
  for (const m of scan.work.matchAll(LIST)) {
    // "11 and 6 mm": two sizes sharing one unit.
    const second = m[0].lastIndexOf(m[2] ?? '');
    const first = { ...m, 0: m[0].slice(0, (m[1] ?? '').length), index: m.index } as RegExpMatchArray;
    const rest = { ...m, 0: m[0].slice(second), index: (m.index ?? 0) + second } as RegExpMatchArray;
    take(first, [m[1]], [m[3]], 'single');
    take(rest, [m[2]], [m[3]], 'single');
  }
  for (const m of scan.work.matchAll(SINGLE)) take(m, [m[1]], [m[2]], 'single');
  for (const m of scan.work.matchAll(UNITLESS)) {
    const number = m[1] ?? '';
    const at = (m.index ?? 0) + m[0].length - number.length;
    take({ ...m, 0: number, index: at }, [number], ['mm'], 'single');
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

function typesIn(text: string): NoduleType[] | null {
  let work = text;
  const found = new Set<NoduleType>();
  let any = false;
  for (const [i, { re, types }] of TYPE_WORDS.entries()) {
    if (i === 2) work = work.replace(new RegExp(SOLID_COMPONENT.source, 'gu'), (s) => ' '.repeat(s.length));
    for (const m of work.matchAll(new RegExp(re.source, 'gu'))) {
      any = true;
      for (const t of types) found.add(t);
      work = blank(work, m.index, m.index + m[0].length);
    }
  }
  return any ? [...found] : null;
}

function sidesIn(text: string): Side[] | null {
  const found = new Set<Side>();
  for (const { re, sides } of [...LOBE_ABBREVIATIONS, ...SIDE_WORDS])
    if (new RegExp(re.source, 'u').test(text)) for (const s of sides) found.add(s);
  return found.size > 0 ? [...found] : null;
}

const COUNT_EN =
  /(?<![\w.,\d-])(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|single|solitary|multiple|several|numerous|innumerable|countless|few)\s+((?:[a-z-]+\s+){0,3}?)(nodules?|lesions?|opacities|opacity|masses|mass|gg[on]s?)\b/gu;
const COUNT_ZH =
  /(\d+|[一二两三四五六七八九十]+)\s*(?:个|枚|处|颗|发)([^，。；,;\d]{0,8}?)(结节|病灶|肿块)|(多发|多个|数个|散在|单发|孤立性?|单个)([^，。；,;\d]{0,6}?)(结节|病灶)/gu;
const ABSENCE_EN =
  /\b(?:no|without|absence of|negative for|free of)\s+((?:evidence of\s+)?(?:[a-z-]+\s+){0,3}?)(nodules?|lesions?|masses|mass|opacities|gg[on]s?)\b|\b(nodules?|lesions?|masses)\s+(?:are|is|was|were)\s+(?:not\s+(?:seen|identified|detected|present|found|demonstrated|evident)|absent)/gu;
const ABSENCE_ZH =
  /(未见|未发现|未检出|未显示|无|没有)(?:明确|明显|确切|异常)?([^，。；,;]{0,8}?)(结节|肿块|占位)/gu;

function extractCounts(scan: Scan): CountClaim[] {
  const out: CountClaim[] = [];
  const add = (start: number, end: number, word: string, qualifiers: string): void => {
    if (RELATIVE.test(qualifiers) || /\bof\b/.test(qualifiers) || /^few$/.test(word)) return;
    const clause = clauseAt(scan.clauses, start);
    const clauseText = scan.low.slice(clause.start, clause.end);
    let min: number;
    let max: number;
    if (/^(?:multiple|several|numerous|innumerable|countless|多发|多个|数个|散在)$/.test(word)) {
      min = 2;
      max = Infinity;
    } else if (/^(?:单发|孤立|孤立性|单个)$/.test(word)) {
      min = max = 1;
    } else {
      const n = parseCount(word);
      if (n === null) return;
      min = max = n;
    }
    out.push({ span: { start, end }, min, max, types: typesIn(qualifiers), sides: sidesIn(clauseText) });
  };
  for (const m of scan.work.matchAll(COUNT_EN)) {
    // The word before "one" may make it no count ("no one", "at least one" is still one or more).
    add(m.index, m.index + m[0].length, m[1] ?? '', m[2] ?? '');
  }
  for (const m of scan.work.matchAll(COUNT_ZH)) {
    const before = scan.work.slice(Math.max(0, m.index - 3), m.index);
    if (RELATIVE.test(before)) continue;
    add(m.index, m.index + m[0].length, m[1] ?? m[4] ?? '', m[2] ?? m[5] ?? '');
  }
  return out;
}

function extractAbsences(scan: Scan, sizes: SizeClaim[]): AbsenceClaim[] {
  const out: AbsenceClaim[] = [];
  const add = (start: number, end: number, qualifiers: string): void => {
    const clause = clauseAt(scan.clauses, start);
    const before = scan.low.slice(Math.max(clause.start, start - 6), start);
    if (RELATIVE.test(qualifiers) || RELATIVE.test(before)) return;
    // A size with a comparator in the same clause qualifies the absence ("no nodule ≥ 6 mm").
    const qualifier = sizes.find(
      (s) => s.comparator && s.span.start >= clause.start && s.span.end <= clause.end && s.form === 'single',
    );
    if (qualifier) sizes.splice(sizes.indexOf(qualifier), 1);
    const unitMm = qualifier?.unit === 'cm' ? 10 : 1;
    out.push({
      span: { start, end },
      types: typesIn(qualifiers),
      sides: sidesIn(scan.low.slice(clause.start, clause.end)),
      suspicious: SUSPICIOUS.test(qualifiers),
      size:
        qualifier?.comparator && (qualifier.unit === 'mm' || qualifier.unit === 'cm')
          ? { comparator: qualifier.comparator, mm: (qualifier.values[0] ?? 0) * unitMm }
          : null,
    });
  };
  for (const m of scan.work.matchAll(ABSENCE_EN)) add(m.index, m.index + m[0].length, m[1] ?? '');
  for (const m of scan.work.matchAll(ABSENCE_ZH)) add(m.index, m.index + m[0].length, m[2] ?? '');
  return out;
}

const CATEGORY =
  /(?:lung[- ]?rads|\blr)(?:\s*v?\s*2022|\s*\(v?2022\)|\s*version\s*2022)?\s*(?:assessment\s*)?(?:category|cat\.?|类别|分类)?\s*[:：]?\s*(?:is\s*|of\s*)?(0|1|2|3|4\s*[abx]|4)(?![0-9a-z])|\bcategory\s*(0|1|2|3|4\s*[abx]|4)(?![0-9a-z])|(?<![\d.])(0|1|2|3|4[abx]?)\s*类/gu;

function categoriesOf(written: string): LungRadsCategory[] {
  const c = written.replace(/\s/g, '').toUpperCase();
  if (c === '4') return ['4A', '4B', '4X'];
  return ['0', '1', '2', '3', '4A', '4B', '4X'].includes(c) ? [c as LungRadsCategory] : [];
}

function extractCategories(scan: Scan): SentenceClaims['categories'] {
  const out: SentenceClaims['categories'][number][] = [];
  for (const m of scan.work.matchAll(CATEGORY)) {
    const start = m.index;
    const end = start + m[0].length;
    scan.work = blank(scan.work, start, end);
    if (m[3] !== undefined && !/lung[- ]?rads|类别|分类/.test(scan.low) && !/结节/.test(scan.low)) continue;
    // What a guideline says would follow ("if stable, category 3") is no claim about this case.
    if (CONDITIONAL.test(scan.low.slice(0, start))) continue;
    const clause = clauseAt(scan.clauses, start);
    const overall =
      OVERALL.test(scan.low.slice(0, end)) || OVERALL.test(scan.low.slice(clause.start, clause.end));
    const categories = categoriesOf(m[1] ?? m[2] ?? m[3] ?? '');
    if (categories.length > 0) out.push({ span: { start, end }, categories, overall });
  }
  return out;
}

/** Read one sentence (normalised text; guideline spans already blanked). */
export function extractClaims(sentence: string, options: ClaimOptions): SentenceClaims {
  const low = lower(sentence);
  const scan: Scan = { work: low, low, clauses: splitClauses(low) };
  const ids: { id: string; span: Span }[] = [];
  for (const m of sentence.matchAll(/(?<![\w])F(\d{1,3})(?![\w.])/gu)) {
    ids.push({ id: `F${m[1]}`, span: { start: m.index, end: m.index + m[0].length } });
    scan.work = blank(scan.work, m.index, m.index + m[0].length);
  }
  // A list marker ("1. ", "2) ") opens an item; it is no number of anything.
  const marker = /^\s*(?:\d{1,2}|[a-z])[.)、]\s/u.exec(scan.work);
  if (marker) scan.work = blank(scan.work, 0, marker[0].length);
  for (const m of scan.work.matchAll(APPROXIMATELY_ZH)) scan.work = blank(scan.work, m.index, m.index + 2);
  const guideline = GUIDELINE_WORD.test(low);
  // Categories first: "Lung-RADS 4X 12 mm" is a category and a size, not "4 × 12 mm".
  const categories = extractCategories(scan);
  const sizes = extractSizes(scan, options, guideline);
  const counts = extractCounts(scan);
  const absences = extractAbsences(scan, sizes);
  for (const c of [...counts, ...absences]) scan.work = blank(scan.work, c.span.start, c.span.end);

  const types: SentenceClaims['types'][number][] = [];
  for (const [i, { re, types: admitted }] of TYPE_WORDS.entries()) {
    if (i === 2)
      for (const m of scan.work.matchAll(SOLID_COMPONENT))
        scan.work = blank(scan.work, m.index, m.index + m[0].length);
    for (const m of scan.work.matchAll(re)) {
      const clause = clauseAt(scan.clauses, m.index);
      const text = low.slice(clause.start, clause.end);
      scan.work = blank(scan.work, m.index, m.index + m[0].length);
      if (OTHER_STRUCTURE.test(text) && !NODULE_WORD.test(text)) continue; // "calcified lymph node"
      types.push({ span: { start: m.index, end: m.index + m[0].length }, types: admitted });
    }
  }
  const sides: SentenceClaims['sides'][number][] = [];
  const zones: SentenceClaims['zones'][number][] = [];
  const located = (at: number): boolean => {
    const clause = clauseAt(scan.clauses, at);
    const text = low.slice(clause.start, clause.end);
    return !(OTHER_STRUCTURE.test(text) && !NODULE_WORD.test(text));
  };
  for (const { re, sides: s, zones: z } of LOBE_ABBREVIATIONS) {
    for (const m of scan.work.matchAll(re)) {
      const span = { start: m.index, end: m.index + m[0].length };
      scan.work = blank(scan.work, span.start, span.end);
      sides.push({ span, sides: s });
      if (z) zones.push({ span, zones: z, exact: false });
    }
  }
  for (const { re, zones: z, exact } of ZONE_WORDS) {
    for (const m of scan.work.matchAll(re)) {
      scan.work = blank(scan.work, m.index, m.index + m[0].length);
      if (located(m.index))
        zones.push({ span: { start: m.index, end: m.index + m[0].length }, zones: z, exact });
    }
  }
  for (const { re, sides: s } of SIDE_WORDS) {
    for (const m of scan.work.matchAll(re)) {
      scan.work = blank(scan.work, m.index, m.index + m[0].length);
      if (located(m.index)) sides.push({ span: { start: m.index, end: m.index + m[0].length }, sides: s });
    }
  }
  // What qualifies an absence ("no nodules in the right lung") says nothing about a finding.
  const negated = absences.map((a) => clauseAt(scan.clauses, a.span.start));
  const positive = <T extends { span: Span }>(list: T[]): T[] =>
    list.filter((x) => !negated.some((n) => x.span.start >= n.start && x.span.end <= n.end));
  const nodular = ids.length > 0 || NODULE_WORD.test(low);
  const distinctSides = new Set(sides.flatMap((s) => s.sides)).size;
  return {
    ids,
    sizes,
    counts,
    absences,
    sides: positive(sides),
    zones: positive(zones),
    types: positive(types),
    categories,
    nodular: nodular && !(absences.length > 0 && sizes.length === 0 && ids.length === 0),
    plural:
      PLURAL_NODULE.test(low) ||
      counts.some((c) => c.min >= 2) ||
      new Set(ids.map((i) => i.id)).size >= 2 ||
      distinctSides >= 2 ||
      /\b(?:and (?:a|an|one|another)|another|the other|second)\b|另/u.test(low),
    anaphora: ANAPHORA.test(low),
  };
}
