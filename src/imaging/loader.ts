/**
 * The `lucent:` Cornerstone image loader. It reads a frame's encoded bytes straight from the instance's
 * byte source (only the bytes of that frame for native data) and hands them to Cornerstone's codecs,
 * which decode in their own web workers.
 */
import { createImage } from '@cornerstonejs/dicom-image-loader';
import { DicomError } from '../dicom/parse';
import {
  decodeRleFrame,
  expandYbr422,
  j2kSignMismatch,
  markJpegRgb,
  swapToLittleEndian,
} from '../dicom/codestream';
import { extractFrame, nativeFrameRange } from '../dicom/frames';
import { decodeJpegSequential } from '../dicom/jpeg';
import type { ImageInfo } from '../dicom/instance';
import { getInstance, parseImageId } from './registry';

/** Encapsulated pixel data read once per instance: multi-frame compressed files reuse it per frame. */
const encapsulatedCache = new Map<string, Promise<Uint8Array>>();

export function clearLoaderCache(): void {
  encapsulatedCache.clear();
}

const J2K = new Set([
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.202',
  '1.2.840.10008.1.2.4.203',
]);
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const RLE = '1.2.840.10008.1.2.5';

/**
 * Apply the corrections real files need before they reach a codec, and take over the encodings the
 * browser codecs get wrong: 32-bit big-endian and 32-bit RLE samples are converted here to native
 * little endian. Returns the bytes and the transfer syntax to decode them as.
 */
function prepare(
  bytes: Uint8Array,
  image: ImageInfo,
  transferSyntaxUID: string,
): { bytes: Uint8Array; ts: string } {
  if (J2K.has(transferSyntaxUID)) {
    const mismatch = j2kSignMismatch(bytes, image);
    if (mismatch) throw new DicomError('invalid-attribute', mismatch);
    return { bytes, ts: transferSyntaxUID };
  }
  if (transferSyntaxUID === JPEG_BASELINE) return { bytes: markJpegRgb(bytes, image), ts: transferSyntaxUID };
  if (transferSyntaxUID === JPEG_EXTENDED && image.bitsStored > 8 && image.samplesPerPixel === 1) {
    // Lucent's own decoder: the browser codec adds a level-shift error of ~15 to 12-bit samples.
    const decoded = decodeJpegSequential(bytes);
    const samples = new Uint16Array(decoded.samples);
    return { bytes: new Uint8Array(samples.buffer), ts: EXPLICIT_LE };
  }
  if (transferSyntaxUID === EXPLICIT_BE && image.bitsAllocated > 8) {
    return { bytes: swapToLittleEndian(bytes, image.bitsAllocated), ts: EXPLICIT_LE };
  }
  if (transferSyntaxUID === RLE && image.bitsAllocated === 32) {
    return {
      bytes: decodeRleFrame(bytes, image.rows, image.columns, image.samplesPerPixel, 32),
      ts: EXPLICIT_LE,
    };
  }
  if (
    !image.pixelData.encapsulated &&
    image.photometricInterpretation === 'YBR_FULL_422' &&
    image.bitsAllocated === 8
  ) {
    return { bytes: expandYbr422(bytes, image.rows, image.columns), ts: transferSyntaxUID };
  }
  return { bytes, ts: transferSyntaxUID };
}

async function frameBytes(key: string, image: ImageInfo, frame: number): Promise<Uint8Array> {
  const entry = getInstance(key);
  if (!entry) throw new DicomError('read-failed', 'The file is no longer open.');
  const px = image.pixelData;
  if (px.inline) return extractFrame(image, px.inline, frame, px.encapsulated);
  if (!px.encapsulated) {
    const { start, end } = nativeFrameRange(image, frame);
    const bytes = await entry.source.read(px.offset + start, px.offset + end);
    if (bytes.length < end - start)
      throw new DicomError('truncated', 'The pixel data ends early: the file is truncated.');
    return bytes;
  }
  let all = encapsulatedCache.get(key);
  if (!all) {
    all = entry.source.read(px.offset, entry.source.size);
    encapsulatedCache.set(key, all);
  }
  return extractFrame(image, await all, frame, true);
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

export type DecodeFailure = { readonly imageId: string; readonly message: string };
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
): { promise: Promise<never>; cancelFn: undefined } {
  const promise = (async () => {
    const ref = parseImageId(imageId);
    const entry = ref && getInstance(ref.key);
    const image = entry?.info.image;
    // Asked for after its study was closed (a late request from the previous study's views).
    if (!ref || !entry || !image) throw quietError(`Unknown image ${imageId}`);
    try {
      const { bytes, ts } = prepare(
        await frameBytes(ref.key, image, ref.frame),
        image,
        entry.info.transferSyntaxUID,
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
        );
      }
      return decoded as never;
    } catch (e) {
      // Another study was opened while this image was decoding: not a failure of this image.
      if (getInstance(ref.key) !== entry)
        throw quietError(`Image ${imageId} belongs to a study that is no longer open`);
      const message =
        e instanceof Error
          ? e.message
          : typeof e === 'object' && e !== null && 'error' in e
            ? String(e.error)
            : String(e);
      onDecodeFailure?.({ imageId, message });
      const error = e instanceof Error ? e : new Error(message);
      reported.add(error);
      throw error;
    }
  })();
  return { promise, cancelFn: undefined };
}
