/**
 * The README's first command, `npm start` (the Vite dev server), as a new user meets it: a cold dependency
 * cache and no demo cases yet. The page is served at once while the demo cases are generated, each case
 * appears when ready, the page never reloads itself, Run AI finds the same findings as `lucent analyze`
 * on the same backend as the production build, and the dev server sends the same headers as the
 * production server for the app, the runtime, the models and the demo cases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { freePort } from '../support/orthanc.mjs';
import {
  aiStatus,
  expectSameFindingsAsCli,
  openApp,
  openDemo,
  shownFindings,
  startSession,
  waitForImage,
  waitForLoaded,
  type Session,
} from './helpers';

const root = resolve(import.meta.dirname, '../..');
let session: Session;
let server: ChildProcess;
let url: string;
let output = '';
/** What demo/index.json said when the server first answered. */
let demoAtFirstAnswer: { status?: string; cases?: unknown[] } = {};
const cache = mkdtempSync(join(tmpdir(), 'lucent-vite-'));
const demoDir = join(mkdtempSync(join(tmpdir(), 'lucent-demo-')), 'demo');

beforeAll(async () => {
  const port = await freePort();
  url = `http://localhost:${port}`;
  // Exactly the README's command, in its own process group so that the dev server and the demo
  // generator it starts are stopped with it.
  server = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LUCENT_VITE_CACHE: cache, LUCENT_DEMO_DIR: demoDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  server.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  server.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (server.exitCode !== null || Date.now() > deadline)
      throw new Error(`dev server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  demoAtFirstAnswer = (await (await fetch(`${url}/demo/index.json`)).json()) as typeof demoAtFirstAnswer;
  session = await startSession();
});

afterAll(async () => {
  await session?.close();
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(cache, { recursive: true, force: true });
  rmSync(resolve(demoDir, '..'), { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves the page at once and lists each demo case when it is ready, without reloading', async () => {
    // The page was served before the demo set was complete.
    expect(demoAtFirstAnswer.status).toBe('generating');
    const asked = Date.now();
    const { page, problems } = await openApp(session, '/', url, 180_000);
    console.log(`dev server, cold cache: first page loaded in ${((Date.now() - asked) / 1000).toFixed(1)} s`);
    let loads = 1;
    page.on('load', () => loads++);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const progress = page.getByTestId('demo-progress');
    await expect
      .poll(() => progress.textContent(), { timeout: 60_000 })
      .toMatch(/Preparing the demo cases on this device: \d of 5 ready/);
    // A compressed file decodes with the codecs in their workers while the cases are generated.
    await page.getByLabel('Open files').setInputFiles(corpusFile('MR_small_jpeg_ls_lossless.dcm'));
    await waitForLoaded(page);
    expect((await waitForImage(page)).rows).toBe(64);
    // The first case to be generated is the richest: it appears long before the set is complete.
    await page
      .getByRole('region', { name: 'Demo cases' })
      .getByRole('button', { name: 'Open demo case: Solid nodules' })
      .waitFor({ timeout: 240_000 });
    expect(loads).toBe(1);
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    await page.close();
  }, 480_000);

  it('runs AI as the production build does: WebAssembly threads, the CLI’s findings, a report', async () => {
    const { page, problems, offOrigin } = await openApp(session, '/', url);
    await openDemo(page, 'Solid nodules', 240_000);
    await page.getByRole('button', { name: 'Run AI' }).click();
    // A runtime file that the page cannot load ends in a message, never in "loading the model…" forever.
    const done = await aiStatus(page, /AI done: \d+ findings?|AI failed/, 170_000);
    expect(done).toMatch(/AI done: \d+ findings? · lung-nodule-ct \S+ · WASM ×2 threads/);
    expect((await shownFindings(page)).length).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole('region', { name: 'Report' }).textContent()).toMatch(/Lung-RADS/);
    await expectSameFindingsAsCli(page, join(demoDir, 'demo-solid'));
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.close();
  });

  it('sends the production server’s headers for the page, the runtime, the models and the demo cases', async () => {
    const prod = inject('baseUrl');
    const index = JSON.parse(readFileSync(join(demoDir, 'index.json'), 'utf8')) as {
      cases: { id: string; files: string[] }[];
    };
    const solid = index.cases.find((c) => c.id === 'demo-solid');
    const paths = [
      '/',
      '/ort/ort-wasm-simd-threaded.mjs',
      '/ort/ort-wasm-simd-threaded.wasm',
      '/ort/ort-wasm-simd-threaded.jsep.mjs',
      '/ort/ort-wasm-simd-threaded.jsep.wasm',
      '/models/index.json',
      '/models/lung-nodule-ct/manifest.json',
      '/models/lung-nodule-ct/model.onnx',
      '/models/lung-nodule-ct/MODEL_CARD.md',
      '/demo/index.json',
      `/demo/demo-solid/${solid?.files[0] ?? ''}`,
    ];
    const same = [
      'cross-origin-opener-policy',
      'cross-origin-embedder-policy',
      'cross-origin-resource-policy',
      'x-content-type-options',
      'referrer-policy',
    ];
    // The dev server's policy may add only what Vite's client needs: inline scripts and its websocket.
    const devOnly = (csp: string): string => csp.replace(" 'unsafe-inline'", '').replace(/ ws: wss:/, '');
    for (const path of paths) {
      const [d, p] = await Promise.all([fetch(`${url}${path}`), fetch(`${prod}${path}`)]);
      expect([path, d.status], path).toEqual([path, 200]);
      expect([path, p.status], path).toEqual([path, 200]);
      for (const h of same) expect([path, h, d.headers.get(h)]).toEqual([path, h, p.headers.get(h)]);
      expect([path, devOnly(d.headers.get('content-security-policy') ?? '')]).toEqual([
        path,
        p.headers.get('content-security-policy'),
      ]);
      const type = (r: Response): string => (r.headers.get('content-type') ?? '').split(';')[0] ?? '';
      expect([path, type(d)]).toEqual([path, type(p)]);
      await Promise.all([d.arrayBuffer(), p.arrayBuffer()]);
    }
  });
});
