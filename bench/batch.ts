/**
 * `npm run bench batch`: the batch on this machine. The same N synthetic chest CT studies (the e2e test's,
 * N=10 by default, LUCENT_BENCH_BATCH_STUDIES to change) are analysed three ways:
 * - directly: one `lucent analyze` process over the N study folders (model loaded once);
 * - by the queue with 1 worker, and with 2 workers: a fresh Redis and Orthanc holding the studies,
 *   `lucent worker` processes already waiting, then `lucent batch --wait` timed from start to exit.
 * Reported: studies per minute for each, and the queue's overhead per job against the direct run (the
 * difference in seconds per study), with the job's own parts (WADO-RS retrieval, analysis, the rest).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { bullConnection, parseRedisUrl } from '../src/batch/redis';
import { QUEUE_NAME, type JobData, type JobResult } from '../src/batch/types';
import { derivedStudies, studyFileNames, studyFiles } from '../test/support/batchStudies';
import { startOrthanc } from '../test/support/orthanc.mjs';
import { startRedis } from '../test/support/redis.mjs';

const root = resolve(import.meta.dirname, '..');
const LUCENT = join(root, 'bin/lucent.mjs');

export interface QueueRun {
  readonly workers: number;
  readonly seconds: number;
  readonly studiesPerMinute: number;
  readonly secondsPerStudy: number;
  /** The largest resident memory of a worker process (VmHWM), MB. */
  readonly workerPeakMB: number | null;
  /** Means over the jobs, from each job's result. */
  readonly job: { readonly retrieve: number; readonly analyze: number; readonly total: number };
}

export interface BatchBench {
  readonly studies: number;
  readonly slicesPerStudy: number;
  readonly direct: {
    readonly seconds: number;
    readonly studiesPerMinute: number;
    readonly secondsPerStudy: number;
  };
  readonly queue: readonly QueueRun[];
  /** Seconds per study with 1 worker minus seconds per study of the direct run. */
  readonly overheadPerJobSeconds: number;
}

interface Child {
  readonly pid: number | undefined;
  stderr: string;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

function lucent(args: readonly string[]): Child {
  const child = spawn(process.execPath, [LUCENT, ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const c: Child = {
    pid: child.pid,
    stderr: '',
    exited: new Promise((r) => child.once('exit', (code) => r(code))),
    kill: (signal) => child.kill(signal),
  };
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (c.stderr += d));
  return c;
}

/** Peak resident memory of a process so far (Linux), MB. */
function peakMB(pid: number | undefined): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function queueRun(dirs: readonly string[], workerCount: number): Promise<QueueRun> {
  const [redis, orthanc] = await Promise.all([startRedis(), startOrthanc()]);
  const workers: Child[] = [];
  try {
    const files = dirs.flatMap((d) => studyFiles(d));
    for (let i = 0; i < files.length; i += 8)
      await Promise.all(files.slice(i, i + 8).map((f) => orthanc.store(f)));
    for (let i = 0; i < workerCount; i++)
      workers.push(lucent(['worker', '--queue', redis.url, '--name', `bench-${i}`]));
    const deadline = Date.now() + 120_000;
    while (!workers.every((w) => w.stderr.includes('waiting for jobs'))) {
      if (Date.now() > deadline) throw new Error('the workers did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const t = performance.now();
    const batch = lucent(['batch', '--dicomweb', orthanc.dicomweb, '--queue', redis.url, '--wait']);
    const code = await batch.exited;
    const seconds = (performance.now() - t) / 1000;
    if (code !== 0) throw new Error(`lucent batch exited ${code}: ${batch.stderr.slice(-500)}`);
    const queue = new Queue<JobData, JobResult>(QUEUE_NAME, {
      connection: bullConnection(parseRedisUrl(redis.url)),
    });
    const jobs = await queue.getJobs(['completed']);
    await queue.close();
    const results = jobs.map((j) => j.returnvalue.seconds);
    const peaks = workers.map((w) => peakMB(w.pid)).filter((v) => v !== null);
    return {
      workers: workerCount,
      seconds: round(seconds),
      studiesPerMinute: round((dirs.length / seconds) * 60),
      secondsPerStudy: round(seconds / dirs.length, 2),
      workerPeakMB: peaks.length > 0 ? Math.max(...peaks) : null,
      job: {
        retrieve: round(mean(results.map((r) => r.retrieve)), 2),
        analyze: round(mean(results.map((r) => r.analyze)), 2),
        total: round(mean(results.map((r) => r.total)), 2),
      },
    };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await Promise.all([redis.stop(), orthanc.stop()]);
  }
}

export async function batchBench(
  studies = Number(process.env['LUCENT_BENCH_BATCH_STUDIES'] ?? 10),
): Promise<BatchBench> {
  const dirs = derivedStudies('batch-e2e', studies);
  const t = performance.now();
  const direct = lucent(['analyze', ...dirs]);
  if ((await direct.exited) !== 0) throw new Error(`lucent analyze failed: ${direct.stderr.slice(-500)}`);
  const directSeconds = (performance.now() - t) / 1000;
  const queue = [await queueRun(dirs, 1), await queueRun(dirs, 2)];
  const directPerStudy = directSeconds / studies;
  return {
    studies,
    slicesPerStudy: studyFileNames(dirs[0] ?? '').length,
    direct: {
      seconds: round(directSeconds),
      studiesPerMinute: round((studies / directSeconds) * 60),
      secondsPerStudy: round(directPerStudy, 2),
    },
    queue,
    overheadPerJobSeconds: round((queue[0]?.secondsPerStudy ?? 0) - directPerStudy, 2),
  };
}
