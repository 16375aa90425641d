/**
 * The truth of an own practice case that has no truth.json, from the DICOM objects loaded with its images:
 * its DICOM SEGs when it has any (a segmentation marks each nodule whole; practiceSegTruth.ts), else its
 * signed DICOM SRs (practiceSrTruth.ts). Neither ever reaches the screen. Refused, with the reason, when
 * there is nothing whole to score against.
 */
import type { LungRadsCategory } from '../findings/types';
import { SEG_CLASS_UID } from '../dicom/seg';
import { getInstance } from '../imaging/registry';
import { sha256Hex } from '../lib/hash';
import { err, ok, type Result } from '../lib/result';
import type { CaseProblem, TruthSource } from '../practice/session';
import type { TruthLesion } from '../practice/types';
import type { AppState } from '../store';
import { imageSeries } from '../store/selectors';
import { readSegSource, segTarget, truthFromSegs, type SegRead } from './practiceSegTruth';
import { truthFromReports } from './practiceSrTruth';
import { readReport, seriesTarget, SR_CLASS_PREFIX } from './storedReports';

export interface OwnTruth {
  readonly truth: TruthLesion[];
  /** A stable id of the case, from its truth. */
  readonly caseId: string;
  /** The image series the truth is on. */
  readonly seriesKey: string;
  readonly truthSource: TruthSource;
  /** The case's category, when a signed report gives one. */
  readonly truthLungRads?: LungRadsCategory;
}

const unreadable: SegRead = { ok: false, error: { code: 'seg-unreadable', attribute: 'PixelData' } };

async function caseId(of: unknown): Promise<string> {
  return `own-${(await sha256Hex(JSON.stringify(of))).slice(0, 12)}`;
}

/** The truth from the SEGs or SRs among the loaded objects; `state` is read after the files are. */
export async function ownCaseTruth(state: () => AppState): Promise<Result<OwnTruth, CaseProblem>> {
  const objects = state()
    .studies.flatMap((st) => st.series)
    .filter((x) => x.kind === 'non-image')
    .flatMap((x) => x.instanceKeys);
  const segs = objects.filter((k) => getInstance(k)?.info.sopClassUID === SEG_CLASS_UID);
  if (segs.length > 0) {
    const reads = await Promise.all(
      segs.map(async (k): Promise<SegRead> => {
        const entry = getInstance(k);
        if (!entry) return unreadable;
        try {
          return await readSegSource(entry.source);
        } catch {
          return unreadable;
        }
      }),
    );
    const s = state();
    const targets = imageSeries(s.studies).map((x) => segTarget(x, (k) => getInstance(k)?.info));
    const found = truthFromSegs(reads, targets, s.activeSeriesKey);
    if (!found.ok) return err(found.error);
    const { truth, seriesKey, date, typesAssumed } = found.value;
    return ok({
      truth,
      seriesKey,
      caseId: await caseId({ truth }),
      truthSource: { kind: 'seg', nodules: truth.length, typesAssumed, ...(date ? { date } : {}) },
    });
  }
  const keys = objects.filter((k) => getInstance(k)?.info.sopClassUID.startsWith(SR_CLASS_PREFIX));
  const reports = (await Promise.all(keys.map((k) => readReport(k)))).filter((r) => r !== null);
  const s = state();
  const found = truthFromReports(reports, imageSeries(s.studies).map(seriesTarget), s.activeSeriesKey);
  if (!found.ok) return err(found.error);
  const { truth, seriesKey, date, typesAssumed, lungRads } = found.value;
  return ok({
    truth,
    seriesKey,
    caseId: await caseId({ truth, lungRads }),
    truthSource: { kind: 'sr', typesAssumed, ...(date ? { date } : {}) },
    ...(lungRads ? { truthLungRads: lungRads } : {}),
  });
}
