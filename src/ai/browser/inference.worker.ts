/// <reference lib="webworker" />
/**
 * The inference worker: onnxruntime-web (WebGPU when a real adapter exists, threaded WebAssembly when the
 * page is cross-origin isolated, else single-threaded), preprocessing, the model and decoding. The page
 * never blocks on any of it.
 */
import type * as Ort from 'onnxruntime-web';
import { detectNodules, CancelledError, TooLargeError, type Runner, type Tensor } from '../shared/pipeline';
import { messageOf } from '../../lib/errors';
import { modelBytes, modelFiles, verify, ModelLoadError, type ModelFile } from './modelBytes';
import type { Provider, WorkerEvent, WorkerRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const controllers = new Map<number, AbortController>();
const post = (e: WorkerEvent): void => self.postMessage(e);

type OrtModule = typeof Ort;
type Build = 'cpu' | 'gpu';
const builds = new Map<Build, Promise<OrtModule>>();

/** The longest the runtime may take to start and open a session before the run fails (ms). */
const RUNTIME_START_MS = 60_000;

const runtimeBase = (build: Build): string =>
  build === 'gpu' ? 'ort-wasm-simd-threaded.jsep' : 'ort-wasm-simd-threaded';

/**
 * onnxruntime-web, self-hosted under /ort/. The CPU path uses the plain WebAssembly build: the WebGPU
 * (JSEP) build runs the same CPU kernels several times slower (measured: `npm run bench`). That build is
 * loaded only when a real GPU adapter is used. Each build initialises once per worker, so its thread
 * count is fixed by the first session it creates.
 */
function runtime(build: Build): Promise<OrtModule> {
  let p = builds.get(build);
  if (!p) {
    p = (build === 'gpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then(
      (ort) => {
        const base = runtimeBase(build);
        ort.env.wasm.wasmPaths = { mjs: `/ort/${base}.mjs`, wasm: `/ort/${base}.wasm` };
        return ort;
      },
      (e: unknown) => {
        builds.delete(build);
        throw new RuntimeLoadError(
          'runtime-unavailable',
          `The AI runtime (onnxruntime-web) could not be loaded: ${messageOf(e)}`,
        );
      },
    );
    builds.set(build, p);
  }
  return p;
}

/**
 * Check the runtime's two files before onnxruntime-web loads them: a missing file, a wrong type, or a
 * loader served without the isolation headers its threads need would otherwise leave the engine waiting
 * for threads that never start. Returns the thread count the files allow (1 when threads would be
 * blocked) and, then, why.
 */
async function checkRuntimeFiles(build: Build, threads: number): Promise<{ threads: number; note?: string }> {
  const base = `/ort/${runtimeBase(build)}`;
  const probe = async (url: string): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(url, { method: 'HEAD', cache: 'no-cache' });
    } catch (e) {
      throw new RuntimeLoadError(
        'runtime-unavailable',
        `The AI runtime file ${url} could not be fetched: ${messageOf(e)}`,
      );
    }
    if (!res.ok)
      throw new RuntimeLoadError(
        'runtime-unavailable',
        `The AI runtime file ${url} could not be loaded (HTTP ${res.status}).`,
      );
    return res;
  };
  const [mjs, wasm] = await Promise.all([probe(`${base}.mjs`), probe(`${base}.wasm`)]);
  const type = wasm.headers.get('content-type') ?? '';
  if (!type.startsWith('application/wasm'))
    throw new RuntimeLoadError(
      'runtime-unavailable',
      `The AI runtime file ${base}.wasm is served as "${type || 'no type'}", not application/wasm.`,
    );
  // The threads are workers started from the loader itself; in a cross-origin isolated page the browser
  // refuses to start a worker whose script comes without Cross-Origin-Embedder-Policy.
  const coep = mjs.headers.get('cross-origin-embedder-policy') ?? '';
  if (threads > 1 && !/^(require-corp|credentialless)/.test(coep))
    return {
      threads: 1,
      note: `${base}.mjs is served without Cross-Origin-Embedder-Policy, so its threads cannot start`,
    };
  return { threads };
}

/** Fails with a clear message when `p` has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RuntimeLoadError('runtime-timeout', message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null>;
}

/** WebGPU only with a real adapter: a software (fallback) adapter is far slower than WebAssembly. */
async function realGpu(): Promise<boolean> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return false;
    return !(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
  } catch {
    return false;
  }
}

interface OpenSession {
  readonly ort: OrtModule;
  readonly session: Ort.InferenceSession;
  readonly provider: Provider;
  readonly threads: number;
  /** Why fewer threads than the machine offers are used, when that is the runtime files' doing. */
  readonly note?: string;
}

class RuntimeLoadError extends Error {
  constructor(
    readonly code: 'runtime-unavailable' | 'runtime-timeout',
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeLoadError';
  }
}

async function createSession(bytes: ArrayBuffer, allowWebGpu: boolean): Promise<OpenSession> {
  const wanted = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  const slow = (what: string): string =>
    `${what} did not start within ${RUNTIME_START_MS / 1000} s. Check that /ort/ serves onnxruntime-web's files with the headers in docs/deploy.md, then run it again.`;
  if (allowWebGpu && (await realGpu())) {
    try {
      await checkRuntimeFiles('gpu', 1);
      const ort = await runtime('gpu');
      const session = await within(
        ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] }),
        RUNTIME_START_MS,
        slow('The AI runtime (WebGPU)'),
      );
      return { ort, session, provider: 'webgpu', threads: 0 };
    } catch {
      // Fall back to WebAssembly below.
    }
  }
  const { threads, note } = await checkRuntimeFiles('cpu', wanted);
  const ort = await runtime('cpu');
  ort.env.wasm.numThreads = threads;
  let session: Ort.InferenceSession;
  try {
    session = await within(
      ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
      RUNTIME_START_MS,
      slow(`The AI runtime (WebAssembly, ${threads} ${threads === 1 ? 'thread' : 'threads'})`),
    );
  } catch (e) {
    if (e instanceof RuntimeLoadError) throw e;
    throw new ModelLoadError(
      'not-onnx',
      `The model file could not be loaded as an ONNX model: ${messageOf(e)}`,
    );
  }
  return {
    ort,
    session,
    provider: threads > 1 ? 'wasm-threaded' : 'wasm',
    threads,
    ...(note ? { note } : {}),
  };
}

/** A model file's bytes: given (a folder the user picked: checked here) or fetched and cached. */
async function fileBytes(
  file: ModelFile,
  given: ArrayBuffer | undefined,
  url: string | undefined,
  onBytes: (loaded: number, total: number) => void,
): Promise<{ bytes: ArrayBuffer; cached: boolean }> {
  if (given) {
    await verify(given, file);
    return { bytes: given, cached: false };
  }
  if (!url) throw new ModelLoadError('fetch-failed', `${file.id}: no source was given for ${file.file}.`);
  return modelBytes(url, file, onBytes);
}

/** The false-positive reduction classifier: small, run on WebAssembly beside the detector. */
async function classifierSession(ort: OrtModule, bytes: ArrayBuffer): Promise<Ort.InferenceSession> {
  try {
    return await within(
      ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
      RUNTIME_START_MS,
      'The false-positive reduction model did not load within 60 s.',
    );
  } catch (e) {
    if (e instanceof RuntimeLoadError) throw e;
    throw new ModelLoadError(
      'not-onnx',
      `The false-positive reduction file could not be loaded as an ONNX model: ${messageOf(e)}`,
    );
  }
}

async function run(req: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(req.id, controller);
  const started = performance.now();
  try {
    post({ type: 'status', id: req.id, stage: 'loading-model' });
    const files = modelFiles(req.model.manifest);
    const report = (loaded: number, total: number): void =>
      post({ type: 'status', id: req.id, stage: 'loading-model', bytes: { loaded, total } });
    const main = await fileBytes(files.main, req.model.bytes, req.model.url, report);
    const second = files.fpr
      ? await fileBytes(files.fpr, req.model.fprBytes, req.model.fprUrl, report)
      : null;
    post({ type: 'status', id: req.id, stage: 'starting-runtime' });
    const { ort, session, provider, threads, note } = await createSession(main.bytes, req.allowWebGpu);
    const fprSession = second ? await classifierSession(ort, second.bytes) : null;
    post({ type: 'status', id: req.id, stage: 'running', provider, threads, ...(note ? { note } : {}) });
    const runnerOf = (s: Ort.InferenceSession, inputName: string): Runner => ({
      async run(input, dims) {
        const out = await s.run({ [inputName]: new ort.Tensor('float32', input, [...dims]) });
        const result: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(out))
          result[name] = { data: t.data as Float32Array, dims: t.dims };
        return result;
      },
    });
    const fpr = req.model.manifest.falsePositiveReduction;
    const result = await detectNodules(
      req.volume,
      req.model.manifest,
      runnerOf(session, req.model.manifest.input.name),
      {
        minScore: req.minScore,
        ...(fprSession && fpr ? { fprRunner: runnerOf(fprSession, fpr.input) } : {}),
        signal: controller.signal,
        onProgress: (done, total) => post({ type: 'progress', id: req.id, done, total }),
        evidence: true,
        batchDelayMs: req.batchDelayMs,
      },
    );
    await session.release();
    await fprSession?.release();
    const cached = main.cached && (second?.cached ?? true);
    // The evidence map moves to the page (transferred, not copied).
    self.postMessage(
      {
        type: 'result',
        id: req.id,
        result,
        provider,
        threads,
        ms: performance.now() - started,
        cached,
      } satisfies WorkerEvent,
      result.evidence ? [result.evidence.data.buffer] : [],
    );
  } catch (e) {
    const code =
      e instanceof CancelledError
        ? 'cancelled'
        : e instanceof ModelLoadError || e instanceof RuntimeLoadError
          ? e.code
          : e instanceof TooLargeError || e instanceof RangeError
            ? 'out-of-memory'
            : 'failed';
    const message =
      code === 'out-of-memory'
        ? `The series is too large to analyse in this tab: ${messageOf(e)}`
        : messageOf(e);
    post({ type: 'error', id: req.id, code, message });
  } finally {
    controllers.delete(req.id);
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
    post({ type: 'error', id: req.id, code: 'failed', message: messageOf(e) });
  }
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') controllers.get(msg.id)?.abort();
  else if (msg.type === 'bench') void bench(msg);
  else void run(msg);
};
