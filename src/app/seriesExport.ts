/**
 * Export series: every instance of the series on screen, read from its byte source on this device (the
 * file opened, a zip entry, a download), de-identified in a worker (seriesExport.worker.ts, through
 * dicom/deidentify's seriesZip: one de-identification run per export) and downloaded as one ZIP of files
 * named IM0001.dcm… Identifiers are kept only when the reader ticks the box for it; the download's name is
 * the export time. Files are sent one at a time, each read and each step bounded in time; cancel ends the
 * worker. A new study cancels an export in progress.
 */
import type { SeriesExportSummary } from '../dicom/deidentify';
import { getInstance, type RegisteredInstance } from '../imaging/registry';
import { LucentError } from '../lib/errors';
import { lifeLockName, watchLife } from '../lib/liveness';
import { log } from '../lib/logger';
import type { SeriesExportStatus } from '../store';
import { findSeries } from '../store/selectors';
import type { Host } from './host';
import { downloadBlob } from './download';

export type ExportRequest =
  | { readonly kind: 'start'; readonly keepIdentifiers: boolean; readonly total: number }
  | { readonly kind: 'file'; readonly bytes: Uint8Array }
  | { readonly kind: 'finish' };

export type ExportReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'added' }
  | { readonly kind: 'done'; readonly zip: Blob; readonly summary: SeriesExportSummary }
  | { readonly kind: 'error'; readonly message: string };

/** How long each step may take: starting the worker, reading one file, de-identifying one, the end. */
const START_MS = 20_000;
const READ_MS = 30_000;
const FILE_MS = 60_000;
const FINISH_MS = 60_000;

class ExportFailed extends LucentError {
  constructor(readonly reason: 'worker' | 'timeout' | 'cancelled') {
    super(`export-${reason}`, reason);
    this.name = 'ExportFailed';
  }
}

/** Resolve with `p`, or reject after `ms` or when `signal` aborts. */
function bounded<T>(p: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(new ExportFailed('cancelled'));
      return;
    }
    const timer = setTimeout(() => reject(new ExportFailed('timeout')), ms);
    const abort = (): void => reject(new ExportFailed('cancelled'));
    signal.addEventListener('abort', abort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    });
  });
}

/** The worker as a sequence of request → one reply. */
class ExportWorker {
  private readonly worker: Worker;
  private readonly unwatch: () => void;
  private waiting: { resolve: (r: ExportReply) => void; reject: (e: Error) => void } | null = null;
  private dead = false;

  constructor() {
    const name = lifeLockName('lucent-series-export');
    this.worker = new Worker(new URL('./seriesExport.worker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = (e: MessageEvent<ExportReply>) => {
      const w = this.waiting;
      this.waiting = null;
      if (e.data.kind === 'error') {
        log('error', 'series-export-worker-error');
        w?.reject(new ExportFailed('worker'));
      } else w?.resolve(e.data);
    };
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.fail();
    };
    this.worker.onmessageerror = () => this.fail();
    this.unwatch = watchLife(name, () => this.fail());
  }

  private fail(): void {
    this.dead = true;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(new ExportFailed('worker'));
  }

  ask(request: ExportRequest, ms: number, signal: AbortSignal): Promise<ExportReply> {
    if (this.dead) return Promise.reject(new ExportFailed('worker'));
    const reply = new Promise<ExportReply>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    const transfer = request.kind === 'file' ? [request.bytes.buffer as ArrayBuffer] : [];
    this.worker.postMessage(request, transfer);
    return bounded(reply, ms, signal);
  }

  close(): void {
    this.unwatch();
    this.worker.terminate();
  }
}

/** Every instance of the series on screen: its display set first, then any other part of the same series. */
function instancesOf(host: Host, seriesKey: string): RegisteredInstance[] {
  const state = host.store.getState();
  const shown = findSeries(state, seriesKey);
  if (!shown) return [];
  const study = state.studies.find((s) => s.studyInstanceUID === shown.studyInstanceUID);
  const parts = [shown, ...(study?.series ?? []).filter((s) => s !== shown)].filter(
    (s) => s.seriesInstanceUID === shown.seriesInstanceUID,
  );
  const keys = [...new Set(parts.flatMap((s) => s.instanceKeys))];
  return keys.map((k) => getInstance(k)).filter((i): i is RegisteredInstance => i !== undefined);
}

/** The download's name: what it is and when it was made, nothing from the study. */
function zipName(identified: boolean, at: Date): string {
  const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `lucent-series-${identified ? 'identified' : 'deidentified'}-${stamp}.zip`;
}

export class SeriesExport {
  private running: AbortController | null = null;

  constructor(private readonly host: Host) {}

  /** A new study (the export state reset) cancels an export in progress. */
  start(): () => void {
    return this.host.store.subscribe((s, prev) => {
      if (prev.seriesExport?.state === 'working' && s.seriesExport === null) {
        // Stopped quietly: nothing of the old study's export is shown over the new one.
        const running = this.running;
        this.running = null;
        running?.abort();
      }
    });
  }

  cancel(): void {
    this.running?.abort();
  }

  async export(keepIdentifiers: boolean): Promise<void> {
    const { store } = this.host;
    const key = store.getState().activeSeriesKey;
    if (this.running || !key) return;
    const instances = instancesOf(this.host, key);
    if (instances.length === 0) return;
    const control = new AbortController();
    this.running = control;
    const set = (status: SeriesExportStatus): void => {
      if (this.running === control) store.setState({ seriesExport: status });
    };
    const total = instances.length;
    set({ state: 'working', done: 0, total, identified: keepIdentifiers });
    const worker = new ExportWorker();
    const signal = control.signal;
    try {
      await worker.ask({ kind: 'start', keepIdentifiers, total }, START_MS, signal);
      // Files the worker saw, by their place in the series; and those that could not even be read.
      const sent: number[] = [];
      const unread: { index: number; code: string }[] = [];
      for (let i = 0; i < total; i++) {
        const { source } = instances[i];
        let bytes: Uint8Array | null = null;
        try {
          bytes = await bounded(source.read(0, source.size), READ_MS, signal);
        } catch (e) {
          if (e instanceof ExportFailed && e.reason === 'cancelled') throw e;
          unread.push({ index: i, code: 'read-failed' });
        }
        if (bytes) {
          // Transferred to the worker: a copy unless the read made these bytes for us alone (a Blob's).
          const fresh =
            !('bytes' in source) && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
          const own = fresh ? bytes : bytes.slice();
          await worker.ask({ kind: 'file', bytes: own }, FILE_MS, signal);
          sent.push(i);
        }
        set({ state: 'working', done: i + 1, total, identified: keepIdentifiers });
      }
      const end = await worker.ask({ kind: 'finish' }, FINISH_MS, signal);
      if (end.kind !== 'done') throw new ExportFailed('worker');
      const leftOut = [
        ...unread,
        ...end.summary.leftOut.map((l) => ({ index: sent[l.index] ?? -1, code: l.code })),
      ]
        .sort((a, b) => a.index - b.index)
        .map((l) => ({ file: instances[l.index]?.fileName ?? '', code: l.code }));
      const written = end.summary.files.length;
      if (written > 0) downloadBlob(zipName(end.summary.identified, new Date()), end.zip);
      log('info', 'series-exported', { written, leftOut: leftOut.length, identified: keepIdentifiers });
      set({ state: 'done', written, identified: end.summary.identified, leftOut });
    } catch (e) {
      const reason = e instanceof ExportFailed ? e.reason : 'worker';
      if (reason === 'cancelled') set({ state: 'cancelled' });
      else set({ state: 'failed', reason });
      log('warn', 'series-export-stopped', {}, reason);
    } finally {
      worker.close();
      if (this.running === control) this.running = null;
    }
  }
}
