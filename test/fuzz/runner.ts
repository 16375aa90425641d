// Runs fuzz cases in a worker thread with a watchdog: a case that throws an uncoded error, takes longer
// than the per-case bound, never finishes, or makes memory grow past the bound is a crasher.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Real files from pydicom's corpus the mutations start from: every encoding Lucent reads or decodes. */
export const SEED_FILES = [
  'CT_small.dcm', // explicit VR LE, 16-bit CT
  'MR_small.dcm',
  'MR_small_implicit.dcm',
  'MR_small_bigendian.dcm',
  'MR_small_RLE.dcm', // RLE
  'SC_rgb_rle_16bit_2frame.dcm',
  'SC_rgb_rle_32bit.dcm',
  'SC_rgb_jpeg_dcmtk.dcm', // JPEG baseline
  'SC_rgb_jpeg_gdcm.dcm',
  'JPGExtended.dcm', // JPEG extended 12-bit
  'JPEG-lossy.dcm',
  'MR_small_jpeg_ls_lossless.dcm', // JPEG-LS (corrected and handed to the browser codec)
  'JPEG2000.dcm', // JPEG 2000 (sign check before the codec)
  'MR_small_jp2klossless.dcm',
  'image_dfl.dcm', // deflated
  'SC_ybr_full_422_uncompressed.dcm', // native YBR_FULL_422
  'ExplVR_BigEndNoMeta.dcm', // no File Meta
  'rtdose.dcm', // multi-frame, grid frame offsets
  'rtplan.dcm', // deep sequences
  'test-SR.dcm',
  'nested_priv_SQ.dcm',
  'UN_sequence.dcm',
];

export interface Crasher {
  readonly index: number;
  readonly name: string;
  readonly reason: string;
  readonly bytes: Uint8Array;
}

export interface FuzzReport {
  readonly seed: string;
  readonly cases: number;
  readonly accepted: number;
  readonly refused: Record<string, number>;
  readonly crashers: Crasher[];
  readonly seconds: number;
  readonly slowestCaseMs: number;
  readonly peakRssMb: number;
}

export interface FuzzOptions {
  readonly seed: string;
  readonly cases: number;
  readonly from?: number;
  readonly corpus: string;
  /** A case slower than this is a crasher (the suite's time bound per input). */
  readonly caseMs?: number;
  /** No word from the worker for this long: the case hangs. */
  readonly hangMs?: number;
  /** Resident memory above the worker's starting point allowed after any case. */
  readonly memoryMb?: number;
}

interface Message {
  type: 'start' | 'done' | 'crash' | 'finished';
  index: number;
  name: string;
  bytes: Uint8Array;
  ms: number;
  rss: number;
  refused: { stage: string; code: string } | null;
  message: string;
  stack: string;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const seedFiles = SEED_FILES.map((f) => join(o.corpus, f)).filter((f) => existsSync(f));
  const caseMs = o.caseMs ?? 2000;
  const hangMs = o.hangMs ?? 20_000;
  const memory = (o.memoryMb ?? 1024) * 1024 * 1024;
  const end = (o.from ?? 0) + o.cases;
  const refused: Record<string, number> = {};
  const crashers: Crasher[] = [];
  let accepted = 0;
  let slowest = 0;
  let peak = 0;
  const started = performance.now();

  let next = o.from ?? 0;
  while (next < end) {
    next = await new Promise<number>((resolve) => {
      const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
        workerData: { seedFiles },
        resourceLimits: { maxOldGenerationSizeMb: 1024 },
      });
      let current: { index: number; name: string; bytes: Uint8Array } | null = null;
      let last = next - 1;
      let baseline = 0;
      let timer: NodeJS.Timeout | undefined;
      const stop = (reason: string | null): void => {
        clearTimeout(timer);
        if (reason)
          crashers.push(
            current
              ? { ...current, reason }
              : { index: last + 1, name: 'unknown', bytes: new Uint8Array(0), reason },
          );
        const resume = current ? current.index + 1 : last + 2;
        void worker.terminate().then(() => resolve(reason ? resume : end));
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => stop(`hang: no result after ${hangMs / 1000} s`), hangMs);
      };
      worker.on('message', (m: Message) => {
        arm();
        if (m.type === 'start') {
          current = { index: m.index, name: m.name, bytes: m.bytes };
          last = m.index;
        } else if (m.type === 'done') {
          baseline ||= m.rss;
          slowest = Math.max(slowest, m.ms);
          peak = Math.max(peak, m.rss);
          if (m.ms > caseMs) crashers.push({ ...current!, reason: `slow: ${Math.round(m.ms)} ms` });
          else if (m.rss - baseline > memory)
            crashers.push({
              ...current!,
              reason: `memory: ${Math.round((m.rss - baseline) / 2 ** 20)} MB more`,
            });
          else if (m.refused) refused[m.refused.code] = (refused[m.refused.code] ?? 0) + 1;
          else accepted++;
          current = null;
        } else if (m.type === 'crash') {
          crashers.push({ ...current!, reason: `${m.message}\n${m.stack}` });
          current = null;
        } else {
          stop(null);
        }
      });
      worker.on('error', (e) => stop(`worker died: ${e.message}`));
      arm();
      worker.postMessage({ seed: o.seed, from: next, to: end });
    });
  }
  return {
    seed: o.seed,
    cases: end - (o.from ?? 0),
    accepted,
    refused,
    crashers,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    slowestCaseMs: Math.round(slowest),
    peakRssMb: Math.round(peak / 2 ** 20),
  };
}
