import { describe, expect, it } from 'vitest';
import { corpusFile, sourceOf } from '../../../test/support/corpus';
import { decodeOwn, frameFormat, readEncodedFrame } from '../../dicom/decode';
import { readInstance } from '../../dicom/read';
import { JPEG2000 } from '../../dicom/transferSyntax';
import type { WorkerLike } from '../../dicom/worker';
import { createDecoderClient } from './client';
import { answer, type DecoderRequest } from './decoder.shared';

/**
 * Node has no Web Worker: this stand-in runs the worker's real step (`answer`) when told to, or dies.
 * The real worker runs in Chromium in the corpus e2e (12-bit JPEG, 32-bit RLE and big endian, YBR 4:2:2
 * files), including one whose script cannot load.
 */
class InProcessWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  onmessageerror: ((ev: MessageEvent) => void) | null = null;
  readonly queue: DecoderRequest[] = [];
  readonly transferred: ArrayBuffer[] = [];
  terminated = false;
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.queue.push(message as DecoderRequest);
    this.transferred.push(...(transfer as ArrayBuffer[]));
  }
  terminate(): void {
    this.terminated = true;
  }
  /** Answer every queued decode request (cancels remove theirs), as the worker's pump does. */
  run(): void {
    for (const req of this.queue.splice(0)) {
      if (req.type === 'cancel') continue;
      this.onmessage?.({ data: answer(req).reply } as MessageEvent);
    }
  }
  die(message: string): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

async function bigEndianFrame(): Promise<{
  format: ReturnType<typeof frameFormat>;
  ts: string;
  encoded: Uint8Array;
}> {
  const source = sourceOf(corpusFile('MR_small_bigendian.dcm'));
  const r = await readInstance(source);
  if (!r.ok || !r.info.image) throw new Error('not an image');
  return {
    format: frameFormat(r.info.image),
    ts: r.info.transferSyntaxUID,
    encoded: await readEncodedFrame(r.info.image, source, 0),
  };
}

function harness(): { workers: InProcessWorker[]; client: ReturnType<typeof createDecoderClient> } {
  const workers: InProcessWorker[] = [];
  const client = createDecoderClient(() => {
    const w = new InProcessWorker();
    workers.push(w);
    return w;
  });
  return { workers, client };
}

describe('frame decoder client', () => {
  it('decodes through the worker step, copying the bytes unless told to transfer them', async () => {
    const { workers, client } = harness();
    const { format, ts, encoded } = await bigEndianFrame();
    const expected = decodeOwn(format, ts, encoded);
    const pending = client.decode(format, ts, encoded);
    expect(workers).toHaveLength(1); // spawned on first use
    workers[0].run();
    expect(Buffer.from(await pending).equals(Buffer.from(expected))).toBe(true);
    expect(encoded.byteLength).toBeGreaterThan(0); // still usable: it was copied

    const own = encoded.slice();
    const transferred = client.decode(format, ts, own, { transfer: true });
    expect(workers[0].transferred).toContain(own.buffer);
    workers[0].run();
    await transferred;
  });

  it('a decode failure in the worker rejects with its message', async () => {
    const { workers, client } = harness();
    const { format } = await bigEndianFrame();
    const p = client.decode({ ...format, encapsulated: true }, JPEG2000, new Uint8Array(8));
    workers[0].run();
    await expect(p).rejects.toThrow(/JPEG 2000 pixel data/);
  });

  it('a cancelled frame is dropped from the queue and rejects as aborted', async () => {
    const { workers, client } = harness();
    const { format, ts, encoded } = await bigEndianFrame();
    const abort = new AbortController();
    const p = client.decode(format, ts, encoded, { signal: abort.signal });
    abort.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers[0].queue.map((m) => m.type)).toEqual(['decode', 'cancel']);
  });

  it('a worker that dies fails its frames with a clear message, and the next frame gets a new one', async () => {
    const { workers, client } = harness();
    const { format, ts, encoded } = await bigEndianFrame();
    const a = client.decode(format, ts, encoded);
    const b = client.decode(format, ts, encoded);
    workers[0].die('Uncaught RangeError: Array buffer allocation failed');
    const message =
      'The image decoder (a background worker) stopped (Uncaught RangeError: Array buffer allocation failed) before this image was decoded; open the file again.';
    await expect(a).rejects.toThrow(message);
    await expect(b).rejects.toMatchObject({ code: 'decode-failed' });
    expect(workers[0].terminated).toBe(true);
    const c = client.decode(format, ts, encoded);
    expect(workers).toHaveLength(2);
    workers[1].run();
    await expect(c).resolves.toBeInstanceOf(Uint8Array);
  });
});
