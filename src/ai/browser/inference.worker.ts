/// <reference lib="webworker" />
/**
 * The inference worker: onnxruntime-web (WebGPU when a real adapter exists, threaded WebAssembly when the
 * page is cross-origin isolated, else single-threaded), preprocessing, the model and decoding. The page
 * never blocks on any of it.
 */
import type * as Ort from 'onnxruntime-web';
import { detectNodules, CancelledError, TooLargeError, type Runner, type Tensor } from '../shared/pipeline';
import { modelBytes, verify, ModelLoadError } from './modelBytes';
import type { Provider, WorkerEvent, WorkerRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const controllers = new Map<number, AbortController>();
const post = (e: WorkerEvent): void => self.postMessage(e);

type OrtModule = typeof Ort;
type Build = 'cpu' | 'gpu';
const builds = new Map<Build, Promise<OrtModule>>();

/**
 * onnxruntime-web, self-hosted under /ort/. The CPU path uses the plain WebAssembly build: the WebGPU
 * (JSEP) build runs the same CPU kernels several times slower (measured: `npm run bench`). That build is
 * loaded only when a real GPU adapter is used. Each build initialises once per worker, so its thread
 * count is fixed by the first session it creates.
 */
function runtime(build: Build): Promise<OrtModule> {
  let p = builds.get(build);
  if (!p) {
    p = (build === 'gpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((ort) => {
      const base = build === 'gpu' ? 'ort-wasm-simd-threaded.jsep' : 'ort-wasm-simd-threaded';
      ort.env.wasm.wasmPaths = { mjs: `/ort/${base}.mjs`, wasm: `/ort/${base}.wasm` };
      return ort;
    });
    builds.set(build, p);
  }
  return p;
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
}

async function createSession(bytes: ArrayBuffer, allowWebGpu: boolean): Promise<OpenSession> {
  const threads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  if (allowWebGpu && (await realGpu())) {
    try {
      const ort = await runtime('gpu');
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
      return { ort, session, provider: 'webgpu', threads: 0 };
    } catch {
      // Fall back to WebAssembly below.
    }
  }
  const ort = await runtime('cpu');
  ort.env.wasm.numThreads = threads;
  try {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    return { ort, session, provider: threads > 1 ? 'wasm-threaded' : 'wasm', threads };
  } catch (e) {
    throw new ModelLoadError(
      'not-onnx',
      `The model file could not be loaded as an ONNX model: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

async function run(req: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(req.id, controller);
  const started = performance.now();
  try {
    post({ type: 'status', id: req.id, stage: 'loading-model' });
    let bytes: ArrayBuffer;
    let cached = false;
    if (req.model.bytes) {
      bytes = req.model.bytes;
      await verify(bytes, req.model.manifest);
    } else {
      const loaded = await modelBytes(req.model.url ?? '', req.model.manifest);
      bytes = loaded.bytes;
      cached = loaded.cached;
    }
    const { ort, session, provider, threads } = await createSession(bytes, req.allowWebGpu);
    post({ type: 'status', id: req.id, stage: 'running', provider, threads });
    const inputName = req.model.manifest.input.name;
    const runner: Runner = {
      async run(input, dims) {
        const out = await session.run({ [inputName]: new ort.Tensor('float32', input, [...dims]) });
        const result: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(out))
          result[name] = { data: t.data as Float32Array, dims: t.dims };
        return result;
      },
    };
    const result = await detectNodules(req.volume, req.model.manifest, runner, {
      minScore: req.minScore,
      signal: controller.signal,
      onProgress: (done, total) => post({ type: 'progress', id: req.id, done, total }),
      evidence: true,
      batchDelayMs: req.batchDelayMs,
    });
    await session.release();
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
        : e instanceof ModelLoadError
          ? e.code
          : e instanceof TooLargeError || e instanceof RangeError
            ? 'out-of-memory'
            : 'failed';
    const message =
      code === 'out-of-memory'
        ? `The series is too large to analyse in this tab: ${e instanceof Error ? e.message : String(e)}`
        : e instanceof Error
          ? e.message
          : String(e);
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
      : await modelBytes(req.model.url ?? '', req.model.manifest);
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
    post({ type: 'error', id: req.id, code: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') controllers.get(msg.id)?.abort();
  else if (msg.type === 'bench') void bench(msg);
  else void run(msg);
};
