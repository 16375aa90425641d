/**
 * AI benchmarks: the committed model's latency per slice stack on onnxruntime-node (native), on
 * onnxruntime-web in Debian's Chromium (WebAssembly single- and multi-threaded; WebGPU where a real
 * adapter exists), each as a ratio to native in the same run; and the whole-series sweep in the browser of
 * two 300-slice 512² CTs, the phantom and a synthetic chest (bench/data.ts).
 */
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import type { BenchResult } from '../src/ai/browser/client';
import { installedModels, sessionOptions, verifiedModelBytes } from '../src/ai/node/models';
import { buildAndServe } from './data';
import { launchBrowser } from '../test/support/browser.mjs';

/** A typical lung crop on the model grid (1 mm pixels). */
export const DIMS: [number, number, number, number] = [1, 5, 256, 320];

export interface AiBench {
  model: string;
  inputDims: number[];
  nativeMs: number;
  browser: {
    backend: string;
    threads: number;
    /** Median per run once warmed up (steady state, as in a long sweep). */
    medianMs: number | null;
    /** The first run in a fresh worker, with the browser's baseline WebAssembly code. */
    firstMs?: number;
    warmupRuns?: number;
    ratioToNative: number | null;
    note?: string;
  }[];
  /** The phantom (lungs of one size along z). */
  sweep: Sweep;
  /** The synthetic chest CT (lungs that grow and shrink along z). */
  sweepChest: Sweep;
}

export interface Sweep {
  slices: number;
  /** From the click on Run AI to the findings on screen: every stage, the volume's assembly included. */
  seconds: number | null;
  /** The inference worker's own time (model files, runtime start, preprocessing, both stages, report). */
  engineSeconds: number | null;
  provider: string | null;
  status: string;
  /** Where the time went (ms): the page's volume assembly, the worker's stages (see AiRun.aiTiming). */
  stagesMs: Record<string, number> | null;
}

async function nativeMedian(iterations = 20): Promise<{ id: string; ms: number }> {
  const model = installedModels().find((m) => m.manifest.task === 'detection');
  if (!model) throw new Error('no detection model installed');
  // As the CLI opens it (2 threads).
  const session = await ort.InferenceSession.create(verifiedModelBytes(model), sessionOptions(2));
  const input = new ort.Tensor('float32', new Float32Array(DIMS.reduce((a, b) => a * b, 1)), DIMS);
  for (let i = 0; i < 5; i++) await session.run({ [model.manifest.input.name]: input });
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await session.run({ [model.manifest.input.name]: input });
    times.push(performance.now() - t);
  }
  await session.release();
  times.sort((a, b) => a - b);
  return {
    id: `${model.manifest.id} ${model.manifest.version}`,
    ms: times[Math.floor(times.length / 2)] ?? NaN,
  };
}

/**
 * Open a series in a freshly loaded page and run AI on it: the time from the click to the findings, and
 * the worker's own timing from the status line.
 */
async function sweepOnce(page: Page, files: readonly string[]): Promise<Sweep> {
  await page.reload();
  await page.getByRole('region', { name: 'Viewport' }).waitFor();
  await page.getByLabel('Open files').setInputFiles([...files]);
  await page
    .getByRole('status')
    .filter({ hasText: /Loaded \d+ images?/ })
    .waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => performance.getEntriesByName('lucent:scrollable').length > 0, undefined, {
    timeout: 120_000,
  });
  const clicked = Date.now();
  await page.getByRole('button', { name: 'Run AI' }).click();
  const status = page.getByRole('status');
  await status.filter({ hasText: /AI (done|failed|not run)/ }).waitFor({ timeout: 300_000 });
  const wall = (Date.now() - clicked) / 1000;
  const text = (await status.textContent()) ?? '';
  const stagesMs = await page.evaluate(() =>
    (window as unknown as { __lucent: { aiTiming(): Record<string, number> | null } }).__lucent.aiTiming(),
  );
  const m = /· ([^·]+) · ([\d.]+) s$/.exec(text.trim());
  return {
    slices: files.length,
    seconds: m ? Math.round(wall * 10) / 10 : null,
    engineSeconds: m ? Number(m[2]) : null,
    provider: m ? (m[1] ?? null) : null,
    status: text,
    stagesMs,
  };
}

/**
 * `ct300Files`: the phantom (bench/data.ts, ct300); `chestFiles`: the synthetic chest CT (chest300),
 * swept after it in the same page.
 */
export async function aiBench(
  ct300Files: readonly string[],
  chestFiles: readonly string[],
): Promise<AiBench> {
  const native = await nativeMedian();
  const { server, port } = await buildAndServe();
  const { context, close } = await launchBrowser({ extraArgs: ['--enable-unsafe-webgpu'] });
  const browser: AiBench['browser'] = [];
  let sweep: Sweep;
  let sweepChest: Sweep;
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole('region', { name: 'Viewport' }).waitFor();
    await page.waitForFunction(() => (window as unknown as { __lucent?: unknown }).__lucent !== undefined);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    for (const [backend, threads] of [
      ['wasm', 1],
      ['wasm', Math.max(2, Math.min(4, cores))],
      ['webgpu', 0],
    ] as const) {
      try {
        const r = await page.evaluate(
          ({ dims, backend: b, threads: t }) =>
            (
              window as unknown as {
                __lucent: {
                  benchModel(d: number[], b: string, t: number): Promise<BenchResult>;
                };
              }
            ).__lucent.benchModel(dims, b, t),
          { dims: DIMS, backend, threads },
        );
        browser.push({
          backend,
          threads,
          medianMs: Math.round(r.medianMs * 10) / 10,
          firstMs: Math.round(r.firstMs * 10) / 10,
          warmupRuns: r.warmupRuns,
          ratioToNative: Math.round((r.medianMs / native.ms) * 100) / 100,
        });
      } catch (e) {
        browser.push({
          backend,
          threads,
          medianMs: null,
          ratioToNative: null,
          note: e instanceof Error ? e.message.split('\n')[0] : String(e),
        });
      }
    }
    // Whole sweeps: open each 300-slice CT, run AI; time it from the click to the findings.
    sweep = await sweepOnce(page, ct300Files);
    sweepChest = await sweepOnce(page, chestFiles);
  } finally {
    await close();
    server.close();
  }
  return {
    model: native.id,
    inputDims: DIMS,
    nativeMs: Math.round(native.ms * 10) / 10,
    browser,
    sweep,
    sweepChest,
  };
}
