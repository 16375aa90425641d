/** Drop everything Cornerstone holds for the current study: cached images and volumes, annotations. */
import { cache } from '@cornerstonejs/core';
import { annotation } from '@cornerstonejs/tools';
import { clearLoaderCache } from './loader';
import { clearInstances } from './registry';

export function resetImaging(): void {
  annotation.state.removeAllAnnotations();
  cache.purgeCache();
  clearLoaderCache();
  clearInstances();
}
