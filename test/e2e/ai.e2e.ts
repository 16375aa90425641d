/**
 * The in-browser engine with the committed nodule model: Run AI on a demo case in headless Chromium
 * (WebAssembly), findings in the UI equal to `lucent analyze` on the same files, the review workflow, and
 * the bad paths: inapplicable series, checksum mismatch, a file that is not ONNX, cancel, a crashed worker,
 * an absurd input size, and a second visit with no network for the model.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../../scripts/demo.mjs';
import { corpusFile } from '../support/corpus';
import {
  aiStatus,
  distanceMm,
  expectSameFindingsAsCli,
  openApp,
  openDemo,
  openSmallStudy,
  readout,
  screenshot,
  shownFindings,
  waitForLoaded,
  fileSession,
} from './helpers';

const session = fileSession();

interface Truth {
  nodules: { centerMm: [number, number, number]; diameterMm: number; type: string }[];
}

/** Forget the cached model bytes (the tests share one browser profile). */
async function clearModelCache(page: Page): Promise<void> {
  await page.evaluate(() => caches.delete('lucent-models-v1'));
}

describe('AI in the browser', () => {
  it('finds the demo nodules on WebAssembly, as the CLI does, and fills the report', async () => {
    const { page, problems, offOrigin } = await openApp(session);
    await openDemo(page, 'Solid nodules');
    await page.getByRole('button', { name: 'Run AI' }).click();
    const done = await aiStatus(page, /AI done: \d+ findings?/);
    expect(done).toMatch(/WASM/);
    expect(done).toMatch(/lung-nodule-ct/);
    const items = page
      .getByRole('region', { name: 'Findings' })
      .getByRole('list', { name: 'AI findings' })
      .getByRole('listitem');
    const count = await items.count();
    expect(count).toBeGreaterThan(0);
    // Every finding names its type, size in mm and Lung-RADS category.
    for (const text of await items.allTextContents())
      expect(text).toMatch(
        /(solid|part-solid|ground-glass|calcified) \d+\.\d mm · Lung-RADS (1|2|3|4A|4B|4X)/,
      );
    await expect.poll(() => page.getByRole('region', { name: 'Report' }).textContent()).toMatch(/Lung-RADS/);
    // The README's picture: the model's most confident finding selected, its slice shown with the AI marks.
    const scores = await items.evaluateAll((els) =>
      els.map((e) => ({ id: e.getAttribute('data-id') ?? '', text: e.textContent ?? '' })),
    );
    const top = scores
      .map((x) => ({ id: x.id, score: Number(/AI (\d\.\d+)/.exec(x.text)?.[1] ?? 0) }))
      .sort((a, b) => b.score - a.score)[0];
    await items.getByRole('button', { name: new RegExp(`^${top?.id ?? 'F1'} `) }).click();
    await expect.poll(() => page.getByTestId('ai-marks-0').count()).toBe(1);
    await screenshot(page, 'ai-findings.png');

    // The same files through the CLI (onnxruntime-node): the same findings within a stated tolerance.
    const cli = await expectSameFindingsAsCli(page, join(DEMO_DIR, 'demo-solid'));
    // Those findings came from slices copied into buffers the worker handed back once it had resampled
    // them: the page allocated no more buffers than a window's worth (the send window, one message being
    // copied, the slice the worker holds), fewer than it sent slices, whatever the series' length.
    const buffers = await page.evaluate(() =>
      (
        window as unknown as {
          __lucent: { aiSliceBuffers(): { sent: number; allocated: number; most: number } | null };
        }
      ).__lucent.aiSliceBuffers(),
    );
    expect(buffers?.sent).toBe(
      readdirSync(join(DEMO_DIR, 'demo-solid')).filter((f) => f.endsWith('.dcm')).length,
    );
    expect(buffers?.allocated).toBeGreaterThan(0);
    expect(buffers?.allocated).toBeLessThan(buffers?.sent ?? 0);
    expect(buffers?.most).toBeLessThan(buffers?.sent ?? 0);
    expect(buffers?.allocated).toBeLessThanOrEqual(buffers?.most ?? 0);

    // Against the case's truth: the largest true nodule is found at the operating point, with its type. A
    // finding hits a nodule when its centre lies within the nodule's radius (LUNA16). The page does not
    // show a finding's centre, so the hit is the CLI's finding, and the page shows the same finding (same
    // id, type, category and size, checked above); the page's own centre is checked along the slice axis:
    // selecting the finding shows the slice through it.
    const truth = JSON.parse(readFileSync(join(DEMO_DIR, 'demo-solid', 'truth.json'), 'utf8')) as Truth;
    const largest = [...truth.nodules].sort((x, y) => y.diameterMm - x.diameterMm)[0];
    if (!largest) throw new Error('the Solid nodules case has no nodules in its truth.json');
    const hit = cli.find((c) => distanceMm(c.centerMm, largest.centerMm) <= largest.diameterMm / 2);
    expect(hit, `no finding within ${largest.diameterMm / 2} mm of the largest nodule`).toBeDefined();
    const shown = (await shownFindings(page)).find((f) => f.id === hit?.id);
    expect(shown?.type).toBe(largest.type);
    await items.getByRole('button', { name: new RegExp(`^${hit?.id ?? 'none'} `) }).click();
    await expect
      .poll(async () => Math.abs(((await readout(page))?.positionMm ?? Infinity) - largest.centerMm[2]))
      .toBeLessThanOrEqual(largest.diameterMm / 2);
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.close();
  });

  it('supports review: select, accept, reject, next by key; AI marks toggle with A', async () => {
    const { page } = await openApp(session);
    await openDemo(page, 'Part-solid nodule');
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done/);
    const items = page.getByRole('list', { name: 'AI findings' }).getByRole('listitem');
    // The demo case has a nodule: a run that finds nothing fails here rather than skipping the review.
    await expect.poll(() => items.count()).toBeGreaterThan(0);
    await page.keyboard.press('n');
    await expect.poll(() => items.first().getAttribute('aria-current')).toBe('true');
    await expect.poll(() => page.getByTestId('ai-marks-0').count()).toBe(1);
    // H shows the model's evidence map over the finding's slice, and hides it again.
    await page.keyboard.press('h');
    await expect.poll(() => page.getByTestId('ai-heatmap-0').count()).toBe(1);
    const heat = await page.getByTestId('ai-heatmap-0').boundingBox();
    const view = await page.locator('[data-cell="0"]').boundingBox();
    expect(heat && view && heat.width > 20 && heat.width <= view.width * 1.01).toBe(true);
    await page.keyboard.press('h');
    await expect.poll(() => page.getByTestId('ai-heatmap-0').count()).toBe(0);
    await page.keyboard.press('Enter');
    await expect.poll(() => items.first().getAttribute('data-status')).toBe('accepted');
    const firstId = await items.first().getAttribute('data-id');
    await page.getByRole('button', { name: `Reject ${firstId}` }).click();
    await expect.poll(() => items.first().getAttribute('data-status')).toBe('rejected');
    await page.keyboard.press('a');
    await expect.poll(() => page.getByTestId('ai-marks-0').count()).toBe(0);
    await page.close();
  });

  it('plugs in a YOLO-style export and a classifier from a folder the user picks, and refuses bad folders', async () => {
    const { page, problems } = await openApp(session);
    await openDemo(page, 'Normal chest');
    const examples = join(import.meta.dirname, '../../models/examples');
    const folder = page.getByTestId('model-folder-input');
    const picker = page.getByLabel('AI model');

    await folder.setInputFiles(join(examples, 'classifier'));
    await expect.poll(() => picker.inputValue()).toBe('folder:example-classifier@0.1.0');
    await page.getByRole('button', { name: 'Run AI' }).click();
    expect(await aiStatus(page, /AI done/, 60_000)).toMatch(
      /AI done: (lung|no-lung) \(\d+(\.\d)? %\) · example-classifier 0\.1\.0/,
    );

    await folder.setInputFiles(join(examples, 'yolo-detector'));
    await expect.poll(() => picker.inputValue()).toMatch(/^folder:example-yolo/);
    await page.getByRole('button', { name: 'Run AI' }).click();
    expect(await aiStatus(page, /AI done/, 60_000)).toMatch(/AI done: \d+ findings? · example-yolo/);

    // A model file that does not match its manifest is refused before any session is created.
    const tampered = mkdtempSync(join(tmpdir(), 'lucent-model-'));
    copyFileSync(join(examples, 'yolo-detector/manifest.json'), join(tampered, 'manifest.json'));
    writeFileSync(join(tampered, 'model.onnx'), 'tampered');
    await folder.setInputFiles(tampered);
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringMatching(/is refused: model\.onnx does not match the SHA-256/));
    const noManifest = mkdtempSync(join(tmpdir(), 'lucent-model-'));
    copyFileSync(join(examples, 'classifier/model.onnx'), join(noManifest, 'model.onnx'));
    await folder.setInputFiles(noManifest);
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringMatching(/no manifest\.json/));
    // The right file (checksum passes) behind a manifest that promises another output: refused by the
    // worker before any image is run, with the reason, never decoded as findings.
    const lying = mkdtempSync(join(tmpdir(), 'lucent-model-'));
    copyFileSync(join(examples, 'yolo-detector/model.onnx'), join(lying, 'model.onnx'));
    const yolo = JSON.parse(readFileSync(join(examples, 'yolo-detector/manifest.json'), 'utf8')) as {
      id: string;
      output: { labels: string[] };
    };
    const lie = { ...yolo, id: 'lying-yolo', output: { ...yolo.output, labels: ['blob', 'ring'] } };
    writeFileSync(join(lying, 'manifest.json'), JSON.stringify(lie));
    await folder.setInputFiles(lying);
    await expect.poll(() => picker.inputValue()).toMatch(/^folder:lying-yolo/);
    await page.getByRole('button', { name: 'Run AI' }).click();
    expect(await aiStatus(page, /AI failed/, 60_000)).toMatch(
      /model\.onnx does not match its manifest: output "output0" has 6 values per box \(5 \+ classes\), the manifest says 7/,
    );
    // Back to the app's own model.
    await picker.selectOption('');
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    await page.close();
  });

  it('does not run on a series the model does not apply to, and says why', async () => {
    const { page } = await openApp(session);
    await page.getByLabel('Open files').setInputFiles(corpusFile('MR_small.dcm'));
    await waitForLoaded(page);
    await page.getByRole('button', { name: 'Run AI' }).click();
    expect(await aiStatus(page, /AI not run/, 30_000)).toMatch(/for CT images; this series is MR/);
    await page.close();
  });

  it('refuses a model whose checksum does not match, and one that is not ONNX', async () => {
    const { page } = await openApp(session);
    await clearModelCache(page);
    await page.route('**/models/lung-nodule-ct/model.onnx', (route) =>
      route.fulfill({ body: Buffer.from('not a model at all') }),
    );
    await openSmallStudy(page);
    await page.getByRole('button', { name: 'Run AI' }).click();
    expect(await aiStatus(page, /AI failed/, 60_000)).toMatch(/does not match its manifest/);
    await page.close();
    // Now the manifest agrees with the (bad) bytes: the checksum passes and loading must fail cleanly.
    const page2 = (await openApp(session)).page;
    const garbage = Buffer.from('not a model at all');
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(garbage).digest('hex');
    await page2.route('**/models/index.json', async (route) => {
      const res = await route.fetch();
      const index = (await res.json()) as { models: { manifest: Record<string, unknown> }[] };
      for (const m of index.models) Object.assign(m.manifest, { sha256: digest, bytes: garbage.length });
      await route.fulfill({ response: res, json: index });
    });
    await clearModelCache(page2);
    await page2.route('**/models/lung-nodule-ct/model.onnx', (route) => route.fulfill({ body: garbage }));
    await page2.reload();
    await openSmallStudy(page2);
    await page2.getByRole('button', { name: 'Run AI' }).click();
    expect(await aiStatus(page2, /AI failed/, 60_000)).toMatch(/not be loaded as an ONNX model/);
    await page2.close();
  });

  it('cancels within a batch, survives a crashed worker, and refuses an absurd input size', async () => {
    const { page, problems } = await openApp(session, '/?test-hooks');
    await openDemo(page, 'Ground-glass nodule');
    // Slow the sweep (a diagnostic pause after each batch) so that it is surely mid-sweep.
    await page.evaluate(() =>
      (window as unknown as { __lucent: { setAiBatchDelay(ms: number): void } }).__lucent.setAiBatchDelay(
        400,
      ),
    );
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI: \d+\/\d+ slices/, 60_000);
    await page.getByRole('button', { name: 'Cancel AI' }).click();
    await aiStatus(page, /AI cancelled/, 10_000);
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI: \d+\/\d+ slices/, 60_000);
    // Crash the real worker (an uncaught error inside it), so the page's own onerror path is what recovers.
    const worker = page.workers().find((w) => w.url().includes('inference.worker'));
    expect(worker).toBeDefined();
    await worker?.evaluate(() => {
      setTimeout(() => {
        throw new Error('simulated crash');
      }, 0);
    });
    // The worker's own error text (English) stays out of the status, which is worded from its code.
    expect(await aiStatus(page, /AI failed/, 30_000)).toMatch(/analysis worker stopped unexpectedly\./);
    // The app recovers: the next run completes.
    await page.evaluate(() =>
      (window as unknown as { __lucent: { setAiBatchDelay(ms: number): void } }).__lucent.setAiBatchDelay(0),
    );
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done/);
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    await page.close();

    const page2 = (await openApp(session)).page;
    await page2.route('**/models/index.json', async (route) => {
      const res = await route.fetch();
      const index = (await res.json()) as { models: { manifest: { input?: Record<string, unknown> } }[] };
      // Vision models only (the language model's manifest has no image input).
      for (const m of index.models) if (m.manifest.input) m.manifest.input['pixelSpacingMm'] = 0.002;
      await route.fulfill({ response: res, json: index });
    });
    await page2.reload();
    await openSmallStudy(page2);
    await page2.getByRole('button', { name: 'Run AI' }).click();
    expect(await aiStatus(page2, /AI failed/, 60_000)).toMatch(/too large to analyse/);
    expect(await page2.evaluate(() => document.title)).toContain('Lucent');
    await page2.close();
  });

  it(
    'ends a runtime or worker that fails to load in a specific message, and runs again after',
    { timeout: 300_000 },
    async () => {
      const { page, problems } = await openApp(session);
      await openSmallStudy(page);
      const run = page.getByRole('button', { name: 'Run AI' });
      // A runtime file the server does not have: the status says which, and Run AI works again after.
      const wasm = '**/ort/ort-wasm-simd-threaded.wasm';
      await page.route(wasm, (route) => route.fulfill({ status: 404, body: '' }));
      await run.click();
      expect(await aiStatus(page, /AI failed/, 60_000)).toMatch(
        /runtime file \/ort\/ort-wasm-simd-threaded\.wasm could not be loaded \(HTTP 404\)/,
      );
      await page.unroute(wasm);
      // The runtime's loader served without Cross-Origin-Embedder-Policy (the dev server's old fault): its
      // threads could never start, so one thread is used and the status says why, instead of a wait forever.
      const loader = '**/ort/ort-wasm-simd-threaded.mjs';
      await page.route(loader, async (route) => {
        const res = await route.fetch();
        const headers = { ...res.headers() };
        delete headers['cross-origin-embedder-policy'];
        await route.fulfill({ response: res, headers });
      });
      await run.click();
      expect(await aiStatus(page, /AI done|AI failed/, 120_000)).toMatch(
        /AI done: .* WASM \(1 thread\) \(\/ort\/ort-wasm-simd-threaded\.mjs is served without Cross-Origin-Embedder-Policy/,
      );
      await page.close();

      // The worker's own script does not load.
      const page2 = (await openApp(session)).page;
      await openSmallStudy(page2);
      const worker = '**/assets/inference.worker-*.js';
      await page2.route(worker, (route) => route.fulfill({ status: 404, body: '' }));
      await page2.getByRole('button', { name: 'Run AI' }).click();
      expect(await aiStatus(page2, /AI failed/, 120_000)).toMatch(/analysis worker could not be started/);
      await page2.unroute(worker);
      await page2.getByRole('button', { name: 'Run AI' }).click();
      expect(await aiStatus(page2, /AI done|AI failed/, 120_000)).toMatch(/AI done: .* WASM ×2 threads/);
      expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
      await page2.close();
    },
  );

  it('loads the model from Cache Storage on a second visit, with no network for it', async () => {
    const { page } = await openApp(session);
    await clearModelCache(page);
    await openSmallStudy(page);
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done/);
    const bytes = readFileSync(join(import.meta.dirname, '../../models/lung-nodule-ct/model.onnx')).length;
    expect(bytes).toBeGreaterThan(0);
    let modelRequests = 0;
    await page.route('**/models/**/*.onnx', (route) => {
      modelRequests++;
      return route.abort();
    });
    await page.reload();
    await openSmallStudy(page);
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done/);
    expect(modelRequests).toBe(0);
    await page.close();
  });
});
