/**
 * A background worker that dies, and a rendering error, lose nothing. The workers are the real ones in
 * Chromium, ended from inside (`self.close()`: no error event reaches the page, as when the browser kills
 * a worker for memory), so the page must notice by itself (lib/liveness.ts). The file reader's unread files
 * are listed as such and read again on request; a dying analysis fails the run at once with its reason and
 * the findings and decisions from before stay; the error boundary shows findings and report and brings
 * the viewer back.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { aiStatus, openApp, openDemo, shownFindings, fileSession } from './helpers';

const session = fileSession();

async function workerOf(page: Page, script: string): Promise<Worker> {
  await expect.poll(() => page.workers().some((w) => w.url().includes(script))).toBe(true);
  return page.workers().find((w) => w.url().includes(script))!;
}

const setBatchDelay = (page: Page, ms: number): Promise<void> =>
  page.evaluate(
    (v) =>
      (window as unknown as { __lucent: { setAiBatchDelay(ms: number): void } }).__lucent.setAiBatchDelay(v),
    ms,
  );

describe('a worker that dies, a view that crashes', () => {
  it('the file reader closes mid-load: its files are listed, read again on request, and all arrive', async () => {
    const { page } = await openApp(session);
    // A page opened without ?test-hooks has none of the hooks that change behaviour.
    expect(
      await page.evaluate(() => {
        const api = (window as unknown as { __lucent: Record<string, unknown> }).__lucent;
        return ['setAiBatchDelay', 'crashUi'].filter((k) => k in api);
      }),
    ).toEqual([]);
    const dir = inject('phantomDir');
    const files = readdirSync(dir)
      .sort()
      .map((f) => join(dir, f));
    // The next request the reader gets ends it, silently.
    const reader = await workerOf(page, 'ingest.worker');
    await reader.evaluate(() => self.addEventListener('message', () => self.close()));
    await page.getByLabel('Open files').setInputFiles(files);

    const errors = page.getByRole('region', { name: 'Load errors' });
    const again = errors.getByRole('button', { name: `Read ${files.length} files again` });
    await again.waitFor({ timeout: 30_000 });
    const lost = errors.locator('li[data-code="worker-lost"]');
    expect(await lost.count()).toBe(files.length);
    expect(await lost.first().textContent()).toMatch(/File reader stopped.*stopped without an error/);

    await again.click();
    await page
      .getByRole('status')
      .filter({ hasText: new RegExp(`Loaded ${files.length} images`) })
      .waitFor({ timeout: 60_000 });
    expect(await lost.count()).toBe(0);
    await page.close();
  });

  it('the analysis worker closes mid-run: the run fails at once and says why, the findings and decisions stay; the error boundary keeps them too', async () => {
    const { page } = await openApp(session, '/?test-hooks');
    await openDemo(page, 'Solid nodules');
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done/);
    const before = await shownFindings(page);
    expect(before.length).toBeGreaterThan(0);
    const items = page.getByRole('list', { name: 'AI findings' }).getByRole('listitem');
    await page.getByRole('button', { name: `Accept ${before[0].id}` }).click();
    await expect.poll(() => items.first().getAttribute('data-status')).toBe('accepted');

    // Run again, slowed so that it is surely mid-sweep, and end the worker from inside.
    await setBatchDelay(page, 400);
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI: \d+\/\d+ slices/, 60_000);
    const started = Date.now();
    await (await workerOf(page, 'inference.worker')).evaluate(() => self.close());
    // Noticed by the page itself, long before the 90 s silence watchdog.
    expect(await aiStatus(page, /AI failed/, 20_000)).toMatch(/analysis worker stopped without an error/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await shownFindings(page)).map((f) => f.id)).toEqual(before.map((f) => f.id));
    expect(await items.first().getAttribute('data-status')).toBe('accepted');
    const report = page.getByRole('region', { name: 'Report', exact: true });
    await expect.poll(async () => (await report.textContent())?.length ?? 0).toBeGreaterThan(40);

    // A rendering error (the test hooks, loaded by ?test-hooks): the notice lists what is kept, and the
    // viewer comes back with it.
    await page.evaluate(() => (window as unknown as { __lucent: { crashUi(): void } }).__lucent.crashUi());
    const notice = page.getByRole('alert').filter({ hasText: 'The display stopped working' });
    await notice.waitFor();
    expect(await notice.getByRole('listitem').count()).toBe(before.length);
    expect(await notice.getByRole('listitem').first().textContent()).toMatch(/mm · accepted/);
    expect(await notice.getByRole('region', { name: 'Report', exact: true }).textContent()).toMatch(
      /Lung-RADS [0-4]/,
    );
    await notice.getByRole('button', { name: 'Show the viewer again' }).click();
    await page.getByRole('region', { name: 'Viewport' }).waitFor();
    expect((await shownFindings(page)).map((f) => f.id)).toEqual(before.map((f) => f.id));
    await expect.poll(() => items.first().getAttribute('data-status')).toBe('accepted');

    // And the analysis runs again on a new worker.
    await setBatchDelay(page, 0);
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done/);
    await page.close();
  });
});
