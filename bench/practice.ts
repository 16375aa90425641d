/**
 * A practice session's machine time (issue 14: "a session of 10 cases fits in 15 minutes"): in Chromium,
 * from the production build, ten blind reads in a row with no time spent reading, for the demo cases
 * (Next case goes through the set) and for cases generated on the device at medium difficulty. Per case:
 * from Next case (or the first click) until the blind read is on screen with its image, and from Submit
 * read until the result is shown. What is left of 15 minutes is the reader's.
 */
import type { Page } from 'playwright-core';
import { buildAndServe } from './data';
import { launchBrowser } from '../test/support/browser.mjs';

const CASES = 10;

export interface PracticeRun {
  readonly kind: 'demo' | 'generated';
  readonly cases: number;
  /** Until each case's blind read is ready (ms). */
  readonly openMs: number[];
  /** From Submit read until each result is shown (ms). */
  readonly resultMs: number[];
  /** All ten, machine time only (s). */
  readonly totalSeconds: number;
  /** 15 minutes less the machine time, per case: what a reader has for each read (s). */
  readonly readerSecondsPerCase: number;
}

async function session(page: Page, kind: PracticeRun['kind']): Promise<PracticeRun> {
  const openMs: number[] = [];
  const resultMs: number[] = [];
  const panel = page.getByRole('region', { name: 'Practice', exact: true });
  const result = page.getByRole('region', { name: 'Practice result' });
  await page.getByRole('button', { name: 'Practice', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Practice' });
  let t = performance.now();
  if (kind === 'demo')
    await dialog
      .getByRole('button', { name: /^Practise on / })
      .first()
      .click();
  else {
    await dialog.getByLabel('Difficulty').selectOption('medium');
    await dialog.getByRole('button', { name: 'Generate a case' }).click();
  }
  for (let n = 0; n < CASES; n++) {
    await panel.getByText('Blind read').waitFor({ timeout: 300_000 });
    await page.waitForFunction(
      () =>
        (window as unknown as { __lucent: { pixelStats(c: number): unknown } }).__lucent.pixelStats(0) !==
        undefined,
      undefined,
      { timeout: 120_000 },
    );
    openMs.push(Math.round(performance.now() - t));
    t = performance.now();
    await panel.getByRole('button', { name: 'Submit read' }).click();
    await result.waitFor({ timeout: 120_000 });
    resultMs.push(Math.round(performance.now() - t));
    t = performance.now();
    if (n < CASES - 1) await page.getByRole('button', { name: 'Next case' }).click();
  }
  const total = [...openMs, ...resultMs].reduce((a, b) => a + b, 0) / 1000;
  return {
    kind,
    cases: CASES,
    openMs,
    resultMs,
    totalSeconds: Math.round(total * 10) / 10,
    readerSecondsPerCase: Math.round((15 * 60 - total) / CASES),
  };
}

export async function practiceBench(): Promise<PracticeRun[]> {
  const { server, port } = await buildAndServe();
  const { context, close } = await launchBrowser();
  const runs: PracticeRun[] = [];
  try {
    for (const kind of ['demo', 'generated'] as const) {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.getByRole('region', { name: 'Viewport' }).waitFor();
      runs.push(await session(page, kind));
      await page.close();
    }
  } finally {
    await close();
    server.close();
  }
  return runs;
}
