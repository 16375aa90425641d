/** Series thumbnails, rendered off-screen by Cornerstone from the middle image of the series. */
import { imageLoader, utilities as csUtils } from '@cornerstonejs/core';
import { getInstance, parseImageId } from './registry';

export async function renderThumbnail(canvas: HTMLCanvasElement, imageId: string): Promise<void> {
  // Load through the cache first, so that a failure (a damaged image, or a study closed meanwhile) is the
  // caller's to report: Cornerstone's thumbnail helper logs every failure of its own as an error.
  await imageLoader.loadAndCacheImage(imageId);
  const ref = parseImageId(imageId);
  if (!ref || !getInstance(ref.key)) return; // the study was closed while the image loaded
  await csUtils.loadImageToCanvas({ canvas, imageId, thumbnail: true });
}
