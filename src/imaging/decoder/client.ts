/**
 * Page side of the frame decoder worker: spawned on first use, one request per frame with the encoded
 * bytes transferred, cancellable by AbortSignal. A worker that dies (a script error, a worker that
 * cannot start, or one closed or killed without a word) fails the frames it held with a clear message, and the next frame starts a new one.
 */
import type { FrameFormat } from '../../dicom/decode';
import { DicomError } from '../../dicom/parse';
import { workerErrorDetail, type WorkerLike, type WorkerStop } from '../../dicom/worker';
import { messageOf } from '../../lib/errors';
import { lifeLockName, SILENT_DEATH, watchLife } from '../../lib/liveness';
import { ownBuffer, type DecoderReply, type DecoderRequest } from './decoder.shared';

export interface DecodeOptions {
  readonly signal?: AbortSignal;
  /**
   * Hand the encoded bytes' buffer to the worker instead of copying them (only for bytes nothing else
   * holds: the caller must not use them afterwards).
   */
  readonly transfer?: boolean;
}

export interface DecoderClient {
  /** Native little-endian bytes of the frame (see dicom/decode `decodeOwn`). */
  decode(
    format: FrameFormat,
    transferSyntaxUID: string,
    encoded: Uint8Array,
    options?: DecodeOptions,
  ): Promise<Uint8Array>;
  dispose(): void;
}

interface Pending {
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (e: Error) => void;
}

const spawnDecoderWorker = (name: string): WorkerLike =>
  new Worker(new URL('./decoder.worker.ts', import.meta.url), { type: 'module', name });

/** The error a frame gets when the worker decoding it died (`detail`: how, in words, after "stopped"). */
export function decoderLostError(detail: string, how: WorkerStop = 'stopped'): DicomError {
  return new DicomError(
    'decode-failed',
    `The image decoder (a background worker) stopped${detail} before this image was decoded; open the file again.`,
    { kind: `decoder-${how}` },
  );
}

export function createDecoderClient(spawn: (name: string) => WorkerLike = spawnDecoderWorker): DecoderClient {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let worker: WorkerLike | null = null;
  /** Stops watching the running worker's life (before the page ends it itself). */
  let unwatch = (): void => {};

  const lose = (w: WorkerLike, detail: string, how: WorkerStop): void => {
    if (worker !== w) return;
    worker = null;
    unwatch();
    w.terminate();
    const error = decoderLostError(detail, how);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const running = (): WorkerLike => {
    if (worker) return worker;
    const name = lifeLockName('lucent-decoder');
    const w = spawn(name);
    w.onmessage = (ev: MessageEvent<DecoderReply>) => {
      const r = ev.data;
      const p = pending.get(r.id);
      if (!p) return; // cancelled meanwhile
      pending.delete(r.id);
      if (r.type === 'decoded') p.resolve(r.bytes);
      else p.reject(new DicomError(r.code, r.message, r.detail));
    };
    w.onerror = (ev) => lose(w, workerErrorDetail(ev), 'stopped');
    w.onmessageerror = () => lose(w, ' (a message from it could not be read)', 'unreadable');
    // A worker closed or killed without an error event is noticed too (lib/liveness).
    unwatch = watchLife(name, () => lose(w, SILENT_DEATH, 'silent'));
    worker = w;
    return w;
  };

  return {
    decode(format, transferSyntaxUID, encoded, options = {}) {
      const { signal } = options;
      if (signal?.aborted) return Promise.reject(abortError());
      const id = nextId++;
      return new Promise<Uint8Array>((resolve, reject) => {
        let w: WorkerLike;
        try {
          w = running();
        } catch (e) {
          reject(decoderLostError(` (${messageOf(e)})`));
          return;
        }
        const onAbort = (): void => {
          if (!pending.delete(id)) return;
          worker?.postMessage({ type: 'cancel', id } satisfies DecoderRequest);
          reject(abortError());
        };
        const settle =
          <T>(fn: (v: T) => void) =>
          (v: T): void => {
            signal?.removeEventListener('abort', onAbort);
            fn(v);
          };
        pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
        signal?.addEventListener('abort', onAbort, { once: true });
        const bytes = options.transfer ? ownBuffer(encoded) : encoded.slice();
        const req: DecoderRequest = { type: 'decode', id, format, transferSyntaxUID, encoded: bytes };
        w.postMessage(req, [bytes.buffer]);
      });
    },
    dispose() {
      unwatch();
      worker?.terminate();
      worker = null;
      const error = new DOMException('The image decoder was closed.', 'AbortError');
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    },
  };
}

function abortError(): DOMException {
  return new DOMException('The image is no longer needed.', 'AbortError');
}
