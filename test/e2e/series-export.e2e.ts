/**
 * Export series in the real app: a demo case opened, its series exported from the Series panel, the
 * downloaded ZIP unzipped and every file read with Lucent's parser against the case's own files in
 * public/demo: by default de-identified (no name, ID, accession number or original UID in any header,
 * Patient Identity Removed YES, one new study, series and frame of reference, new unique SOP UIDs, pixel
 * data byte for byte, files in the series' order, named IM0001.dcm…, a download name without identifiers).
 * Keeping identifiers takes ticking a box, which the button's name and the message then say; the files are
 * then the originals.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../../scripts/demo.mjs';
import { parseDicom } from '../../src/dicom/parse';
import { checkDeidentifiedExport, identifiersOf, unzipSeries } from '../support/seriesExport';
import { openApp, openDemo, fileSession } from './helpers';

const session = fileSession();

const CASE = 'demo-normal';

/** The case's files, by Instance Number. */
function originals(): Map<number, Uint8Array> {
  const dir = join(DEMO_DIR, CASE);
  const out = new Map<number, Uint8Array>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.dcm'))) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    out.set(Number(parseDicom(bytes).dataset.string(0x00200013)), bytes);
  }
  return out;
}

async function exportSeries(page: Page, name: string): Promise<{ file: string; zip: Uint8Array }> {
  const series = page.getByRole('region', { name: 'Series' });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    series.getByRole('button', { name }).click(),
  ]);
  return {
    file: download.suggestedFilename(),
    zip: new Uint8Array(readFileSync(await download.path())),
  };
}

describe('Export series', () => {
  it('downloads the series on screen as a de-identified ZIP by default; identifiers only when ticked', async () => {
    const { page, problems, offOrigin } = await openApp(session);
    await openDemo(page, 'Normal chest');
    const inputs = originals();
    const first = parseDicom(inputs.get(1)!).dataset;
    const ids = identifiersOf(first);
    expect(ids).toContain(first.string(0x00100010));

    const series = page.getByRole('region', { name: 'Series' });
    const group = series.getByRole('group', { name: 'Export series' });
    const keep = group.getByRole('checkbox', { name: 'Include patient identifiers in the files' });
    expect(await keep.isChecked()).toBe(false);

    // The default: de-identified.
    const plain = await exportSeries(page, 'Export series (DICOM, de-identified)');
    expect(plain.file).toMatch(/^lucent-series-deidentified-\d{8}-\d{6}\.zip$/);
    const entries = unzipSeries(plain.zip);
    expect(entries.length).toBe(inputs.size);
    expect(entries.map((e) => e.name)).toEqual(
      entries.map((_, i) => `IM${String(i + 1).padStart(4, '0')}.dcm`),
    );
    // Each exported file against the original with its Instance Number; in the series' order along z.
    const outputs = entries.map((e) => e.bytes);
    const numbers = outputs.map((b) => Number(parseDicom(b).dataset.string(0x00200013)));
    expect(new Set(numbers).size).toBe(inputs.size);
    const zs = outputs.map((b) => Number((parseDicom(b).dataset.string(0x00200032) ?? '').split('\\')[2]));
    const steps = zs.slice(1).map((z, i) => Math.sign(z - zs[i]));
    expect(new Set(steps).size).toBe(1);
    const maps = checkDeidentifiedExport(
      numbers.map((n) => inputs.get(n)!),
      outputs,
    );
    expect(maps.study.size).toBe(1);
    expect(maps.series.size).toBe(1);
    expect(maps.frameOfReference.size).toBe(1);
    expect(maps.sop.size).toBe(inputs.size);
    const status = group.locator('.series-export-status');
    await expect
      .poll(() => status.textContent())
      .toMatch(new RegExp(`^${inputs.size} files saved as a de-identified ZIP`));

    // Keeping identifiers: an explicit, visible choice.
    await keep.check();
    const identified = await exportSeries(page, 'Export series (DICOM, with patient identifiers)');
    expect(identified.file).toMatch(/^lucent-series-identified-\d{8}-\d{6}\.zip$/);
    for (const v of ids) expect(identified.file.includes(v)).toBe(false);
    await expect.poll(() => status.textContent()).toMatch(/WITH the patient’s identifiers, as you chose/);
    const kept = unzipSeries(identified.zip);
    expect(kept.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    kept.forEach((e, i) => {
      const original = inputs.get(numbers[i])!;
      expect(Buffer.from(e.bytes).equals(Buffer.from(original)), e.name).toBe(true);
    });

    expect(offOrigin).toEqual([]);
    expect(problems).toEqual([]);
  });
});
