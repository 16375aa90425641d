/** DICOM parse throughput: Lucent's parser and dcmjs, on the same files in the same run. */
import dcmjs from 'dcmjs';
import { readFileSync } from 'node:fs';
import { describeInstance } from '../src/dicom/instance';
import { parseDicom } from '../src/dicom/parse';

export interface ParseResult {
  files: number;
  megabytes: number;
  lucentMBps: number;
  lucentHeaderOnlyMBps: number;
  dcmjsMBps: number;
}

function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

export function parseThroughput(files: readonly string[]): ParseResult {
  const buffers = files.map((f) => new Uint8Array(readFileSync(f)));
  const bytes = buffers.reduce((n, b) => n + b.length, 0);
  const mb = bytes / 1e6;
  // Full parse of whole files (what dcmjs does): every attribute, pixel data located.
  const lucentMs = best(3, () => {
    for (const b of buffers) describeInstance(parseDicom(b));
  });
  // What the viewer actually does: parse the first 16 KB, stop at the pixel data.
  const headerMs = best(3, () => {
    for (const b of buffers) describeInstance(parseDicom(b.subarray(0, 16384), { fileSize: b.length }));
  });
  const dcmjsMs = best(3, () => {
    for (const b of buffers)
      dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  return {
    files: buffers.length,
    megabytes: Number(mb.toFixed(1)),
    lucentMBps: Number((mb / (lucentMs / 1000)).toFixed(0)),
    lucentHeaderOnlyMBps: Number((mb / (headerMs / 1000)).toFixed(0)),
    dcmjsMBps: Number((mb / (dcmjsMs / 1000)).toFixed(0)),
  };
}
