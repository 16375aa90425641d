/// <reference lib="webworker" />
/**
 * Lucent's frame decoder worker: the encodings Lucent decodes itself in the browser (12-bit JPEG,
 * 32-bit RLE and big endian, native YBR_FULL_422) run here, off the main thread. Requests queue and
 * are decoded one per task, so that a cancel that arrives meanwhile drops a queued frame.
 */
import { holdLifeLock } from '../../lib/liveness';
import { answer, type DecoderRequest } from './decoder.shared';

declare const self: DedicatedWorkerGlobalScope;
// The page learns of this worker's end, however it ends, by this lock's release (lib/liveness).
holdLifeLock(self.name);

const queue: Extract<DecoderRequest, { type: 'decode' }>[] = [];
let scheduled = false;

function pump(): void {
  scheduled = false;
  const req = queue.shift();
  if (!req) return;
  const { reply, transfer } = answer(req);
  self.postMessage(reply, transfer);
  schedule();
}

function schedule(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  setTimeout(pump, 0);
}

self.onmessage = (ev: MessageEvent<DecoderRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    const i = queue.findIndex((r) => r.id === msg.id);
    if (i >= 0) queue.splice(i, 1);
    return;
  }
  queue.push(msg);
  schedule();
};
