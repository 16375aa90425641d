/**
 * `npm start` (the Vite dev server) from a cold dependency cache: the app loads, is cross-origin isolated,
 * decodes a compressed image with the codecs in their workers, and never reloads the page on first use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { freePort } from '../support/orthanc.mjs';
import { startSession, waitForImage, waitForLoaded, type Session } from './helpers';

let session: Session;
let server: ChildProcess;
let url: string;
const cache = mkdtempSync(join(tmpdir(), 'lucent-vite-'));

beforeAll(async () => {
  const port = await freePort();
  url = `http://localhost:${port}/`;
  server = spawn(process.execPath, [resolve(import.meta.dirname, '../../scripts/start.mjs')], {
    env: { ...process.env, PORT: String(port), LUCENT_VITE_CACHE: cache },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (server.exitCode !== null || Date.now() > deadline)
      throw new Error(`dev server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  session = await startSession();
});

afterAll(async () => {
  await session?.close();
  server?.kill('SIGTERM');
  rmSync(cache, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves the app from a cold cache without reloading the page', async () => {
    const page = await session.context.newPage();
    let loads = 0;
    page.on('load', () => loads++);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.getByRole('region', { name: 'Viewport' }).waitFor({ timeout: 90_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.getByLabel('Open files').setInputFiles(corpusFile('MR_small_jpeg_ls_lossless.dcm'));
    await waitForLoaded(page);
    const stats = await waitForImage(page);
    expect(stats.rows).toBe(64);
    await page.waitForTimeout(2000);
    expect(loads).toBe(1);
    expect(errors).toEqual([]);
  });
});
