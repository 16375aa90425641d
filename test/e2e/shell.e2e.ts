/**
 * The app shell: landmarks and names, headers (cross-origin isolation, CSP), language switching that
 * persists, archives and drag-and-drop, and bad files that never stop the rest of a study.
 */
import { zipSync } from 'fflate';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { openApp, screenshot, waitForImage, waitForLoaded, fileSession } from './helpers';

const session = fileSession();

describe('app shell', () => {
  it('is cross-origin isolated, sends a strict CSP, and names its landmarks and controls', async () => {
    const res = await fetch(inject('baseUrl'));
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
    const { page, problems, offOrigin } = await openApp(session);
    expect(await page.title()).toContain('Lucent');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    for (const name of ['Series', 'Viewport', 'Findings', 'Report', 'Load errors']) {
      await expect.poll(() => page.getByRole('region', { name }).count()).toBe(1);
    }
    await expect.poll(() => page.getByLabel('Open files').count()).toBe(1);
    expect(await page.getByLabel('Open files').getAttribute('multiple')).not.toBeNull();
    await expect.poll(() => page.getByRole('button', { name: 'Open folder' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Run AI' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('status').count()).toBe(1);
    // Findings holds no placeholder list items.
    expect(await page.getByRole('region', { name: 'Findings' }).getByRole('listitem').count()).toBe(0);
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.close();
  });

  it('switches to Simplified Chinese and keeps the choice after a reload', async () => {
    const { page } = await openApp(session);
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect.poll(() => page.getByRole('button', { name: '打开文件夹' }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    // Demo cases describe their nodules in the interface language too.
    await expect
      .poll(() => page.getByRole('region', { name: 'Demo cases' }).textContent())
      .toMatch(/实性 \d+\.\d mm/);
    expect(await page.getByRole('region', { name: 'Demo cases' }).textContent()).not.toMatch(/solid/);
    await screenshot(page, 'viewer-zh-CN.png');
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: '打开文件夹' }).count()).toBe(1);
    await page.getByLabel('语言').selectOption('en');
    await expect.poll(() => page.getByRole('button', { name: 'Open folder' }).count()).toBe(1);
    await page.close();
  });

  it('opens a zip, listing each bad entry by name while the good ones load', async () => {
    const dir = inject('phantomDir');
    const slices = readdirSync(dir).sort().slice(0, 12);
    const entries: Record<string, Uint8Array> = {};
    for (const f of slices) entries[`study/${f}`] = new Uint8Array(readFileSync(join(dir, f)));
    const truncated = new Uint8Array(readFileSync(corpusFile('MR_truncated.dcm')));
    entries['study/broken.dcm'] = truncated;
    entries['study/notes.txt'] = new TextEncoder().encode('not an image');
    entries['study/empty.dcm'] = new Uint8Array(0);
    const zip = zipSync(entries);
    const { page, problems } = await openApp(session);
    await page
      .getByLabel('Open files')
      .setInputFiles({ name: 'case.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    const status = await waitForLoaded(page);
    expect(status).toContain('Loaded 12 images in 1 series');
    const errors = page.getByRole('region', { name: 'Load errors' }).getByRole('listitem');
    await expect.poll(() => errors.count()).toBe(3);
    const byFile = async (name: string): Promise<string | null> =>
      errors.filter({ hasText: name }).getAttribute('data-code');
    expect(await byFile('case.zip/study/broken.dcm')).toBe('truncated');
    expect(await byFile('case.zip/study/notes.txt')).toBe('not-dicom');
    expect(await byFile('case.zip/study/empty.dcm')).toBe('empty-file');
    await waitForImage(page);
    await screenshot(page, 'load-errors.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('loads files dropped onto the window', async () => {
    const { page } = await openApp(session);
    const bytes = [...readFileSync(corpusFile('CT_small.dcm'))];
    await page.evaluate((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'dropped.dcm', { type: 'application/dicom' }));
      const target = document.querySelector('.app');
      target?.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    const status = await waitForLoaded(page);
    expect(status).toContain('Loaded 1 image in 1 series');
    await waitForImage(page);
    await page.close();
  });
});
