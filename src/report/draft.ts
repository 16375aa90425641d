/**
 * The deterministic structured report draft (no language model) in the `lucent.analysis/1` shape:
 * the findings and impression sections of {@link buildDraft} as text, in English or Simplified Chinese.
 * Marked as an AI-assisted draft for the radiologist.
 */
import type { LungRadsCategory } from '../findings/types';
import type { Language } from '../i18n/language';
import { buildDraft, sectionOf, type DraftNodule, type TechniqueFacts } from './structured';

/** The report's language: one of the interface languages. */
export type ReportLanguage = Language;

/** A finding to draft from: a {@link DraftNodule} whose id (F1…) may be left out (numbered in order). */
export type DraftFinding = Omit<DraftNodule, 'id'> & { readonly id?: string };

export interface Draft {
  readonly language: ReportLanguage;
  readonly findings: string;
  readonly impression: string;
}

/** The findings and impression of the structured draft, one sentence per line. */
export function draftReport(
  findings: readonly DraftFinding[],
  overall: { category: LungRadsCategory; management: string },
  language: ReportLanguage,
  technique?: TechniqueFacts | null,
): Draft {
  const nodules = findings.map((f, i) => ({ ...f, id: f.id ?? `F${i + 1}` }));
  const draft = buildDraft({ findings: nodules, overall, technique }, language);
  const lines = (id: 'findings' | 'impression'): string =>
    sectionOf(draft, id)
      .map((s) => s.text)
      .join('\n');
  return { language, findings: lines('findings'), impression: lines('impression') };
}
