/**
 * Hand a displayed series to the AI engine: its slices' geometry (from the headers) and decoded values
 * (from Cornerstone's cache, decoding any that are missing), each copied into a buffer of its own that is
 * transferred to the inference worker, where the shared volume builder (lib/volume) stacks them: the page
 * only copies, it never builds the volume. `volumeForAi` builds it here, for the few page-side readers
 * (practice feedback) that need HU values.
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

/** The series as a HU volume, built on this page (for page-side readers; the AI builds its own). */
export async function volumeForAi(imageIds: readonly string[]): Promise<Volume> {
  // Geometry first, from the headers: the builder allocates the volume once and writes each slice into
  // it as it is read.
  return buildSeriesVolume(geometryOf(imageIds), (i) => sliceOf(imageIds[i] ?? ''));
}
