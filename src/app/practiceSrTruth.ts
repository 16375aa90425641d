/**
 * The truth of an own practice case from a DICOM SR stored with its images (no truth.json): the nodules
 * of a signed TID 1500 Measurement Report, placed on the case's image series by the same code that puts a
 * stored report's findings on the image (storedReportFindings.ts). Pure: the host reads the SRs.
 *
 * The rules, so that a case is scored only against truth someone stands behind:
 * - Only a signed report counts (Verification Flag VERIFIED): its measurement groups are the findings the
 *   reader accepted. Unsigned reports (AI results, drafts) are never truth, even when nothing else is there.
 * - The report must be about an image series of the case (its instances, or its frame of reference): the
 *   series on screen when one applies, else the first that does. Of several, the newest signed one wins.
 * - Every measurement group must be placed (a location on the series and a size); one that cannot be makes
 *   the truth incomplete, and the case is refused with the groups named, never scored against a part.
 * - A report with no measurement groups is a case without nodules only when it says so (its nodule count
 *   is 0, as Lucent's signed reports write it); otherwise it is refused: an empty SR may just be unfinished.
 * - Each nodule's diameter is the group's mean diameter (from its axes or volume when the report gives no
 *   mean), its type the coded composition (solid when not coded, counted in `typesAssumed`); the report's
 *   own Lung-RADS category of the case, when it gives one, is the category the read is scored against.
 */
import type { LungRadsCategory } from '../findings/types';
import { err, ok, type Result } from '../lib/result';
import type { CaseProblem } from '../practice/session';
import type { TruthLesion } from '../practice/types';
import type { StoredReport } from '../report/srRead';
import {
  chooseReport,
  findingsFromReport,
  isoDate,
  reportApplies,
  type SeriesTarget,
} from './storedReportFindings';

export interface SrTruth {
  readonly truth: TruthLesion[];
  /** The image series the truth is on (the case's series). */
  readonly seriesKey: string;
  /** The signed report's content date (YYYY-MM-DD). */
  readonly date?: string;
  readonly typesAssumed: number;
  readonly lungRads?: LungRadsCategory;
}

/** Geometry is all the truth takes from a finding; the context the conversion asks for does not matter. */
const CONTEXT = { patient: {}, language: 'en', now: '1970-01-01T00:00:00.000Z' } as const;

/**
 * The truth of a case from the TID 1500 reports read from its folder, on one of its image series
 * (`preferred` first: the series on screen); the problem when there is none to score against.
 */
export function truthFromReports(
  reports: readonly StoredReport[],
  targets: readonly SeriesTarget[],
  preferred: string | null,
): Result<SrTruth, CaseProblem> {
  if (reports.length === 0) return err({ code: 'no-truth' });
  const signed = reports.filter((r) => r.verification === 'VERIFIED');
  if (signed.length === 0) return err({ code: 'sr-unsigned' });
  const ordered = [
    ...targets.filter((t) => t.series.key === preferred),
    ...targets.filter((t) => t.series.key !== preferred),
  ];
  const target = ordered.find((t) => signed.some((r) => reportApplies(r, t)));
  const report = target ? chooseReport(signed, target) : null;
  if (!target || !report) return err({ code: 'sr-other-series' });
  const { findings, unplaced } = findingsFromReport(report, target, CONTEXT);
  if (unplaced.length > 0) return err({ code: 'sr-unplaced', labels: unplaced.map((u) => u.label) });
  if (findings.length === 0 && report.noduleCount !== 0) return err({ code: 'sr-no-nodules' });
  const accepted = findings.filter((f) => f.status === 'accepted');
  const truth = accepted.map((f): TruthLesion => ({
    centerMm: f.centerMm,
    diameterMm: f.meanDiameterMm,
    type: f.type,
    solidComponentMm: f.solidComponentMm,
  }));
  const date = isoDate(report.contentDate);
  return ok({
    truth,
    seriesKey: target.series.key,
    ...(date ? { date } : {}),
    typesAssumed: report.groups.filter((g) => g.type === undefined).length,
    ...(report.caseLungRads ? { lungRads: report.caseLungRads } : {}),
  });
}
