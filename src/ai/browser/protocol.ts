/**
 * Messages between the page and the inference worker. A run starts with the series' slice geometry; the
 * page then streams the decoded slices in `slices` messages (in the volume's order, each slice's buffer
 * transferred), and the worker writes each into the volume as it arrives and lets it go.
 */
import type { Manifest } from '../registry/manifest';
import type { SeriesAnalysis } from '../../analysis/analyze';
import type { PatientContext } from '../../findings/assess';
import type { Language } from '../../i18n/language';
import { problemOf, type Problem } from '../../lib/errors';
import { VOLUME_ERROR_CODES, type SliceArray, type SliceGeometry, type SliceValues } from '../../lib/volume';

/** One decoded slice of a run's series: its index in the run's geometry, and its values. */
export interface SliceMessage {
  readonly index: number;
  readonly slice: SliceValues & { readonly values: SliceArray };
}

export type Provider = 'webgpu' | 'wasm-threaded' | 'wasm';

/** What the worker is doing: fetching and checking the model, starting onnxruntime, or sweeping. */
export type Stage = 'loading-model' | 'starting-runtime' | 'running';

/**
 * Error codes after which the worker is replaced: its runtime may be stuck waiting for threads or files
 * that never arrive, so the next run starts from a fresh one.
 */
export const FATAL_WORKER_CODES: readonly string[] = ['runtime-timeout', 'runtime-unavailable'];

/** A model file that cannot be used (ai/browser/modelBytes ModelLoadError). */
export const MODEL_LOAD_ERROR_CODES = [
  'checksum-mismatch',
  'fetch-failed',
  'not-onnx',
  'shape-mismatch',
] as const;

/** The runtime did not start (ai/browser/runtime RuntimeLoadError). */
export const RUNTIME_LOAD_ERROR_CODES = ['runtime-unavailable', 'runtime-timeout'] as const;

/** The worker itself was lost: it crashed, stopped without a word, went silent, or never started (client.ts). */
export const WORKER_LOST_CODES = [
  'worker-crashed',
  'worker-stopped',
  'worker-unresponsive',
  'worker-unavailable',
] as const;

/**
 * Every code a run in the browser can fail with (besides `cancelled`), for the page to word: the codes above,
 * the series' (too large for its grid, the engine out of memory, slices that stopped coming or could not be
 * read, slices that do not make a volume), and `failed` for anything else.
 */
export const RUN_PROBLEM_CODES = [
  ...MODEL_LOAD_ERROR_CODES,
  ...RUNTIME_LOAD_ERROR_CODES,
  ...WORKER_LOST_CODES,
  'too-large',
  'out-of-memory',
  'slice-timeout',
  'slice-unreadable',
  ...VOLUME_ERROR_CODES,
  'failed',
] as const;

/** The page sent no slice for this long (ms) during a run: the worker gives the run up (`slice-timeout`). */
export const SLICE_WAIT_MS = 60_000;

/**
 * The code and detail a failed run reports: an error of the project's own keeps its code and detail (the
 * model files', the runtime's, a series too large, a volume that cannot be built, the slices' timeout, a
 * cancel); the engine running out of memory is `out-of-memory`, an abort `cancelled`, anything else `failed`.
 */
export function workerProblem(e: unknown): Problem {
  if (e instanceof RangeError) return { code: 'out-of-memory', detail: {} };
  if (e instanceof DOMException && e.name === 'AbortError') return { code: 'cancelled', detail: {} };
  return problemOf(e, 'failed');
}

export interface ModelSource {
  readonly manifest: Manifest;
  /** Where to fetch the model file (same origin), or its bytes when the user picked a folder. */
  readonly url?: string;
  readonly bytes?: ArrayBuffer;
  /** The same for the false-positive reduction classifier, when the manifest names one. */
  readonly fprUrl?: string;
  readonly fprBytes?: ArrayBuffer;
}

export type WorkerRequest =
  | {
      readonly type: 'run';
      readonly id: number;
      readonly model: ModelSource;
      /** The series to analyse: its slices' geometry (the slices follow in `slices` messages). */
      readonly geometry: readonly SliceGeometry[];
      /** The language of the findings' text and the report draft. */
      readonly language: Language;
      /** Age and sex from the DICOM, for differentials. */
      readonly patient: PatientContext;
      /** Diagnostics only: pause between batches (ms), to exercise cancel and crash recovery. */
      readonly batchDelayMs?: number;
      /** Allow WebGPU when a real (non-fallback) adapter exists. */
      readonly allowWebGpu: boolean;
    }
  | { readonly type: 'slices'; readonly id: number; readonly slices: readonly SliceMessage[] }
  | { readonly type: 'cancel'; readonly id: number }
  | {
      /**
       * Latency of the model on a zero input of the given shape, on a chosen backend (benchmarks): the
       * first run, then the median of `iterations` runs once the engine has warmed up.
       */
      readonly type: 'bench';
      readonly id: number;
      readonly model: ModelSource;
      readonly dims: readonly [number, number, number, number];
      readonly backend: 'wasm' | 'webgpu';
      readonly threads: number;
      readonly iterations: number;
    };

export type WorkerEvent =
  | {
      readonly type: 'status';
      readonly id: number;
      readonly stage: Stage;
      readonly provider?: Provider;
      readonly threads?: number;
      /** Model download progress, when the file comes from the network. */
      readonly bytes?: { readonly loaded: number; readonly total: number };
      /** Why the backend runs with fewer threads than it could (`no-coep`, with the `file`). */
      readonly note?: Problem;
    }
  | { readonly type: 'progress'; readonly id: number; readonly done: number; readonly total: number }
  /**
   * How many of a run's slices the worker has taken into its grid so far (the page's send window), and the
   * buffers of those it has finished with, transferred back for the page to copy the next slices into: the
   * same few buffers go round, so a series leaves no trail of spent slice buffers for the collector.
   */
  | {
      readonly type: 'slices-taken';
      readonly id: number;
      readonly taken: number;
      readonly spare?: readonly ArrayBuffer[];
    }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly analysis: SeriesAnalysis;
      readonly provider: Provider;
      readonly threads: number;
      readonly ms: number;
      /** The worker's stages before the analysis (ms): reading and checking the model files, starting the runtime. */
      readonly setupMs: { readonly files: number; readonly runtime: number; readonly volume: number };
      readonly cached: boolean;
    }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly code: string;
      /** English, for support and the logs; the page words `code` and `detail` in its own language. */
      readonly message: string;
      readonly detail: Problem['detail'];
    }
  | {
      readonly type: 'bench-result';
      readonly id: number;
      readonly medianMs: number;
      readonly firstMs: number;
      readonly warmupRuns: number;
      readonly backend: string;
      readonly threads: number;
    };
