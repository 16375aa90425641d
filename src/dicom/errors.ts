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

/**
 * The specific reasons (`detail.kind`) behind each code that the interface words from its catalogue
 * (`problem.<code>.<kind>` in i18n): with the detail's numbers and short technical strings (tags, sizes,
 * transfer syntax names, HTTP statuses), the English wording is the error's message. A message too
 * specific for a sentence of its own (a codec's or the browser's words in it) carries no kind: the
 * interface shows it in English, and the code's generic sentence in other languages.
 */
export const LOAD_ERROR_KINDS = {
  'not-dicom': [
    'no-marker',
    'preamble-only',
    'meta-malformed',
    'no-attributes',
    'nested-too-deep',
    'item-expected',
    'fragment-expected',
    'no-offset-table',
  ],
  'empty-file': ['empty'],
  truncated: [
    'header',
    'attribute',
    'item',
    'sequence',
    'pixel-data',
    'fragments',
    'fragment',
    'deflate',
    'pixel-short',
    'frame-short',
    'frame-beyond',
  ],
  'unsupported-transfer-syntax': ['not-decodable', 'progressive-12-bit', 'command-line', 'native-unexpected'],
  'unsupported-pixel-format': ['colour-depth', 'frame-too-large', 'not-monochrome', 'bits'],
  'no-pixel-data': ['missing', 'no-fragments', 'frame-empty', 'not-an-image'],
  'invalid-attribute': [
    'not-integer',
    'no-size',
    'no-bits',
    'frame-count',
    'no-uids',
    'j2k-sign',
    'frame-count-mismatch',
    'no-such-frame',
    'no-sop',
  ],
  'decode-failed': [
    'jpeg-precision',
    'frame-size',
    'codec-size',
    'decoder-silent',
    'decoder-unreadable',
    'decoder-stopped',
  ],
  'read-failed': ['header-too-large', 'not-open'],
  'archive-error': ['too-deep', 'too-large', 'damaged'],
  'fetch-failed': [
    'no-answer',
    'http',
    'not-list',
    'store-no-answer',
    'store-refused',
    'store-refused-reasons',
    'retrieve-no-answer',
    'retrieve-http',
    'multipart-empty',
    'multipart-no-boundary',
    'download-http',
    'download-no-answer',
  ],
  'worker-lost': ['silent', 'unreadable', 'stopped'],
} as const satisfies Readonly<Record<LoadErrorCode, readonly string[]>>;

export type LoadErrorKind = (typeof LOAD_ERROR_KINDS)[LoadErrorCode][number];

/** A load error's detail: its `kind` (one of {@link LOAD_ERROR_KINDS}), and the values its wording needs. */
export type LoadErrorDetail = Readonly<Record<string, string | number>> & { readonly kind?: LoadErrorKind };

/** A file that cannot be used, with a specific reason. Messages never contain patient data. */
export class DicomError extends LucentError {
  declare readonly code: LoadErrorCode;
  declare readonly detail: LoadErrorDetail;
  constructor(code: LoadErrorCode, message: string, detail: LoadErrorDetail = {}) {
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
