/**
 * A series as one ZIP of DICOM files, for the app's "Export series": each file through one
 * {@link Deidentifier} (one run per export, so the series' study, series and frame-of-reference UIDs map to
 * the same new UIDs in every file and references between them hold), or copied as it is when the user chose
 * to keep identifiers. Files are named by their place in the series (IM0001.dcm, …), never after anything
 * in the input. A file the de-identifier refuses (burned-in annotation, a secondary capture, a file it
 * cannot read) is left out with its code; the others are still written.
 *
 * Streaming: {@link seriesZip} takes one file at a time and hands back the ZIP's bytes as they are made, so
 * a host can feed it from a worker without holding the inputs and the ZIP at once. Files are stored, not
 * compressed (DICOM pixel data barely shrinks and the export should take seconds, not minutes).
 */
import { Zip, ZipPassThrough } from 'fflate';
import { LucentError, messageOf } from '../../lib/errors';
import { createDeidentifier, type DeidentifyErrorCode, type DeidentifyOptions } from './deidentify';

/** Why a file was left out: the de-identifier's or parser's code, or the ZIP's size limit. */
export type SeriesExportCode = DeidentifyErrorCode | 'zip-limit';

export interface LeftOutFile {
  /** The file's place in the input (0-based). */
  readonly index: number;
  readonly code: SeriesExportCode;
  /** The reason in English (no patient data); the app shows the code translated. */
  readonly message: string;
}

export interface SeriesExportSummary {
  /** True when the files were copied with their identifiers (the user's explicit choice). */
  readonly identified: boolean;
  /** The names in the ZIP, in the order of the input. */
  readonly files: readonly string[];
  readonly leftOut: readonly LeftOutFile[];
}

export interface SeriesExportOptions {
  /** Copy the files as they are, identifiers and all. Default false: de-identify every file. */
  readonly keepIdentifiers?: boolean;
  /** How many files the series has (sets the width of the numbers in the names); optional. */
  readonly total?: number;
  /** The de-identification run's salt (tests); random by default. */
  readonly salt?: Uint8Array;
}

export interface SeriesZip {
  /** Add the next file of the series. Never throws for a bad file: it is left out with its reason. */
  add(bytes: Uint8Array): void;
  /** ZIP bytes made since the last call (the writer keeps none once taken). */
  take(): Uint8Array[];
  /** Close the archive: the last bytes (central directory) and the summary. */
  finish(): { readonly chunks: Uint8Array[]; readonly summary: SeriesExportSummary };
}

/** fflate writes no ZIP64: keep the archive, its directory included, under 4 GiB and 65,535 entries. */
const MAX_ZIP_BYTES = 0xffffffff - (64 << 20);
const MAX_ENTRIES = 0xffff;

const CODES: ReadonlySet<string> = new Set<DeidentifyErrorCode>([
  'burned-in-annotation',
  'unsupported-object',
  'not-dicom',
  'empty-file',
  'truncated',
  'unsupported-transfer-syntax',
  'unsupported-pixel-format',
  'no-pixel-data',
  'invalid-attribute',
  'decode-failed',
  'read-failed',
  'archive-error',
  'fetch-failed',
  'worker-lost',
]);
const isCode = (code: string): code is DeidentifyErrorCode => CODES.has(code);

/** The code a refusal is listed under (as `lucent deidentify` codes it). */
function codeOf(e: unknown): DeidentifyErrorCode {
  if (e instanceof LucentError) return isCode(e.code) ? e.code : 'read-failed';
  return e instanceof RangeError ? 'not-dicom' : 'read-failed';
}

/** Start a ZIP export of one series. */
export function seriesZip(options: SeriesExportOptions = {}): SeriesZip {
  const identified = options.keepIdentifiers === true;
  const deidentifyOptions: DeidentifyOptions = options.salt ? { salt: options.salt } : {};
  const deidentifier = identified ? null : createDeidentifier(deidentifyOptions);
  const width = Math.max(4, String(options.total ?? 0).length);
  const files: string[] = [];
  const leftOut: LeftOutFile[] = [];
  let chunks: Uint8Array[] = [];
  let written = 0;
  const state: { failure: Error | null } = { failure: null };
  const zip = new Zip((err, chunk) => {
    if (err) state.failure = err;
    else {
      chunks.push(chunk);
      written += chunk.length;
    }
  });
  let index = 0;
  let finished = false;

  const add = (bytes: Uint8Array): void => {
    if (finished) throw new LucentError('bad-arguments', 'The series export is finished already.');
    const at = index++;
    let out: Uint8Array;
    try {
      out = deidentifier ? deidentifier.file(bytes).bytes : bytes;
    } catch (e) {
      leftOut.push({ index: at, code: codeOf(e), message: messageOf(e) });
      return;
    }
    const name = `IM${String(files.length + 1).padStart(width, '0')}.dcm`;
    // Header, data and a directory entry per file, with room for the rest of the directory.
    if (written + out.length + 2 * (name.length + 100) > MAX_ZIP_BYTES || files.length >= MAX_ENTRIES) {
      leftOut.push({ index: at, code: 'zip-limit', message: 'The ZIP is full (4 GiB or 65,535 files).' });
      return;
    }
    const entry = new ZipPassThrough(name);
    // A fixed time: the entry's date says nothing about the study or the export.
    entry.mtime = new Date(1980, 0, 1);
    zip.add(entry);
    entry.push(out, true);
    if (state.failure) throw state.failure;
    files.push(name);
  };

  return {
    add,
    take: () => {
      const out = chunks;
      chunks = [];
      return out;
    },
    finish: () => {
      if (!finished) {
        finished = true;
        zip.end();
      }
      if (state.failure) throw state.failure;
      const out = chunks;
      chunks = [];
      return { chunks: out, summary: { identified, files: [...files], leftOut: [...leftOut] } };
    },
  };
}

/** Join byte chunks into one array. */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A whole series (its files in order) as ZIP bytes and the summary of what was written and left out. */
export function exportSeriesZip(
  files: readonly Uint8Array[],
  options: SeriesExportOptions = {},
): { readonly zip: Uint8Array; readonly summary: SeriesExportSummary } {
  const writer = seriesZip({ total: files.length, ...options });
  const chunks: Uint8Array[] = [];
  for (const f of files) {
    writer.add(f);
    chunks.push(...writer.take());
  }
  const end = writer.finish();
  return { zip: concatChunks([...chunks, ...end.chunks]), summary: end.summary };
}
