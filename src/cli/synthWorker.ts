/** Worker thread for `lucent synth`: generates the cases it is given, one at a time. */
import { parentPort } from 'node:worker_threads';
import type { CaseOptions } from '../synth/case';
import { writeCase } from '../synth/write';
import { messageOf } from '../lib/errors';

export interface SynthJob {
  readonly out: string;
  readonly seed: string;
  readonly index: number;
  readonly options: CaseOptions;
  readonly folder?: string;
}

parentPort?.on('message', (job: SynthJob) => {
  try {
    const w = writeCase(job.out, job.seed, job.index, job.options, job.folder);
    parentPort?.postMessage({ ok: true, name: w.name, dir: w.dir, files: w.files, truth: w.truth, ms: w.ms });
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: messageOf(e) });
  }
});
