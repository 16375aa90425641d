/**
 * The real pydicom test corpus in the browser: every file accounted for, broken files with specific
 * reasons, every file pydicom reads pixels from rendered with the pixel statistics it computes (pydicom
 * with GDCM/Pillow: an independent decoder) or refused for a documented reason, and Lucent's workers
 * failing loudly, not silently, when they die.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LOSSY } from '../../src/dicom/transferSyntax';
import { walk } from '../support/corpus';
import type { Locator, Page } from 'playwright-core';
import {
  displayedStats,
  openApp,
  readout,
  waitForImage,
  waitForLoaded,
  topInScrolledView,
  fileSession,
} from './helpers';

interface RefFrame {
  channels: { min: number; max: number; mean: number; sd: number }[];
}
interface Ref {
  rows: number;
  columns: number;
  frames: RefFrame[];
  photometric: string;
  transferSyntax: string;
}

/**
 * Files pydicom reads pixels from that Lucent refuses, each with the specific reason the user sees.
 * Everything else pydicom decodes must render with its statistics (or be listed in NOT_DRAWN).
 */
const REFUSED: Record<string, string> = {
  // Colour with 16 or 32 bits per sample: Cornerstone renders colour at 8 bits only.
  'SC_rgb_rle_16bit.dcm': 'unsupported-pixel-format',
  'SC_rgb_rle_16bit_2frame.dcm': 'unsupported-pixel-format',
  'SC_rgb_rle_32bit.dcm': 'unsupported-pixel-format',
  'SC_rgb_rle_32bit_2frame.dcm': 'unsupported-pixel-format',
  // Unsigned J2K samples under a signed header: an encoder error whose values cannot be trusted.
  'J2K_pixelrep_mismatch.dcm': 'invalid-attribute',
  // The codestream header itself is overwritten by a sequence delimiter: it does not decode.
  'JPEG2000-embedded-sequence-delimiter.dcm': 'decode-failed',
};

/** Files with pixel data that Lucent lists as objects rather than drawing: segmentations (SEG). */
const NOT_DRAWN: Record<string, string> = {
  'liver_1frame.dcm': 'SEG',
  'liver_expb_1frame.dcm': 'SEG',
};

const reference = (): Record<string, Ref> =>
  JSON.parse(readFileSync(inject('referenceFile'), 'utf8')) as Record<string, Ref>;

/** The corpus file (relative path) an error names: the longest one its name ends with. */
function fileOf(errorName: string, files: readonly string[]): string | undefined {
  return files
    .filter((f) => errorName === f || errorName.endsWith(`/${f}`))
    .sort((a, b) => b.length - a.length)[0];
}

const session = fileSession();

describe('pydicom corpus', () => {
  it('accounts for every file of a dropped folder: series or a specific load error', async () => {
    const { page, problems } = await openApp(session);
    const dir = inject('corpusDir');
    await page.getByTestId('folder-input').setInputFiles(dir);
    const status = await waitForLoaded(page);
    const files = walk(dir).map((f) => relative(dir, f));
    const errors = page.getByRole('region', { name: 'Load errors' }).getByRole('listitem');
    const listed = await errors.evaluateAll((els) =>
      els.map((e) => ({
        file: e.querySelector('.error-file')?.textContent ?? '',
        code: e.getAttribute('data-code') ?? '',
      })),
    );
    // Every error names one file of the folder, each file at most once.
    const named = listed.map((e) => ({ ...e, path: fileOf(e.file, files) }));
    expect(named.filter((e) => !e.path)).toEqual([]);
    const byName = (name: string): string => named.find((e) => e.path?.endsWith(name))?.code ?? '';
    expect(byName('MR_truncated.dcm')).toBe('truncated');
    expect(byName('rtplan_truncated.dcm')).toBe('truncated');
    expect(byName('README.txt')).toBe('not-dicom');
    expect(byName('badVR.dcm')).toBe('invalid-attribute');
    expect(byName('IM000000')).toBe('no-pixel-data');
    // Files refused while loading (an image that fails to decode later is also listed in its series).
    const refused = named.filter((e) => e.code !== 'decode-failed').map((e) => e.path ?? '');
    expect(new Set(refused).size).toBe(refused.length);
    // Lucent refuses only what pydicom cannot read pixels from either, or what it documents refusing.
    const refs = reference();
    const decodable = new Set(Object.keys(refs).map((f) => relative(dir, f)));
    expect(
      refused.filter((f) => decodable.has(f) && !REFUSED[f.split('/').pop() ?? '']),
      'files pydicom decodes that Lucent refused without a documented reason',
    ).toEqual([]);
    // The series list accounts for the rest: instances listed + errors = files. Each file not refused
    // adds its frames to an image series (pydicom's frame count) or one object to an object series.
    const series = page.getByRole('region', { name: 'Series' }).getByRole('listitem');
    expect(await series.count()).toBeGreaterThan(10);
    const counts = await series.locator('.series-count').allTextContents();
    expect(counts.every((c) => /\d+ (images?|objects?)/.test(c))).toBe(true);
    const listedCount = counts.reduce((n, c) => n + Number(/\d+/.exec(c)?.[0] ?? NaN), 0);
    const expected = files
      .filter((f) => !refused.includes(f))
      .reduce((n, f) => {
        const ref = refs[join(dir, f)];
        const drawn = ref && !NOT_DRAWN[f.split('/').pop() ?? ''];
        return n + (drawn ? ref.frames.length : 1);
      }, 0);
    expect(listedCount).toBe(expected);
    expect(status).toMatch(/\d+ files with errors/);
    // The status bar leads to the list, wherever it sits in the series column.
    await page.getByRole('button', { name: 'Show load errors' }).click();
    await expect.poll(() => topInScrolledView(page.getByRole('region', { name: 'Load errors' }))).toBe(true);
    // The first image series is on screen without a click.
    await expect
      .poll(async () => (await displayedStats(page))?.rows ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(0);
    // The header names the patient of the series on screen, whichever study it belongs to.
    const studyBlocks = page.locator('.series-panel .study');
    expect(await studyBlocks.count()).toBeGreaterThan(1);
    const checked = new Set<string>();
    for (let i = 0; i < (await studyBlocks.count()) && checked.size < 3; i++) {
      const block = studyBlocks.nth(i);
      const patient = ((await block.locator('.patient').textContent()) ?? '').trim();
      const imageButton = block.locator('li.series:not(:has(.series-note)) .series-button').first();
      if (!patient || patient === '—' || checked.has(patient) || (await imageButton.count()) === 0) continue;
      await imageButton.click();
      await expect.poll(async () => (await page.getByRole('banner').textContent()) ?? '').toContain(patient);
      checked.add(patient);
    }
    expect(checked.size).toBeGreaterThan(1);
    // Non-image objects are listed, not drawn.
    await expect(series.filter({ hasText: 'SR' }).first().textContent()).resolves.toMatch(/not an image/);
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    await page.close();
  });

  it('renders every decodable image with the reference pixel statistics', async () => {
    const refs = reference();
    const results: { file: string; ok: boolean; detail: string }[] = [];
    const { page, problems } = await openApp(session);
    const reached = new Set<string>();
    for (const [file, ref] of Object.entries(refs)) {
      const name = file.split('/').pop() ?? file;
      await page.getByLabel('Open files').setInputFiles(file);
      await waitForLoaded(page);
      const refusal = REFUSED[name];
      if (refusal) {
        reached.add(name);
        const item = page
          .getByRole('region', { name: 'Load errors' })
          .getByRole('listitem')
          .filter({ hasText: name });
        await item.waitFor({ timeout: 20_000 });
        const code = await item.getAttribute('data-code');
        results.push({ file: name, ok: code === refusal, detail: `refused as ${code}, expected ${refusal}` });
        continue;
      }
      const label = NOT_DRAWN[name];
      if (label) {
        reached.add(name);
        const entry = page.getByRole('region', { name: 'Series' }).getByRole('listitem').first();
        const text = (await entry.textContent()) ?? '';
        const errorCount = await page
          .getByRole('region', { name: 'Load errors' })
          .getByRole('listitem')
          .count();
        const ok = text.includes(label) && text.includes('not an image') && errorCount === 0;
        results.push({ file: name, ok, detail: `listed as "${text}", ${errorCount} errors` });
        continue;
      }
      const lossy = LOSSY.has(ref.transferSyntax);
      for (let k = 0; k < ref.frames.length; k++) {
        if (k > 0) await page.keyboard.press('ArrowDown');
        let shown;
        try {
          await expect.poll(async () => (await readout(page))?.index, { timeout: 10_000 }).toBe(k);
          shown = await waitForImage(page);
        } catch {
          const err = await page.getByRole('region', { name: 'Load errors' }).textContent();
          results.push({ file: name, ok: false, detail: `frame ${k} not displayed; ${err}` });
          break;
        }
        const r = await readout(page);
        const expected = ref.frames[r?.frame ?? k];
        const range = Math.max(1, ...expected.channels.map((c) => c.max - c.min));
        const tolMean = lossy ? Math.max(2, 0.01 * range) : 1e-6 * range + 1e-3;
        const problemsHere = expected.channels.flatMap((c, i) => {
          const got = shown.channels[i];
          if (!got) return [`channel ${i} missing`];
          const out: string[] = [];
          if (Math.abs(got.mean - c.mean) > tolMean)
            out.push(`mean ${got.mean.toFixed(3)} vs ${c.mean.toFixed(3)}`);
          const exact = 1e-6 * range + 1e-3; // float32 rescaling in the viewer
          if (!lossy && (Math.abs(got.min - c.min) > exact || Math.abs(got.max - c.max) > exact)) {
            out.push(`range ${got.min}..${got.max} vs ${c.min}..${c.max}`);
          }
          if (Math.abs(got.sd - c.sd) > (lossy ? 0.05 * c.sd + 1 : 1e-6 * range + 1e-3))
            out.push(`sd ${got.sd.toFixed(3)} vs ${c.sd.toFixed(3)}`);
          return out;
        });
        if (shown.rows !== ref.rows || shown.columns !== ref.columns) problemsHere.push('size differs');
        results.push({
          file: `${name}#${k}`,
          ok: problemsHere.length === 0,
          detail: problemsHere.join('; '),
        });
      }
    }
    // Every documented exception was met: a list entry that no file reaches is stale.
    expect([...Object.keys(REFUSED), ...Object.keys(NOT_DRAWN)].filter((n) => !reached.has(n))).toEqual([]);
    const failed = results.filter((r) => !r.ok);
    console.log(results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.file} ${r.detail}`).join('\n'));
    expect(failed).toEqual([]);
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    await page.close();
    // Over a hundred files one by one, each frame stepped through: minutes on two busy cores.
  }, 600_000);
});

describe("Lucent's workers dying", () => {
  const corpus = (name: string): string => join(inject('corpusDir'), name);
  const errorItems = (page: Page): Locator =>
    page.getByRole('region', { name: 'Load errors' }).getByRole('listitem');

  it('a file reader (ingest worker) that cannot run fails each file by name, and the next load works', async () => {
    // The real worker fails for real: its script cannot be fetched, so it dies at start.
    const script = '**/assets/ingest.worker-*.js';
    await session.context.route(script, (r) => r.abort());
    try {
      const { page } = await openApp(session);
      await page.getByLabel('Open files').setInputFiles([corpus('CT_small.dcm'), corpus('MR_small.dcm')]);
      // The load finishes (it used to wait forever) and says what happened to each file.
      expect(await waitForLoaded(page)).toMatch(/2 files with errors/);
      for (const name of ['CT_small.dcm', 'MR_small.dcm']) {
        const item = errorItems(page).filter({ hasText: name });
        expect(await item.getAttribute('data-code')).toBe('worker-lost');
        expect(await item.textContent()).toContain('The file reader (a background worker) stopped');
      }
      // Once the worker can start again, the next load uses a new one.
      await session.context.unroute(script);
      await page.getByLabel('Open files').setInputFiles(corpus('CT_small.dcm'));
      expect(await waitForLoaded(page)).toMatch(/Loaded 1 image in 1 series/);
      expect((await waitForImage(page)).rows).toBe(128);
      await page.close();
    } finally {
      await session.context.unroute(script);
    }
  });

  it('an image decoder worker that cannot run fails its image with a clear reason, and is replaced', async () => {
    // 16-bit big endian is one of the encodings Lucent decodes itself, in its own worker.
    const script = '**/assets/decoder.worker-*.js';
    const { page } = await openApp(session);
    await session.context.route(script, (r) => r.abort());
    try {
      await page.getByLabel('Open files').setInputFiles(corpus('MR_small_bigendian.dcm'));
      await waitForLoaded(page);
      const item = errorItems(page).filter({ hasText: 'MR_small_bigendian.dcm' });
      await item.waitFor({ timeout: 30_000 });
      expect(await item.getAttribute('data-code')).toBe('decode-failed');
      expect(await item.textContent()).toContain('The image decoder (a background worker) stopped');
      await session.context.unroute(script);
      await page.getByLabel('Open files').setInputFiles(corpus('MR_small_bigendian.dcm'));
      await waitForLoaded(page);
      expect((await waitForImage(page)).rows).toBe(64);
      expect(await errorItems(page).count()).toBe(0);
      await page.close();
    } finally {
      await session.context.unroute(script);
    }
  });
});
