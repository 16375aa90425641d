/**
 * Reading a CT series from local files: first image without a click, scrolling, presets, MPR, cine,
 * layouts and measurements whose values are checked against the raw pixel data (dcmtk), not against
 * the viewer itself.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ellipseStats, rawCtImage } from '../support/rawPixels';
import {
  openApp,
  readout,
  screenshot,
  startSession,
  waitForImage,
  waitForLoaded,
  type AppPage,
  type Session,
} from './helpers';

let session: Session;
let app: AppPage;
let files: string[];
const SPACING = 2; // mm per pixel in the phantom
const SLICE = 2.5; // mm between slices

beforeAll(async () => {
  session = await startSession();
  const dir = inject('phantomDir');
  files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  app = await openApp(session);
  await app.page.getByLabel('Open files').setInputFiles(files);
  await waitForLoaded(app.page);
});
afterAll(async () => {
  await session?.close();
});

async function cellBox(
  page: Page,
  cell = 0,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator(`[data-cell="${cell}"]`).boundingBox();
  if (!box) throw new Error('no viewport cell');
  return box;
}

async function drag(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  await page.mouse.move(from[0], from[1]);
  await page.mouse.down();
  await page.mouse.move((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, { steps: 4 });
  await page.mouse.move(to[0], to[1], { steps: 4 });
  await page.mouse.up();
}

interface MeasurementRow {
  kind: string;
  mean?: number;
  area?: number;
  length?: number;
  value?: number;
  points: [number, number][];
}

async function measurements(page: Page): Promise<MeasurementRow[]> {
  return page
    .getByRole('region', { name: 'Measurements' })
    .getByRole('listitem')
    .evaluateAll((items) =>
      items.map((li) => {
        const d = (li as HTMLElement).dataset;
        const n = (v: string | undefined): number | undefined =>
          v === undefined || v === '' ? undefined : Number(v);
        return {
          kind: d['kind'] ?? '',
          mean: n(d['mean']),
          area: n(d['area']),
          length: n(d['length']),
          value: n(d['value']),
          points: JSON.parse(d['points'] ?? '[]') as [number, number][],
        };
      }),
    );
}

describe('reading a CT series', () => {
  it('shows the first image without a click, with overlay text', async () => {
    const { page } = app;
    const stats = await waitForImage(page);
    expect(stats.rows).toBe(128);
    const r = await readout(page);
    expect(r).toMatchObject({ index: 0, total: files.length });
    const overlay = page.getByTestId('overlay-0');
    await expect.poll(() => overlay.textContent()).toContain(`Im 1/${files.length}`);
    await expect.poll(() => overlay.textContent()).toMatch(/W \d+ L -?\d+/);
    expect(await page.title()).toContain('Lucent');
    await screenshot(page, 'viewer-stack.png');
  });

  it('scrolls with arrows, page keys and the wheel; slice position follows the geometry', async () => {
    const { page } = app;
    const before = (await readout(page))?.positionMm ?? NaN;
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await readout(page))?.index).toBe(3);
    const after = (await readout(page))?.positionMm ?? NaN;
    expect(Math.abs(after - before)).toBeCloseTo(3 * SLICE, 3);
    await page.keyboard.press('PageDown');
    await expect.poll(async () => (await readout(page))?.index).toBe(13);
    await page.keyboard.press('PageUp');
    await expect.poll(async () => (await readout(page))?.index).toBe(3);
    const box = await cellBox(page);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 120);
    await expect.poll(async () => (await readout(page))?.index).toBeGreaterThan(3);
    await page.keyboard.press('Home');
  });

  it('applies window presets by key and shows them in the overlay', async () => {
    const { page } = app;
    await page.keyboard.press('1');
    await expect.poll(async () => (await readout(page))?.windowWidth).toBe(1500);
    expect((await readout(page))?.windowCenter).toBe(-600);
    await expect.poll(() => page.getByTestId('overlay-0').textContent()).toContain('W 1500 L -600');
    await page.keyboard.press('3');
    await expect.poll(async () => (await readout(page))?.windowCenter).toBe(500);
    await page.keyboard.press('2');
    await expect.poll(async () => (await readout(page))?.windowWidth).toBe(350);
    const mediastinum = page.getByRole('button', { name: 'Mediastinum' });
    await expect.poll(() => mediastinum.getAttribute('aria-pressed')).toBe('true');
    // Dragging the window by hand: the preset no longer shows as chosen.
    const box = await cellBox(page);
    await page.keyboard.press('w');
    await drag(
      page,
      [box.x + box.width / 2, box.y + box.height / 2],
      [box.x + box.width / 2 + 40, box.y + box.height / 2 + 20],
    );
    await expect.poll(async () => (await readout(page))?.windowWidth).not.toBe(350);
    await expect.poll(() => mediastinum.getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.press('2');
    await expect.poll(() => mediastinum.getAttribute('aria-pressed')).toBe('true');
  });

  it('toggles the overlay text with I', async () => {
    const { page } = app;
    await page.keyboard.press('i');
    await expect.poll(() => page.getByTestId('overlay-0').count()).toBe(0);
    await page.keyboard.press('i');
    await expect.poll(() => page.getByTestId('overlay-0').count()).toBe(1);
  });

  it('measures length, ellipse ROI and probe values that match the raw pixel data', async () => {
    const { page } = app;
    // Go to a known slice: index 20 is the file with InstanceNumber 21.
    while (((await readout(page))?.index ?? 0) < 20) await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await readout(page))?.index).toBe(20);
    const raw = rawCtImage(files[20]);
    const box = await cellBox(page);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;

    await page.keyboard.press('l');
    await drag(page, [cx - 120, cy], [cx + 60, cy + 40]);
    await page.keyboard.press('e');
    // Across the right lung's edge, so that the mean depends on exactly which pixels are inside.
    await drag(page, [cx + 40, cy - 60], [cx + 150, cy + 10]);
    await page.keyboard.press('o');
    await page.mouse.click(cx - 90, cy + 25);
    await expect.poll(async () => (await measurements(page)).length, { timeout: 10_000 }).toBe(3);
    await expect
      .poll(async () =>
        (await measurements(page)).map((m) => m.length ?? m.mean ?? m.value ?? `${m.kind}: no value`),
      )
      .not.toContainEqual(expect.stringContaining('no value'));
    const all = await measurements(page);

    const length = all.find((m) => m.kind === 'length');
    const [p, q] = length?.points ?? [];
    expect(p && q).toBeTruthy();
    const expectedLength = Math.hypot((q[0] - p[0]) * SPACING, (q[1] - p[1]) * SPACING);
    expect(length?.length).toBeCloseTo(expectedLength, 1);

    const ellipse = all.find((m) => m.kind === 'ellipse');
    const [top, bottom, left, right] = ellipse?.points ?? [];
    const ecx = ((left?.[0] ?? 0) + (right?.[0] ?? 0)) / 2;
    const ecy = ((top?.[1] ?? 0) + (bottom?.[1] ?? 0)) / 2;
    const a = Math.abs((right?.[0] ?? 0) - (left?.[0] ?? 0)) / 2;
    const b = Math.abs((bottom?.[1] ?? 0) - (top?.[1] ?? 0)) / 2;
    // Pixels whose centres are inside, with the boundary drawn half a pixel tighter or looser.
    const inner = ellipseStats(raw, ecx, ecy, a - 0.5, b - 0.5);
    const outer = ellipseStats(raw, ecx, ecy, a + 0.5, b + 0.5);
    const exact = ellipseStats(raw, ecx, ecy, a, b);
    expect(exact.count).toBeGreaterThan(100);
    expect(exact.sd).toBeGreaterThan(100); // it really straddles tissue boundaries
    const lo = Math.min(inner.mean, outer.mean) - 1;
    const hi = Math.max(inner.mean, outer.mean) + 1;
    expect(ellipse?.mean).toBeGreaterThanOrEqual(lo);
    expect(ellipse?.mean).toBeLessThanOrEqual(hi);
    expect(Math.abs((ellipse?.mean ?? 0) - exact.mean)).toBeLessThan(Math.abs(hi - lo) + 1);
    expect(ellipse?.area).toBeCloseTo(Math.PI * a * b * SPACING * SPACING, -1);

    const probe = all.find((m) => m.kind === 'probe');
    const [pt] = probe?.points ?? [];
    const pi = Math.floor(pt?.[0] ?? -1);
    const pj = Math.floor(pt?.[1] ?? -1);
    expect(probe?.value).toBe(raw.values[pj * raw.columns + pi]);

    await expect
      .poll(() => page.getByRole('region', { name: 'Measurements' }).textContent())
      .toMatch(/Ellipse: mean -?\d+\.\d HU, SD \d+\.\d HU, area \d+\.\d mm²/);
    await screenshot(page, 'viewer-measurements.png');
    // Deleting works by button.
    await page.getByRole('button', { name: 'Delete measurement 3' }).click();
    await expect.poll(async () => (await measurements(page)).length).toBe(2);
    await page.keyboard.press('w');
  });

  it('gives the left button to the chosen tool after Pan and Zoom had it', async () => {
    const { page } = app;
    const box = await cellBox(page);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const before = (await measurements(page)).length;
    await page.keyboard.press('p');
    await drag(page, [cx, cy], [cx + 30, cy + 10]);
    await page.keyboard.press('z');
    await drag(page, [cx, cy], [cx, cy - 30]);
    await expect.poll(async () => (await readout(page))?.zoom).not.toBe(1);
    const zoom = (await readout(page))?.zoom;
    await page.keyboard.press('l');
    await drag(page, [cx - 60, cy + 40], [cx + 20, cy + 50]);
    await expect.poll(async () => (await measurements(page)).length, { timeout: 10_000 }).toBe(before + 1);
    // The drag drew a line; it neither zoomed nor panned.
    expect((await readout(page))?.zoom).toBe(zoom);
    await page.getByRole('button', { name: `Delete measurement ${before + 1}` }).click();
    await expect.poll(async () => (await measurements(page)).length).toBe(before);
    await page.keyboard.press('r');
    await page.keyboard.press('w');
  });

  it('opens axial, coronal and sagittal MPR with M and returns with M, at the slice being read', async () => {
    const { page } = app;
    // Away from the middle of the series, so that keeping the slice is not the default.
    await page.locator('[data-cell="0"]').click();
    const middle = Math.floor(files.length / 2);
    const offMiddle = async (): Promise<number> =>
      Math.abs(((await readout(page))?.index ?? middle) - middle);
    for (let i = 0; i < 12 && (await offMiddle()) <= 4; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(offMiddle).toBeGreaterThan(3);
    const stackZ = (await readout(page))?.positionMm ?? NaN;
    await page.keyboard.press('m');
    await expect
      .poll(() =>
        page.locator('[data-plane]').evaluateAll((els) => els.map((e) => e.getAttribute('data-plane'))),
      )
      .toEqual(['axial', 'coronal', 'sagittal']);
    for (const cell of [0, 1, 2]) {
      await expect
        .poll(async () => (await readout(page, cell))?.total ?? 0, { timeout: 30_000 })
        .toBeGreaterThan(1);
    }
    // Coronal and sagittal planes cut through the 128-pixel matrix; axial through the slices.
    expect((await readout(page, 0))?.total).toBe(files.length);
    expect((await readout(page, 1))?.total).toBe(128);
    expect((await readout(page, 2))?.total).toBe(128);
    // The axial plane opens at the stack's slice.
    await expect
      .poll(async () => Math.abs(((await readout(page, 0))?.positionMm ?? 1e9) - stackZ))
      .toBeLessThanOrEqual(SLICE / 2 + 0.01);
    // Scroll the axial plane; going back to the stack keeps that slice.
    await page.locator('[data-cell="0"]').click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(async () => Math.abs(((await readout(page, 0))?.positionMm ?? stackZ) - stackZ))
      .toBeGreaterThan(SLICE);
    const axialZ = (await readout(page, 0))?.positionMm ?? NaN;
    await page.locator('[data-cell="1"]').click();
    const before = (await readout(page, 1))?.index ?? 0;
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await readout(page, 1))?.index).not.toBe(before);
    await screenshot(page, 'viewer-mpr.png');
    await page.keyboard.press('m');
    await expect.poll(() => page.locator('[data-plane]').count()).toBe(1);
    await expect
      .poll(async () => Math.abs(((await readout(page))?.positionMm ?? 1e9) - axialZ))
      .toBeLessThanOrEqual(SLICE / 2 + 0.01);
  });

  it('switches to a 2×2 layout and back, plays cine, and lists shortcuts in help', async () => {
    const { page, problems } = app;
    await page.getByRole('button', { name: '2×2' }).click();
    await expect.poll(() => page.locator('[data-cell]').count()).toBe(4);
    await page.getByRole('button', { name: '1×1' }).click();
    await expect.poll(() => page.locator('[data-cell]').count()).toBe(1);
    await waitForImage(page);
    const start = (await readout(page))?.index ?? 0;
    await page.keyboard.press('c');
    await expect.poll(async () => (await readout(page))?.index, { timeout: 10_000 }).not.toBe(start);
    await page.keyboard.press('c');
    await page.keyboard.press('Shift+Slash'); // "?"
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    expect(await dialog.getByRole('row').count()).toBeGreaterThan(10);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    // Opened from its button, it gives focus back to that button when closed.
    const helpButton = page.getByRole('button', { name: 'Keyboard shortcuts' });
    await helpButton.click();
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.scrollTop)).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => helpButton.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(problems).toEqual([]);
  });
});
