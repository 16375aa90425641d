/**
 * Reports stored with the study, back on the image: when a study (local files, a DICOMweb study, a demo
 * case) holds TID 1500 SRs about the series on screen, the chosen one's measurement groups become that
 * series' findings, with their review state: a signed report's as accepted findings, an unsigned AI
 * results report's as pending AI findings (see storedReportFindings.ts for the rules).
 *
 * It acts when a load has finished (every SR of the study has arrived by then) and when another series is
 * shown, and only while that series has no findings, no model is running on it, and no practice session
 * is open (practice hides AI output from a blind read, and an own case's SR is its truth). SRs are parsed
 * here, on demand, from the bytes the instance registry holds; each once per study.
 */
import { parseSource, toLoadError } from '../dicom/read';
import type { Series } from '../dicom/series';
import type { ImageInfo } from '../dicom/instance';
import { getInstance } from '../imaging/registry';
import { log } from '../lib/logger';
import { readStoredReport, type StoredReport } from '../report/srRead';
import type { KeyValueStorage } from '../store/persist';
import { loadReview, reviewId } from '../store/review';
import { findSeries } from '../store/selectors';
import { patientOf, type Host } from './host';
import { chooseReport, findingsFromReport, isoDate, type SeriesTarget } from './storedReportFindings';

export const SR_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.88.';
const RUNNING = ['preparing', 'loading-model', 'starting-runtime', 'running'];

export interface StoredReportHooks {
  /** Findings came back from a stored report: the case summary and report draft follow them. */
  applied(): void;
}

/** The series as a target for a report's findings: its frame of reference and its images by SOP UID. */
export function seriesTarget(series: Series): SeriesTarget {
  const images = new Map<string, ImageInfo | undefined>();
  let frameOfReferenceUID: string | undefined;
  for (const key of series.instanceKeys) {
    const info = getInstance(key)?.info;
    if (!info) continue;
    images.set(info.sopInstanceUID, info.image);
    frameOfReferenceUID ??= info.frameOfReferenceUID;
  }
  return { series, images, ...(frameOfReferenceUID ? { frameOfReferenceUID } : {}) };
}

/** The TID 1500 report an SR instance of the registry holds; null when it is not one (or unreadable). */
export async function readReport(key: string): Promise<StoredReport | null> {
  const entry = getInstance(key);
  if (!entry) return null;
  try {
    const r = readStoredReport((await parseSource(entry.source)).dataset);
    if (r.ok) return r.value;
    log('info', 'stored-report-skipped', {}, r.error.code);
  } catch (e) {
    log('warn', 'stored-report-unreadable', {}, toLoadError(entry.fileName, e).code);
  }
  return null;
}

export class StoredReports {
  /** Reports read in this study, by instance key and SOP Instance UID (each SR is parsed once). */
  private readonly reports = new Map<string, Promise<StoredReport | null>>();

  constructor(
    private readonly host: Host,
    private readonly hooks: StoredReportHooks,
    /** Where this device's reviews are kept (the device store). */
    private readonly storage: () => KeyValueStorage | undefined,
  ) {}

  /** Follow the store: a finished load, or another series on screen, may bring a report's findings back. */
  start(): () => void {
    return this.host.store.subscribe((s, prev) => {
      if (s.studies.length === 0 && prev.studies.length > 0) this.reports.clear();
      // The note about a stored report goes with its findings: a model run or other findings replace it.
      const replaced =
        s.findings !== prev.findings && s.findings.length > 0 && !s.findings.some((f) => f.origin);
      if (s.storedReport && (replaced || RUNNING.includes(s.ai.status)))
        this.host.store.setState({ storedReport: null });
      const loaded = s.lastLoad !== null && s.lastLoad !== prev.lastLoad;
      const shown = s.activeSeriesKey !== prev.activeSeriesKey && s.lastLoad !== null;
      if ((loaded || shown) && s.activeSeriesKey) void this.show(s.activeSeriesKey);
    });
  }

  /** Whether a report's findings may be put on this series now. */
  private free(seriesKey: string): boolean {
    const s = this.host.store.getState();
    return (
      s.activeSeriesKey === seriesKey &&
      s.findings.length === 0 &&
      s.practice === null &&
      s.loading === null &&
      !RUNNING.includes(s.ai.status)
    );
  }

  private report(key: string): Promise<StoredReport | null> {
    const id = `${key}|${getInstance(key)?.info.sopInstanceUID ?? ''}`;
    let read = this.reports.get(id);
    if (!read) {
      read = readReport(key);
      this.reports.set(id, read);
    }
    return read;
  }

  /** Show the findings of the study's stored report about this series, if it has one and nothing else. */
  async show(seriesKey: string): Promise<void> {
    if (!this.free(seriesKey)) return;
    const { store } = this.host;
    const state = store.getState();
    const series = findSeries(state, seriesKey);
    const study = state.studies.find((st) => st.series.some((x) => x.key === seriesKey));
    if (!series || series.kind !== 'image' || !study) return;
    const srKeys = study.series
      .filter((x) => x.kind === 'non-image')
      .flatMap((x) => x.instanceKeys)
      .filter((k) => getInstance(k)?.info.sopClassUID.startsWith(SR_CLASS_PREFIX));
    if (srKeys.length === 0) return;
    const reports = (await Promise.all(srKeys.map((k) => this.report(k)))).filter((r) => r !== null);
    const target = seriesTarget(series);
    const chosen = chooseReport(reports, target);
    if (!chosen) return;
    // A review of this series saved on this device wins over any stored report: it is newer work (the
    // reader's decisions since, or on findings never stored), and Persistence brings it back itself.
    if (loadReview(this.storage(), await reviewId(seriesKey), seriesKey) || !this.free(seriesKey)) return;
    const patient = patientOf(this.host, seriesKey);
    const { findings, unplaced } = findingsFromReport(chosen, target, {
      patient,
      language: store.getState().language,
      now: new Date().toISOString(),
    });
    const model = findings.find((f) => f.source.kind === 'model')?.source;
    const date = isoDate(chosen.contentDate);
    const reader = chosen.verifiers[chosen.verifiers.length - 1]?.name;
    store.setState({
      findings,
      reviewSeriesKey: seriesKey,
      selectedFinding: null,
      restored: false,
      patient,
      lungZ: null,
      ai: {
        status: 'idle',
        done: 0,
        total: 0,
        startedAt: 0,
        ...(model?.kind === 'model' ? { model: { id: model.id, version: model.version } } : {}),
      },
      storedReport: {
        seriesKey,
        verified: chosen.verification === 'VERIFIED',
        ...(date ? { date } : {}),
        ...(reader ? { reader } : {}),
        unplaced: unplaced.map((u) => u.label),
      },
    });
    log('info', 'stored-report-shown', { findings: findings.length, unplaced: unplaced.length });
    this.hooks.applied();
  }
}
