/** Errors raised by the JPEG decoder, each with a stable code. */
import { LucentError } from '../../lib/errors';

/**
 * Why a JPEG could not be decoded: a coding process this decoder does not implement, data that breaks
 * the rules of ITU T.81, or data that ends before the image is complete.
 */
export type JpegErrorCode = 'jpeg-unsupported' | 'jpeg-corrupt' | 'jpeg-truncated';

/** A JPEG decoding failure. The message says what was found and where (byte offsets, never pixel data). */
export class JpegError extends LucentError {
  declare readonly code: JpegErrorCode;

  constructor(code: JpegErrorCode, message: string, detail: Record<string, string | number> = {}) {
    super(code, message, detail);
    this.name = 'JpegError';
  }
}

/** The data breaks the rules of T.81. */
export function corrupt(message: string): JpegError {
  return new JpegError('jpeg-corrupt', `Corrupt JPEG data: ${message}`);
}

/** The data ends before the image is complete. */
export function truncated(message: string): JpegError {
  return new JpegError('jpeg-truncated', `Truncated JPEG data: ${message}`);
}

/** A valid JPEG that uses a feature this decoder does not implement. */
export function unsupported(message: string): JpegError {
  return new JpegError('jpeg-unsupported', `Unsupported JPEG: ${message}`);
}

/** `FFC0`-style name of a marker code, for messages. */
export function markerName(code: number): string {
  return `FF${code.toString(16).toUpperCase().padStart(2, '0')}`;
}
