/**
 * The client of the practice case generator (practiceSynth.worker.ts): one worker per case, slices as
 * they are made, cancel by terminating it. A worker that fails to start or dies reports an error.
 */
import { LucentError } from '../lib/errors';
import type { CaseRequest } from '../practice/difficulty';
import type { TruthLesion } from '../practice/types';

export type SynthReply =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number }
  | {
      readonly kind: 'slice';
      readonly name: string;
      readonly bytes: Uint8Array;
      readonly done: number;
      readonly total: number;
    }
  | { readonly kind: 'done'; readonly truth: readonly TruthLesion[]; readonly noiseSigma: number }
  | { readonly kind: 'error'; readonly message: string };

export interface GeneratedCase {
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  readonly truth: readonly TruthLesion[];
  readonly noiseSigma: number;
}

export function generateCase(
  request: CaseRequest,
  onProgress: (done: number, total: number) => void,
  signal: AbortSignal,
): Promise<GeneratedCase> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./practiceSynth.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lucent-practice-synth',
    });
    const files: { name: string; bytes: Uint8Array }[] = [];
    const stop = (): void => worker.terminate();
    signal.addEventListener('abort', () => {
      stop();
      reject(new DOMException('cancelled', 'AbortError'));
    });
    worker.onerror = (e) => {
      stop();
      reject(
        new LucentError(
          'case-generator',
          `the case generator failed: ${e.message || 'the worker did not start'}`,
          e.message ? {} : { kind: 'not-started' },
        ),
      );
    };
    worker.onmessage = (e: MessageEvent<SynthReply>) => {
      const m = e.data;
      switch (m.kind) {
        case 'progress':
          onProgress(m.done, m.total);
          break;
        case 'slice':
          files.push({ name: m.name, bytes: m.bytes });
          onProgress(m.done, m.total);
          break;
        case 'done':
          stop();
          resolve({ files, truth: m.truth, noiseSigma: m.noiseSigma });
          break;
        case 'error':
          stop();
          reject(new LucentError('case-generator', `the case generator failed: ${m.message}`));
          break;
      }
    };
    worker.postMessage(request);
  });
}
