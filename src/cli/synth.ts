/**
 * `lucent synth --out DIR [--cases N] [--seed S] [--demo] [--jobs J]`: synthetic chest CT cases with
 * ground truth, generated in parallel worker threads. `--demo` writes the fixed demo set and an index.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Truth } from '../synth/case';
import { DEMO_CASES, DEMO_SEED } from '../synth/demo';
import type { SynthJob } from './synthWorker';

export interface SynthResult {
  readonly name: string;
  readonly dir: string;
  readonly files: readonly string[];
  readonly truth: Truth;
  readonly ms: number;
}

type Reply = ({ ok: true } & SynthResult) | { ok: false; message: string };

export async function runJobs(
  jobs: readonly SynthJob[],
  threads: number,
  onDone?: (r: SynthResult) => void,
): Promise<SynthResult[]> {
  const results: SynthResult[] = new Array<SynthResult>(jobs.length);
  let next = 0;
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('../../bin/ts-worker.mjs', import.meta.url), {
        workerData: { module: new URL('./synthWorker.ts', import.meta.url).href },
      });
      const feed = (): void => {
        if (next >= jobs.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const i = next++;
        worker.once('message', (reply: Reply) => {
          if (!reply.ok) {
            void worker.terminate();
            reject(new Error(reply.message));
            return;
          }
          results[i] = reply;
          onDone?.(reply);
          feed();
        });
        worker.postMessage(jobs[i]);
      };
      worker.once('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, jobs.length)) }, run));
  return results;
}

export interface DemoIndexEntry {
  readonly id: string;
  readonly label: string;
  readonly nodules: readonly string[];
  readonly files: readonly string[];
}

/** Write the demo set to `out` with an index.json the app reads. */
export async function writeDemo(out: string, threads = availableParallelism()): Promise<DemoIndexEntry[]> {
  mkdirSync(out, { recursive: true });
  const jobs: SynthJob[] = DEMO_CASES.map((d) => ({
    out,
    seed: DEMO_SEED,
    index: d.index,
    options: d.options,
    folder: d.id,
  }));
  const results = await runJobs(jobs, threads);
  const index = results.map((r, i) => ({
    id: DEMO_CASES[i]?.id ?? r.name,
    label: r.name,
    nodules: r.truth.nodules.map((n) => `${n.type} ${n.diameterMm.toFixed(1)} mm`),
    files: r.files,
  }));
  writeFileSync(
    join(out, 'index.json'),
    `${JSON.stringify({ schema: 'lucent.demo/1', seed: DEMO_SEED, cases: index }, null, 2)}\n`,
  );
  return index;
}
