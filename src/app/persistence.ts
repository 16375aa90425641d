/**
 * Everything the browser host keeps on this device, in one place: the settings (language, DICOMweb URL,
 * overlay; in localStorage, see store/persist.ts for what may be stored where) and the review of each
 * series with its report (see store/review.ts: keyed by a hash of the series UID; in the device store,
 * app/deviceStore.ts). A review is written at every change to its findings or its report (each write is
 * committed at once, so a tab or browser killed a moment later loses nothing), and brought back when its
 * series is opened again. Only a series' very first save waits for its key to be hashed.
 */
import type { AppState } from '../store';
import { hasReaderWork, loadReview, reviewId, saveReview, type SavedReport } from '../store/review';
import { saveSettings, type KeyValueStorage } from '../store/persist';
import { patientOf, type Host } from './host';

const SAVE_AFTER_MS = 150;
const RUNNING = ['preparing', 'loading-model', 'starting-runtime', 'running'];

export class Persistence {
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** Storage ids of reviewed series (hashing is asynchronous; a save while the page goes away is not). */
  private readonly ids = new Map<string, string>();
  private unsubscribe: (() => void) | null = null;
  /** Stopped for good (all local data is being cleared): nothing is written any more. */
  private stopped = false;

  constructor(
    private readonly host: Host,
    /** Where reviews are kept (the device store). */
    private readonly reviews: KeyValueStorage | undefined,
    /** After a review came back: its case summary and report. */
    private readonly restored: () => void,
  ) {}

  /** Start following the store: settings and reviews are saved as they change. */
  start(storage: Storage | undefined = globalThis.localStorage): void {
    this.unsubscribe = this.host.store.subscribe((s, prev) => {
      if (s.language !== prev.language || s.pacsUrl !== prev.pacsUrl || s.overlay !== prev.overlay)
        saveSettings(storage, { language: s.language, pacsUrl: s.pacsUrl, overlay: s.overlay });
      // A review is saved when its findings change, and when a run found nothing (that replaces an
      // earlier review too); clearing the findings for a new run or a new study saves nothing.
      const edited = s.findings !== prev.findings && s.findings.length > 0;
      const emptyRun = s.ai.status === 'done' && prev.ai.status !== 'done' && s.findings.length === 0;
      // A report change is saved while there is something to keep (a draft emptied for a new run is not).
      const wrote = reportChanged(s, prev) && (s.findings.length > 0 || hasReaderWork(reportOf(s)));
      if (edited || emptyRun || wrote) this.scheduleSave();
      if (s.activeSeriesKey !== prev.activeSeriesKey && s.activeSeriesKey)
        void this.restore(s.activeSeriesKey);
    });
  }

  /** Stop saving anything, for good (before all local data is cleared and the page reloaded). */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }

  private scheduleSave(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const key = this.host.store.getState().reviewSeriesKey;
    const id = key ? this.ids.get(key) : undefined;
    if (key && id) {
      this.write(key, id);
      return;
    }
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.saveNow();
    }, SAVE_AFTER_MS);
  }

  private async idOf(seriesKey: string): Promise<string> {
    const known = this.ids.get(seriesKey);
    if (known) return known;
    const id = await reviewId(seriesKey);
    this.ids.set(seriesKey, id);
    return id;
  }

  /** Write a pending review save at once (the page is being hidden or unloaded). */
  flush(): void {
    if (!this.saveTimer) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const key = this.host.store.getState().reviewSeriesKey;
    const id = key ? this.ids.get(key) : undefined;
    if (key && id) this.write(key, id);
    else void this.saveNow();
  }

  private async saveNow(): Promise<void> {
    const key = this.host.store.getState().reviewSeriesKey;
    if (key) this.write(key, await this.idOf(key));
  }

  private write(key: string, id: string): void {
    if (this.stopped) return;
    const s = this.host.store.getState();
    saveReview(this.reviews, id, {
      savedAt: new Date().toISOString(),
      findings: s.findings.filter((f) => f.seriesKey === key),
      model: s.ai.model ?? null,
      lungZ: s.lungZ,
      report: reportOf(s),
    });
  }

  /** Bring back this device's saved review of a series when it is opened again (or after a reload). */
  private async restore(seriesKey: string): Promise<void> {
    const { store } = this.host;
    const busy = (): boolean => {
      const s = store.getState();
      return s.findings.length > 0 || RUNNING.includes(s.ai.status) || s.activeSeriesKey !== seriesKey;
    };
    if (busy()) return;
    const saved = loadReview(this.reviews, await this.idOf(seriesKey), seriesKey);
    if (!saved || busy()) return;
    const r = saved.report;
    store.setState({
      // The report first, in the same update: the draft regenerated from the findings then keeps the
      // reader's typed sentences, and a signed report stays as signed.
      ...(r
        ? {
            reportDraft: r.draft,
            reportText: r.text,
            reportReader: r.reader || store.getState().reportReader,
            reportConfirmations: r.confirmations,
            signedReport: r.signed,
            addendumText: r.addendumText,
          }
        : {}),
      findings: saved.findings,
      reviewSeriesKey: seriesKey,
      restored: true,
      lungZ: saved.lungZ,
      patient: patientOf(this.host, seriesKey),
      ai: { status: 'idle', done: 0, total: 0, startedAt: 0, ...(saved.model ? { model: saved.model } : {}) },
    });
    this.restored();
  }
}

/** Whether the reader changed the report (its text, confirmations, reader, sign-off or addendum). */
function reportChanged(s: AppState, prev: AppState): boolean {
  return (
    s.reviewSeriesKey !== null &&
    (s.reportText !== prev.reportText ||
      s.reportConfirmations !== prev.reportConfirmations ||
      s.signedReport !== prev.signedReport ||
      s.addendumText !== prev.addendumText)
  );
}

function reportOf(s: AppState): SavedReport {
  return {
    draft: s.reportDraft,
    text: s.reportText,
    reader: s.reportReader,
    confirmations: s.reportConfirmations,
    signed: s.signedReport,
    addendumText: s.addendumText,
  };
}
