/**
 * Generates a synthetic practice case off the main thread: the chest and its nodules first (a second),
 * then only the slab of slices that holds the nodules (practice/difficulty.ts `slabAround`), one slice at
 * a time with progress. Each slice's bytes are transferred, not copied.
 */
import { messageOf } from '../lib/errors';
import type { CaseRequest } from '../practice/difficulty';
import { slabAround } from '../practice/difficulty';
import { makeCase } from '../synth/case';
import { practiceCaseOptions as options } from './practiceCase';
import type { SynthReply } from './practiceSynth';

const post = (m: SynthReply, transfer: Transferable[] = []): void =>
  (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = (e: MessageEvent<CaseRequest>): void => {
  const request = e.data;
  try {
    const whole = makeCase(request.seed, 0, options(request));
    const slab = slabAround(
      whole.truth.nodules.map((n) => ({ z: n.centerMm[2], r: n.diameterMm / 2 })),
      [whole.chest.zMin, whole.chest.zMax],
    );
    const c = makeCase(request.seed, 0, options(request, slab));
    const total = c.zPositions.length;
    post({ kind: 'progress', done: 0, total });
    let done = 0;
    for (const s of c.slices()) {
      done++;
      post({ kind: 'slice', name: s.fileName, bytes: s.bytes, done, total }, [s.bytes.buffer]);
    }
    post({
      kind: 'done',
      truth: c.truth.nodules.map((n) => ({
        centerMm: n.centerMm,
        diameterMm: n.diameterMm,
        type: n.type,
        solidComponentMm: n.solidComponentMm,
        location: n.location,
        margin: n.margin,
      })),
      noiseSigma: c.truth.scanner.noiseSigma,
    });
  } catch (err) {
    post({ kind: 'error', message: messageOf(err) });
  }
};
