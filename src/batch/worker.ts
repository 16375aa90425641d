/**
 * `lucent worker`: a BullMQ worker that runs `processJob` on each job it takes.
 *
 * Reliability:
 * - A job's lock lives `lockMs` and is renewed while the job runs. A worker that dies (SIGKILL, power)
 *   stops renewing; after the lock expires another worker's stalled-job check puts the job back in the
 *   queue and it runs again. Its SR is stored once (derived UIDs, checked before storing).
 * - A permanent failure (the wrong model version) fails the job at once; any other error is retried with
 *   exponential back-off, and the third failure leaves the job in the failed list with its reason.
 * - `stop()` (SIGTERM, SIGINT) takes no new job and lets running ones finish for up to `graceMs`; after
 *   that, or on a second signal, it hands them back to the queue for another worker and returns.
 * - Redis going away and coming back is survived by BullMQ's reconnecting clients.
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { LucentError, messageOf } from '../lib/errors';
import { PermanentJobError, processJob, type ProcessDeps } from './process';
import { bullConnection, type RedisAddress } from './redis';
import { QUEUE_NAME, keys, type JobData, type JobResult, type Outcome } from './types';

export interface WorkerOptions {
  readonly address: RedisAddress;
  /** Lucent's own Redis client (outcomes). */
  readonly redis: Redis;
  readonly concurrency: number;
  /** How long a job stays claimed by a worker that stopped answering. */
  readonly lockMs: number;
  /** How long `stop()` lets running jobs finish before handing them back. */
  readonly graceMs: number;
  readonly deps: ProcessDeps;
  /** One line per event, without patient data (job ids are hashes, not UIDs). */
  readonly log: (line: string) => void;
}

export interface RunningWorker {
  /** Stop taking jobs; finish or hand back the running ones. Resolves when the worker has closed. */
  stop(reason: string): Promise<void>;
  /** Resolves when the worker has closed. */
  readonly closed: Promise<void>;
}

/** The running job goes back to the queue because this worker is stopping (caught in the processor). */
class HandBack extends LucentError {
  constructor() {
    super('handed-back', '');
    this.name = 'HandBack';
  }
}

function outcomeOf(result: JobResult): Outcome {
  const series = result.analysis.series.find((s) => s.model !== null);
  return {
    status: result.status,
    code: result.reason?.code ?? null,
    findings: series?.findings.length ?? 0,
    lungRads: series?.lungRads?.category ?? null,
    seconds: result.seconds.total,
    at: Date.now(),
  };
}

export function startWorker(options: WorkerOptions): RunningWorker {
  const { log } = options;
  const running = new Map<string, () => void>();
  let stopping = false;

  const processor = async (
    job: Job<JobData, JobResult>,
    token?: string,
    signal?: AbortSignal,
  ): Promise<JobResult> => {
    const id = job.id ?? '?';
    log(`job ${id} started (attempt ${job.attemptsStarted})`);
    let handBack: () => void = () => {};
    const handedBack = new Promise<never>((_, reject) => {
      handBack = () => reject(new HandBack());
    });
    running.set(id, handBack);
    const controller = new AbortController();
    const aborted = (): void => controller.abort();
    signal?.addEventListener('abort', aborted);
    try {
      const result = await Promise.race([processJob(job.data, options.deps, controller.signal), handedBack]);
      await options.redis.hset(keys.outcomes, id, JSON.stringify(outcomeOf(result)));
      const extra = result.status === 'skipped' ? ` (${result.reason?.code ?? ''})` : '';
      log(`job ${id} ${result.status}${extra} in ${result.seconds.total} s`);
      return result;
    } catch (e) {
      if (e instanceof HandBack) {
        controller.abort();
        await job.moveToWait(token);
        log(`job ${id} handed back to the queue`);
        throw new WaitingError();
      }
      log(`job ${id} failed: ${messageOf(e)}`);
      if (e instanceof PermanentJobError) throw new UnrecoverableError(e.message);
      throw e;
    } finally {
      signal?.removeEventListener('abort', aborted);
      running.delete(id);
    }
  };

  const worker = new Worker<JobData, JobResult>(QUEUE_NAME, processor, {
    connection: bullConnection(options.address),
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    stalledInterval: Math.min(30_000, options.lockMs),
    // A job is put back twice after its worker died; a third death fails it (a series that kills workers).
    maxStalledCount: 2,
    name: options.deps.worker,
  });
  worker.on('error', (e) => log(`queue connection: ${messageOf(e)}`));
  worker.on('failed', (job, e) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      log(`job ${job.id ?? '?'} failed for good: ${e.message}`);
  });
  worker.on('stalled', (jobId) => log(`job ${jobId} was left by a worker that stopped; it runs again`));

  let closedResolve: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    closedResolve = resolve;
  });

  const stop = async (reason: string): Promise<void> => {
    if (stopping) {
      // A second request: hand running jobs back at once.
      for (const handBack of running.values()) handBack();
      return closed;
    }
    stopping = true;
    log(`stopping (${reason}): ${running.size} running job(s) finish, no new ones are taken`);
    const timer = setTimeout(() => {
      if (running.size > 0) log(`grace period over: handing ${running.size} job(s) back`);
      for (const handBack of running.values()) handBack();
    }, options.graceMs);
    try {
      await worker.close();
    } finally {
      clearTimeout(timer);
      log('stopped');
      closedResolve();
    }
    return closed;
  };

  return { stop, closed };
}
