/**
 * `lucent synth --out DIR [--cases N] [--seed S] [--demo] [--jobs J]`: synthetic chest CT cases with
 * ground truth, generated in parallel worker threads. `--demo` writes the fixed demo set and an index.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
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
  onDone?: (r: SynthResult, job: number) => void,
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
          onDone?.(reply, i);
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

/** Where a demo set stands: being generated (cases listed as they are ready), complete, or failed. */
export type DemoStatus = 'generating' | 'complete' | 'failed';

/** The order cases are generated in: the richest case first, so a first start has it soonest. */
const FIRST_DEMO = 'demo-solid';

/**
 * Write the demo set to `out` with an index.json the app reads. The index is written before the first
 * case (status "generating", no cases) and again as each case is finished, so a server that is already
 * running lists every case as soon as its files are complete.
 */
export async function writeDemo(out: string, threads = availableParallelism()): Promise<DemoIndexEntry[]> {
  mkdirSync(out, { recursive: true });
  const order = [...DEMO_CASES].sort((a, b) => Number(b.id === FIRST_DEMO) - Number(a.id === FIRST_DEMO));
  const jobs: SynthJob[] = order.map((d) => ({
    out,
    seed: DEMO_SEED,
    index: d.index,
    options: d.options,
    folder: d.id,
  }));
  const ready = new Map<string, DemoIndexEntry>();
  // Listed in the demo set's own order, whatever order they finish in.
  const listed = (): DemoIndexEntry[] => DEMO_CASES.flatMap((d) => ready.get(d.id) ?? []);
  writeDemoIndex(out, [], 'generating');
  try {
    await runJobs(jobs, threads, (r, i) => {
      const id = order[i]?.id ?? r.name;
      ready.set(id, {
        id,
        label: r.name,
        nodules: r.truth.nodules.map((n) => ({
          type: n.type,
          diameterMm: Math.round(n.diameterMm * 10) / 10,
        })),
        files: r.files,
      });
      writeDemoIndex(out, listed(), ready.size === DEMO_CASES.length ? 'complete' : 'generating');
    });
  } catch (e) {
    writeDemoIndex(out, listed(), 'failed');
    throw e;
  }
  return listed();
}

/**
 * The demo set's index.json: the app lists its cases (and, while they are generated, how many are to
 * come); scripts/demo.mjs checks schema, seed, generator and status. Written to a temporary file and
 * renamed, so a reader never sees half of it.
 */
export function writeDemoIndex(
  out: string,
  cases: readonly DemoIndexEntry[],
  status: DemoStatus = 'complete',
): void {
  const body = {
    schema: DEMO_INDEX_SCHEMA,
    seed: DEMO_SEED,
    generator: GENERATOR,
    status,
    total: DEMO_CASES.length,
    cases,
  };
  const tmp = join(out, `.index.${process.pid}.json`);
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(tmp, join(out, 'index.json'));
}
