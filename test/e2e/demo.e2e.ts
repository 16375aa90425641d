/**
 * The bundled demo cases: listed in the app, opened with one click through the same DICOM path as files,
 * and a montage of their slices (from the real generated files) for the README.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../../scripts/demo.mjs';
import { parseDicom } from '../../src/dicom/parse';
import { encodeGrayPng, windowToBytes } from '../../src/synth/png';
import {
  openApp,
  readout,
  screenshot,
  screenshotFile,
  waitForImage,
  waitForLoaded,
  fileSession,
} from './helpers';

interface DemoIndex {
  cases: {
    id: string;
    label: string;
    nodules: { type: string; diameterMm: number }[];
    files: string[];
  }[];
}
interface Truth {
  nodules: { centerMm: [number, number, number]; diameterMm: number; type: string }[];
}

const session = fileSession();

describe('demo cases', () => {
  it('opens a demo case with one click, through the DICOM path, offline', async () => {
    const index = JSON.parse(readFileSync(join(DEMO_DIR, 'index.json'), 'utf8')) as DemoIndex;
    expect(index.cases.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'demo-normal',
        'demo-solid',
        'demo-part-solid',
        'demo-ground-glass',
        'demo-calcified',
      ]),
    );
    const { page, problems, offOrigin } = await openApp(session);
    const region = page.getByRole('region', { name: 'Demo cases' });
    await expect.poll(() => region.getByRole('button').count()).toBe(index.cases.length);
    await region.getByRole('button', { name: 'Open demo case: Part-solid nodule' }).click();
    const status = await waitForLoaded(page);
    const solid = index.cases.find((c) => c.id === 'demo-part-solid');
    expect(status).toContain(`Loaded ${solid?.files.length} images in 1 series`);
    await waitForImage(page);
    // Go to the slice through the nodule, in the lung window, for the README.
    const truth = JSON.parse(readFileSync(join(DEMO_DIR, 'demo-part-solid', 'truth.json'), 'utf8')) as Truth;
    const z = truth.nodules[0]?.centerMm[2] ?? 0;
    await page.keyboard.press('1');
    // The case opens on whichever slice the viewer chooses: step towards the nodule with the arrow keys,
    // waiting for each step to be drawn, until the next step would take the slice further away.
    const position = async (): Promise<number> => (await readout(page))?.positionMm ?? NaN;
    /** Press a key and wait (up to 2 s) for the slice to change; NaN when it does not (end of the stack). */
    const step = async (key: string, from: number): Promise<number> => {
      await page.keyboard.press(key);
      for (let t = 0; t < 40; t++) {
        const now = await position();
        if (now !== from) return now;
        await page.waitForTimeout(50);
      }
      return NaN;
    };
    const back = (key: string): string => (key === 'ArrowDown' ? 'ArrowUp' : 'ArrowDown');
    let here = await position();
    let key = 'ArrowDown';
    let turned = false;
    for (let i = 0; i < 800; i++) {
      const next = await step(key, here);
      if (Number.isNaN(next) || Math.abs(next - z) > Math.abs(here - z)) {
        // Wrong way, or past the nodule: step back once, then turn round (first time) or stop.
        if (!Number.isNaN(next)) await step(back(key), next);
        if (turned) break;
        key = back(key);
        turned = true;
      } else {
        here = next;
        turned = true;
      }
    }
    expect(Math.abs((await position()) - z)).toBeLessThan(2.6);
    await screenshot(page, 'demo-case.png');
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.close();
  });

  it('opens only the last case chosen when a second is picked while the first is still loading', async () => {
    const index = JSON.parse(readFileSync(join(DEMO_DIR, 'index.json'), 'utf8')) as DemoIndex;
    const { page, problems, offOrigin } = await openApp(session);
    const region = page.getByRole('region', { name: 'Demo cases' });
    await region.getByRole('button', { name: 'Open demo case: Part-solid nodule' }).click();
    // The first case is on its way (some files fetched, not all) when the second is chosen.
    await page
      .getByRole('status')
      .filter({ hasText: /Fetching demo case [1-9]/ })
      .waitFor({ timeout: 20_000 });
    await region.getByRole('button', { name: 'Open demo case: Ground-glass nodule' }).click();
    const status = await waitForLoaded(page);
    const ggn = index.cases.find((c) => c.id === 'demo-ground-glass');
    expect(status).toContain(`Loaded ${ggn?.files.length} images in 1 series`);
    // Nothing of the first case arrives late, either.
    await page.waitForTimeout(1000);
    expect(await page.getByRole('status').textContent()).toContain(
      `Loaded ${ggn?.files.length} images in 1 series`,
    );
    const banner = (await page.getByRole('banner').textContent()) ?? '';
    expect(banner).toContain('DEMO-GROUND-GLASS');
    expect(banner).not.toContain('DEMO-PART-SOLID');
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.close();
  });

  it('makes a montage of demo slices through each nodule, from the generated files', () => {
    const index = JSON.parse(readFileSync(join(DEMO_DIR, 'index.json'), 'utf8')) as DemoIndex;
    const tiles: Uint8Array[] = [];
    let size = 0;
    for (const c of index.cases) {
      const truth = JSON.parse(readFileSync(join(DEMO_DIR, c.id, 'truth.json'), 'utf8')) as Truth;
      const z = truth.nodules[0]?.centerMm[2];
      // The slice nearest the first nodule (or the middle slice for the normal case).
      let best = c.files[Math.floor(c.files.length / 2)];
      if (z !== undefined) {
        let d = Infinity;
        for (const f of c.files) {
          const bytes = new Uint8Array(readFileSync(join(DEMO_DIR, c.id, f)));
          const pz =
            parseDicom(bytes.subarray(0, 4096), { fileSize: bytes.length }).dataset.numbers(0x00200032)[2] ??
            0;
          if (Math.abs(pz - z) < d) {
            d = Math.abs(pz - z);
            best = f;
          }
        }
      }
      const bytes = new Uint8Array(readFileSync(join(DEMO_DIR, c.id, best)));
      const parsed = parseDicom(bytes);
      const px = parsed.pixelData;
      if (!px) throw new Error('no pixel data');
      size = parsed.dataset.number(0x00280010) ?? 0;
      const raw = new Int16Array(bytes.slice(px.offset, px.offset + px.length).buffer);
      tiles.push(
        windowToBytes(
          Float32Array.from(raw, (v) => v - 1024),
          -600,
          1500,
        ),
      );
    }
    expect(tiles.length).toBeGreaterThanOrEqual(5);
    // Two rows of half-size tiles.
    const half = size / 2;
    const cols = Math.ceil(tiles.length / 2);
    const out = new Uint8Array(cols * half * 2 * half);
    tiles.forEach((tile, k) => {
      const ox = (k % cols) * half;
      const oy = Math.floor(k / cols) * half;
      for (let y = 0; y < half; y++) {
        for (let x = 0; x < half; x++) out[(oy + y) * cols * half + ox + x] = tile[2 * y * size + 2 * x];
      }
    });
    const png = encodeGrayPng(out, cols * half, 2 * half);
    expect(png.length).toBeGreaterThan(10_000);
    writeFileSync(screenshotFile('demo-montage.png'), png);
  });
});
