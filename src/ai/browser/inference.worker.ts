/// <reference lib="webworker" />
/**
 * The inference worker: the series' analysis (src/analysis: the model, its second stage, assessment and
 * report draft) on onnxruntime-web (see runtime.ts), so the page never blocks on any of it. Messages are
 * typed in protocol.ts; the page side is client.ts.
 */
import { analyzeSeries } from '../../analysis/analyze';
import { contractRefusal } from '../registry/contract';
import { LucentError, messageOf } from '../../lib/errors';
import { holdLifeLock } from '../../lib/liveness';
import { streamModelGrid } from '../shared/modelGrid';
import { CancelledError, TooLargeError } from '../shared/pipeline';
import { modelBytes, modelFiles, ModelLoadError } from './modelBytes';
import {
  SLICE_WAIT_MS,
  workerProblem,
  type SliceMessage,
  type WorkerEvent,
  type WorkerRequest,
} from './protocol';
import {
  classifierSession,
  createSession,
  fileBytes,
  realGpu,
  runnerOf,
  runtime,
  type OpenSession,
} from './runtime';

declare const self: DedicatedWorkerGlobalScope;

const controllers = new Map<number, AbortController>();
/** Each run's slices that have arrived and are not yet in its volume. */
const inboxes = new Map<number, SliceInbox>();

/** How often (in slices) the worker tells the page how many it has taken. */
const SLICES_TAKEN_EVERY = 8;

/** Slices of one run as they arrive; `take` waits for one, bounded, and lets it go once handed over. */
class SliceInbox {
  private readonly arrived = new Map<number, SliceMessage['slice']>();
  private waiting: { index: number; resolve: (s: SliceMessage['slice']) => void } | null = null;

  put(slices: readonly SliceMessage[]): void {
    for (const s of slices) this.arrived.set(s.index, s.slice);
    const w = this.waiting;
    const s = w ? this.arrived.get(w.index) : undefined;
    if (w && s) {
      this.arrived.delete(w.index);
      this.waiting = null;
      w.resolve(s);
    }
  }

  take(index: number, signal: AbortSignal): Promise<SliceMessage['slice']> {
    const s = this.arrived.get(index);
    if (s) {
      this.arrived.delete(index);
      return Promise.resolve(s);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        signal.removeEventListener('abort', abort);
        reject(
          new LucentError('slice-timeout', `The page sent no slice for ${SLICE_WAIT_MS / 1000} s.`, {
            seconds: SLICE_WAIT_MS / 1000,
          }),
        );
      }, SLICE_WAIT_MS);
      const abort = (): void => {
        clearTimeout(timer);
        this.waiting = null;
        reject(new CancelledError());
      };
      signal.addEventListener('abort', abort, { once: true });
      this.waiting = {
        index,
        resolve: (v) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', abort);
          resolve(v);
        },
      };
    });
  }
}
const post = (e: WorkerEvent): void => self.postMessage(e);

/** The model's sessions, started while the series is still arriving (`startModel`). */
interface ModelReady extends OpenSession {
  readonly fprSession: Awaited<ReturnType<typeof classifierSession>> | null;
  /** How long reading and checking the model's files took, and starting its runtime (ms). */
  readonly filesMs: number;
  readonly runtimeMs: number;
  readonly cached: boolean;
}

async function releaseModel(m: ModelReady): Promise<void> {
  await m.session.release();
  await m.fprSession?.release();
}

/**
 * Read and check the model's files and start its runtime, refusing a model whose files do not match its
 * manifest. Runs while the page is still sending the series' slices (the page decodes them on its own
 * thread), so that neither waits for the other; `stage` hears each stage as it starts.
 */
async function startModel(
  req: Extract<WorkerRequest, { type: 'run' }>,
  stage: (e: WorkerEvent) => void,
): Promise<ModelReady> {
  const started = performance.now();
  stage({ type: 'status', id: req.id, stage: 'loading-model' });
  const files = modelFiles(req.model.manifest);
  const report = (loaded: number, total: number): void =>
    stage({ type: 'status', id: req.id, stage: 'loading-model', bytes: { loaded, total } });
  const main = await fileBytes(files.main, req.model.bytes, req.model.url, report);
  const second = files.fpr ? await fileBytes(files.fpr, req.model.fprBytes, req.model.fprUrl, report) : null;
  const filesMs = performance.now() - started;
  stage({ type: 'status', id: req.id, stage: 'starting-runtime' });
  const open = await createSession(main.bytes, req.allowWebGpu);
  const { session } = open;
  const fprSession = second
    ? await classifierSession(open.ort, second.bytes).catch(async (e: unknown) => {
        await session.release();
        throw e;
      })
    : null;
  // A model folder can lie about its files' inputs and outputs: refuse it before any image is run.
  const refused = contractRefusal(req.model.manifest, session, fprSession);
  if (refused) {
    await session.release();
    await fprSession?.release();
    throw new ModelLoadError('shape-mismatch', refused.message, { ...refused.detail });
  }
  return {
    ...open,
    fprSession,
    filesMs,
    runtimeMs: performance.now() - started - filesMs,
    cached: main.cached && (second?.cached ?? true),
  };
}

async function run(req: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(req.id, controller);
  const inbox = new SliceInbox();
  inboxes.set(req.id, inbox);
  // The model starts at once, beside the series. Its stages are told only once the series is in (until
  // then the page shows the slices being read), the latest first; a model that fails stops the series'
  // reading at once and is what the page hears.
  let streaming = true;
  let heldStage: WorkerEvent | null = null;
  let modelProblem: { error: unknown } | null = null;
  let modelReady = false;
  const stage = (e: WorkerEvent): void => {
    if (streaming) heldStage = e;
    else post(e);
  };
  const model = startModel(req, stage);
  model.then(
    () => {
      modelReady = true;
    },
    (error: unknown) => {
      modelProblem = { error };
      controller.abort();
    },
  );
  let ready: ModelReady | null = null;
  try {
    // The series on the model's grid, resampled plane by plane as the page streams its slices in
    // (lib/volume reorients each as the Node host's volume builder does); each slice is let go once
    // resampled, so the series is never held here at full resolution.
    const volumeStarted = performance.now();
    // The page sends more only as slices are taken (client.ts SLICE_WINDOW): say so every few, and hand
    // back the buffers of the slices already written into the grid (slices are asked for one at a time,
    // so when slice n is asked for, slice n - 1 has been written and its buffer is free).
    let taken = 0;
    let inUse: ArrayBuffer | null = null;
    let spare: ArrayBuffer[] = [];
    const { grid } = await streamModelGrid(
      req.geometry,
      async (i) => {
        if (inUse) spare.push(inUse);
        inUse = null;
        const slice = await inbox.take(i, controller.signal);
        taken++;
        if (slice.values.buffer instanceof ArrayBuffer) inUse = slice.values.buffer;
        if (taken % SLICES_TAKEN_EVERY === 0 || taken === req.geometry.length) {
          self.postMessage({ type: 'slices-taken', id: req.id, taken, spare } satisfies WorkerEvent, spare);
          spare = [];
        }
        return slice;
      },
      req.model.manifest.input,
      { signal: controller.signal },
    );
    const volumeMs = performance.now() - volumeStarted;
    inboxes.delete(req.id);
    streaming = false;
    // From here the page waits only for what is left of the model's start (its stage, if any, is shown).
    const started = performance.now();
    if (heldStage && !modelReady) post(heldStage);
    ready = await model;
    const { ort, session, fprSession, provider, threads, note, filesMs, runtimeMs, cached } = ready;
    post({ type: 'status', id: req.id, stage: 'running', provider, threads, ...(note ? { note } : {}) });
    const fpr = req.model.manifest.falsePositiveReduction;
    const analysis = await analyzeSeries(
      grid,
      req.model.manifest,
      {
        model: runnerOf(ort, session, req.model.manifest.input.name),
        ...(fprSession && fpr ? { fpr: runnerOf(ort, fprSession, fpr.input) } : {}),
      },
      {
        language: req.language,
        patient: req.patient,
        signal: controller.signal,
        onProgress: (done, total) => post({ type: 'progress', id: req.id, done, total }),
        evidence: true,
        batchDelayMs: req.batchDelayMs,
      },
    );
    // The evidence map moves to the page (transferred, not copied).
    self.postMessage(
      {
        type: 'result',
        id: req.id,
        analysis,
        provider,
        threads,
        ms: performance.now() - started + volumeMs,
        setupMs: { files: filesMs, runtime: runtimeMs, volume: volumeMs },
        cached,
      } satisfies WorkerEvent,
      analysis.detection.evidence ? [analysis.detection.evidence.data.buffer] : [],
    );
  } catch (caught) {
    // A model that failed while the series was arriving cancelled the reading: its error is the one.
    const e = modelProblem ? (modelProblem as { error: unknown }).error : caught;
    const { code, detail } = workerProblem(e);
    const message =
      e instanceof TooLargeError || e instanceof RangeError
        ? `The series is too large to analyse in this tab: ${messageOf(e)}`
        : messageOf(e);
    post({ type: 'error', id: req.id, code, message, detail });
  } finally {
    controllers.delete(req.id);
    inboxes.delete(req.id);
    // The sessions go whether the run ended, failed or was cancelled, once they have started.
    if (ready) await releaseModel(ready);
    else void model.then(releaseModel, () => undefined);
  }
}

const WARMUP_MS = 3000;

async function bench(req: Extract<WorkerRequest, { type: 'bench' }>): Promise<void> {
  try {
    const { bytes } = req.model.bytes
      ? { bytes: req.model.bytes }
      : await modelBytes(req.model.url ?? '', modelFiles(req.model.manifest).main);
    if (req.backend === 'webgpu' && !(await realGpu())) throw new Error('no real WebGPU adapter');
    const ort = await runtime(req.backend === 'webgpu' ? 'gpu' : 'cpu');
    ort.env.wasm.numThreads = req.threads;
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [req.backend],
      graphOptimizationLevel: 'all',
    });
    const n = req.dims.reduce((a, b) => a * b, 1);
    const input = new ort.Tensor('float32', new Float32Array(n), [...req.dims]);
    const name = req.model.manifest.input.name;
    let t = performance.now();
    await session.run({ [name]: input });
    const firstMs = performance.now() - t;
    // Warm up until the engine reaches steady state: the browser first runs WebAssembly from a quick
    // baseline compile and swaps in optimised code for hot functions in the background, so the first runs
    // can be several times slower than a long sweep's.
    const warmStart = performance.now();
    let warmupRuns = 0;
    while (warmupRuns < 60 && (warmupRuns < 5 || performance.now() - warmStart < WARMUP_MS)) {
      await session.run({ [name]: input });
      warmupRuns++;
    }
    const times: number[] = [];
    for (let i = 0; i < req.iterations; i++) {
      t = performance.now();
      await session.run({ [name]: input });
      times.push(performance.now() - t);
    }
    await session.release();
    times.sort((a, b) => a - b);
    post({
      type: 'bench-result',
      id: req.id,
      medianMs: times[Math.floor(times.length / 2)] ?? NaN,
      firstMs,
      warmupRuns,
      backend: req.backend,
      threads: req.threads,
    });
  } catch (e) {
    post({ type: 'error', id: req.id, code: 'failed', message: messageOf(e), detail: {} });
  }
}

// The page learns of this worker's end, however it ends, by this lock's release (lib/liveness).
holdLifeLock(self.name);

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') controllers.get(msg.id)?.abort();
  else if (msg.type === 'slices') inboxes.get(msg.id)?.put(msg.slices);
  else if (msg.type === 'bench') void bench(msg);
  else void run(msg);
};
