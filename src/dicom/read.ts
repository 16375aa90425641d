/**
 * Read one source into a {@link LoadedInstance}, reading only as much of it as the header needs.
 * Every failure becomes a {@link LoadError} with a specific code and message; nothing throws.
 */
import { messageOf } from '../lib/errors';
import { describeInstance, type InstanceInfo } from './instance';
import { DicomError, NeedMoreData, parseDicom, type LoadErrorCode, type ParsedFile } from './parse';
import type { ByteSource } from './source';

export interface LoadError {
  readonly file: string;
  readonly code: LoadErrorCode;
  readonly message: string;
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
  throw new DicomError('read-failed', 'The DICOM header is too large to read.');
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
  if (e instanceof DicomError) return { file, code: e.code, message: e.message };
  if (e instanceof NeedMoreData) {
    return {
      file,
      code: 'truncated',
      message: 'The file ends before its DICOM header does: it is truncated.',
    };
  }
  if (e instanceof RangeError) {
    return { file, code: 'not-dicom', message: `The file could not be parsed as DICOM (${messageOf(e)}).` };
  }
  return { file, code: 'read-failed', message: `The file could not be read: ${messageOf(e)}` };
}
