/** Shared end-to-end helpers: one Chromium per test file, a fresh page per test, page-error capture. */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { batchStudy, studyFileNames } from '../support/batchStudies';
import { launchBrowser } from '../support/browser.mjs';

const root = resolve(import.meta.dirname, '../..');

/**
 * Where a README picture taken by a test is written: the git-ignored `test-results/screenshots/` by
 * default, the tracked `docs/screenshots/` only with `LUCENT_SCREENSHOTS=docs` (`npm run screenshots`), so
 * an ordinary test run never rewrites the README's pictures.
 */
export function screenshotFile(name: string): string {
  const target = process.env['LUCENT_SCREENSHOTS'] ?? '';
  if (target !== '' && target !== 'docs') {
    throw new Error(`LUCENT_SCREENSHOTS=${target} is not understood: set it to docs, or leave it unset`);
  }
  const dir = join(root, target === 'docs' ? 'docs/screenshots' : 'test-results/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** A screenshot of the page for the README (see `screenshotFile` for where it goes). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotFile(name) });
}

export interface Session {
  readonly context: BrowserContext;
  close(): Promise<void>;
  /** End the browser's processes at once (SIGKILL), as a crash or a killed task would. */
  kill(): void;
}

export async function startSession(
  options: { serviceWorkers?: 'allow' | 'block'; userDataDir?: string } = {},
): Promise<Session> {
  return launchBrowser(options);
}

/**
 * One Chromium for a test file: started before its first test and closed after its last. The session it
 * returns stands for that browser (its context, close and kill), so tests use it as any other.
 */
export function fileSession(options: Parameters<typeof startSession>[0] = {}): Session {
  let current: Session | null = null;
  beforeAll(async () => {
    current = await startSession(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  const now = (): Session => {
    if (!current) throw new Error('the browser of this test file has not started');
    return current;
  };
  return {
    get context() {
      return now().context;
    },
    close: () => now().close(),
    kill: () => now().kill(),
  };
}

export interface AppPage {
  readonly page: Page;
  /** Uncaught exceptions and console errors seen so far. */
  readonly problems: string[];
  /** Requests to any origin other than the app's own. */
  readonly offOrigin: string[];
}

/**
 * Opens the app in a new page. `loadTimeout` bounds the first load: a dev server with a cold dependency
 * cache pre-bundles before its first page can load.
 */
export async function openApp(
  session: Session,
  path = '/',
  base = inject('baseUrl'),
  loadTimeout = 30_000,
): Promise<AppPage> {
  const page = await session.context.newPage();
  const problems: string[] = [];
  const offOrigin: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) offOrigin.push(url);
  });
  await page.goto(`${base}${path}`, { timeout: loadTimeout });
  await page.getByRole('region', { name: 'Viewport' }).waitFor();
  return { page, problems, offOrigin };
}

export async function waitForLoaded(page: Page): Promise<string> {
  const status = page.getByRole('status');
  await status.filter({ hasText: /Loaded \d+ images?/ }).waitFor({ timeout: 60_000 });
  return (await status.textContent()) ?? '';
}

export interface PixelStats {
  rows: number;
  columns: number;
  components: number;
  channels: { min: number; max: number; mean: number; sd: number }[];
}

export async function displayedStats(page: Page, cell = 0): Promise<PixelStats | undefined> {
  return page.evaluate((c) => {
    const api = (window as unknown as { __lucent: { pixelStats(cell: number): unknown } }).__lucent;
    return api.pixelStats(c) as PixelStats | undefined;
  }, cell);
}

export async function readout(
  page: Page,
  cell = 0,
): Promise<
  | {
      index: number;
      total: number;
      frame?: number;
      positionMm?: number;
      windowWidth?: number;
      windowCenter?: number;
      zoom: number;
    }
  | undefined
> {
  return page.evaluate((c) => {
    const api = (window as unknown as { __lucent: { readout(cell: number): unknown } }).__lucent;
    return api.readout(c) as never;
  }, cell);
}

/** Wait until the image in a cell is decoded and drawn (pixel statistics are available). */
export async function waitForImage(page: Page, cell = 0): Promise<PixelStats> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await displayedStats(page, cell);
    if (s) return s;
    if (Date.now() > deadline) throw new Error(`no image displayed in cell ${cell}`);
    await page.waitForTimeout(100);
  }
}

/**
 * Whether an element's top edge is inside the visible part of its nearest scrolling ancestor (the page
 * when it has none), with at least 20 px of it showing.
 */
export async function topInScrolledView(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    let box: Element | null = el.parentElement;
    while (box && !/(auto|scroll)/.test(getComputedStyle(box).overflowY)) box = box.parentElement;
    const r = el.getBoundingClientRect();
    const v = box ? box.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
    return r.top >= v.top - 1 && r.top < v.bottom - 20;
  });
}

/** Open a demo case by its name in the Demo cases panel and wait for its first image. */
export async function openDemo(page: Page, name: string, timeout = 30_000): Promise<void> {
  await page
    .getByRole('region', { name: 'Demo cases' })
    .getByRole('button', { name: `Open demo case: ${name}` })
    .click({ timeout });
  await waitForLoaded(page);
  await waitForImage(page);
}

/**
 * Open a small CT series from files (22 slices of 320², a 42 mm slab with one nodule, the batch tests'
 * study): for tests of how a run starts, fails and recovers, where a whole demo chest only costs time.
 */
export async function openSmallStudy(page: Page): Promise<void> {
  await page.getByLabel('Open files').setInputFiles(studyFileNames(batchStudy('batch-unit', 1)));
  await waitForLoaded(page);
  await waitForImage(page);
}

/** Open the PACS dialog with `url` as its DICOMweb server; returns the dialog. */
export async function openPacsDialog(page: Page, url: string): Promise<Locator> {
  await page.getByRole('button', { name: 'PACS' }).click();
  const dialog = page.getByRole('dialog', { name: /PACS/ });
  await dialog.getByLabel('DICOMweb server URL').fill(url);
  return dialog;
}

/** Wait until the status line matches `pattern`; returns its text. */
export async function aiStatus(page: Page, pattern: RegExp, timeout = 170_000): Promise<string> {
  const status = page.getByRole('status');
  await status.filter({ hasText: pattern }).waitFor({ timeout });
  return (await status.textContent()) ?? '';
}

export interface ShownFinding {
  readonly id: string;
  readonly type: string | null;
  readonly mean: number;
  readonly category: string | null;
  /** The model's score (NaN for a finding the reader drew). */
  readonly score: number;
  readonly centerMm: readonly number[];
}

/** The AI findings listed in the Findings panel, as the list items' data attributes give them. */
export async function shownFindings(page: Page): Promise<ShownFinding[]> {
  const items = page
    .getByRole('region', { name: 'Findings' })
    .getByRole('list', { name: 'AI findings' })
    .getByRole('listitem');
  // Only the findings themselves (a selected finding's detail holds lists of its own).
  return items.evaluateAll((els) =>
    els
      .filter((e) => e.hasAttribute('data-id'))
      .map((e) => ({
        id: e.getAttribute('data-id') ?? '',
        type: e.getAttribute('data-type'),
        mean: Number(e.getAttribute('data-mean')),
        category: e.getAttribute('data-category'),
        score: Number(e.getAttribute('data-score') ?? NaN),
        centerMm: (e.getAttribute('data-center') ?? '').split(',').map(Number),
      })),
  );
}

export interface CliFinding {
  readonly id: string;
  readonly type: string;
  readonly meanDiameterMm: number;
  readonly lungRads: string;
  readonly score: number;
  readonly centerMm: readonly [number, number, number];
}

/** The distance between two points in mm. */
export function distanceMm(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(...a.map((v, i) => v - (b[i] ?? NaN)));
}

/** How far from the operating point a score may differ between hosts (int8 kernels and thread counts). */
const SCORE_EDGE = 0.02;

/**
 * `lucent analyze` (onnxruntime-node) on the same files must report the same findings as the page: each
 * finding scored clearly above the operating point in either host is in the other at the same place
 * (centres within 2 mm) with the same id, type and category and a mean diameter within 0.5 mm. A finding
 * within {@link SCORE_EDGE} of the operating point may be on one side of it in one host and on the other
 * side in the other. Returns the CLI's findings.
 */
export async function expectSameFindingsAsCli(page: Page, dir: string): Promise<readonly CliFinding[]> {
  const { stdout } = await promisify(execFile)('npx', ['--no-install', 'lucent', 'analyze', dir], {
    maxBuffer: 64 << 20,
  });
  const series = (
    JSON.parse(stdout) as { series: { findings: CliFinding[]; model: { id: string } | null }[] }
  ).series[0];
  const cli = series?.findings ?? [];
  const manifest = join(root, 'models', series?.model?.id ?? 'none', 'manifest.json');
  const op = (JSON.parse(readFileSync(manifest, 'utf8')) as { operatingPoint: { score: number } })
    .operatingPoint.score;
  const firm = (score: number): boolean => score >= op + SCORE_EDGE;
  const browser = await shownFindings(page);
  const near = (a: readonly number[], b: readonly number[]): boolean => distanceMm(a, b) <= 2;
  for (const c of cli.filter((x) => firm(x.score))) {
    const b = browser.find((x) => near(x.centerMm, c.centerMm));
    expect(b, `the page lacks the CLI's ${c.id} (score ${c.score})`).toBeDefined();
    expect(b?.id).toBe(c.id);
    expect(b?.type).toBe(c.type);
    expect(b?.category).toBe(c.lungRads);
    expect(Math.abs((b?.mean ?? NaN) - c.meanDiameterMm)).toBeLessThanOrEqual(0.5);
  }
  for (const b of browser.filter((x) => firm(x.score))) {
    expect(
      cli.some((c) => near(c.centerMm, b.centerMm)),
      `the CLI lacks the page's ${b.id} (score ${b.score})`,
    ).toBe(true);
  }
  return cli;
}
