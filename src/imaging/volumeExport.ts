/**
 * Hand a displayed series to the AI engine: the decoded slices (from Cornerstone's cache, decoding any
 * that are missing) stacked once into a HU volume whose buffer is then transferred to the worker.
 */
import { imageLoader } from '@cornerstonejs/core';
import { buildVolume, type SliceInput, type Volume } from '../lib/volume';
import { getInstance, parseImageId } from './registry';

export async function volumeForAi(
  imageIds: readonly string[],
  onProgress?: (done: number, total: number) => void,
): Promise<Volume> {
  const slices: SliceInput[] = [];
  let thickness = 0;
  let done = 0;
  for (const id of imageIds) {
    const ref = parseImageId(id);
    const entry = ref ? getInstance(ref.key) : undefined;
    const info = entry?.info.image;
    const frame = info?.frames[ref?.frame ?? 0];
    const position = frame?.position;
    const spacing = frame?.pixelSpacing ?? info?.pixelSpacing;
    if (!info || !position || !spacing)
      throw new Error('A slice of this series has no position or pixel spacing.');
    const image = await imageLoader.loadAndCacheImage(id);
    const raw = image.getPixelData() as ArrayLike<number>;
    const n = image.rows * image.columns;
    const hu = new Float32Array(n);
    const scaled = image.preScale?.scaled === true;
    const slope = image.slope ?? 1;
    const intercept = image.intercept ?? 0;
    for (let i = 0; i < n; i++) hu[i] = scaled ? raw[i] : raw[i] * slope + intercept;
    thickness = thickness || (frame.sliceThickness ?? info.sliceThickness ?? 0);
    slices.push({
      position: [position[0], position[1], position[2]],
      rows: image.rows,
      columns: image.columns,
      pixelSpacing: [spacing[0], spacing[1]],
      hu,
    });
    done++;
    if (done % 16 === 0 || done === imageIds.length) onProgress?.(done, imageIds.length);
  }
  return buildVolume(slices, thickness);
}
