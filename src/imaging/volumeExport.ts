/**
 * Hand a displayed series to the AI engine: its slices' geometry (from the headers) and decoded values
 * (from Cornerstone's cache, decoding any that are missing), each copied into a buffer of its own that is
 * transferred to the inference worker, where the shared volume builder (lib/volume) stacks them: the page
 * only copies, it never builds the volume. `volumeNear` builds a few slices' worth here, for a page-side
 * reader (practice feedback) that needs HU values around a point.
 */
import { imageLoader } from '@cornerstonejs/core';
import { frameGeometry } from '../dicom/series';
import {
  buildSeriesVolume,
  VolumeError,
  type SeriesSlices,
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

async function sliceOf(imageId: string): Promise<SliceValues & { values: SliceArray }> {
  const image = await imageLoader.loadAndCacheImage(imageId);
  const scaled = image.preScale?.scaled === true;
  const pixels = image.getPixelData() as ArrayLike<number>;
  // A copy: the cache keeps its own buffer, the copy's is transferred to the worker.
  const values: SliceArray = ArrayBuffer.isView(pixels)
    ? (pixels as SliceArray).slice()
    : Float32Array.from(pixels);
  return {
    values,
    rows: image.rows,
    columns: image.columns,
    slope: scaled ? 1 : (image.slope ?? 1),
    intercept: scaled ? 0 : (image.intercept ?? 0),
  };
}

/** The series' slices for the inference worker (see SeriesSlices), each in a buffer of its own. */
export async function slicesForAi(
  imageIds: readonly string[],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<SeriesSlices> {
  const geometry = geometryOf(imageIds);
  const slices: (SliceValues & { values: SliceArray })[] = [];
  for (const [i, id] of imageIds.entries()) {
    if (signal?.aborted) throw new DOMException('The analysis was cancelled.', 'AbortError');
    slices.push(await sliceOf(id));
    if ((i + 1) % 16 === 0 || i + 1 === imageIds.length) onProgress?.(i + 1, imageIds.length);
  }
  return { geometry, slices };
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
    const o = g.orientation ?? [1, 0, 0, 0, 1, 0];
    // The slice normal: row direction × column direction.
    const n = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
    const d = n.reduce((s, c, k) => s + c * ((point[k] ?? 0) - (g.position[k] ?? 0)), 0);
    return Math.abs(d) <= mm ? [i] : [];
  });
  if (near.length < 2) return null;
  return buildSeriesVolume(
    near.map((i) => all[i]),
    (k) => sliceOf(imageIds[near[k]] ?? ''),
  );
}
