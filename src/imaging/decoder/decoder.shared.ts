/**
 * Messages between the page and Lucent's frame decoder worker, and the worker's one step: decode a
 * frame with the shared decoder (dicom/decode) into native little-endian bytes, transferred back.
 */
import { decodeOwn, type FrameFormat } from '../../dicom/decode';
import { DicomError, type LoadErrorCode, type LoadErrorDetail } from '../../dicom/errors';
import { messageOf } from '../../lib/errors';

export type DecoderRequest =
  | {
      readonly type: 'decode';
      readonly id: number;
      readonly format: FrameFormat;
      readonly transferSyntaxUID: string;
      /** The encoded frame; its buffer is transferred to the worker. */
      readonly encoded: Uint8Array;
    }
  | { readonly type: 'cancel'; readonly id: number };

export type DecoderReply =
  | { readonly type: 'decoded'; readonly id: number; readonly bytes: Uint8Array }
  | {
      readonly type: 'failed';
      readonly id: number;
      /** The refusal's own code and detail when Lucent's decoder gave one, else `decode-failed`. */
      readonly code: LoadErrorCode;
      readonly message: string;
      readonly detail: LoadErrorDetail;
    };

/** The bytes as a view of a buffer of their own (a copy when they share one), ready to transfer. */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

/** Decode one request: the reply, and the buffers to transfer with it. */
export function answer(req: Extract<DecoderRequest, { type: 'decode' }>): {
  reply: DecoderReply;
  transfer: ArrayBuffer[];
} {
  try {
    const bytes = ownBuffer(decodeOwn(req.format, req.transferSyntaxUID, req.encoded));
    return { reply: { type: 'decoded', id: req.id, bytes }, transfer: [bytes.buffer] };
  } catch (e) {
    const own = e instanceof DicomError;
    const reply: DecoderReply = {
      type: 'failed',
      id: req.id,
      code: own ? e.code : 'decode-failed',
      message: messageOf(e),
      detail: own ? { ...e.detail } : {},
    };
    return { reply, transfer: [] };
  }
}
