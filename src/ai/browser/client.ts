/**
 * Page side of the inference worker: typed requests, transferred volume buffers, progress, cancel, and
 * recovery when the worker dies mid-sweep, with an error or without a word (lib/liveness): it is replaced
 * and the run fails with a clear error.
 */
import type { PatientContext } from '../../findings/assess';
import type { Language } from '../../i18n/language';
import type { SliceGeometry } from '../../lib/volume';
import {
  FATAL_WORKER_CODES,
  type ModelSource,
  type Provider,
  type SliceMessage,
  type Stage,
  type WorkerEvent,
  type WorkerRequest,
  type WORKER_LOST_CODES,
} from './protocol';
import { LucentError, messageOf, type Problem } from '../../lib/errors';
import { lifeLockName, SILENT_DEATH, watchLife } from '../../lib/liveness';

export interface StageUpdate {
  readonly stage: Stage;
  readonly provider?: Provider;
  readonly threads?: number;
  readonly bytes?: { readonly loaded: number; readonly total: number };
  readonly note?: Problem;
}

export interface RunHandlers {
  onStage?(update: StageUpdate): void;
  onProgress?(done: number, total: number): void;
}

/**
 * The longest the worker may stay silent during a run before it is taken for dead (ms): it reports each
 * stage, download progress and every batch, and its own runtime start is bounded at 60 s.
 */
export const WORKER_SILENCE_MS = 90_000;

/** What a finished run gives the page: the worker's `result` message without its envelope. */
export type RunOutcome = Omit<Extract<WorkerEvent, { type: 'result' }>, 'type' | 'id'>;

export interface BenchResult {
  /** Median of the measured runs, after warm-up (ms). */
  readonly medianMs: number;
  /** The first run: compiling the WebAssembly kernels' fast tier and allocating (ms). */
  readonly firstMs: number;
  readonly warmupRuns: number;
}

/** A run that failed: one of {@link RUN_PROBLEM_CODES} (or `cancelled`), with its detail; `message` is English. */
export class InferenceError extends LucentError {
  declare readonly code: string;

  constructor(code: string, message: string, detail: Record<string, string | number> = {}) {
    super(code, message, detail);
    this.name = 'InferenceError';
  }
}

/**
 * A slice of the series could not be read on the page (decoded, say) while it was being sent: the run ends
 * with `slice-unreadable`, and the reading error's own code (a load error's, such as `decode-failed`) as
 * its `reason`.
 */
export function unreadableSlice(e: unknown): InferenceError {
  return new InferenceError('slice-unreadable', `A slice of the series could not be read: ${messageOf(e)}`, {
    reason: e instanceof LucentError ? e.code : 'read-failed',
  });
}

/**
 * The most slices of a run that may be on their way to the worker and not yet resampled: the page waits
 * for the worker to take some before it copies more, so a fast page never parks a whole series in the
 * worker's inbox. Three messages' worth (24 slices of 512² are 12 MB): the worker takes slices as fast as
 * it resamples them, and every slice in flight, and every spare buffer the page keeps, is memory.
 */
export const SLICE_WINDOW = 24;

interface PendingRun {
  resolve(o: RunOutcome): void;
  reject(e: InferenceError): void;
  handlers: RunHandlers;
  /** Slices sent, and taken by the worker. */
  sent: number;
  taken: number;
  /** Senders waiting for the window to open. */
  waiting: (() => void)[];
  /** Slice buffers the worker has finished with, for the next slices' copies. */
  spare: ArrayBuffer[];
}

/** Wake every sender of a run that waits for the window (they then look at the run and their signal). */
function release(p: PendingRun): void {
  const waiting = p.waiting.splice(0);
  for (const wake of waiting) wake();
}

export class InferenceClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, PendingRun>();
  private benches = new Map<number, { resolve(r: BenchResult): void; reject(e: InferenceError): void }>();
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  /** Stops watching the running worker's life (before the page ends it itself). */
  private unwatch = (): void => {};

  /** Restart the silence timer while runs are pending; a worker that never answers is replaced. */
  private heard(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    if (this.pending.size === 0) return;
    this.watchdog = setTimeout(() => {
      this.crash(
        `The analysis worker did not answer for ${WORKER_SILENCE_MS / 1000} s (its script or runtime may have failed to load). It was restarted; you can run it again.`,
        'worker-unresponsive',
        { seconds: WORKER_SILENCE_MS / 1000 },
      );
    }, WORKER_SILENCE_MS);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const name = lifeLockName('lucent-inference');
    const w = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name });
    let started = false;
    w.onmessage = (ev: MessageEvent<WorkerEvent>) => {
      started = true;
      this.onEvent(ev.data);
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      this.crash(
        started
          ? `The analysis worker stopped unexpectedly${ev.message ? ` (${ev.message})` : ''}. Nothing was lost; you can run it again.`
          : `The analysis worker could not be started: its script did not load${ev.message ? ` (${ev.message})` : ''}. Nothing was lost; you can run it again.`,
        started ? 'worker-crashed' : 'worker-unavailable',
      );
    };
    // A worker closed or killed without an error event (out of memory, say) is noticed at once too.
    this.unwatch = watchLife(name, () => {
      if (this.worker === w)
        this.crash(
          `The analysis worker stopped${SILENT_DEATH}. Nothing was lost; you can run it again.`,
          'worker-stopped',
        );
    });
    this.worker = w;
    return w;
  }

  private crash(
    message: string,
    code: (typeof WORKER_LOST_CODES)[number],
    detail: Record<string, string | number> = {},
  ): void {
    this.unwatch();
    this.worker?.terminate();
    this.worker = null;
    for (const [, p] of this.pending) {
      p.reject(new InferenceError(code, message, detail));
      release(p);
    }
    this.pending.clear();
    for (const [, b] of this.benches) b.reject(new InferenceError(code, message, detail));
    this.benches.clear();
    this.heard();
  }

  private onEvent(e: WorkerEvent): void {
    this.handle(e);
    this.heard();
  }

  private handle(e: WorkerEvent): void {
    const b = this.benches.get(e.id);
    if (b && (e.type === 'bench-result' || e.type === 'error')) {
      this.benches.delete(e.id);
      if (e.type === 'bench-result')
        b.resolve({ medianMs: e.medianMs, firstMs: e.firstMs, warmupRuns: e.warmupRuns });
      else b.reject(new InferenceError(e.code, e.message, { ...e.detail }));
      return;
    }
    const p = this.pending.get(e.id);
    if (!p) return;
    switch (e.type) {
      case 'status':
        p.handlers.onStage?.({
          stage: e.stage,
          provider: e.provider,
          threads: e.threads,
          bytes: e.bytes,
          note: e.note,
        });
        break;
      case 'progress':
        p.handlers.onProgress?.(e.done, e.total);
        break;
      case 'slices-taken':
        p.taken = e.taken;
        // Never more spares than a window's worth: the sender takes them as fast as they come back.
        if (e.spare) p.spare.push(...e.spare.slice(0, Math.max(0, SLICE_WINDOW - p.spare.length)));
        if (p.sent - p.taken <= SLICE_WINDOW) release(p);
        break;
      case 'result':
        this.pending.delete(e.id);
        release(p);
        {
          const { type: _type, id: _id, ...outcome } = e;
          p.resolve(outcome);
        }
        break;
      case 'error':
        this.pending.delete(e.id);
        release(p);
        p.reject(new InferenceError(e.code, e.message, { ...e.detail }));
        // A runtime that failed to start may hold the worker; the next run gets a fresh one.
        if (FATAL_WORKER_CODES.includes(e.code) && this.pending.size === 0) this.dispose();
        break;
      case 'bench-result':
        break;
    }
  }

  /** Starts a run on a series of this geometry; its slices follow by {@link sendSlices}. */
  run(
    model: ModelSource,
    geometry: readonly SliceGeometry[],
    handlers: RunHandlers = {},
    options: {
      language: Language;
      patient: PatientContext;
      allowWebGpu?: boolean;
      batchDelayMs?: number;
    },
  ): { id: number; done: Promise<RunOutcome> } {
    const id = this.nextId++;
    const done = new Promise<RunOutcome>((resolve, reject) =>
      this.pending.set(id, { resolve, reject, handlers, sent: 0, taken: 0, waiting: [], spare: [] }),
    );
    const msg: WorkerRequest = {
      type: 'run',
      id,
      model,
      geometry,
      language: options.language,
      patient: options.patient,
      batchDelayMs: options.batchDelayMs,
      allowWebGpu: options.allowWebGpu ?? true,
    };
    const transfer: Transferable[] = [];
    if (model.bytes) transfer.push(model.bytes);
    if (model.fprBytes) transfer.push(model.fprBytes);
    this.ensure().postMessage(msg, transfer);
    this.heard();
    return { id, done };
  }

  /** Latency (ms) of a model on one backend, cold and warm: for `npm run bench`. */
  bench(
    model: ModelSource,
    dims: readonly [number, number, number, number],
    backend: 'wasm' | 'webgpu',
    threads: number,
    iterations = 20,
  ): Promise<BenchResult> {
    const id = this.nextId++;
    // A fresh worker per measurement: onnxruntime-web fixes its thread count when it first initialises.
    if (this.pending.size === 0 && this.benches.size === 0) this.dispose();
    const done = new Promise<BenchResult>((resolve, reject) => this.benches.set(id, { resolve, reject }));
    this.ensure().postMessage({
      type: 'bench',
      id,
      model,
      dims,
      backend,
      threads,
      iterations,
    } satisfies WorkerRequest);
    return done;
  }

  /**
   * Some of a run's slices: their buffers move to the worker (the page keeps no copy). Resolves when the
   * worker has room for more ({@link SLICE_WINDOW}): true while the run goes on, false once it has ended
   * (done, failed, cancelled or its worker lost), when the sender should stop reading slices.
   */
  async sendSlices(id: number, slices: readonly SliceMessage[]): Promise<boolean> {
    const p = this.pending.get(id);
    if (!p || !this.worker) return false;
    const msg: WorkerRequest = { type: 'slices', id, slices };
    this.worker.postMessage(
      msg,
      slices.map((s) => s.slice.values.buffer as ArrayBuffer),
    );
    p.sent += slices.length;
    if (p.sent - p.taken > SLICE_WINDOW) {
      // The worker's silence watchdog bounds this wait: a worker that stops taking slices is replaced, and
      // its runs, this one included, end.
      await new Promise<void>((resolve) => p.waiting.push(resolve));
    }
    return this.pending.has(id);
  }

  /**
   * A buffer of exactly `bytes` bytes that run `id`'s worker has finished with, to copy the next slice
   * into instead of allocating one; undefined when none is free.
   */
  spareBuffer(id: number, bytes: number): ArrayBuffer | undefined {
    const spare = this.pending.get(id)?.spare;
    const i = spare ? spare.findIndex((b) => b.byteLength === bytes) : -1;
    return i < 0 ? undefined : spare?.splice(i, 1)[0];
  }

  cancel(id: number): void {
    this.worker?.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
    // A sender waiting for the window looks at its own abort signal at once, not when the worker answers.
    const p = this.pending.get(id);
    if (p) release(p);
  }

  dispose(): void {
    this.unwatch();
    this.worker?.terminate();
    this.worker = null;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
  }
}
