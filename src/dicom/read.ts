/**
 * Read one source into a {@link LoadedInstance}, reading only as much of it as the header needs.
 * Every failure becomes a {@link LoadError} with a specific code and message; nothing throws.
 */
import { messageOf, type Failure } from '../lib/errors';
import { describeInstance, type InstanceInfo } from './instance';
import { DicomError, NeedMoreData, parseDicom, type LoadErrorCode, type ParsedFile } from './parse';
import type { ByteSource } from './source';

/**
 * A file that could not be used: its name, a code, the detail the interface words it from (errors.ts
 * `LOAD_ERROR_KINDS`) and the English message the CLI prints.
 */
export interface LoadError extends Failure {
  readonly file: string;
  readonly code: LoadErrorCode;
}

export type ReadOutcome =
  { readonly ok: true; readonly info: InstanceInfo } | { readonly ok: false; readonly error: LoadError };

export const WHOLE_FILE_BELOW = 2 * 1024 * 1024;
export const FIRST_READ = 16 * 1024;

export async function parseSource(source: ByteSource): Promise<ParsedFile> {
  let want = source.size <= WHOLE_FILE_BELOW ? source.size : FIRST_READ;
  for (let attempt = 0; attempt < 12; attempt++) {
    const bytes = await source.read(0, want);
    try {
      return parseDicom(bytes, { fileSize: source.size });
    } catch (e) {
      if (!(e instanceof NeedMoreData) || want >= source.size) throw e;
      want = Math.min(source.size, Math.max(e.bytesNeeded + 4096, want * 2));
    }
  }
  throw new DicomError('read-failed', 'The DICOM header is too large to read.', { kind: 'header-too-large' });
}

export async function readInstance(source: ByteSource): Promise<ReadOutcome> {
  try {
    const parsed = await parseSource(source);
    return { ok: true, info: describeInstance(parsed) };
  } catch (e) {
    return { ok: false, error: toLoadError(source.name, e) };
  }
}

export function toLoadError(file: string, e: unknown): LoadError {
  if (e instanceof DicomError) return { file, code: e.code, message: e.message, detail: { ...e.detail } };
  if (e instanceof NeedMoreData) {
    return {
      file,
      code: 'truncated',
      message: 'The file ends before its DICOM header does: it is truncated.',
      detail: { kind: 'header' },
    };
  }
  if (e instanceof RangeError) {
    return {
      file,
      code: 'not-dicom',
      message: `The file could not be parsed as DICOM (${messageOf(e)}).`,
      detail: {},
    };
  }
  return { file, code: 'read-failed', message: `The file could not be read: ${messageOf(e)}`, detail: {} };
}

/**
 * A file that could not be fetched (from a DICOMweb server, or the app's demo folder): the error's own
 * code and detail when it is a {@link DicomError}, else `fetch-failed`.
 */
export function fetchLoadError(file: string, e: unknown): LoadError {
  return e instanceof DicomError
    ? { file, code: e.code, message: e.message, detail: { ...e.detail } }
    : { file, code: 'fetch-failed', message: messageOf(e), detail: {} };
}

/** A load error as `lucent.analysis/1` lists it: file, code and message (the detail is the interface's). */
export function listedLoadError(e: LoadError): Pick<LoadError, 'file' | 'code' | 'message'> {
  return { file: e.file, code: e.code, message: e.message };
}
