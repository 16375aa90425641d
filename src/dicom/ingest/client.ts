/**
 * Page side of the ingest worker: spawn once, send files, receive events. Cancels by job id.
 */
import type { IngestEvent, IngestFile, IngestRequest } from './protocol';

export interface IngestClient {
  load(
    files: readonly IngestFile[],
    onEvent: (e: IngestEvent) => void,
  ): { jobId: number; done: Promise<void> };
  cancel(jobId: number): void;
  dispose(): void;
}

export function createIngestClient(): IngestClient {
  const worker = new Worker(new URL('./ingest.worker.ts', import.meta.url), {
    type: 'module',
    name: 'lucent-ingest',
  });
  let nextJob = 1;
  const handlers = new Map<number, (e: IngestEvent) => void>();
  const finishers = new Map<number, () => void>();
  worker.onmessage = (ev: MessageEvent<IngestEvent>) => {
    const e = ev.data;
    handlers.get(e.jobId)?.(e);
    if (e.type === 'done') {
      handlers.delete(e.jobId);
      finishers.get(e.jobId)?.();
      finishers.delete(e.jobId);
    }
  };
  const send = (m: IngestRequest): void => worker.postMessage(m);
  return {
    load(files, onEvent) {
      const jobId = nextJob++;
      handlers.set(jobId, onEvent);
      const done = new Promise<void>((resolve) => finishers.set(jobId, resolve));
      send({ type: 'load', jobId, files });
      return { jobId, done };
    },
    cancel(jobId) {
      send({ type: 'cancel', jobId });
    },
    dispose() {
      worker.terminate();
    },
  };
}
