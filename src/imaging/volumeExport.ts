/**
 * Hand a displayed series to the AI engine: the decoded slices (from Cornerstone's cache, decoding any
 * that are missing) stacked once into a HU volume whose buffer is then transferred to the worker.
 */
import { imageLoader } from '@cornerstonejs/core';
import { planVolume, writePlane, type SliceGeometry, type Volume } from '../lib/volume';
import { getInstance, parseImageId } from './registry';

export async function volumeForAi(
  imageIds: readonly string[],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Volume> {
  // Geometry first, from the headers: the volume is allocated once and each decoded slice is written
  // straight into it (no per-slice copies held in between).
  let thickness = 0;
  const geometry: SliceGeometry[] = imageIds.map((id) => {
    const ref = parseImageId(id);
    const info = ref ? getInstance(ref.key)?.info.image : undefined;
    const frame = info?.frames[ref?.frame ?? 0];
    const position = frame?.position;
    const spacing = frame?.pixelSpacing ?? info?.pixelSpacing;
    if (!info || !position || !spacing)
      throw new Error('A slice of this series has no position or pixel spacing.');
    thickness = thickness || (frame.sliceThickness ?? info.sliceThickness ?? 0);
    return {
      position,
      orientation: frame.orientation,
      rows: info.rows,
      columns: info.columns,
      pixelSpacing: spacing,
    };
  });
  const plan = planVolume(geometry);
  const plane = plan.rows * plan.columns;
  const data = new Int16Array(plane * imageIds.length);
  let done = 0;
  for (const [k, i] of plan.order.entries()) {
    if (signal?.aborted) throw new DOMException('The analysis was cancelled.', 'AbortError');
    const image = await imageLoader.loadAndCacheImage(imageIds[i] ?? '');
    if (image.rows !== plan.stored.rows || image.columns !== plan.stored.columns)
      throw new Error('A decoded slice does not have the size its header gives.');
    const raw = image.getPixelData() as ArrayLike<number>;
    const scaled = image.preScale?.scaled === true;
    writePlane(
      data,
      plane,
      k,
      raw,
      scaled ? 1 : (image.slope ?? 1),
      scaled ? 0 : (image.intercept ?? 0),
      plan,
    );
    done++;
    if (done % 16 === 0 || done === imageIds.length) onProgress?.(done, imageIds.length);
  }
  return {
    data,
    columns: plan.columns,
    rows: plan.rows,
    slices: imageIds.length,
    origin: plan.origin,
    spacing: plan.spacing,
    sliceThickness: thickness,
  };
}
