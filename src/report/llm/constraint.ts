/**
 * Constrained decoding: before each token is chosen, the tokens that would make the draft state a value
 * the facts do not hold are removed. It works on the text of the tokens, so it serves any tokenizer:
 *
 * - numbers: a number, once complete, must be one of the facts' (values.ts); while it is being written it
 *   must be the start of one ("8" may become "8.9", never "8.4" when no fact is 8.4); no number may be
 *   glued to another by points ("1..8", "1.2.3", "1.."); a number written
 *   as a size (followed by mm, cm or ×) must be a size, not a count or category, unless a comparator
 *   makes it a threshold ("≥ 8 mm" of the management text);
 * - categories: the run after "Lung-RADS", and any digit run followed by capitals ("4A"), must be an
 *   allowed category;
 * - words: a side, zone or nodule type word must be one the facts hold. Phrases such as "solid component"
 *   are neutral; a word that may still become such a phrase is decided when the next character shows
 *   which it is.
 *
 * With `scoped`, a line about one finding ("2. …" or one naming F2) may state only that finding's sizes,
 * words and category (and the shared numbers: count, management, technique); otherwise any finding's.
 * A token whose text is not whole characters (a byte of a Chinese character) is checked once the
 * character is complete, in the token that completes it.
 */
import type { AllowedValues, ValueSet } from './values';

export interface ConstraintOptions {
  readonly scoped: boolean;
}

interface Check {
  /** Keys of the rule breaks that are decided in the text (stable positions, so texts can be compared). */
  readonly broken: Set<string>;
  /** Whether something at the end of the text is not decided yet (a number, a word, a category). */
  readonly pending: boolean;
}

/** Appended to a text to decide everything still pending (the end of generation). */
const END = '\u0000';
const LATIN = /[a-z]/;
const ITEM = /^\s*(\d+)[.)、．](?=\s|$)/;
const REF = /\bf(\d+)\b/g; // the text is lower case
const TRIGGER = /lung-?rads[\s:：]*(?:category[\s:：]*|类别?[\s:：]*)?([0-9a-z]*)/g;
const WINDOW = 48;
const UNIT = /^\s*(?:mm|cm|毫米|厘米|×)/;
const THRESHOLD = /[≥≤<>]\s*$/;

export class ValueConstraint {
  private readonly texts: readonly string[];
  private readonly inert: Uint8Array;
  private readonly special: ReadonlySet<number>;
  private readonly allowed: AllowedValues;
  private readonly scoped: boolean;
  private readonly longest: number;
  /** Tokens the last call refused, and how often every token was refused (then none is). */
  deadEnds = 0;

  /**
   * @param tokenTexts the text of each token id as it reads inside a text (a leading space kept)
   * @param special ids of special tokens: end of text and the like; they end the text
   */
  constructor(
    tokenTexts: readonly string[],
    special: ReadonlySet<number>,
    allowed: AllowedValues,
    options: ConstraintOptions,
  ) {
    this.texts = tokenTexts.map((t) => t.toLowerCase());
    this.special = special;
    this.allowed = allowed;
    this.scoped = options.scoped;
    this.longest = Math.max(...allowed.terms.map((t) => t.text.length), 12);
    const suffixes = new Set<string>();
    for (const { text } of allowed.terms) for (let i = 0; i < text.length; i++) suffixes.add(text.slice(i));
    this.inert = new Uint8Array(this.texts.length);
    this.texts.forEach((t, id) => {
      if (special.has(id) || /\d/.test(t)) return;
      for (let i = 1; i <= Math.min(t.length, this.longest); i++) if (suffixes.has(t.slice(0, i))) return;
      if (allowed.terms.some((term) => t.includes(term.text))) return;
      this.inert[id] = 1;
    });
  }

  /** The token ids that may not follow `text` (the text generated so far). */
  banned(text: string): number[] {
    const lower = text.toLowerCase();
    const from = this.windowStart(lower);
    const base = this.check(lower, from);
    const out: number[] = [];
    let open = 0;
    for (let id = 0; id < this.texts.length; id++) {
      if (!base.pending && this.inert[id]) {
        open++;
        continue;
      }
      const next = lower + (this.special.has(id) ? END : this.texts[id]);
      const { broken } = this.check(next, from);
      let bad = false;
      for (const k of broken)
        if (!base.broken.has(k)) {
          bad = true;
          break;
        }
      if (bad) out.push(id);
      else open++;
    }
    if (open === 0) {
      // Nothing may follow: let the model go on unconstrained rather than stop mid-sentence (the grounding
      // check still reads the result).
      this.deadEnds++;
      return [];
    }
    return out;
  }

  /** Where the checks start: far enough back to see every value that touches the end, at a word start. */
  private windowStart(lower: string): number {
    let from = Math.max(0, lower.length - WINDOW);
    while (from > 0 && /[0-9a-z.-]/.test(lower[from - 1])) from--;
    return from;
  }

  /** The values a line about no finding, or about the finding the line names, may state. */
  private scopeAt(text: string, at: number): ValueSet {
    if (!this.scoped) return this.allowed.anywhere;
    const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
    let k = 0;
    const item = ITEM.exec(line);
    if (item) k = Number(item[1]);
    for (const m of line.matchAll(REF)) k = Number(m[1]);
    return this.allowed.byFinding[k - 1] ?? this.allowed.anywhere;
  }

  private check(text: string, from: number): Check {
    const broken = new Set<string>();
    let pending = false;
    const end = text.length;
    const window = text.slice(from);
    // Numbers and category-like runs ("4A").
    for (const m of window.matchAll(/\d+(?:\.\d+)?/g)) {
      const a = from + (m.index ?? 0);
      let b = a + m[0].length;
      // Malformed numbers: digits right after "<digit>." ("1..8", "1.2.3": the decimal already ended), or
      // a second point after a number ("1.."). Each would let two allowed numbers spell one that is not.
      if (a >= 2 && text[a - 1] === '.' && /[\d.]/.test(text[a - 2])) {
        broken.add(`m${a}`);
        continue;
      }
      if (text[b] === '.' && text[b + 1] === '.') broken.add(`m${b}`);
      const scope = this.scopeAt(text, a);
      // "4A", "4x": a whole number and one of the category letters, then no letter or digit.
      const letter = m[0].includes('.') ? null : /^[abx](?![a-z0-9])/.exec(text.slice(b));
      if (letter) {
        b += 1;
        const run = (m[0] + letter[0]).toUpperCase();
        if (b === end) {
          pending = true;
          if (![...scope.categories].some((c) => c.startsWith(run))) broken.add(`c${a}:${run}`);
        } else if (!scope.categories.has(run)) broken.add(`c${a}:${run}`);
        continue;
      }
      const num = m[0];
      // Written as a size ("11 mm", "1.1 cm", "11 × 8"), unless it is a threshold ("≥ 8 mm"): a size of the
      // scope, in the unit written ("1.1 mm" for 10.9 mm is not).
      const unit = b < end ? UNIT.exec(text.slice(b, b + 6)) : null;
      if (unit && !THRESHOLD.test(text.slice(Math.max(0, a - 3), a))) {
        const u = unit[0].trim();
        const set =
          u === 'mm' || u === '毫米'
            ? scope.mmSizes
            : u === 'cm' || u === '厘米'
              ? scope.cmSizes
              : scope.sizes;
        if (!set.has(num)) {
          broken.add(`s${a}:${num}`);
          continue;
        }
      }
      if (b === end) {
        pending = true;
        const ok =
          [...scope.numbers].some((n) => n.startsWith(num)) ||
          [...scope.categories].some((c) => c.startsWith(num));
        if (!ok) broken.add(`n${a}:${num}`);
      } else if (b === end - 1 && text[b] === '.') {
        pending = true;
        if (!scope.numbers.has(num) && ![...scope.numbers].some((n) => n.startsWith(`${num}.`)))
          broken.add(`n${a}:${num}.`);
      } else if (!scope.numbers.has(num)) broken.add(`n${a}:${num}`);
    }
    // The category after "Lung-RADS".
    for (const m of window.matchAll(TRIGGER)) {
      const run = (m[1] ?? '').toUpperCase();
      const a = from + (m.index ?? 0) + m[0].length - run.length;
      const b = a + run.length;
      const scope = this.scopeAt(text, from + (m.index ?? 0));
      if (b === end) {
        pending = true;
        if (run && ![...scope.categories].some((c) => c.startsWith(run))) broken.add(`r${a}:${run}`);
      } else if (run && !scope.categories.has(run)) broken.add(`r${a}:${run}`);
    }
    // Words: the longest term at each place wins ("part-solid" over "solid").
    const found: { a: number; b: number; text: string; cls: string }[] = [];
    for (const term of this.allowed.terms) {
      const latin = LATIN.test(term.text[0]);
      for (let i = window.indexOf(term.text); i >= 0; i = window.indexOf(term.text, i + 1)) {
        const a = from + i;
        const b = a + term.text.length;
        if (latin && a > 0 && LATIN.test(text[a - 1])) continue;
        if (latin && b < end && LATIN.test(text[b])) continue;
        found.push({ a, b, text: term.text, cls: term.cls });
      }
    }
    for (const o of found) {
      if (found.some((p) => p !== o && p.a <= o.a && p.b >= o.b && p.b - p.a > o.b - o.a)) continue;
      // Still the start of a longer phrase (e.g. "solid " of "solid component"): not decided yet.
      const rest = text.slice(o.a);
      if (this.allowed.terms.some((t) => t.text.length > rest.length && t.text.startsWith(rest))) {
        pending = true;
        continue;
      }
      if (o.b === end) pending = true;
      if (o.cls === 'neutral') continue;
      const scope = this.scopeAt(text, o.a);
      if (!scope.words[o.cls as 'type' | 'side' | 'zone'].has(o.text)) broken.add(`w${o.a}:${o.text}`);
    }
    return { broken, pending };
  }
}
