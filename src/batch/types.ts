/**
 * The batch's records: what a job carries (UIDs and where to send results, never patient data), what it
 * returns, and the names of the queue and of Lucent's own Redis keys.
 */
import type { Analysis } from '../cli/analyze';

/** The BullMQ queue every `lucent batch` adds to and every `lucent worker` takes from. */
export const QUEUE_NAME = 'lucent-analysis';
/** Attempts per job (the first and two retries), with exponential back-off from `BACKOFF_MS`. */
export const ATTEMPTS = 3;
export const BACKOFF_MS = 5000;

export interface ModelRef {
  readonly id: string;
  readonly version: string;
}

/** Where the SR of each series goes: back to the PACS (STOW-RS) or into a folder the workers share. */
export type SrTarget = { readonly kind: 'stow' } | { readonly kind: 'dir'; readonly dir: string };

export interface JobData {
  readonly schema: 'lucent.batch-job/1';
  /** DICOMweb base URL (no credentials: workers take those from their environment). */
  readonly dicomweb: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly model: ModelRef;
  readonly sr: SrTarget;
}

export interface Reason {
  readonly code: string;
  readonly message: string;
}

export interface JobResult {
  readonly schema: 'lucent.batch-result/1';
  /** done: analysed (and its SR stored); skipped: the series cannot be analysed, for `reason`. */
  readonly status: 'done' | 'skipped';
  readonly reason: Reason | null;
  /** `lucent.analysis/1` for this series, as `lucent analyze` gives it for the same files. */
  readonly analysis: Analysis;
  /** The SR written for it: stored now, already in the PACS (an earlier attempt), or written to a folder. */
  readonly sr: {
    readonly sopInstanceUID: string;
    readonly outcome: 'stored' | 'already-stored' | 'written';
  } | null;
  readonly seconds: { readonly retrieve: number; readonly analyze: number; readonly total: number };
  readonly worker: string;
}

/** The short record of a finished job that progress and status read (one Redis hash field per job). */
export interface Outcome {
  readonly status: 'done' | 'skipped';
  readonly code: string | null;
  readonly findings: number;
  readonly lungRads: string | null;
  readonly seconds: number;
  /** When it finished (ms since the epoch). */
  readonly at: number;
}

/** One series of a batch: its job, and whether it was already done before the batch began. */
export interface BatchEntry {
  readonly job: string;
  readonly study: string;
  readonly series: string;
  /** Its SR was already in the target for this model version: not queued again. */
  readonly already?: true;
}

export interface BatchMeta {
  readonly schema: 'lucent.batch/1';
  readonly id: string;
  readonly created: number;
  readonly model: ModelRef;
  readonly sr: SrTarget['kind'];
  readonly total: number;
  readonly queued: number;
  readonly already: number;
}

export const keys = {
  batch: (id: string): string => `lucent:batch:${id}`,
  entries: (id: string): string => `lucent:batch:${id}:series`,
  outcomes: 'lucent:outcomes',
} as const;
