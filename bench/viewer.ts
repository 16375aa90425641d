/**
 * Viewer benchmark in Debian's Chromium: open a 300-slice 512² CT from local files and measure time to
 * first image, time until every slice is decoded and cached (the series scrolls without waiting), and
 * the page's peak JS heap.
 */
import { buildAndServe } from './data';
import { launchBrowser } from '../test/support/browser.mjs';

export interface ViewerResult {
  slices: number;
  timeToFirstImageMs: number;
  timeToScrollableMs: number;
  peakJsHeapMB: number;
  totalMemoryMB: number | null;
  renderer: string;
}

export async function viewerBench(files: readonly string[]): Promise<ViewerResult> {
  const { server, port } = await buildAndServe();
  const { context, close } = await launchBrowser();
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole('region', { name: 'Viewport' }).waitFor();
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'no WebGL2';
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { metrics } = await cdp.send('Performance.getMetrics');
        const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
        peak = Math.max(peak, heap);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await page.getByLabel('Open files').setInputFiles([...files]);
    await page.waitForFunction(
      () => performance.getEntriesByName('lucent:scrollable').length > 0,
      undefined,
      {
        timeout: 180_000,
        polling: 100,
      },
    );
    sampling = false;
    await sampler;
    // (No helper functions inside evaluate: tsx would wrap them in a helper the page does not have.)
    const [open, first, scrollable] = await page.evaluate(() =>
      ['open', 'first-image', 'scrollable', 'first-instance', 'set-stack', 'stack-ready'].map(
        (n) => performance.getEntriesByName(`lucent:${n}`).at(-1)?.startTime ?? NaN,
      ),
    );
    const marks = { open: open ?? NaN, first: first ?? NaN, scrollable: scrollable ?? NaN };
    console.log(
      'marks',
      JSON.stringify(
        await page.evaluate(() =>
          ['open', 'first-instance', 'set-stack', 'stack-ready', 'first-image', 'scrollable'].map((n) => [
            n,
            Math.round(performance.getEntriesByName(`lucent:${n}`)[0]?.startTime ?? NaN),
          ]),
        ),
      ),
    );
    const totalMemory = await page.evaluate(async () => {
      const p = performance as Performance & {
        measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
      };
      if (!crossOriginIsolated || !p.measureUserAgentSpecificMemory) return null;
      try {
        return (await p.measureUserAgentSpecificMemory()).bytes;
      } catch {
        return null;
      }
    });
    return {
      slices: files.length,
      timeToFirstImageMs: Math.round(marks.first - marks.open),
      timeToScrollableMs: Math.round(marks.scrollable - marks.open),
      peakJsHeapMB: Math.round(peak / 1e6),
      totalMemoryMB: totalMemory === null ? null : Math.round(totalMemory / 1e6),
      renderer,
    };
  } finally {
    await close();
    server.close();
  }
}
