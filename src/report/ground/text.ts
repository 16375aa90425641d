/**
 * Text handling for the grounding check: a length-preserving normalisation (so offsets into the
 * normalised text are offsets into the original), sentence and clause splitting for English and
 * Chinese, and number parsing (full-width digits, "1.1cm", the decimal comma "1,1 cm").
 */

/** A [start, end) range of UTF-16 offsets. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Map each character to a plain equivalent of the same length: full-width ASCII (digits, letters,
 * punctuation) to ASCII, ideographic and no-break spaces to spaces, hyphen variants to "-", wave
 * dashes to "~". Chinese sentence punctuation (。，；：) is kept: the splitter uses it.
 */
export function normalise(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    let mapped = ch;
    if (c >= 0xff01 && c <= 0xff5e && ch !== '，' && ch !== '；' && ch !== '：' && ch !== '！' && ch !== '？')
      mapped = String.fromCodePoint(c - 0xfee0);
    else if (c === 0x3000 || c === 0x00a0 || c === 0x2009 || c === 0x202f) mapped = ' ';
    else if (c === 0x2010 || c === 0x2011 || c === 0x2012 || c === 0x2212) mapped = '-';
    else if (c === 0x301c) mapped = '~';
    else if (c === 0x2715 || c === 0x2716 || c === 0x2573 || c === 0x00d7) mapped = '×';
    // Astral characters are two UTF-16 units: keep the length by keeping them as they are.
    out += mapped.length === ch.length ? mapped : ch;
  }
  return out;
}

const CJK_END = new Set(['。', '！', '？']);
const LATIN_END = new Set(['.', '!', '?']);
const CLOSERS = new Set([')', ']', '"', "'", '”', '’', '）', '」', '』']);
/** Words that end with a full stop without ending the sentence. */
const ABBREVIATIONS = new Set([
  'e.g',
  'i.e',
  'approx',
  'vs',
  'fig',
  'no',
  'dr',
  'cf',
  'incl',
  'resp',
  'ca',
  'max',
  'min',
  'st',
  'nr',
  'ref',
  'etc',
]);
const LIST_MARKER = /(?:^|[:：\n])\s*(?:\d{1,2}|[a-zA-Z]|[ivx]{1,4})[.)]$/;
const CONTINUES_LINE =
  /(?:[,×(\-–]|\b(?:and|or|of|with|measuring|the|a|an|in|at|to|by|is|are|was|were|x))\s*$/i;
const TERMINATED = /[.:;!?。：；！？)）]\s*$/;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Whether a single line break between `before` and `after` separates sentences. */
function lineBreakEnds(before: string, after: string): boolean {
  const next = after.replace(/^[ \t]+/, '');
  if (next === '' || next.startsWith('\n')) return true;
  if (TERMINATED.test(before)) return true;
  if (CONTINUES_LINE.test(before)) return false;
  // A wrapped line continues in lower case (or with a unit after a number).
  if (/^[a-z]/.test(next) && !/^[a-z][.)]\s/.test(next)) return false;
  if (/\d\s*$/.test(before) && /^(?:mm|cm|×|x\s*\d)/i.test(next)) return false;
  return true;
}

/** Sentences of a report as trimmed ranges of the text (English and Chinese, list items, headings). */
export function splitSentences(text: string): Span[] {
  const t = normalise(text);
  const out: Span[] = [];
  let start = 0;
  const push = (end: number): void => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(t[s] ?? '')) s++;
    while (e > s && /\s/.test(t[e - 1] ?? '')) e--;
    if (e > s) out.push({ start: s, end: e });
    start = end;
  };
  for (let i = 0; i < t.length; i++) {
    const c = t[i] ?? '';
    if (CJK_END.has(c)) {
      let j = i + 1;
      while (j < t.length && CLOSERS.has(t[j] ?? '')) j++;
      push(j);
      i = j - 1;
    } else if (LATIN_END.has(c)) {
      const next = t[i + 1];
      if (c === '.' && isDigit(t[i - 1]) && isDigit(next)) continue; // a decimal point
      let j = i + 1;
      while (j < t.length && CLOSERS.has(t[j] ?? '')) j++;
      if (j < t.length && !/\s/.test(t[j] ?? '')) continue;
      const sentenceSoFar = t.slice(start, i + 1);
      if (c === '.' && LIST_MARKER.test(sentenceSoFar)) continue; // "1. " opens a list item
      const word = /([A-Za-z.]+)\.$/.exec(t.slice(Math.max(start, i - 12), i + 1))?.[1]?.toLowerCase();
      const after = t.slice(j).replace(/^\s+/, '');
      if (c === '.' && word && ABBREVIATIONS.has(word) && !/^[A-Z]/.test(after)) continue;
      if (c === '.' && /^[a-z]/.test(after) && word && word.length <= 4) continue;
      push(j);
      i = j - 1;
    } else if (c === '\n') {
      if (lineBreakEnds(t.slice(start, i), t.slice(i + 1))) push(i);
    }
  }
  push(t.length);
  return out;
}

/**
 * Clauses of a sentence (ranges relative to the sentence): split at commas, semicolons and colons
 * (Latin and Chinese), but not inside numbers ("1,1 cm", "1,100 mm³").
 */
export function splitClauses(sentence: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  for (let i = 0; i < sentence.length; i++) {
    const c = sentence[i] ?? '';
    const separator = c === ';' || c === '，' || c === '；' || c === '、' || c === '：' || c === ':';
    const comma = c === ',' && !(isDigit(sentence[i - 1]) && isDigit(sentence[i + 1]));
    if (separator || comma) {
      out.push({ start, end: i });
      start = i + 1;
    }
  }
  out.push({ start, end: sentence.length });
  return out.filter((s) => sentence.slice(s.start, s.end).trim() !== '');
}

/**
 * A number as written: "11", "10.9", "1,1" (a decimal comma: one or two digits after it), "1,100"
 * (thousands). Returns the value and how many decimals were written.
 */
export function parseNumber(written: string): { value: number; decimals: number } {
  const s = written.trim();
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) {
    const plain = s.replace(/,/g, '');
    return { value: Number(plain), decimals: (plain.split('.')[1] ?? '').length };
  }
  const plain = s.replace(',', '.');
  return { value: Number(plain), decimals: (plain.split('.')[1] ?? '').length };
}

/** The number pattern (source), used inside larger patterns. */
export const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+|,\d{1,2}(?!\d))?`;

const WORD_NUMBERS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  single: 1,
  solitary: 1,
  a: 1,
  an: 1,
};
const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** A count written as digits, an English word or Chinese numerals (up to 99); null when it is none. */
export function parseCount(written: string): number | null {
  const s = written.trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  const word = WORD_NUMBERS[s];
  if (word !== undefined) return word;
  if (/^[一二两三四五六七八九十]+$/.test(s)) {
    if (s === '十') return 10;
    const [tens, ones] = s.split('十') as [string, string | undefined];
    if (ones === undefined) return CHINESE_DIGITS[tens] ?? null;
    const t = tens === '' ? 1 : (CHINESE_DIGITS[tens] ?? 0);
    const o = ones === '' ? 0 : (CHINESE_DIGITS[ones] ?? 0);
    return t * 10 + o;
  }
  return null;
}
