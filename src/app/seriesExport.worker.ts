/**
 * The series export off the main thread: files arrive one at a time (transferred), each is de-identified
 * into the ZIP by one seriesZip (one de-identification run per export) and answered at once, so the page
 * can show progress and bound each wait; the ZIP's bytes are kept as Blobs (which the browser may keep out
 * of this worker's heap) and handed back as one Blob at the end.
 */
import { seriesZip, type SeriesZip } from '../dicom/deidentify';
import { messageOf } from '../lib/errors';
import { holdLifeLock } from '../lib/liveness';
import type { ExportReply, ExportRequest } from './seriesExport';

holdLifeLock(self.name);

const post = (m: ExportReply): void => (self as unknown as Worker).postMessage(m);
const asBlob = (chunks: readonly Uint8Array[]): Blob => new Blob(chunks as Uint8Array<ArrayBuffer>[]);

let writer: SeriesZip | null = null;
let parts: Blob[] = [];

self.onmessage = (e: MessageEvent<ExportRequest>): void => {
  const m = e.data;
  try {
    switch (m.kind) {
      case 'start':
        writer = seriesZip({ keepIdentifiers: m.keepIdentifiers, total: m.total });
        parts = [];
        post({ kind: 'ready' });
        break;
      case 'file':
        if (!writer) throw new Error('the export was not started');
        writer.add(m.bytes);
        parts.push(asBlob(writer.take()));
        post({ kind: 'added' });
        break;
      case 'finish': {
        if (!writer) throw new Error('the export was not started');
        const end = writer.finish();
        const zip = new Blob([...parts, asBlob(end.chunks)], { type: 'application/zip' });
        writer = null;
        parts = [];
        post({ kind: 'done', zip, summary: end.summary });
        break;
      }
    }
  } catch (err) {
    post({ kind: 'error', message: messageOf(err) });
  }
};
