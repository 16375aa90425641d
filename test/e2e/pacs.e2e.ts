/**
 * Opening a study from a real DICOMweb server (Orthanc, started by the harness): QIDO-RS search by name,
 * ID, date and modality, WADO-RS retrieval, and the same pixels as the files themselves.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { rawCtImage } from '../support/rawPixels';
import {
  openApp,
  openPacsDialog,
  readout,
  screenshot,
  startSession,
  waitForImage,
  waitForLoaded,
  type Session,
} from './helpers';

let session: Session;
let phantomFiles: string[];

beforeAll(async () => {
  session = await startSession();
  const orthanc = inject('orthancUrl');
  const dir = inject('phantomDir');
  phantomFiles = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  for (const f of [...phantomFiles, corpusFile('MR_small.dcm')]) {
    const r = await fetch(`${orthanc}/instances`, { method: 'POST', body: readFileSync(f) });
    if (!r.ok) throw new Error(`Orthanc refused ${f}: ${r.status}`);
  }
});
afterAll(async () => {
  await session?.close();
});

describe('DICOMweb (PACS)', () => {
  it('searches by name, ID, date and modality, and opens a study over WADO-RS', async () => {
    const { page, problems, offOrigin } = await openApp(session);
    const base = inject('baseUrl');
    const dialog = await openPacsDialog(page, `${base}/dicomweb`);

    await dialog.getByLabel('Modality').fill('MR');
    await dialog.getByRole('button', { name: 'Search' }).click();
    const rows = dialog.getByRole('table', { name: 'Studies found' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(2); // header + one MR study
    await dialog.getByLabel('Modality').fill('');

    await dialog.getByLabel('Study date').fill('1999-01-01 - 1999-12-31');
    await dialog.getByRole('button', { name: 'Search' }).click();
    await dialog.getByText('No studies match.').waitFor();
    await dialog.getByLabel('Study date').fill('2026-01-01');
    await dialog.getByLabel('Patient ID').fill('PH-e2e');
    await dialog.getByLabel('Patient name').fill('SIMPLE');
    await dialog.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await expect(rows.nth(1).textContent()).resolves.toContain('PHANTOM SIMPLE');
    await screenshot(page, 'pacs-search.png');
    await rows.nth(1).getByRole('button', { name: 'Open' }).click();

    const status = await waitForLoaded(page);
    expect(status).toContain(`Loaded ${phantomFiles.length} images in 1 series`);
    const shown = await waitForImage(page);
    expect((await readout(page))?.total).toBe(phantomFiles.length);
    // Instance 1 (IM0001) is shown first; its pixels must equal the file's own.
    const raw = rawCtImage(phantomFiles[0]);
    let sum = 0;
    for (const v of raw.values) sum += v;
    expect(shown.channels[0]?.mean).toBeCloseTo(sum / raw.values.length, 6);
    await expect.poll(() => page.locator('.privacy').textContent()).toMatch(/On-device · PACS 127\.0\.0\.1/);
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.close();
  });

  it('reports an unreachable server in the dialog, without losing the open study', async () => {
    const { page } = await openApp(session);
    await page.getByLabel('Open files').setInputFiles(corpusFile('CT_small.dcm'));
    await waitForLoaded(page);
    await page.getByRole('button', { name: 'PACS' }).click();
    const dialog = page.getByRole('dialog', { name: /PACS/ });
    await dialog.getByLabel('DICOMweb server URL').fill(`${inject('baseUrl')}/no-such-dicomweb`);
    await dialog.getByRole('button', { name: 'Search' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(/PACS search failed/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await waitForImage(page);
    await page.close();
  });
});
