/**
 * The `lucent:` Cornerstone image loader. It reads a frame's encoded bytes straight from the instance's
 * byte source (only the bytes of that frame for native data) and hands them to Cornerstone's codecs,
 * which decode in their own web workers.
 */
import { createImage } from '@cornerstonejs/dicom-image-loader';
import { DicomError } from '../dicom/parse';
import { extractFrame, nativeFrameRange } from '../dicom/frames';
import type { ImageInfo } from '../dicom/instance';
import { getInstance, parseImageId } from './registry';

/** Encapsulated pixel data read once per instance: multi-frame compressed files reuse it per frame. */
const encapsulatedCache = new Map<string, Promise<Uint8Array>>();

export function clearLoaderCache(): void {
  encapsulatedCache.clear();
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

export type DecodeFailure = { readonly imageId: string; readonly message: string };
let onDecodeFailure: ((f: DecodeFailure) => void) | null = null;

/** Report frames that fail to decode (the UI lists them under Load errors). */
export function setDecodeFailureListener(listener: ((f: DecodeFailure) => void) | null): void {
  onDecodeFailure = listener;
}

export function lucentImageLoader(
  imageId: string,
  options: Record<string, unknown> = {},
): { promise: Promise<never>; cancelFn: undefined } {
  const promise = (async () => {
    const ref = parseImageId(imageId);
    const entry = ref && getInstance(ref.key);
    const image = entry?.info.image;
    if (!ref || !entry || !image) throw new Error(`Unknown image ${imageId}`);
    try {
      const bytes = await frameBytes(ref.key, image, ref.frame);
      const image3 = await createImage(imageId, bytes, entry.info.transferSyntaxUID, options);
      return image3 as never;
    } catch (e) {
      const message =
        e instanceof Error
          ? e.message
          : typeof e === 'object' && e !== null && 'error' in e
            ? String(e.error)
            : String(e);
      onDecodeFailure?.({ imageId, message });
      throw e instanceof Error ? e : new Error(message);
    }
  })();
  return { promise, cancelFn: undefined };
}
