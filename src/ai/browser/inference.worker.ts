/// <reference lib="webworker" />
/**
 * The inference worker: onnxruntime-web (WebGPU when a real adapter exists, threaded WebAssembly when the
 * page is cross-origin isolated, else single-threaded), preprocessing, the model and decoding. The page
 * never blocks on any of it.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { detectNodules, CancelledError, TooLargeError, type Runner, type Tensor } from '../shared/pipeline';
import { modelBytes, verify, ModelLoadError } from './modelBytes';
import type { Provider, WorkerEvent, WorkerRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const controllers = new Map<number, AbortController>();
const post = (e: WorkerEvent): void => self.postMessage(e);

ort.env.wasm.wasmPaths = {
  mjs: '/ort/ort-wasm-simd-threaded.jsep.mjs',
  wasm: '/ort/ort-wasm-simd-threaded.jsep.wasm',
};

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

async function createSession(
  bytes: ArrayBuffer,
  allowWebGpu: boolean,
): Promise<{ session: ort.InferenceSession; provider: Provider; threads: number }> {
  const threads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  ort.env.wasm.numThreads = threads;
  if (allowWebGpu && (await realGpu())) {
    try {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
      return { session, provider: 'webgpu', threads: 0 };
    } catch {
      // Fall back to WebAssembly below.
    }
  }
  try {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    return { session, provider: threads > 1 ? 'wasm-threaded' : 'wasm', threads };
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
    const { session, provider, threads } = await createSession(bytes, req.allowWebGpu);
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

async function bench(req: Extract<WorkerRequest, { type: 'bench' }>): Promise<void> {
  try {
    const { bytes } = req.model.bytes
      ? { bytes: req.model.bytes }
      : await modelBytes(req.model.url ?? '', req.model.manifest);
    ort.env.wasm.numThreads = req.threads;
    if (req.backend === 'webgpu' && !(await realGpu())) throw new Error('no real WebGPU adapter');
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [req.backend],
      graphOptimizationLevel: 'all',
    });
    const n = req.dims.reduce((a, b) => a * b, 1);
    const input = new ort.Tensor('float32', new Float32Array(n), [...req.dims]);
    const name = req.model.manifest.input.name;
    await session.run({ [name]: input });
    const times: number[] = [];
    for (let i = 0; i < req.iterations; i++) {
      const t = performance.now();
      await session.run({ [name]: input });
      times.push(performance.now() - t);
    }
    await session.release();
    times.sort((a, b) => a - b);
    post({
      type: 'bench-result',
      id: req.id,
      medianMs: times[Math.floor(times.length / 2)] ?? NaN,
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
