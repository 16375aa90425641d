/**
 * The `lucent:` Cornerstone image loader. It reads a frame's encoded bytes straight from the instance's
 * byte source (only the bytes of that frame for native data) and hands them to Cornerstone's codecs,
 * which decode in their own web workers. The few encodings those codecs get wrong are decoded by
 * Lucent's shared frame decoder (dicom/decode) in its own worker (./decoder), never on the main thread.
 */
import { createImage } from '@cornerstonejs/dicom-image-loader';
import {
  correctForCodec,
  decodesItself,
  DECODED_TRANSFER_SYNTAX,
  frameFormat,
  readEncodedFrame,
} from '../dicom/decode';
import { DicomError } from '../dicom/parse';
import { problemOf, type Problem } from '../lib/errors';
import type { ImageInfo } from '../dicom/instance';
import { createDecoderClient, type DecoderClient } from './decoder/client';
import { getInstance, parseImageId } from './registry';

/** Encapsulated pixel data read once per instance: multi-frame compressed files reuse it per frame. */
const encapsulatedCache = new Map<string, Promise<Uint8Array>>();

export function clearLoaderCache(): void {
  encapsulatedCache.clear();
}

/** Lucent's frame decoder worker, started on the first frame that needs it (most series never do). */
let decoder: DecoderClient | null = null;

/**
 * The bytes and transfer syntax Cornerstone decodes a frame from: the codestream (corrected where real
 * files need it) for its codecs, or native little endian that Lucent's decoder worker produced.
 */
async function codecInput(
  key: string,
  image: ImageInfo,
  frame: number,
  transferSyntaxUID: string,
  signal: AbortSignal,
): Promise<{ bytes: Uint8Array; ts: string }> {
  const entry = getInstance(key);
  if (!entry) throw new DicomError('read-failed', 'The file is no longer open.', { kind: 'not-open' });
  const encoded = await readEncodedFrame(image, entry.source, frame, () => {
    let all = encapsulatedCache.get(key);
    if (!all) {
      all = entry.source.read(image.pixelData.offset, entry.source.size);
      encapsulatedCache.set(key, all);
    }
    return all;
  });
  const format = frameFormat(image);
  if (!decodesItself(format, transferSyntaxUID, 'browser')) {
    return { bytes: correctForCodec(format, transferSyntaxUID, encoded), ts: transferSyntaxUID };
  }
  decoder ??= createDecoderClient();
  const bytes = await decoder.decode(format, transferSyntaxUID, encoded, {
    signal,
    // Native frames are read fresh from the file; encapsulated ones are views of the cached element.
    transfer: !image.pixelData.encapsulated && !image.pixelData.inline,
  });
  return { bytes, ts: DECODED_TRANSFER_SYNTAX };
}

/** Load failures already shown to the user (in Load errors); see `isReportedLoadFailure`. */
const reported = new WeakSet<object>();

/**
 * Cornerstone re-raises image load failures on promise chains it does not handle. Those failures are
 * already listed under Load errors, so the page can recognise and swallow the duplicate rejection.
 */
export function isReportedLoadFailure(reason: unknown): boolean {
  if (typeof reason !== 'object' || reason === null) return false;
  if (reported.has(reason)) return true;
  const inner = (reason as { error?: unknown }).error;
  return typeof inner === 'object' && inner !== null && reported.has(inner);
}

export type DecodeFailure = {
  readonly imageId: string;
  readonly message: string;
  /** Lucent's own refusal (code and detail) when the failure is one, for the interface to word. */
  readonly problem: Problem | null;
};
let onDecodeFailure: ((f: DecodeFailure) => void) | null = null;

/** Report frames that fail to decode (the UI lists them under Load errors). */
export function setDecodeFailureListener(listener: ((f: DecodeFailure) => void) | null): void {
  onDecodeFailure = listener;
}

/** An error that is not a decode failure to show: marked so the unhandled-rejection filter drops it. */
function quietError(message: string): Error {
  const e = new Error(message);
  reported.add(e);
  return e;
}

export function lucentImageLoader(
  imageId: string,
  options: Record<string, unknown> = {},
): { promise: Promise<never>; cancelFn: () => void } {
  const cancel = new AbortController();
  const promise = (async () => {
    const ref = parseImageId(imageId);
    const entry = ref && getInstance(ref.key);
    const image = entry?.info.image;
    // Asked for after its study was closed (a late request from the previous study's views).
    if (!ref || !entry || !image) throw quietError(`Unknown image ${imageId}`);
    try {
      const { bytes, ts } = await codecInput(
        ref.key,
        image,
        ref.frame,
        entry.info.transferSyntaxUID,
        cancel.signal,
      );
      const decoded = (await createImage(imageId, bytes, ts, options)) as unknown as {
        getPixelData(): ArrayLike<number>;
        numberOfComponents?: number;
        rows: number;
        columns: number;
      };
      // A codestream whose own header disagrees with the DICOM header decodes to the wrong size.
      const samples = image.rows * image.columns * (decoded.numberOfComponents ?? image.samplesPerPixel);
      const got = decoded.getPixelData().length;
      if (decoded.rows !== image.rows || decoded.columns !== image.columns || got < samples) {
        throw new DicomError(
          'decode-failed',
          `The compressed image decodes to ${got} samples, not the ${image.rows}×${image.columns} image its header describes.`,
          { kind: 'codec-size', samples: got, rows: image.rows, columns: image.columns },
        );
      }
      return decoded as never;
    } catch (e) {
      // Another study was opened while this image was decoding: not a failure of this image.
      if (getInstance(ref.key) !== entry)
        throw quietError(`Image ${imageId} belongs to a study that is no longer open`);
      // Cornerstone cancelled the request (the image left its cache): nothing to report either.
      if (cancel.signal.aborted) throw quietError(`Image ${imageId} is no longer needed`);
      const message =
        e instanceof Error
          ? e.message
          : typeof e === 'object' && e !== null && 'error' in e
            ? String(e.error)
            : String(e);
      onDecodeFailure?.({ imageId, message, problem: e instanceof DicomError ? problemOf(e) : null });
      const error = e instanceof Error ? e : new Error(message);
      reported.add(error);
      throw error;
    }
  })();
  // Cornerstone calls this when it drops the image; a frame queued in Lucent's decoder is then skipped.
  return { promise, cancelFn: () => cancel.abort() };
}
