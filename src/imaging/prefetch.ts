/**
 * Decoding ahead: loads every image of a displayed series into Cornerstone's cache, a few at a time, so
 * that scrolling never waits, and reports progress through `seriesCached`.
 */
import { cache, imageLoader } from '@cornerstonejs/core';
import type { SeriesDisplay, ViewerEvents } from './viewerTypes';

/**
 * Decode every image of a series into the cache so that scrolling never waits. A newer call for the
 * same series (more images arrived) replaces the running one; cached images are skipped. `prefetching`
 * holds each series' running call (the viewer clears it to stop them all).
 */
export function prefetchSeries(
  prefetching: Map<string, object>,
  series: SeriesDisplay,
  events: ViewerEvents,
): void {
  const token = {};
  prefetching.set(series.key, token);
  const ids = [...series.imageIds];
  let next = 0;
  let cached = 0;
  const current = (): boolean => prefetching.get(series.key) === token;
  const report = (): void => {
    if (current()) events.seriesCached(series.key, cached, ids.length);
  };
  const worker = async (): Promise<void> => {
    while (next < ids.length && current()) {
      const id = ids[next++];
      try {
        if (!cache.isLoaded(id)) await imageLoader.loadAndCacheImage(id);
      } catch {
        // The failure is reported by the loader's decode-failure listener.
      }
      cached++;
      if (cached % 8 === 0 || cached === ids.length) report();
    }
  };
  const concurrency = Math.max(2, Math.min(6, navigator.hardwareConcurrency || 2));
  void Promise.all(Array.from({ length: concurrency }, worker)).finally(() => {
    if (current()) prefetching.delete(series.key);
  });
}
