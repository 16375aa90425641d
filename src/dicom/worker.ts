/**
 * Page side of Lucent's DICOM workers (ingest, frame decoding): the part of a Worker their clients use
 * (so a test can drive a client with a stand-in), and how a worker's failure is put into words.
 */
export interface WorkerLike {
  onmessage: ((ev: MessageEvent) => void) | null;
  /** A script error, or a worker that could not start (its script failed to load). */
  onerror: ((ev: ErrorEvent) => void) | null;
  /** A message from the worker that could not be deserialised. */
  onmessageerror: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
}

/** What a worker `error` event says, in parentheses for a message ('' when it says nothing). */
export function workerErrorDetail(ev: Event): string {
  const message = (ev as { message?: unknown }).message;
  return typeof message === 'string' && message.trim() !== '' ? ` (${message.trim()})` : '';
}

/**
 * How a worker stopped: with no error event (noticed by lib/liveness), after a message from it could not
 * be read, or on an error (or it could not start). A lost file or frame carries it as its `kind`.
 */
export type WorkerStop = 'silent' | 'unreadable' | 'stopped';
