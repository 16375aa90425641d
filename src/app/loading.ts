/**
 * Loading a study: local files (through the ingest worker), a DICOMweb study and the demo cases (fetched,
 * then ingested like files), assembled into studies and series as instances arrive. Opening a study
 * replaces the one before: its jobs are cancelled, late arrivals are dropped, and the other parts reset
 * through `onNewStudy`.
 */
import { DicomWebClient, type StudyHit, type StudyQuery } from '../dicom/dicomweb';
import { createIngestClient, type IngestClient } from '../dicom/ingest/client';
import type { IngestEvent } from '../dicom/ingest/protocol';
import { fetchLoadError, type LoadError } from '../dicom/read';
import { assembleStudies, imageCount, type LoadedInstance } from '../dicom/series';
import { blobSource } from '../dicom/source';
import { setDecodeFailureListener } from '../imaging/loader';
import { getInstance, instanceCount, parseImageId, registerInstance } from '../imaging/registry';
import { resetImaging } from '../imaging/session';
import { log } from '../lib/logger';
import { resetForNewStudy } from '../store';
import { findSeries, firstImageSeries } from '../store/selectors';
import type { OpenFile } from '../ui/context';
import type { Host } from './host';
import { pacsInstanceName } from '../lib/sourceNames';

const ASSEMBLE_EVERY_MS = 150;
/** Files fetched at once from a DICOMweb server or the app's demo folder. */
const FETCHES_AT_ONCE = 6;

export interface LoadingHooks {
  /** A new study replaces the open one: the other parts drop what belonged to it. */
  onNewStudy(): void;
  /** The active series changed by loading (not by the user): show it. */
  showSeries(key: string): void;
}

export class Loading {
  private readonly ingest: IngestClient = createIngestClient();
  private loaded: LoadedInstance[] = [];
  private assembleTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly jobs = new Set<number>();
  private readonly decodeErrorFiles = new Set<string>();
  /** Files whose reader (the ingest worker) stopped before reading them: `retryLostFiles` reads them again. */
  private readonly lostFiles = new Map<string, OpenFile>();
  private fetches: AbortController | null = null;
  /** Whether the user picked a series for this study; until then the first image series is shown. */
  private userSelected = false;

  constructor(
    private readonly host: Host,
    private readonly hooks: LoadingHooks,
  ) {
    // An image Cornerstone could not decode is listed under Load errors once, by file name.
    setDecodeFailureListener(({ imageId, message, problem }) => {
      const ref = parseImageId(imageId);
      const entry = ref && getInstance(ref.key);
      if (!entry || this.decodeErrorFiles.has(entry.fileName)) return;
      this.decodeErrorFiles.add(entry.fileName);
      this.addErrors([
        {
          file: entry.fileName,
          code: 'decode-failed',
          message: `The image could not be decoded: ${message}`,
          // Lucent's own refusal is worded as itself (`cause`), under the listed code decode-failed.
          detail: problem ? { ...problem.detail, cause: problem.code } : {},
        },
      ]);
    });
  }

  /** Whether instances are still being ingested. */
  busy(): boolean {
    return this.jobs.size > 0;
  }

  /** The user chose a series: keep it whatever arrives next. */
  userChoseSeries(): void {
    this.userSelected = true;
  }

  private startNewStudy(): void {
    for (const job of this.jobs) this.ingest.cancel(job);
    this.jobs.clear();
    this.fetches?.abort();
    this.loaded = [];
    this.userSelected = false;
    this.decodeErrorFiles.clear();
    this.lostFiles.clear();
    this.hooks.onNewStudy();
    resetImaging();
    resetForNewStudy(this.host.store);
  }

  private addErrors(errors: readonly LoadError[]): void {
    if (errors.length === 0) return;
    this.host.store.setState((s) => ({ loadErrors: [...s.loadErrors, ...errors] }));
    for (const e of errors) log('warn', 'load-error', {}, e.code);
  }

  private scheduleAssemble(): void {
    if (this.assembleTimer) return;
    this.assembleTimer = setTimeout(() => {
      this.assembleTimer = null;
      this.assemble();
    }, ASSEMBLE_EVERY_MS);
  }

  private assemble(): void {
    if (this.assembleTimer) {
      clearTimeout(this.assembleTimer);
      this.assembleTimer = null;
    }
    const { store } = this.host;
    const studies = assembleStudies(this.loaded);
    const state = store.getState();
    const current = findSeries({ studies }, state.activeSeriesKey);
    const keep = current && (this.userSelected || current.kind === 'image');
    const first = firstImageSeries(studies) ?? studies[0]?.series[0];
    const active = keep ? current.key : (first?.key ?? null);
    store.setState({ studies, activeSeriesKey: active });
    if (active && active !== state.activeSeriesKey) this.hooks.showSeries(active);
  }

  private onIngestEvent(e: IngestEvent): void {
    switch (e.type) {
      case 'instances':
        if (this.loaded.length === 0) performance.mark('lucent:first-instance');
        for (const item of e.items) {
          registerInstance({
            key: item.key,
            fileName: item.fileName,
            info: item.info,
            source: blobSource(item.fileName, item.blob),
          });
          this.loaded.push({ key: item.key, fileName: item.fileName, info: item.info });
        }
        // The very first instances are shown at once; later batches are coalesced.
        if (this.host.store.getState().studies.length === 0) this.assemble();
        else this.scheduleAssemble();
        break;
      case 'errors':
        this.addErrors(e.errors);
        break;
      case 'progress':
        this.host.store.setState({ loading: { done: e.done, total: e.total } });
        break;
      case 'done':
        this.jobs.delete(e.jobId);
        if (this.jobs.size === 0) this.finishLoad();
        break;
    }
  }

  private finishLoad(): void {
    this.assemble();
    const { store } = this.host;
    const { studies, loadErrors } = store.getState();
    const series = studies.flatMap((s) => s.series);
    const images = series.reduce((n, s) => n + (s.kind === 'image' ? imageCount(s) : 0), 0);
    store.setState({ loading: null, lastLoad: { images, series: series.length, errors: loadErrors.length } });
    log('info', 'study-loaded', {
      instances: instanceCount(),
      series: series.length,
      errors: loadErrors.length,
    });
  }

  private ingestFiles(files: readonly OpenFile[]): Promise<void> {
    const payload = files.map((f, i) => ({ id: String(i), name: f.name, blob: f.file }));
    const byName = new Map(files.map((f) => [f.name, f]));
    // A job cancelled because another study was opened may still deliver what it had parsed: drop it.
    const { jobId, done } = this.ingest.load(payload, (e) => {
      if (!this.jobs.has(jobId)) return;
      // The worker died: keep the files it had not read, so that the user can read them again.
      if (e.type === 'errors')
        for (const error of e.errors) {
          const file = error.code === 'worker-lost' ? byName.get(error.file) : undefined;
          if (file) this.lostFiles.set(file.name, file);
        }
      this.onIngestEvent(e);
    });
    this.jobs.add(jobId);
    return done;
  }

  /**
   * Read again the files whose reader stopped (a new worker reads them), into the study that is open:
   * what was read already, the review and the findings stay.
   */
  retryLostFiles(): void {
    const files = [...this.lostFiles.values()];
    if (files.length === 0 || this.jobs.size > 0) return;
    this.lostFiles.clear();
    const names = new Set(files.map((f) => f.name));
    this.host.store.setState((s) => ({
      loadErrors: s.loadErrors.filter((e) => !(e.code === 'worker-lost' && names.has(e.file))),
      loading: { done: 0, total: files.length },
    }));
    void this.ingestFiles(files);
  }

  openFiles(files: readonly OpenFile[]): void {
    if (files.length === 0) return;
    performance.mark('lucent:open');
    this.startNewStudy();
    this.host.store.setState({ loading: { done: 0, total: files.length } });
    void this.ingestFiles(files);
  }

  async searchPacs(url: string, query: StudyQuery, signal?: AbortSignal): Promise<StudyHit[]> {
    this.host.store.setState({ pacsUrl: url });
    return new DicomWebClient(url, fetch.bind(globalThis)).searchStudies(query, signal);
  }

  async openPacsStudy(url: string, study: StudyHit): Promise<void> {
    const abort = this.openFetched();
    const client = new DicomWebClient(url, fetch.bind(globalThis));
    const refs = await client.listInstances(study.studyInstanceUID, abort.signal);
    await this.streamIn(
      refs.length,
      (n) => client.retrieveInstance(refs[n], abort.signal),
      (n) => pacsInstanceName(n + 1, refs.length),
      abort.signal,
      'pacs',
    );
  }

  /**
   * Open a study whose files are fetched (a DICOMweb study, a demo case): the open one is replaced and
   * the returned signal aborts this one's fetches when another is opened.
   */
  openFetched(): AbortController {
    this.startNewStudy();
    const abort = new AbortController();
    this.fetches = abort;
    return abort;
  }

  /**
   * Fetch `total` DICOM instances with bounded concurrency and feed them to the ingest worker in small
   * batches, so the first image shows while the rest arrives. Failures become load errors.
   */
  async streamIn(
    total: number,
    fetchOne: (n: number) => Promise<Uint8Array>,
    nameOf: (n: number) => string,
    signal: AbortSignal,
    source: 'pacs' | 'demo',
  ): Promise<void> {
    const { store } = this.host;
    store.setState({ retrieving: { done: 0, total, source }, loading: { done: 0, total } });
    let done = 0;
    let next = 0;
    let chunk: OpenFile[] = [];
    const pending: Promise<void>[] = [];
    const flush = (): void => {
      if (chunk.length > 0) pending.push(this.ingestFiles(chunk));
      chunk = [];
    };
    const worker = async (): Promise<void> => {
      while (next < total && !signal.aborted) {
        const n = next++;
        try {
          const bytes = await fetchOne(n);
          // Another study was opened while this file was on its way: it belongs to nothing now.
          if (signal.aborted) return;
          chunk.push({
            file: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/dicom' }),
            name: nameOf(n),
          });
          if (chunk.length >= 16 || done === 0) flush();
        } catch (e) {
          if (!signal.aborted) this.addErrors([fetchLoadError(nameOf(n), e)]);
        }
        done++;
        store.setState({ retrieving: { done, total, source } });
      }
    };
    await Promise.all(Array.from({ length: FETCHES_AT_ONCE }, worker));
    if (signal.aborted) return; // the study that replaced this one owns the progress state now
    flush();
    await Promise.all(pending);
    if (signal.aborted) return;
    store.setState({ retrieving: null });
    if (this.jobs.size === 0) this.finishLoad();
  }
}
