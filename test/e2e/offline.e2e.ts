/**
 * Offline after the first visit (the production build's service worker, src/offline/sw.ts): a visit while
 * the server is up stores the app, its runtime and models, and the demo case that was opened; with the
 * browser offline and the server gone, a reload opens the app, the same case and the same AI findings,
 * and a report. What came from the PACS is never stored.
 *
 * This file runs its own static server (the shared one cannot be stopped) and the only browser of the
 * suite that allows service workers.
 */
import type { Server } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer } from '../../scripts/serve.mjs';
import {
  aiStatus,
  openApp,
  openPacsDialog,
  openDemo,
  shownFindings,
  startSession,
  waitForLoaded,
  type Session,
} from './helpers';

const root = resolve(import.meta.dirname, '../..');
let session: Session;
let server: Server | undefined;
let base = '';
let phantomFiles: string[] = [];

function stop(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return Promise.resolve();
  return new Promise((ok) => {
    s.close(() => ok());
    s.closeAllConnections();
  });
}

beforeAll(async () => {
  const orthanc = inject('orthancUrl');
  const started = await startServer({ root: join(root, 'dist'), proxy: `${orthanc}/dicom-web` });
  server = started.server;
  base = `http://127.0.0.1:${started.port}`;
  const dir = inject('phantomDir');
  phantomFiles = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  for (const f of phantomFiles) {
    const r = await fetch(`${orthanc}/instances`, { method: 'POST', body: readFileSync(f) });
    if (!r.ok) throw new Error(`Orthanc refused ${f}: ${r.status}`);
  }
  session = await startSession({ serviceWorkers: 'allow' });
});
afterAll(async () => {
  await session?.close();
  await stop();
});

/** Every key of every cache the page's origin holds, as paths. */
async function storedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const r of await cache.keys()) out.push(new URL(r.url).pathname);
    }
    return out;
  });
}

describe('offline', () => {
  it('after one visit, opens the app, a demo case, its AI findings and a report with the server gone', async () => {
    const { page, problems } = await openApp(session, '/', base);
    // The worker installs (storing the build's files) and takes the page over.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const precached = await storedPaths(page);
    const offline = JSON.parse(readFileSync(join(root, 'dist/offline.json'), 'utf8')) as { files: string[] };
    for (const f of offline.files) expect(precached).toContain(f);

    // The first visit: a demo case and AI, over the network.
    await openDemo(page, 'Solid nodules');
    await page.getByRole('button', { name: 'Run AI' }).click();
    const online = await aiStatus(page, /AI done: \d+ findings?/);
    const findings = await shownFindings(page);
    expect(findings.length).toBeGreaterThan(0);

    // A study from the PACS is viewed, and never stored.
    const dialog = await openPacsDialog(page, `${base}/dicomweb`);
    await dialog.getByLabel('Patient ID').fill('PH-e2e');
    await dialog.getByRole('button', { name: 'Search' }).click();
    const rows = dialog.getByRole('table', { name: 'Studies found' }).getByRole('row');
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
    await rows.nth(1).getByRole('button', { name: 'Open' }).click();
    expect(await waitForLoaded(page)).toContain(`Loaded ${phantomFiles.length} images`);
    const stored = await storedPaths(page);
    expect(stored.filter((p) => p.startsWith('/dicomweb'))).toEqual([]);
    // Only the app's own files: the page, the build's assets, the runtime, the models, the demo cases.
    expect(stored.filter((p) => !/^\/($|assets\/|ort\/|models\/|demo\/)/.test(p))).toEqual([]);
    expect(stored.some((p) => p.startsWith('/demo/demo-solid/'))).toBe(true);

    // No network and no server.
    await stop();
    await session.context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('region', { name: 'Viewport' }).waitFor();
      await openDemo(page, 'Solid nodules');
      await page.getByRole('button', { name: 'Run AI' }).click();
      const again = await aiStatus(page, /AI done|AI failed/);
      expect(again).toMatch(/AI done: \d+ findings?/);
      expect(/AI done: (\d+)/.exec(again)?.[1]).toBe(/AI done: (\d+)/.exec(online)?.[1]);
      expect((await shownFindings(page)).map((f) => [f.id, f.type, f.category])).toEqual(
        findings.map((f) => [f.id, f.type, f.category]),
      );
      await expect
        .poll(() => page.getByRole('region', { name: 'Report' }).textContent())
        .toMatch(/Lung-RADS/);
      // A case never opened online was not stored: it fails file by file, with a reason, not a spinner.
      await page
        .getByRole('region', { name: 'Demo cases' })
        .getByRole('button', { name: 'Open demo case: Calcified nodule' })
        .click();
      await page.getByRole('region', { name: 'Load errors' }).getByRole('listitem').first().waitFor();
      expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    } finally {
      await session.context.setOffline(false);
    }
    await page.close();
  }, 400_000);
});
