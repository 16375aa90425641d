// Runs fuzz cases in a worker thread so that the runner can stop one that hangs or grows without bound.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync, zipSync } from 'fflate';
import { fuzzCase } from './mutate';
import { Crash, exercise } from './target';

interface Job {
  readonly seed: string;
  readonly from: number;
  readonly to: number;
}

const files = (workerData as { seedFiles: string[] }).seedFiles.map((f) => new Uint8Array(readFileSync(f)));
// The archive path too: a zip with a folder and a nested zip, and a gzip, made from the first seed.
const nested = zipSync({ 'inner/b.dcm': files[0] });
const seeds = [...files, zipSync({ 'study/a.dcm': files[0], 'study/n.zip': nested }), gzipSync(files[0])];
const port = parentPort!;

port.on('message', (job: Job) => {
  void (async () => {
    for (let index = job.from; index < job.to; index++) {
      const { name, bytes } = fuzzCase(seeds, job.seed, index);
      port.postMessage({ type: 'start', index, name, bytes });
      const started = performance.now();
      try {
        const outcome = await exercise(bytes);
        const ms = performance.now() - started;
        port.postMessage({
          type: 'done',
          index,
          ms,
          rss: process.memoryUsage.rss(),
          refused: outcome.refused,
        });
      } catch (e) {
        const crash = e instanceof Crash ? e : new Crash('harness', e);
        port.postMessage({ type: 'crash', index, message: crash.message, stack: crash.stack ?? '' });
      }
    }
    port.postMessage({ type: 'finished' });
  })();
});
