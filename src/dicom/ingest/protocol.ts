/** Messages between the page and the DICOM ingest worker. */
import type { InstanceInfo } from '../instance';
import type { LoadError } from '../read';

export interface IngestFile {
  readonly id: string;
  readonly name: string;
  readonly blob: Blob;
}

export type IngestRequest =
  | { readonly type: 'load'; readonly jobId: number; readonly files: readonly IngestFile[] }
  | { readonly type: 'cancel'; readonly jobId: number };

export interface IngestedInstance {
  readonly key: string;
  readonly fileName: string;
  readonly info: InstanceInfo;
  /** The bytes the pixels are read from (the file itself, or a zip entry). */
  readonly blob: Blob;
}

export type IngestEvent =
  | { readonly type: 'instances'; readonly jobId: number; readonly items: readonly IngestedInstance[] }
  | { readonly type: 'errors'; readonly jobId: number; readonly errors: readonly LoadError[] }
  | { readonly type: 'progress'; readonly jobId: number; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly jobId: number };

/**
 * What the worker posts: the events the page sees, and (for the client alone) the files of a request,
 * by index, whose results have all been posted, so that a worker that dies can be reported file by file.
 */
export type IngestWorkerMessage =
  IngestEvent | { readonly type: 'finished'; readonly jobId: number; readonly files: readonly number[] };
