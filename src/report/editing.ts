/**
 * The draft as one editable text, and back: `renderDraft` writes the text (and where each sentence
 * is in it), `applyEdit` reads an edited text back into the draft (sentences the reader changed or
 * added become typed; generated slots the reader deleted are remembered), and `mergeDraft` brings a
 * freshly generated draft in without touching anything a person typed.
 */
import { splitSentences } from './ground/text';
import {
  HEADINGS,
  SECTION_ORDER,
  type ReportDraft,
  type ReportSection,
  type ReportSentence,
  type SectionId,
} from './structured';
import { LANGUAGES } from '../i18n/language';

/** Sections written on one line after their heading; the others list one sentence per line. */
const INLINE: ReadonlySet<SectionId> = new Set(['clinical', 'technique', 'comparison']);

export interface RenderedSentence {
  readonly section: SectionId;
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

export interface RenderedDraft {
  readonly text: string;
  readonly sentences: readonly RenderedSentence[];
}

/** The draft as text: each non-empty section under its heading. */
export function renderDraft(draft: ReportDraft): RenderedDraft {
  let text = '';
  const spans: RenderedSentence[] = [];
  const headings = HEADINGS[draft.language];
  for (const section of draft.sections) {
    if (section.sentences.length === 0) continue;
    const inline = INLINE.has(section.id);
    const en = draft.language === 'en';
    if (text !== '') text += inline ? '\n' : '\n\n';
    text += `${headings[section.id]}${en ? ':' : '：'}${inline ? (en ? ' ' : '') : '\n'}`;
    section.sentences.forEach((s, index) => {
      if (index > 0) text += inline ? (en ? ' ' : '') : '\n';
      spans.push({ section: section.id, index, start: text.length, end: text.length + s.text.length });
      text += s.text;
    });
  }
  return { text, sentences: spans };
}

/** Plain text of a draft (what is signed and exported). */
export function draftText(draft: ReportDraft): string {
  return renderDraft(draft).text;
}

const HEADING_LINE = (() => {
  const names = LANGUAGES.flatMap((l) => SECTION_ORDER.map((id) => ({ id, name: HEADINGS[l][id] })));
  return names.map(({ id, name }) => ({
    id,
    re: new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:：]`, 'iu'),
  }));
})();

/** Read a report text into sections of sentence texts (headings in either language). */
export function parseText(text: string): { id: SectionId; sentences: string[] }[] {
  const bodies = new Map<SectionId, string[]>();
  let current: SectionId = SECTION_ORDER[0] ?? 'clinical';
  for (const line of text.split('\n')) {
    const heading = HEADING_LINE.find((h) => h.re.test(line));
    let body = line;
    if (heading) {
      current = heading.id;
      body = line.replace(heading.re, '');
    }
    const list = bodies.get(current) ?? [];
    list.push(body);
    bodies.set(current, list);
  }
  return SECTION_ORDER.map((id) => {
    const body = (bodies.get(id) ?? []).join('\n');
    return { id, sentences: splitSentences(body).map((s) => body.slice(s.start, s.end)) };
  });
}

/** Longest common subsequence of two lists of texts: pairs of indexes that match. */
function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) i++;
    else j++;
  }
  return pairs;
}

/**
 * Read the reader's edited text back into the draft. Unchanged sentences keep everything they were;
 * a changed sentence becomes typed and keeps the slot (and findings) of the one it replaced; a new
 * sentence is typed; a deleted generated sentence's slot is dismissed.
 */
export function applyEdit(draft: ReportDraft, text: string): ReportDraft {
  const parsed = parseText(text);
  const dismissed = new Set(draft.dismissed);
  const sections: ReportSection[] = parsed.map(({ id, sentences: texts }) => {
    const old = draft.sections.find((s) => s.id === id)?.sentences ?? [];
    const pairs = lcs(
      old.map((s) => s.text),
      texts,
    );
    const out: ReportSentence[] = [];
    let oi = 0;
    let ni = 0;
    for (const [po, pn] of [...pairs, [old.length, texts.length] as [number, number]]) {
      // The gap before this match: old sentences replaced by new ones, in order.
      const gone = old.slice(oi, po);
      const added = texts.slice(ni, pn);
      added.forEach((t, k) => {
        const was = gone[k];
        out.push({
          text: t,
          findingIds: was?.findingIds ?? [],
          typed: true,
          ...(was?.key ? { key: was.key } : {}),
        });
      });
      for (const g of gone.slice(added.length)) if (g.key) dismissed.add(g.key);
      const kept = old[po];
      if (kept && po < old.length) out.push(kept);
      oi = po + 1;
      ni = pn + 1;
    }
    return { id, sentences: out };
  });
  return { ...draft, sections, dismissed: [...dismissed] };
}

/**
 * Bring a newly generated draft into the current one. Generated template sentences are replaced by
 * their new versions (or dropped when their slot is gone); sentences a person typed, and sentences a
 * language model wrote, stay where they were (after the same neighbour); a typed sentence that
 * replaced a slot keeps that slot from being written again; dismissed slots stay out.
 */
export function mergeDraft(current: ReportDraft | null, generated: ReportDraft): ReportDraft {
  if (!current) return generated;
  const dismissed = new Set(current.dismissed);
  const sections = SECTION_ORDER.map((id): ReportSection => {
    const cur = current.sections.find((s) => s.id === id)?.sentences ?? [];
    const gen = (generated.sections.find((s) => s.id === id)?.sentences ?? []).filter(
      (g) => !g.key || !dismissed.has(g.key),
    );
    const kept = cur.filter((s) => s.typed || s.generator === 'model');
    const holders = new Map(kept.filter((s) => s.key).map((s) => [s.key ?? '', s]));
    const emitted = new Set<string>([...gen.map((g) => g.key ?? ''), ...holders.keys()]);
    // Each kept sentence follows the nearest earlier sentence whose slot is still written.
    const anchored = new Map<string, ReportSentence[]>();
    const isHolderOfGenerated = (s: ReportSentence): boolean => !!s.key && gen.some((g) => g.key === s.key);
    cur.forEach((s, i) => {
      if (!kept.includes(s) || isHolderOfGenerated(s)) return;
      let anchor = '';
      for (let j = i - 1; j >= 0; j--) {
        const k = cur[j]?.key;
        if (k && emitted.has(k) && cur[j] !== s) {
          anchor = k;
          break;
        }
      }
      anchored.set(anchor, [...(anchored.get(anchor) ?? []), s]);
    });
    const out: ReportSentence[] = [];
    const seen = new Set<ReportSentence>();
    const emit = (s: ReportSentence): void => {
      if (seen.has(s)) return;
      seen.add(s);
      out.push(s);
      if (s.key) for (const a of anchored.get(s.key) ?? []) emit(a);
    };
    for (const a of anchored.get('') ?? []) emit(a);
    for (const g of gen) emit(holders.get(g.key ?? '') ?? g);
    // Kept sentences whose anchors vanished with their slots go at the end, in order.
    for (const s of kept) emit(s);
    return { id, sentences: out };
  });
  return { ...generated, sections, dismissed: [...dismissed] };
}

/** Whether any sentence of the draft was typed by a person. */
export function hasTypedText(draft: ReportDraft): boolean {
  return draft.sections.some((s) => s.sentences.some((x) => x.typed));
}

const FINDING_ID = /\bF[1-9]\d*\b/g;

/**
 * The slot for a language model's draft (streamed, so possibly partial): `text` is what the model has
 * written so far. Each section the text speaks of (under its heading; text without any heading is
 * Findings) gets the model's sentences in place of the generated template sentences, whose slots are
 * dismissed so that a live update does not write them again; sentences a person typed stay, after the
 * model's. A model sentence is linked to the findings it names by id (F1…) and stays AI output
 * (`generator: 'model'`, not typed) until a person edits it.
 */
export function withModelText(current: ReportDraft, text: string): ReportDraft {
  const headed = HEADING_LINE.some((h) => text.split('\n').some((line) => h.re.test(line)));
  const parsed = headed
    ? parseText(text)
    : [{ id: 'findings' as SectionId, sentences: parseText(text).flatMap((s) => s.sentences) }];
  const dismissed = new Set(current.dismissed);
  const sections = current.sections.map((section): ReportSection => {
    const written = parsed.find((p) => p.id === section.id)?.sentences.filter((s) => s.trim() !== '') ?? [];
    if (written.length === 0) return section;
    for (const s of section.sentences) if (!s.typed && s.generator !== 'model' && s.key) dismissed.add(s.key);
    const model: ReportSentence[] = written.map((t) => ({
      text: t.trim(),
      findingIds: [...new Set(t.match(FINDING_ID) ?? [])],
      typed: false,
      generator: 'model',
    }));
    return { id: section.id, sentences: [...model, ...section.sentences.filter((s) => s.typed)] };
  });
  return { ...current, sections, dismissed: [...dismissed] };
}
