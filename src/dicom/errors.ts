/**
 * The errors of reading DICOM: a file that cannot be used (with a code the UI and CLI word), and a
 * prefix too short to parse (the reader reads more and retries).
 */
import { LucentError } from '../lib/errors';

export type LoadErrorCode =
  | 'not-dicom'
  | 'empty-file'
  | 'truncated'
  | 'unsupported-transfer-syntax'
  | 'unsupported-pixel-format'
  | 'no-pixel-data'
  | 'invalid-attribute'
  | 'decode-failed'
  | 'read-failed'
  | 'archive-error'
  | 'fetch-failed'
  /** The background worker reading the file stopped before it was read (opening it again may work). */
  | 'worker-lost';

/** A file that cannot be used, with a specific reason. Messages never contain patient data. */
export class DicomError extends LucentError {
  declare readonly code: LoadErrorCode;
  constructor(code: LoadErrorCode, message: string, detail: Record<string, string | number> = {}) {
    super(code, message, detail);
    this.name = 'DicomError';
  }
}

/** Thrown when the buffer given holds less than the parse needs; the caller reads more and retries. */
export class NeedMoreData extends LucentError {
  constructor(readonly bytesNeeded: number) {
    super('need-more-data', `need ${bytesNeeded} bytes`, { bytesNeeded });
    this.name = 'NeedMoreData';
  }
}
