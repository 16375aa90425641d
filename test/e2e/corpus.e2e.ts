/**
 * The real pydicom test corpus in the browser: every file accounted for, broken files with specific
 * reasons, and every image rendered with the pixel statistics an independent decoder (pydicom with
 * GDCM/Pillow) computes.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { walk } from '../support/corpus';
import {
  displayedStats,
  openApp,
  readout,
  startSession,
  waitForImage,
  waitForLoaded,
  type Session,
  topInScrolledView,
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
  error?: string;
}

const LOSSY = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.91']);

/**
 * Image files Lucent refuses, each with the specific reason the user sees. Everything else in the corpus
 * must render with the reference statistics.
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

let session: Session;
beforeAll(async () => {
  session = await startSession();
});
afterAll(async () => {
  await session?.close();
});

describe('pydicom corpus', () => {
  it('accounts for every file of a dropped folder: series or a specific load error', async () => {
    const { page, problems } = await openApp(session);
    const dir = inject('corpusDir');
    await page.getByTestId('folder-input').setInputFiles(dir);
    const status = await waitForLoaded(page);
    const files = walk(dir).map((f) => relative(dir, f));
    const errors = page.getByRole('region', { name: 'Load errors' }).getByRole('listitem');
    const errorFiles = await errors.locator('.error-file').allTextContents();
    // Every error names its file; every named file exists.
    for (const f of errorFiles) expect(files.some((x) => f.endsWith(x))).toBe(true);
    const byName = async (name: string): Promise<string> => {
      const item = errors.filter({ hasText: name }).first();
      return (await item.getAttribute('data-code')) ?? '';
    };
    expect(await byName('MR_truncated.dcm')).toBe('truncated');
    expect(await byName('rtplan_truncated.dcm')).toBe('truncated');
    expect(await byName('README.txt')).toBe('not-dicom');
    expect(await byName('badVR.dcm')).toBe('invalid-attribute');
    expect(await byName('IM000000')).toBe('no-pixel-data');
    // The series list accounts for the rest: instances listed + errors = files.
    const series = page.getByRole('region', { name: 'Series' }).getByRole('listitem');
    expect(await series.count()).toBeGreaterThan(10);
    const counts = await series.locator('.series-count').allTextContents();
    expect(counts.every((c) => /\d+ (images?|objects?)/.test(c))).toBe(true);
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

  const reference = (): Record<string, Ref> =>
    JSON.parse(readFileSync(inject('referenceFile'), 'utf8')) as Record<string, Ref>;

  it('renders every decodable image with the reference pixel statistics', async () => {
    const refs = reference();
    const results: { file: string; ok: boolean; detail: string }[] = [];
    const { page, problems } = await openApp(session);
    for (const [file, ref] of Object.entries(refs)) {
      const name = file.split('/').pop() ?? file;
      await page.getByLabel('Open files').setInputFiles(file);
      await waitForLoaded(page);
      const refusal = REFUSED[name];
      if (refusal) {
        const item = page
          .getByRole('region', { name: 'Load errors' })
          .getByRole('listitem')
          .filter({ hasText: name });
        await item.waitFor({ timeout: 20_000 });
        const code = await item.getAttribute('data-code');
        results.push({ file: name, ok: code === refusal, detail: `refused as ${code}, expected ${refusal}` });
        continue;
      }
      if (ref.error) {
        results.push({ file: name, ok: false, detail: `reference could not decode: ${ref.error}` });
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
    const failed = results.filter((r) => !r.ok);
    console.log(results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.file} ${r.detail}`).join('\n'));
    expect(failed).toEqual([]);
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    await page.close();
  });
});
