/**
 * Hand a displayed series to the AI engine: the decoded slices (from Cornerstone's cache, decoding any
 * that are missing) stacked once by the shared volume builder into a HU volume whose buffer is then
 * transferred to the worker.
 */
import { imageLoader } from '@cornerstonejs/core';
import { frameGeometry } from '../dicom/series';
import { buildSeriesVolume, VolumeError, type Volume } from '../lib/volume';
import { getInstance, parseImageId } from './registry';

export async function volumeForAi(
  imageIds: readonly string[],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Volume> {
  // Geometry first, from the headers: the builder allocates the volume once and each decoded slice is
  // written straight into it (no per-slice copies held in between).
  const geometry = imageIds.map((id) => {
    const ref = parseImageId(id);
    const image = ref ? getInstance(ref.key)?.info.image : undefined;
    if (!ref || !image)
      throw new VolumeError('no-geometry', 'A slice of this series has no position or pixel spacing.');
    return frameGeometry(image, ref.frame);
  });
  return buildSeriesVolume(
    geometry,
    async (i) => {
      const image = await imageLoader.loadAndCacheImage(imageIds[i] ?? '');
      const scaled = image.preScale?.scaled === true;
      return {
        values: image.getPixelData(),
        rows: image.rows,
        columns: image.columns,
        slope: scaled ? 1 : (image.slope ?? 1),
        intercept: scaled ? 0 : (image.intercept ?? 0),
      };
    },
    { onProgress, signal },
  );
}
