/**
 * A case's summary from its findings: the examination's Lung-RADS category and management, and the
 * structured report draft (as data, and as the findings and impression text of `lucent.analysis/1`).
 * Used when a series is analysed and again after every review decision (the caller passes the
 * findings that count: at or above the operating point, not rejected).
 */
import { caseCategory } from '../findings/assess';
import type { LungRadsCategory, Margin, NoduleLocation, NoduleType } from '../findings/types';
import type { Language } from '../i18n/language';
import { draftReport, type Draft } from '../report/draft';
import { buildDraft, type ReportDraft, type TechniqueFacts } from '../report/structured';

export interface CaseSummary {
  readonly lungRads: { readonly category: LungRadsCategory; readonly management: string };
  readonly report: Draft;
  /** The same draft as sections of sentences, each with the ids of the findings it speaks of. */
  readonly draft: ReportDraft;
}

export interface SummaryFinding {
  /** F1…; findings without one are numbered in the order given. */
  readonly id?: string;
  readonly type: NoduleType;
  readonly meanDiameterMm: number;
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly solidComponentMm: number | null;
  readonly margin?: Margin;
  readonly location?: NoduleLocation;
  readonly lungRads: LungRadsCategory;
}

export function summarise(
  findings: readonly SummaryFinding[],
  language: Language,
  technique?: TechniqueFacts | null,
): CaseSummary {
  const overall = caseCategory(findings, language);
  const lungRads = { category: overall.category, management: overall.management };
  const nodules = findings.map((f, i) => ({
    ...f,
    id: f.id ?? `F${i + 1}`,
    side: f.location?.side,
    zone: f.location?.zone,
  }));
  return {
    lungRads,
    report: draftReport(nodules, lungRads, language, technique),
    draft: buildDraft({ findings: nodules, overall: lungRads, technique }, language),
  };
}
