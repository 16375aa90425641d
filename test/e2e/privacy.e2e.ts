/**
 * Identifiers stay out of everything the app writes or says, and "Clear all local data" leaves nothing.
 * A full workflow on a demo case (open, Run AI, accept, export the audit trail) is recorded: the console,
 * every request URL, the page's URL and title, local and session storage (keys and values), Cache Storage
 * URLs, IndexedDB names and the audit export are scanned for the case's patient name, ID, study date,
 * accession number and study and series UIDs, read from the case's own DICOM file. Then everything is
 * cleared from the Help dialog and the test finds storage, caches and databases empty after the reload
 * (but for the two keys Cornerstone writes again at every start).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../../scripts/demo.mjs';
import { parseDicom } from '../../src/dicom/parse';
import { aiStatus, openApp, openDemo, shownFindings, fileSession } from './helpers';

const session = fileSession();

/** The identifying values of the demo case, from its first file. */
function identifiers(): string[] {
  const dir = join(DEMO_DIR, 'demo-calcified');
  const first = readdirSync(dir).find((f) => f.endsWith('.dcm'))!;
  const ds = parseDicom(new Uint8Array(readFileSync(join(dir, first)))).dataset;
  const name = ds.string(0x00100010) ?? '';
  const values = [
    name,
    ...name.split('^'),
    ds.string(0x00100020),
    ds.string(0x00080020),
    ds.string(0x00080050),
    ds.string(0x0020000d),
    ds.string(0x0020000e),
  ].filter((v): v is string => typeof v === 'string' && v.trim().length >= 4);
  const date = ds.string(0x00080020) ?? '';
  if (/^\d{8}$/.test(date)) values.push(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`);
  return values;
}

/**
 * Everything this origin stores, as text: local and session storage, Cache Storage's URLs, and every
 * IndexedDB database's name and records (key and value of each, in every object store).
 */
function stored(
  page: Page,
): Promise<{ storage: string; caches: string[]; databases: string[]; records: Record<string, string[]> }> {
  return page.evaluate(async () => {
    const dump = (s: Storage): string[] =>
      Array.from({ length: s.length }, (_, i) => s.key(i) ?? '').map((k) => `${k}=${s.getItem(k) ?? ''}`);
    const cacheUrls: string[] = [];
    for (const name of await caches.keys()) {
      cacheUrls.push(name);
      for (const r of await (await caches.open(name)).keys()) cacheUrls.push(r.url);
    }
    const dbs = (await indexedDB.databases()).map((d) => d.name ?? '');
    const records: Record<string, string[]> = {};
    for (const name of dbs) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error ?? new Error(`${name} did not open`));
      });
      const out: string[] = [];
      for (const storeName of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(storeName, 'readonly');
        const keys = tx.objectStore(storeName).getAllKeys();
        const values = tx.objectStore(storeName).getAll();
        await new Promise<void>((resolve) => (tx.oncomplete = () => resolve()));
        keys.result.forEach((k, i) => out.push(`${JSON.stringify(k)}=${JSON.stringify(values.result[i])}`));
      }
      db.close();
      records[name] = out;
    }
    return {
      storage: [...dump(localStorage), ...dump(sessionStorage)].join('\n'),
      caches: cacheUrls,
      databases: dbs,
      records,
    };
  });
}

describe('privacy', () => {
  it('no identifier in logs, URLs, title, storage or the audit export; Clear all local data leaves nothing', async () => {
    const ids = identifiers();
    expect(ids.length).toBeGreaterThanOrEqual(5);
    const { page } = await openApp(session);
    const said: string[] = [];
    const urls: string[] = [];
    page.on('console', (m) => said.push(m.text()));
    page.on('request', (r) => urls.push(r.url()));
    page.on('framenavigated', (f) => urls.push(f.url()));

    await openDemo(page, 'Calcified nodule');
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done/);
    const found = await shownFindings(page);
    expect(found.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: `Accept ${found[0].id}` }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export audit trail (JSON)' }).click(),
    ]);
    const audit = readFileSync(await download.path(), 'utf8');
    // Something to clear in every kind of storage (the app itself uses storage and caches).
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.open('lucent-probe');
          r.onsuccess = () => {
            r.result.close();
            resolve();
          };
          r.onerror = () => reject(r.error ?? new Error('indexedDB.open failed'));
        }),
    );
    await page.waitForTimeout(500); // the review's save after the last change
    const before = await stored(page);
    expect(before.storage.length).toBeGreaterThan(0);
    expect(before.caches.length).toBeGreaterThan(0);
    expect(before.databases).toContain('lucent-probe');
    // The review is in the app's database, and is part of what is scanned below.
    expect(before.records['lucent']?.some((r) => r.includes('lucent.review.'))).toBe(true);

    const everything = [
      ...said,
      ...urls,
      page.url(),
      await page.title(),
      before.storage,
      ...before.caches,
      ...before.databases,
      ...Object.values(before.records).flat(),
      audit,
    ].join('\n');
    expect(said.length + urls.length).toBeGreaterThan(10);
    for (const id of ids) expect(everything.includes(id), `"${id}" found`).toBe(false);

    // Clear, confirming; the page reloads with nothing stored.
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await page.getByRole('button', { name: 'Clear all local data' }).click();
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Clear everything' }).click(),
    ]);
    await page.getByRole('region', { name: 'Viewport' }).waitFor();
    const after = await stored(page);
    // The app's own database is opened again, empty, as the page starts; nothing else is left.
    expect({ ...after, storage: '' }).toEqual({
      storage: '',
      caches: [],
      databases: ['lucent'],
      records: { lucent: [] },
    });
    // Cornerstone writes two keys of its own on every start (its GPU probe and log level): no user data.
    const keys = (text: string): string[] => (text ? text.split('\n').map((l) => l.split('=')[0]) : []);
    const startup = ['cornerstone3D.renderingCapabilities', 'loglevel'];
    expect(keys(before.storage).filter((k) => !startup.includes(k)).length).toBeGreaterThan(0);
    expect(keys(after.storage).filter((k) => !startup.includes(k))).toEqual([]);
    await page.close();
  });
});
