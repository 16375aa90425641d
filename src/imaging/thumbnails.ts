/** Series thumbnails, rendered off-screen by Cornerstone from the middle image of the series. */
import { utilities as csUtils } from '@cornerstonejs/core';

export async function renderThumbnail(canvas: HTMLCanvasElement, imageId: string): Promise<void> {
  await csUtils.loadImageToCanvas({ canvas, imageId, thumbnail: true });
}
