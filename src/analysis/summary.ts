/**
 * A case's summary from its findings: the examination's Lung-RADS category and management, and the
 * structured report draft. Used when a series is analysed and again after every review decision (the
 * caller passes the findings that count: at or above the operating point, not rejected).
 */
import { caseCategory } from '../findings/assess';
import type { LungRadsCategory, Margin, NoduleLocation, NoduleType } from '../findings/types';
import type { Language } from '../i18n/language';
import { draftReport, type Draft } from '../report/draft';

export interface CaseSummary {
  readonly lungRads: { readonly category: LungRadsCategory; readonly management: string };
  readonly report: Draft;
}

export interface SummaryFinding {
  readonly type: NoduleType;
  readonly meanDiameterMm: number;
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly solidComponentMm: number | null;
  readonly margin?: Margin;
  readonly location?: NoduleLocation;
  readonly lungRads: LungRadsCategory;
}

export function summarise(findings: readonly SummaryFinding[], language: Language): CaseSummary {
  const overall = caseCategory(findings, language);
  const lungRads = { category: overall.category, management: overall.management };
  return {
    lungRads,
    report: draftReport(
      findings.map((f) => ({ ...f, side: f.location?.side, zone: f.location?.zone })),
      lungRads,
      language,
    ),
  };
}
