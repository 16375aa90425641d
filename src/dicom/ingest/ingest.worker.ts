/// <reference lib="webworker" />
/**
 * DICOM ingest worker: expands archives and parses headers off the main thread, streaming results back
 * in small batches so that the first series shows while the rest still loads.
 */
import { messageOf } from '../../lib/errors';
import { holdLifeLock } from '../../lib/liveness';
import { loadSources } from '../load';
import type { LoadError } from '../read';
import { blobSource, type ByteSource } from '../source';
import type { IngestRequest, IngestWorkerMessage, IngestedInstance } from './protocol';

declare const self: DedicatedWorkerGlobalScope;
// The page learns of this worker's end, however it ends, by this lock's release (lib/liveness).
holdLifeLock(self.name);

const cancelled = new Set<number>();

function post(e: IngestWorkerMessage): void {
  self.postMessage(e);
}

async function run(jobId: number, files: IngestRequest & { type: 'load' }): Promise<void> {
  const errors: LoadError[] = [];
  const blobs = new Map<ByteSource, Blob>();
  const originals = new Map<string, Blob>(files.files.map((f) => [f.name, f.blob]));
  const top: ByteSource[] = files.files.map((f) => {
    const s = blobSource(f.name, f.blob);
    blobs.set(s, f.blob);
    return s;
  });
  const sources = top;
  let batch: IngestedInstance[] = [];
  /** Files whose events are all in `batch`/`errors` or already posted. */
  const finished: number[] = [];
  let lastFlush = performance.now();
  let firstSent = false;
  const flush = (): void => {
    if (batch.length > 0) post({ type: 'instances', jobId, items: batch });
    if (errors.length > 0) post({ type: 'errors', jobId, errors: errors.splice(0) });
    if (finished.length > 0) post({ type: 'finished', jobId, files: finished.splice(0) });
    batch = [];
    lastFlush = performance.now();
  };
  const controller = new AbortController();
  const items = sources.map((source, i) => ({ source, key: `${jobId}.${i}` }));
  await loadSources(
    items,
    (event) => {
      if (cancelled.has(jobId)) controller.abort();
      if (event.type === 'error') {
        errors.push(event.error);
      } else {
        let blob = blobs.get(event.source) ?? originals.get(event.source.name);
        if (!blob) {
          // A zip entry: hand its bytes back as a Blob the page can read frames from.
          const bytes = (event.source as ByteSource & { bytes?: Uint8Array<ArrayBuffer> }).bytes;
          blob = new Blob(bytes ? [bytes] : []);
        }
        batch.push({
          key: event.instance.key,
          fileName: event.instance.fileName,
          info: event.instance.info,
          blob,
        });
      }
      // The first batch goes out at once (time to first image); later ones every 100 ms.
      if (!firstSent && batch.length > 0) {
        firstSent = true;
        flush();
      } else if (performance.now() - lastFlush > 100 || batch.length >= 64) flush();
    },
    {
      concurrency: 16,
      signal: controller.signal,
      onProgress: ({ done, total, index }) => {
        finished.push(index);
        if (done === total || done % 16 === 0) post({ type: 'progress', jobId, done, total });
      },
    },
  );
  flush();
  post({ type: 'done', jobId });
  cancelled.delete(jobId);
}

self.onmessage = (ev: MessageEvent<IngestRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    cancelled.add(msg.jobId);
    return;
  }
  run(msg.jobId, msg).catch((e: unknown) => {
    post({
      type: 'errors',
      jobId: msg.jobId,
      errors: [{ file: '(ingest)', code: 'read-failed', message: messageOf(e), detail: {} }],
    });
    post({ type: 'done', jobId: msg.jobId });
  });
};
