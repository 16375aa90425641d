import { describe, expect, it } from 'vitest';
import type { WorkerLike } from '../worker';
import { createIngestClient } from './client';
import type { IngestEvent, IngestFile, IngestRequest, IngestWorkerMessage } from './protocol';

/**
 * A stand-in for the ingest worker (Node has no Web Worker): it records what the client sends and lets a
 * test answer, or die, as the real worker would. The real worker's death is covered in the browser by
 * the corpus e2e (a worker whose script cannot load).
 */
class FakeWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  onmessageerror: ((ev: MessageEvent) => void) | null = null;
  readonly sent: IngestRequest[] = [];
  terminated = false;
  postMessage(message: unknown): void {
    this.sent.push(message as IngestRequest);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(m: IngestWorkerMessage): void {
    this.onmessage?.({ data: m } as MessageEvent);
  }
  die(message: string): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

const files = (...names: string[]): IngestFile[] =>
  names.map((name, i) => ({ id: String(i), name, blob: new Blob([]) }));

function harness(): { workers: FakeWorker[]; client: ReturnType<typeof createIngestClient> } {
  const workers: FakeWorker[] = [];
  const client = createIngestClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  return { workers, client };
}

describe('ingest client', () => {
  it('passes events through and finishes a load on its done event', async () => {
    const { workers, client } = harness();
    const events: IngestEvent[] = [];
    const { jobId, done } = client.load(files('a.dcm'), (e) => events.push(e));
    const w = workers[0];
    expect(w.sent).toEqual([{ type: 'load', jobId, files: files('a.dcm') }]);
    w.reply({
      type: 'errors',
      jobId,
      errors: [{ file: 'a.dcm', code: 'not-dicom', message: 'no', detail: {} }],
    });
    w.reply({ type: 'finished', jobId, files: [0] });
    w.reply({ type: 'done', jobId });
    await done;
    // The bookkeeping message is the client's own; the page sees only the events.
    expect(events.map((e) => e.type)).toEqual(['errors', 'done']);
  });

  it('a worker that dies fails each unfinished file by name, finishes the load, and is replaced', async () => {
    const { workers, client } = harness();
    const events: IngestEvent[] = [];
    const { jobId, done } = client.load(files('one.dcm', 'two.dcm', 'three.dcm'), (e) => events.push(e));
    const first = workers[0];
    first.reply({ type: 'finished', jobId, files: [0] });
    first.die('Uncaught RangeError: Array buffer allocation failed');
    await done; // would hang without the error handling
    expect(first.terminated).toBe(true);
    const errors = events.flatMap((e) => (e.type === 'errors' ? e.errors : []));
    expect(errors.map((e) => e.file)).toEqual(['two.dcm', 'three.dcm']);
    expect(errors.every((e) => e.code === 'worker-lost')).toBe(true);
    expect(errors[0]?.message).toBe(
      'The file reader (a background worker) stopped (Uncaught RangeError: Array buffer allocation failed) before this file was read; open it again.',
    );
    expect(events.at(-1)).toEqual({ type: 'done', jobId });

    // The next load goes to a new worker and works; the dead one's late errors change nothing.
    const later: IngestEvent[] = [];
    const next = client.load(files('four.dcm'), (e) => later.push(e));
    expect(workers).toHaveLength(2);
    first.die('again');
    workers[1].reply({ type: 'done', jobId: next.jobId });
    await next.done;
    expect(later).toEqual([{ type: 'done', jobId: next.jobId }]);
  });

  it('a worker that cannot be created fails the load instead of throwing', async () => {
    const client = createIngestClient(() => {
      throw new Error('Workers are not allowed here');
    });
    const events: IngestEvent[] = [];
    const { done } = client.load(files('x.dcm'), (e) => events.push(e));
    await done;
    const [first] = events;
    expect(first?.type).toBe('errors');
    const errors = first?.type === 'errors' ? first.errors : [];
    expect(errors.map((e) => [e.file, e.code])).toEqual([['x.dcm', 'worker-lost']]);
    expect(errors[0]?.message).toContain('(Workers are not allowed here)');
  });
});
