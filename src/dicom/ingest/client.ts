/**
 * Page side of the ingest worker: spawn it, send files, receive events, cancel by job id. A worker that
 * dies (a script error, a worker that cannot start, or one closed or killed without a word) fails the
 * loads it was running: every file it had not finished is reported as a load error under its own name,
 * each load completes, and the next load starts a new worker.
 */
import { messageOf } from '../../lib/errors';
import { lifeLockName, SILENT_DEATH, watchLife } from '../../lib/liveness';
import type { LoadError } from '../read';
import { workerErrorDetail, type WorkerLike, type WorkerStop } from '../worker';
import type { IngestEvent, IngestFile, IngestRequest, IngestWorkerMessage } from './protocol';

export interface IngestClient {
  load(
    files: readonly IngestFile[],
    onEvent: (e: IngestEvent) => void,
  ): { jobId: number; done: Promise<void> };
  cancel(jobId: number): void;
  dispose(): void;
}

interface Job {
  readonly files: readonly IngestFile[];
  readonly onEvent: (e: IngestEvent) => void;
  readonly finish: () => void;
  /** Indices of the files whose results have all arrived. */
  readonly finished: Set<number>;
}

const spawnIngestWorker = (name: string): WorkerLike =>
  new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module', name });

/** The error a file gets when the worker reading it died (`detail`: how, in words, after "stopped"). */
export function workerLostError(file: string, detail: string, how: WorkerStop = 'stopped'): LoadError {
  return {
    file,
    code: 'worker-lost',
    message: `The file reader (a background worker) stopped${detail} before this file was read; open it again.`,
    detail: { kind: how },
  };
}

export function createIngestClient(spawn: (name: string) => WorkerLike = spawnIngestWorker): IngestClient {
  let nextJob = 1;
  const jobs = new Map<number, Job>();
  let worker: WorkerLike | null = null;
  /** Stops watching the running worker's life (before the page ends it itself). */
  let unwatch = (): void => {};

  const complete = (jobId: number, job: Job): void => {
    jobs.delete(jobId);
    job.onEvent({ type: 'done', jobId });
    job.finish();
  };

  /** Report the files of a job not yet finished as load errors, and complete it. */
  const abandon = (jobId: number, job: Job, detail: string, how: WorkerStop): void => {
    const errors = job.files.flatMap((f, i) =>
      job.finished.has(i) ? [] : [workerLostError(f.name, detail, how)],
    );
    if (errors.length > 0) job.onEvent({ type: 'errors', jobId, errors });
    complete(jobId, job);
  };

  const lose = (w: WorkerLike, detail: string, how: WorkerStop): void => {
    if (worker !== w) return; // an error from a worker already replaced
    worker = null;
    unwatch();
    w.terminate();
    for (const [jobId, job] of [...jobs]) abandon(jobId, job, detail, how);
  };

  const receive = (m: IngestWorkerMessage): void => {
    const job = jobs.get(m.jobId);
    if (!job) return;
    if (m.type === 'finished') {
      for (const i of m.files) job.finished.add(i);
      return;
    }
    if (m.type === 'done') complete(m.jobId, job);
    else job.onEvent(m);
  };

  const running = (): WorkerLike => {
    if (worker) return worker;
    const name = lifeLockName('lucent-ingest');
    const w = spawn(name);
    w.onmessage = (ev: MessageEvent<IngestWorkerMessage>) => receive(ev.data);
    w.onerror = (ev) => lose(w, workerErrorDetail(ev), 'stopped');
    w.onmessageerror = () => lose(w, ' (a message from it could not be read)', 'unreadable');
    // A worker closed or killed without an error event is noticed too (lib/liveness).
    unwatch = watchLife(name, () => lose(w, SILENT_DEATH, 'silent'));
    worker = w;
    return w;
  };
  const send = (m: IngestRequest): void => running().postMessage(m);
  try {
    running(); // start it now: the first load should not wait for the worker to boot
  } catch {
    // Reported by the first load, which tries again.
  }

  return {
    load(files, onEvent) {
      const jobId = nextJob++;
      let job: Job | undefined;
      const done = new Promise<void>((resolve) => {
        job = { files, onEvent, finish: resolve, finished: new Set() };
        jobs.set(jobId, job);
      });
      try {
        send({ type: 'load', jobId, files });
      } catch (e) {
        // The worker cannot even be created (e.g. workers are blocked): fail this load at once.
        if (job) abandon(jobId, job, ` (${messageOf(e)})`, 'stopped');
      }
      return { jobId, done };
    },
    cancel(jobId) {
      if (worker) worker.postMessage({ type: 'cancel', jobId } satisfies IngestRequest);
    },
    dispose() {
      unwatch();
      worker?.terminate();
      worker = null;
    },
  };
}
