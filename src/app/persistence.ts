/**
 * Everything the browser host keeps on this device, in one place: the settings (language, DICOMweb URL,
 * overlay; see store/persist.ts for what may be stored where) and the review of each series (see
 * store/review.ts: keyed by a hash of the series UID). A review is written at every change (local storage
 * writes are synchronous, so a tab or browser killed a moment later loses nothing), and brought back when
 * its series is opened again. Only a series' very first save waits for its key to be hashed.
 */
import { loadReview, reviewId, saveReview } from '../store/review';
import { saveSettings } from '../store/persist';
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
      if (edited || emptyRun) this.scheduleSave();
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
    const { findings, ai, lungZ } = this.host.store.getState();
    saveReview(globalThis.localStorage, id, {
      savedAt: new Date().toISOString(),
      findings: findings.filter((f) => f.seriesKey === key),
      model: ai.model ?? null,
      lungZ,
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
    const saved = loadReview(globalThis.localStorage, await this.idOf(seriesKey), seriesKey);
    if (!saved || busy()) return;
    store.setState({
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
