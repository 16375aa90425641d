/**
 * What the Report panel and its host share: the findings the grounding check reads (those not
 * rejected), the grounding of the editor's text, and sign-off's review states. Pure.
 */
import type { FindingRecord } from '../findings/record';
import { LUNG_RADS_CATEGORIES, type ReportedNodule } from '../findings/types';
import type { Language } from '../i18n/language';
import { ground, type Grounding, type GroundingFinding } from './ground';

/** What every report view of a finding has: id, type, sizes, category. */
export function reportedNodule(f: FindingRecord): ReportedNodule {
  return {
    id: f.id,
    type: f.type,
    meanDiameterMm: f.meanDiameterMm,
    longAxisMm: f.longAxisMm,
    shortAxisMm: f.shortAxisMm,
    solidComponentMm: f.solidComponentMm,
    lungRads: f.lungRads,
  };
}

/** The findings a report may speak of: every finding the reader has not rejected. */
export function groundingFindings(records: readonly FindingRecord[]): GroundingFinding[] {
  return records
    .filter((f) => f.status !== 'rejected')
    .map((f) => ({
      ...reportedNodule(f),
      volumeMm3: f.volumeMm3,
      ...(f.location ? { location: { side: f.location.side, zone: f.location.zone } } : {}),
    }));
}

/** The grounding of a report text against the review's findings and the case's category. */
export function reportGrounding(
  text: string,
  records: readonly FindingRecord[],
  language: Language,
  caseCategory: string | null | undefined,
): Grounding {
  const category = LUNG_RADS_CATEGORIES.find((c) => c === caseCategory);
  return ground(text, groundingFindings(records), language, category ? { caseCategory: category } : {});
}

/** The review state of each finding, as sign-off reads it. */
export function reviewStates(
  records: readonly FindingRecord[],
): { id: string; status: 'pending' | 'accepted' | 'rejected' }[] {
  return records.map((f) => ({ id: f.id, status: f.status }));
}
