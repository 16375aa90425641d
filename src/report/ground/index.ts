/**
 * The grounding check: every sentence of a report (template, language model or typed) against the
 * findings. `ground(text, findings, language)` returns `lucent.grounding/1`: each sentence with its
 * offsets, the findings it speaks of and the problems found (size, count, side, zone, type, category,
 * absence, unmatched; what is left of a placeholder that was not filled counts as its field's kind).
 * Guideline wording (Lung-RADS management and its thresholds) is grounded in the guideline, not in the
 * findings.
 */
import { LUNG_RADS_RANK } from '../../findings/lungrads';
import { LUNG_RADS_INCOMPLETE, LUNG_RADS_MANAGEMENT, LUNG_RADS_ROWS } from '../../findings/lungradsTable';
import type { Interval, LungRadsCategory } from '../../findings/types';
import { LANGUAGES, type Language } from '../../i18n/language';
import { extractClaims, type ClaimOptions } from './claims';
import { checkSentence, type GroundingFinding, type GroundingProblem } from './check';
import { normalise, splitSentences } from './text';

export type { GroundingFinding, GroundingProblem, ProblemKind } from './check';
export { splitSentences, normalise, type Span } from './text';

export interface GroundedSentence {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly findingIds: readonly string[];
  readonly grounded: boolean;
  readonly problems: readonly GroundingProblem[];
}

export interface Grounding {
  readonly schema: 'lucent.grounding/1';
  readonly grounded: boolean;
  readonly sentences: readonly GroundedSentence[];
}

export interface GroundOptions {
  /** The examination's Lung-RADS category (default: the most suspicious finding's, 1 with none). */
  readonly caseCategory?: LungRadsCategory | null;
}

const bounds = (i: Interval | undefined): number[] =>
  i ? [i.gt, i.gte, i.lt, i.lte].filter((v): v is number => v !== undefined) : [];

/** Sizes the guidelines use as thresholds: Lung-RADS v2022's rows, Fleischner's 6 and 8 mm. */
const THRESHOLDS: ClaimOptions = {
  thresholdsMm: new Set([
    ...LUNG_RADS_ROWS.flatMap((r) => [...bounds(r.when.meanDiameterMm), ...bounds(r.when.solidComponentMm)]),
    6,
    8,
  ]),
  // Lung-RADS volumes (4, 6, 8, 15, 30 mm) and Fleischner's 100 and 250 mm³.
  thresholdsMm3: new Set([34, 113, 268, 1767, 14137, 100, 250]),
};

/** Guideline sentences (each management text, in every language), normalised. */
const GUIDELINE_SENTENCES: readonly string[] = (() => {
  const texts = [...Object.values(LUNG_RADS_MANAGEMENT), ...Object.values(LUNG_RADS_INCOMPLETE)].flatMap(
    (m) => LANGUAGES.map((l) => normalise(m.text[l])),
  );
  const sentences = texts.flatMap((t) => splitSentences(t).map((s) => t.slice(s.start, s.end)));
  return [...new Set([...texts, ...sentences])]
    .filter((s) => s.length >= 12)
    .sort((a, b) => b.length - a.length);
})();

/** Blank the guideline's own words (same length), so that their numbers and categories are not read. */
function maskGuideline(text: string): string {
  let out = text;
  for (const g of GUIDELINE_SENTENCES) {
    for (let at = out.indexOf(g); at >= 0; at = out.indexOf(g, at + g.length)) {
      out = out.slice(0, at) + ' '.repeat(g.length) + out.slice(at + g.length);
    }
  }
  return out;
}

/** The examination's category from its findings: the most suspicious; 1 with none. */
export function caseCategoryOf(findings: readonly GroundingFinding[]): LungRadsCategory {
  let best: LungRadsCategory = '1';
  for (const f of findings) if (LUNG_RADS_RANK[f.lungRads] > LUNG_RADS_RANK[best]) best = f.lungRads;
  return best;
}

/**
 * Check every sentence of `text` against the findings (those that count: not rejected). `language` is
 * the language problems are explained in; sentences in either language are read.
 */
export function ground(
  text: string,
  findings: readonly GroundingFinding[],
  language: Language,
  options: GroundOptions = {},
): Grounding {
  const masked = maskGuideline(normalise(text));
  const caseCategory = options.caseCategory === undefined ? caseCategoryOf(findings) : options.caseCategory;
  const sentences: GroundedSentence[] = [];
  let previous: readonly string[] = [];
  for (const span of splitSentences(text)) {
    const claims = extractClaims(masked.slice(span.start, span.end), THRESHOLDS);
    const sentence = text.slice(span.start, span.end);
    const r = checkSentence({
      claims,
      text: sentence,
      offset: span.start,
      findings,
      caseCategory,
      previous,
      language,
    });
    sentences.push({
      text: sentence,
      start: span.start,
      end: span.end,
      findingIds: r.findingIds,
      grounded: r.problems.length === 0,
      problems: r.problems,
    });
    if (r.findingIds.length > 0) previous = r.findingIds;
    else if (claims.nodular || /\n\s*\n/.test(text.slice(span.end, span.end + 3))) previous = [];
  }
  return { schema: 'lucent.grounding/1', grounded: sentences.every((s) => s.grounded), sentences };
}

/** The sentence at a character offset (for a click or the caret in the report text). */
export function sentenceAt(grounding: Grounding, offset: number): GroundedSentence | null {
  return grounding.sentences.find((s) => offset >= s.start && offset <= s.end) ?? null;
}
