/**
 * onnxruntime-web in the inference worker: the runtime files (self-hosted under /ort/, checked before
 * use), the backend choice (WebGPU only with a real adapter, else threaded WebAssembly when the page is
 * cross-origin isolated, else one thread), sessions for a model and its second stage, bounded in time.
 */
import type * as Ort from 'onnxruntime-web';
import { LucentError, messageOf, type Problem } from '../../lib/errors';
import type { Runner, Tensor } from '../shared/pipeline';
import { modelBytes, verify, ModelLoadError, type ModelFile } from './modelBytes';
import type { Provider, RUNTIME_LOAD_ERROR_CODES } from './protocol';

export type OrtModule = typeof Ort;
type Build = 'cpu' | 'gpu';
const builds = new Map<Build, Promise<OrtModule>>();

/** The longest the runtime may take to start and open a session before the run fails (ms). */
export const RUNTIME_START_MS = 60_000;

const runtimeBase = (build: Build): string =>
  build === 'gpu' ? 'ort-wasm-simd-threaded.jsep' : 'ort-wasm-simd-threaded';

/**
 * onnxruntime-web, self-hosted under /ort/. The CPU path uses the plain WebAssembly build: the WebGPU
 * (JSEP) build runs the same CPU kernels several times slower (measured: `npm run bench`). That build is
 * loaded only when a real GPU adapter is used. Each build initialises once per worker, so its thread
 * count is fixed by the first session it creates.
 */
export function runtime(build: Build): Promise<OrtModule> {
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
          { kind: 'import' },
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
async function checkRuntimeFiles(
  build: Build,
  threads: number,
): Promise<{ threads: number; note?: Problem }> {
  const base = `/ort/${runtimeBase(build)}`;
  const probe = async (url: string): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(url, { method: 'HEAD', cache: 'no-cache' });
    } catch (e) {
      throw new RuntimeLoadError(
        'runtime-unavailable',
        `The AI runtime file ${url} could not be fetched: ${messageOf(e)}`,
        { kind: 'fetch', file: url },
      );
    }
    if (!res.ok)
      throw new RuntimeLoadError(
        'runtime-unavailable',
        `The AI runtime file ${url} could not be loaded (HTTP ${res.status}).`,
        { kind: 'http', file: url, status: res.status },
      );
    return res;
  };
  const [mjs, wasm] = await Promise.all([probe(`${base}.mjs`), probe(`${base}.wasm`)]);
  const type = wasm.headers.get('content-type') ?? '';
  if (!type.startsWith('application/wasm'))
    throw new RuntimeLoadError(
      'runtime-unavailable',
      `The AI runtime file ${base}.wasm is served as "${type || 'no type'}", not application/wasm.`,
      { kind: 'type', file: `${base}.wasm`, type: type || '—' },
    );
  // The threads are workers started from the loader itself; in a cross-origin isolated page the browser
  // refuses to start a worker whose script comes without Cross-Origin-Embedder-Policy.
  const coep = mjs.headers.get('cross-origin-embedder-policy') ?? '';
  if (threads > 1 && !/^(require-corp|credentialless)/.test(coep))
    return { threads: 1, note: { code: 'no-coep', detail: { file: `${base}.mjs` } } };
  return { threads };
}

/** Fails with a clear message when `p` has not settled within `ms` (`detail`: what did not start). */
function within<T>(
  p: Promise<T>,
  ms: number,
  message: string,
  detail: Record<string, string | number>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RuntimeLoadError('runtime-timeout', message, { ...detail, seconds: ms / 1000 })),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null>;
}

/** WebGPU only with a real adapter: a software (fallback) adapter is far slower than WebAssembly. */
export async function realGpu(): Promise<boolean> {
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

export interface OpenSession {
  readonly ort: OrtModule;
  readonly session: Ort.InferenceSession;
  readonly provider: Provider;
  readonly threads: number;
  /** Why fewer threads than the machine offers are used, when that is the runtime files' doing (`no-coep`). */
  readonly note?: Problem;
}

/**
 * The runtime did not start. `detail.kind` says how: runtime-unavailable `import` | `fetch` | `http` (with
 * `status`) | `type` (the `type` it was served as), each with the `file`; runtime-timeout `webgpu` | `wasm`
 * (with `threads`) | `fpr`, each with the `seconds` waited.
 */
export class RuntimeLoadError extends LucentError {
  declare readonly code: (typeof RUNTIME_LOAD_ERROR_CODES)[number];

  constructor(
    code: (typeof RUNTIME_LOAD_ERROR_CODES)[number],
    message: string,
    detail: Record<string, string | number> = {},
  ) {
    super(code, message, detail);
    this.name = 'RuntimeLoadError';
  }
}

export async function createSession(bytes: ArrayBuffer, allowWebGpu: boolean): Promise<OpenSession> {
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
        { kind: 'webgpu' },
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
      { kind: 'wasm', threads },
    );
  } catch (e) {
    if (e instanceof RuntimeLoadError) throw e;
    throw new ModelLoadError(
      'not-onnx',
      `The model file could not be loaded as an ONNX model: ${messageOf(e)}`,
      { kind: 'model' },
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
export async function fileBytes(
  file: ModelFile,
  given: ArrayBuffer | undefined,
  url: string | undefined,
  onBytes: (loaded: number, total: number) => void,
): Promise<{ bytes: ArrayBuffer; cached: boolean }> {
  if (given) {
    await verify(given, file);
    return { bytes: given, cached: false };
  }
  if (!url)
    throw new ModelLoadError('fetch-failed', `${file.id}: no source was given for ${file.file}.`, {
      kind: 'no-source',
      file: file.file,
    });
  return modelBytes(url, file, onBytes);
}

/** The false-positive reduction classifier: small, run on WebAssembly beside the detector. */
export async function classifierSession(ort: OrtModule, bytes: ArrayBuffer): Promise<Ort.InferenceSession> {
  try {
    return await within(
      ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
      RUNTIME_START_MS,
      `The false-positive reduction model did not load within ${RUNTIME_START_MS / 1000} s.`,
      { kind: 'fpr' },
    );
  } catch (e) {
    if (e instanceof RuntimeLoadError) throw e;
    throw new ModelLoadError(
      'not-onnx',
      `The false-positive reduction file could not be loaded as an ONNX model: ${messageOf(e)}`,
      { kind: 'fpr' },
    );
  }
}

/** A session as the pipeline's Runner: float32 input of the given shape → named outputs. */
export function runnerOf(ort: OrtModule, session: Ort.InferenceSession, inputName: string): Runner {
  return {
    async run(input, dims) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input, [...dims]) });
      const result: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(out))
        result[name] = { data: t.data as Float32Array, dims: t.dims };
      return result;
    },
  };
}
