/**
 * Hand a displayed series to the AI engine: its slices' geometry (from the headers), then its decoded
 * values (from Cornerstone's cache, decoding any that are missing) streamed to the inference worker a few
 * slices at a time, each copied into a buffer of its own that is transferred; the worker reorients and
 * resamples each onto the model's grid as it arrives (ai/shared/modelGrid, shared with the CLI). The page
 * only copies, a message's worth at a time; it never builds the volume. `volumeNear` builds a few slices'
 * worth here, for a page-side reader (practice feedback) that needs HU values around a point.
 */
import { imageLoader } from '@cornerstonejs/core';
import { frameGeometry } from '../dicom/series';
import {
  buildSeriesVolume,
  sliceNormal,
  planVolume,
  VolumeError,
  type SliceArray,
  type SliceGeometry,
  type SliceValues,
  type Volume,
} from '../lib/volume';
import { getInstance, parseImageId } from './registry';

function geometryOf(imageIds: readonly string[]): SliceGeometry[] {
  return imageIds.map((id) => {
    const ref = parseImageId(id);
    const image = ref ? getInstance(ref.key)?.info.image : undefined;
    if (!ref || !image)
      throw new VolumeError('no-geometry', 'A slice of this series has no position or pixel spacing.');
    return frameGeometry(image, ref.frame);
  });
}

/** Where a copy of a slice may go: a spent buffer of that many bytes, when one is free. */
export type SpareBuffer = (bytes: number) => ArrayBuffer | undefined;

/** `pixels` copied into `into` (a buffer of exactly its size), as the same kind of typed array. */
function copyInto(pixels: SliceArray, into: ArrayBuffer): SliceArray {
  const copy = new (pixels.constructor as new (buffer: ArrayBuffer) => SliceArray)(into);
  copy.set(pixels);
  return copy;
}

async function sliceOf(imageId: string, spare?: SpareBuffer): Promise<SliceValues & { values: SliceArray }> {
  const image = await imageLoader.loadAndCacheImage(imageId);
  const scaled = image.preScale?.scaled === true;
  const pixels = image.getPixelData() as ArrayLike<number>;
  // A copy: the cache keeps its own buffer, the copy's is transferred to the worker. It goes into a buffer
  // the worker has handed back when one of that size is free.
  let values: SliceArray;
  if (ArrayBuffer.isView(pixels)) {
    const typed = pixels as SliceArray;
    const into = spare?.(typed.byteLength);
    values = into ? copyInto(typed, into) : typed.slice();
  } else values = Float32Array.from(pixels);
  return {
    values,
    rows: image.rows,
    columns: image.columns,
    slope: scaled ? 1 : (image.slope ?? 1),
    intercept: scaled ? 0 : (image.intercept ?? 0),
  };
}

/** The slices' geometry of a series, from the headers (what the worker's volume builder plans with). */
export function seriesGeometry(imageIds: readonly string[]): SliceGeometry[] {
  return geometryOf(imageIds);
}

/** How many slices go to the worker in one message. */
export const SLICES_PER_MESSAGE = 8;

/**
 * Stream the decoded slices of a series to the inference worker, in the volume's order (bottom to top),
 * a few per message, each copied into a buffer of its own that is transferred (one the worker has handed
 * back, from `spare`, when one is free): the page never holds more than one message's worth of copies,
 * and `send` waits while the worker has a window's worth it has not resampled yet
 * (ai/browser/client.ts SLICE_WINDOW). Returns how many slices were sent, and how many buffers were
 * allocated for them (the rest reused). Stops with an AbortError when `signal` aborts, and
 * quietly when `send` says the run has ended.
 */
export async function streamSlices(
  imageIds: readonly string[],
  geometry: readonly SliceGeometry[],
  send: (
    slices: readonly { index: number; slice: SliceValues & { values: SliceArray } }[],
  ) => Promise<boolean>,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
  spare?: SpareBuffer,
): Promise<{ sent: number; allocated: number }> {
  const { order } = planVolume(geometry);
  let part: { index: number; slice: SliceValues & { values: SliceArray } }[] = [];
  let sent = 0;
  let reused = 0;
  const reuse: SpareBuffer | undefined = spare
    ? (bytes) => {
        const b = spare(bytes);
        if (b) reused++;
        return b;
      }
    : undefined;
  for (const [n, index] of order.entries()) {
    if (signal?.aborted) throw new DOMException('The analysis was cancelled.', 'AbortError');
    part.push({ index, slice: await sliceOf(imageIds[index] ?? '', reuse) });
    if (part.length === SLICES_PER_MESSAGE || n === order.length - 1) {
      // Waits while the receiver is full; stops copying once the receiver has ended (it failed, say).
      const more = await send(part);
      sent += part.length;
      part = [];
      onProgress?.(n + 1, order.length);
      if (!more) break;
    }
  }
  // Every slice read was sent (a run that ends stops the reading right after a send).
  return { sent, allocated: sent - reused };
}

/**
 * The part of a series within `mm` of a patient-space point (the slices whose plane is that close), as a
 * HU volume built on this page: small, for a reader of the image around one point. Null when fewer than
 * two slices are that close.
 */
export async function volumeNear(
  imageIds: readonly string[],
  point: readonly [number, number, number],
  mm: number,
): Promise<Volume | null> {
  const all = geometryOf(imageIds);
  const near = all.flatMap((g, i) => {
    const n = sliceNormal(g.orientation);
    const d = n.reduce((s, c, k) => s + c * ((point[k] ?? 0) - (g.position[k] ?? 0)), 0);
    return Math.abs(d) <= mm ? [i] : [];
  });
  if (near.length < 2) return null;
  return buildSeriesVolume(
    near.map((i) => all[i]),
    (k) => sliceOf(imageIds[near[k]] ?? ''),
  );
}
