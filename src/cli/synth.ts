/**
 * `lucent synth --out DIR [--cases N] [--seed S] [--demo] [--jobs J]`: synthetic chest CT cases with
 * ground truth, generated in parallel worker threads. `--demo` writes the fixed demo set and an index.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { GENERATOR, type Truth } from '../synth/case';
import { DEMO_CASES, DEMO_INDEX_SCHEMA, DEMO_SEED } from '../synth/demo';
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
  readonly nodules: readonly { readonly type: string; readonly diameterMm: number }[];
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
    nodules: r.truth.nodules.map((n) => ({ type: n.type, diameterMm: Math.round(n.diameterMm * 10) / 10 })),
    files: r.files,
  }));
  writeDemoIndex(out, index);
  return index;
}

/** The demo set's index.json: the app lists its cases; scripts/demo.mjs checks schema, seed and generator. */
export function writeDemoIndex(out: string, cases: readonly DemoIndexEntry[]): void {
  writeFileSync(
    join(out, 'index.json'),
    `${JSON.stringify({ schema: DEMO_INDEX_SCHEMA, seed: DEMO_SEED, generator: GENERATOR, cases }, null, 2)}\n`,
  );
}
