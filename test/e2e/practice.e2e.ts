/**
 * Practice mode end to end on a bundled demo case, in real Chromium: a blind read (no AI findings, no
 * report, no demo answers on screen), one mark on a true nodule (taken from the case's truth.json) and
 * one mark where there is none, submit, the scores shown (one hit, one false positive, the misses listed
 * with their reasons, the false positive explained), a jump to a missed nodule, the export read by
 * `lucent eval --readers`, and after a reload the history with its progress plot. An own case is read
 * with its truth.json, with a signed DICOM SR (written by Lucent's SR writer) in its place, and with a
 * DICOM SEG (written by pydicom) of its nodules.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../../src/dicom/instance';
import { readInstance } from '../../src/dicom/read';
import { provenanceOf } from '../../src/dicom/series';
import { memorySource } from '../../src/dicom/source';
import type { NoduleType } from '../../src/findings/types';
import { aiResultsSr } from '../../src/report/sr';
import { writeSeg } from '../support/segFixtures';
import {
  aiStatus,
  openApp,
  readout,
  screenshot,
  shownFindings,
  startSession,
  waitForImage,
  waitForLoaded,
  type AppPage,
  fileSession,
} from './helpers';

type Vec3 = [number, number, number];
interface Nodule {
  centerMm: Vec3;
  diameterMm: number;
  type: string;
}

const CASE = 'demo-solid';
const truth = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, `../../public/demo/${CASE}/truth.json`), 'utf8')) as {
    nodules: Nodule[];
  }
).nodules;

const session = fileSession();

/** Where a point lies on cell 0's canvas when the displayed slice is within `radiusMm` of it. */
async function project(page: Page, point: Vec3, radiusMm: number): Promise<{ x: number; y: number } | null> {
  return page.evaluate(
    ([p, r]) =>
      (
        window as unknown as {
          __lucent: { project(cell: number, p: Vec3, r: number): { x: number; y: number } | null };
        }
      ).__lucent.project(0, p, r),
    [point, radiusMm] as const,
  );
}

async function position(page: Page): Promise<number> {
  const r = await readout(page);
  if (r?.positionMm === undefined) throw new Error('no slice position');
  return r.positionMm;
}

/** Scroll with the keyboard, as a reader does, until the slice through z (patient mm) is on screen. */
async function scrollTo(page: Page, z: number): Promise<number> {
  const before = await position(page);
  // One slice on (back, on the last slice) gives the step and its sign.
  let key = 'ArrowDown';
  await page.keyboard.press(key);
  try {
    await expect.poll(() => position(page), { timeout: 5_000 }).not.toBe(before);
  } catch {
    key = 'ArrowUp';
    await page.keyboard.press(key);
    await expect.poll(() => position(page)).not.toBe(before);
  }
  const step = ((await position(page)) - before) * (key === 'ArrowDown' ? 1 : -1);
  for (let i = 0; i < 4; i++) {
    const steps = Math.round((z - (await position(page))) / step);
    if (steps === 0) break;
    const key = steps > 0 ? 'ArrowDown' : 'ArrowUp';
    for (let k = 0; k < Math.abs(steps); k++) await page.keyboard.press(key);
    await page.waitForTimeout(300);
  }
  expect(Math.abs((await position(page)) - z)).toBeLessThanOrEqual(Math.abs(step) / 2 + 0.01);
  return Math.abs(step);
}

async function clickAt(page: Page, point: Vec3, radiusMm: number): Promise<void> {
  const p = await project(page, point, radiusMm);
  const box = await page.locator('[data-cell="0"]').boundingBox();
  if (!p || !box) throw new Error('the point is not on the displayed slice');
  await page.mouse.click(box.x + p.x, box.y + p.y);
}

/** The demo case's images, without its truth.json, in a folder of their own; with their headers. */
async function demoImagesOnly(prefix: string): Promise<{ dir: string; infos: InstanceInfo[] }> {
  const demo = resolve(import.meta.dirname, `../../public/demo/${CASE}`);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const infos: InstanceInfo[] = [];
  for (const name of readdirSync(demo).filter((f) => f.endsWith('.dcm'))) {
    copyFileSync(join(demo, name), join(dir, name));
    const read = await readInstance(memorySource(name, new Uint8Array(readFileSync(join(demo, name)))));
    if (!read.ok) throw new Error(read.error.message);
    infos.push(read.info);
  }
  return { dir, infos };
}

/** A fresh page with the Practice case list open. */
async function openPractice(): Promise<AppPage & { dialog: Locator }> {
  const app = await openApp(session);
  await app.page.getByRole('button', { name: 'Practice', exact: true }).click();
  return { ...app, dialog: app.page.getByRole('dialog', { name: 'Practice' }) };
}

/** A fresh page that opens `dir` as an own practice case and waits for its blind read. */
async function openOwnCase(dir: string): Promise<AppPage & { panel: Locator }> {
  const app = await openPractice();
  await app.page.getByTestId('practice-folder-input').setInputFiles(dir);
  await waitForLoaded(app.page);
  await waitForImage(app.page);
  const panel = app.page.getByRole('region', { name: 'Practice', exact: true });
  await panel.getByText('Blind read').waitFor();
  return { ...app, panel };
}

/** Click the centre of the case's largest true nodule, and wait for the one mark. */
async function markLargest(
  page: Page,
  panel: Locator,
): Promise<{ target: Nodule; spacing: number; marks: Locator }> {
  const target = truth.reduce((a, b) => (b.diameterMm > a.diameterMm ? b : a));
  const spacing = await scrollTo(page, target.centerMm[2]);
  await clickAt(page, target.centerMm, spacing);
  const marks = panel.getByRole('list', { name: 'Your marks' }).getByRole('listitem');
  await expect.poll(() => marks.count()).toBe(1);
  return { target, spacing, marks };
}

describe('practice: a blind read of a demo case', () => {
  it('hides AI, scores a hit and a false positive with feedback, exports, and keeps the history', async () => {
    const { page, problems, dialog } = await openPractice();
    await dialog.getByRole('button', { name: 'Practise on Solid nodules' }).click();
    await waitForLoaded(page);
    await waitForImage(page);
    const panel = page.getByRole('region', { name: 'Practice', exact: true });
    await panel.getByText('Blind read').waitFor();

    // Blind: no AI findings, no Run AI, no report, no demo answers.
    expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run AI' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Report' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Demo cases' }).count()).toBe(0);

    // A right mark: the probe at the centre of the largest nodule.
    const { target, spacing, marks } = await markLargest(page, panel);
    // A wrong mark on the same slice, well away from every nodule.
    const wrong = [
      [0, 40, 0],
      [0, -40, 0],
      [-40, 0, 0],
      [40, 0, 0],
    ]
      .map((d): Vec3 => [
        target.centerMm[0] + (d[0] ?? 0),
        target.centerMm[1] + (d[1] ?? 0),
        target.centerMm[2],
      ])
      .find((p) =>
        truth.every(
          (n) => Math.hypot(...(p.map((v, i) => v - (n.centerMm[i] ?? 0)) as Vec3)) > n.diameterMm / 2 + 8,
        ),
      );
    if (!wrong) throw new Error('no place for a wrong mark');
    await clickAt(page, wrong, spacing);
    await expect.poll(() => marks.count()).toBe(2);
    await panel.getByLabel('Type of mark 1').selectOption('solid');
    await panel.getByLabel('Lung-RADS category of the case').selectOption('4B');
    await panel.getByLabel('Impression (one line)').fill('Spiculated solid nodule, left lung.');
    await panel.getByRole('button', { name: 'Submit read' }).click();

    const result = page.getByRole('region', { name: 'Practice result' });
    await expect
      .poll(() => result.getByTestId('practice-found').textContent())
      .toContain(`Nodules found: 1 of ${truth.length}`);
    expect(await result.getByTestId('practice-fp').textContent()).toBe('False positives: 1');
    await result.getByText('Lung-RADS: yours 4B').waitFor();
    expect(await result.getByTestId('practice-ai').textContent()).toBe('The AI did not run on this case.');
    // Each miss names its size and type and says why it is easy to miss.
    const missed = truth.filter((n) => n !== target);
    const misses = result.locator('li.miss');
    await expect.poll(() => misses.count()).toBe(missed.length);
    for (const [i, n] of missed.entries()) {
      const text = (await misses.nth(i).textContent()) ?? '';
      expect(text).toContain(`${n.diameterMm.toFixed(1)} mm ${n.type} nodule`);
      expect(await misses.nth(i).locator('.why li').count()).toBeGreaterThan(0);
    }
    // The false positive: what it most probably was, read from the image.
    const fp = result.getByRole('list', { name: 'False positives' }).getByRole('listitem');
    await expect.poll(() => fp.textContent(), { timeout: 30_000 }).not.toContain('Reading the image');
    expect(await fp.textContent()).toMatch(
      /outside the lungs|pleura|airway|vessel|fissure|Plain lung|Unclear/,
    );
    // The truth and the reader's marks on the image: the target's ring, the hit and the false positive.
    const onImage = page.getByTestId('practice-marks-0');
    await onImage.waitFor();
    expect(await onImage.locator('.truth').count()).toBeGreaterThanOrEqual(1);
    expect(await onImage.locator('.reader.hit').count()).toBe(1);
    expect(await onImage.locator('.reader.fp').count()).toBe(1);
    // AI output is back on screen once the read is submitted.
    await page.getByRole('region', { name: 'Findings' }).waitFor();
    await screenshot(page, 'practice-result.png');

    // Jump to a missed nodule: the viewport goes to its slice.
    const first = missed[0];
    if (first) {
      await result.getByRole('button', { name: 'Go to missed nodule 1' }).click();
      await expect.poll(() => project(page, first.centerMm, spacing)).not.toBeNull();
    }

    // The export is a reader study `lucent eval --readers` scores by the model's rules.
    await page.getByRole('button', { name: 'Practice', exact: true }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Reader study (JSON)' }).click(),
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'lucent-practice-')), 'study.json');
    await download.saveAs(file);
    const { stdout } = await promisify(execFile)('npx', [
      '--no-install',
      'lucent',
      'eval',
      '--readers',
      file,
    ]);
    const evaluated = JSON.parse(stdout) as {
      readers: {
        rows: { reader: string; modality: string; cases: number; sensitivity: number; fpPerCase: number }[];
      };
    };
    const row = evaluated.readers.rows.find((r) => r.reader === 'R1' && r.modality === 'unaided');
    expect(row?.cases).toBe(1);
    expect(row?.sensitivity).toBeCloseTo(1 / truth.length, 3);
    expect(row?.fpPerCase).toBe(1);

    // The history stays on the device: after a reload, the progress is there.
    await page.reload();
    await page.getByRole('region', { name: 'Viewport' }).waitFor();
    await page.getByRole('button', { name: 'Practice', exact: true }).click();
    await dialog.getByText('1 session, 1 read').waitFor();
    await dialog.getByTestId('practice-progress-plot').waitFor();
    expect(await dialog.getByRole('table', { name: 'Nodules found, by kind' }).textContent()).toContain(
      `1 of ${truth.length}`,
    );
    await screenshot(page, 'practice-progress.png');
    expect(problems).toEqual([]);
  }, 300_000);

  it('reads your own labelled folder: the truth from its truth.json, every nodule a miss without marks', async () => {
    const { page, problems } = await openApp(session);
    await page.getByRole('button', { name: 'Practice', exact: true }).click();
    const dir = resolve(import.meta.dirname, `../../public/demo/${CASE}`);
    // A folder input takes the folder: its DICOM files and truth.json.
    await page.getByTestId('practice-folder-input').setInputFiles(dir);
    await waitForLoaded(page);
    const panel = page.getByRole('region', { name: 'Practice', exact: true });
    await panel.getByText('Blind read').waitFor();
    expect(await panel.getByTestId('practice-truth-source').textContent()).toBe(
      'Truth: truth.json (lucent.truth/1)',
    );
    expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);
    await panel.getByRole('button', { name: 'Submit read' }).click();
    const result = page.getByRole('region', { name: 'Practice result' });
    await expect
      .poll(() => result.getByTestId('practice-found').textContent())
      .toContain(`Nodules found: 0 of ${truth.length}`);
    expect(await result.locator('li.miss').count()).toBe(truth.length);
    expect(problems).toEqual([]);
  });

  it('reads your own case whose truth is a signed DICOM SR: blind, one mark, scored against the SR', async () => {
    // The demo case's images without truth.json, and a signed SR of its nodules (a reader's report).
    const { dir, infos } = await demoImagesOnly('lucent-practice-sr-');
    const head = infos[0];
    if (!head) throw new Error('no demo images');
    const at = new Date('2026-12-03T09:30:00Z');
    const report = {
      studyInstanceUID: head.studyInstanceUID,
      seriesInstanceUID: head.seriesInstanceUID,
      modality: 'CT',
      model: { id: 'none', version: '0', sha256: '00'.repeat(32) },
      findings: truth.map((n, i) => ({
        id: `F${i + 1}`,
        type: n.type as NoduleType,
        score: null,
        lungRads: '2',
        centerMm: n.centerMm,
        longAxisMm: n.diameterMm,
        shortAxisMm: n.diameterMm,
        meanDiameterMm: n.diameterMm,
        solidComponentMm: null,
        volumeMm3: (Math.PI / 6) * n.diameterMm ** 3,
      })),
      // Not the category the nodules alone give: the read is scored against the report's own.
      lungRads: { category: '4X', management: 'As the report says.' },
    };
    const sr = aiResultsSr(report, {
      source: provenanceOf(infos),
      created: at,
      software: 'test',
      signed: { reader: 'Reader^Ann', at, text: 'Signed report.', version: 1 },
    });
    // A file name that could hold a patient's name: the app never shows it.
    writeFileSync(join(dir, 'DOE_JANE_report.dcm'), sr);

    const { page, problems, panel } = await openOwnCase(dir);
    expect(await panel.getByTestId('practice-truth-source').textContent()).toBe(
      'Truth: DICOM SR, verified, 2026-12-03',
    );
    expect(await page.textContent('body')).not.toContain('DOE_JANE');
    // The SR's findings stay off the screen during the blind read.
    expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);

    await markLargest(page, panel);
    await panel.getByLabel('Lung-RADS category of the case').selectOption('4B');
    await panel.getByRole('button', { name: 'Submit read' }).click();

    const result = page.getByRole('region', { name: 'Practice result' });
    await expect
      .poll(() => result.getByTestId('practice-found').textContent())
      .toContain(`Nodules found: 1 of ${truth.length}`);
    expect(await result.getByTestId('practice-fp').textContent()).toBe('False positives: 0');
    await result.getByText('Lung-RADS: yours 4B, from the truth 4X').waitFor();
    expect(await result.locator('li.miss').count()).toBe(truth.length - 1);
    expect(problems).toEqual([]);

    // Unreviewed AI results are no truth: the same images with the unsigned SR are refused, saying why.
    const unsigned = mkdtempSync(join(tmpdir(), 'lucent-practice-sr-'));
    for (const name of readdirSync(dir).filter((f) => f.startsWith('IM000')))
      copyFileSync(join(dir, name), join(unsigned, name));
    writeFileSync(
      join(unsigned, 'ai.dcm'),
      aiResultsSr(
        { ...report, model: { id: 'lung-nodule-ct', version: '1.0', sha256: 'ab'.repeat(32) } },
        { source: provenanceOf(infos), created: at, software: 'test' },
      ),
    );
    await page.getByRole('button', { name: 'Practice', exact: true }).click();
    await page.getByTestId('practice-folder-input').setInputFiles(unsigned);
    await panel
      .getByRole('alert')
      .filter({ hasText: 'the DICOM SR in this folder is not signed (not verified)' })
      .waitFor();
    expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 200_000);

  it('reads your own case whose truth is a DICOM SEG: one nodule per segmented region, scored blind', async () => {
    // The demo case's images without truth.json, and a SEG (written by pydicom) with a sphere per nodule.
    const { dir, infos } = await demoImagesOnly('lucent-practice-seg-');
    const segments = truth.map((n, i) => ({
      label: i === 0 ? `Lesion ${i + 1}` : `${n.type} nodule`,
      spheres: [{ centerMm: n.centerMm, diameterMm: n.diameterMm }],
    }));
    writeFileSync(join(dir, 'SMITH_JOHN_seg.dcm'), writeSeg(infos, { segments, shuffle: 5 }));

    const { page, problems, panel } = await openOwnCase(dir);
    // The first segment names no type: solid assumed, and said so.
    expect(await panel.getByTestId('practice-truth-source').textContent()).toBe(
      `Truth: DICOM SEG, ${truth.length} nodules, 2026-12-04 · The SEG names no composition for 1 nodule: solid assumed.`,
    );
    expect(await page.textContent('body')).not.toContain('SMITH_JOHN');
    expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);

    await markLargest(page, panel);
    await panel.getByRole('button', { name: 'Submit read' }).click();
    const result = page.getByRole('region', { name: 'Practice result' });
    await expect
      .poll(() => result.getByTestId('practice-found').textContent())
      .toContain(`Nodules found: 1 of ${truth.length}`);
    expect(await result.getByTestId('practice-fp').textContent()).toBe('False positives: 0');
    expect(await result.locator('li.miss').count()).toBe(truth.length - 1);
    expect(problems).toEqual([]);

    // A SEG that marks nothing is no truth: the case is refused, saying why.
    writeFileSync(join(dir, 'SMITH_JOHN_seg.dcm'), writeSeg(infos, { segments, empty: true }));
    await page.getByRole('button', { name: 'Practice', exact: true }).click();
    await page.getByTestId('practice-folder-input').setInputFiles(dir);
    await panel.getByRole('alert').filter({ hasText: 'the DICOM SEG marks no voxel' }).waitFor();
    expect(problems).toEqual([]);
  }, 200_000);

  it('runs reader-study protocols over two demo cases: blind, the washout, with AI, and the results', async () => {
    // A browser of its own: the page's clock is Playwright's from the first load, so the washout can pass,
    // and the studies and history on this device are this test's alone.
    const own = await startSession();
    try {
      await own.context.clock.install();
      const { page, problems } = await openApp(own);
      await page.getByRole('button', { name: 'Practice', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Practice' });
      const panel = page.getByRole('region', { name: 'Practice', exact: true });
      const studies = dialog.getByRole('list', { name: 'Reader studies on this device' });
      const demos = readdirSync(resolve(import.meta.dirname, '../../public/demo')).filter((f) =>
        f.startsWith('demo-'),
      );
      const chosen = ['Solid nodules', 'Normal chest'];

      /** Start a study for `reader` over the two chosen cases (every demo case is ticked to begin with). */
      const startStudy = async (reader: string, design: string, washoutDays: number): Promise<void> => {
        await dialog.getByLabel('Reader (a pseudonym)').fill(reader);
        await dialog.getByLabel('Study design').selectOption(design);
        await dialog.getByLabel('Washout (days)').fill(String(washoutDays));
        const ticks = dialog.getByRole('group', { name: 'Cases in the study' }).getByRole('checkbox');
        await expect.poll(() => ticks.count()).toBe(demos.length);
        for (const box of await ticks.all()) {
          expect(await box.isChecked()).toBe(true);
          const name = (await box.evaluate((e) => e.parentElement?.textContent)) ?? '';
          if (!chosen.includes(name)) await box.uncheck();
        }
        const start = dialog.getByRole('button', { name: 'Start reader study' });
        // One case is no study (its intervals are a bootstrap over cases).
        const normal = dialog.getByLabel('Normal chest', { exact: true });
        await normal.uncheck();
        expect(await start.isDisabled()).toBe(true);
        await normal.check();
        await start.click();
      };

      /**
       * The protocol's read n of `session`: blind (no AI on screen) or with AI (its findings on screen);
       * `mark` marks the largest true nodule when the case is Solid nodules and the read is with AI.
       * Returns the case and the condition read.
       */
      let waitedForAi = false;
      const studyRead = async (session: number, n: number, mark: boolean): Promise<string> => {
        await expect
          .poll(() => panel.getByTestId('study-line').textContent({ timeout: 60_000 }))
          .toBe(`Reader study · session ${session}, read ${n} of ${chosen.length}`);
        const mode = panel.locator('.practice-mode');
        await expect.poll(() => mode.textContent({ timeout: 60_000 })).toMatch(/^(Blind read|Read with AI)/);
        const aided = ((await mode.textContent()) ?? '').startsWith('Read with AI');
        const name = ((await panel.locator('h2').textContent()) ?? '').replace(/^Practice · /, '');
        if (aided) {
          // While the AI runs, the read cannot be submitted (it is scored with what the AI shows).
          const submit = panel.getByRole('button', { name: 'Submit read' });
          if (await page.getByTestId('practice-wait-ai').isVisible()) {
            waitedForAi = true;
            expect(await submit.isDisabled()).toBe(true);
          }
          const done = await aiStatus(page, /AI done: \d+ findings?/, 120_000);
          await expect.poll(() => submit.isDisabled()).toBe(false);
          const shown = await shownFindings(page);
          expect(done).toContain(`AI done: ${shown.length} finding`);
          if (name === 'DEMO-SOLID') expect(shown.length).toBeGreaterThan(0);
          if (mark && name === 'DEMO-SOLID') await markLargest(page, panel);
        } else {
          expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);
        }
        await panel.getByRole('button', { name: 'Submit read' }).click();
        await page.getByRole('region', { name: 'Practice result' }).waitFor();
        await page.getByRole('button', { name: 'Next case' }).click();
        return `${name} ${aided ? 'aided' : 'unaided'}`;
      };

      // R7, sequential with a 14-day washout: session 1 reads each case blind, in a shuffled order.
      await startStudy('R7', 'sequential', 14);
      const session1 = [await studyRead(1, 1, false), await studyRead(1, 2, false)];
      expect(session1.sort()).toEqual(['DEMO-NORMAL unaided', 'DEMO-SOLID unaided']);
      // Session 2 (with AI) waits for the washout: the case list says when it opens, and offers no read.
      await studies.waitFor();
      const continueR7 = dialog.getByRole('button', { name: 'Continue the study of R7' });
      await expect.poll(() => dialog.getByTestId('study-washout').textContent()).toMatch(/^Session 2 opens /);
      expect(await continueR7.count()).toBe(0);
      expect(await studies.textContent()).toContain('session 1: 2 of 2 · session 2: 0 of 2');
      expect(await dialog.getByText('Results appear once a case has been read both').count()).toBe(1);
      // The page's clock 13 days on: still closed; 15 days on: session 2 opens.
      const now = await page.evaluate(() => Date.now());
      for (const days of [13, 15]) {
        await own.context.clock.setSystemTime(now + days * 86_400_000);
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        await page.getByRole('button', { name: 'Practice', exact: true }).click();
        await studies.waitFor();
        expect(await continueR7.count()).toBe(days < 14 ? 0 : 1);
      }
      await continueR7.click();
      // Session 2: each case with AI; one mark, on the largest true nodule of Solid nodules.
      const session2 = [await studyRead(2, 1, true), await studyRead(2, 2, true)];
      expect(session2.sort()).toEqual(['DEMO-NORMAL aided', 'DEMO-SOLID aided']);

      // R8, crossed with no washout: one case with AI in each session, both read straight through; no mark.
      await studies.waitFor();
      await startStudy('R8', 'crossed', 0);
      const crossed = [await studyRead(1, 1, false), await studyRead(1, 2, false)];
      crossed.push(await studyRead(2, 1, false), await studyRead(2, 2, false));
      expect(crossed.filter((r) => r.endsWith(' aided'))).toHaveLength(2);
      expect(new Set(crossed.slice(0, 2).map((r) => r.split(' ')[1])).size).toBe(2);
      // Of the four reads with AI, at least one was caught while its AI ran, with Submit read disabled.
      expect(waitedForAi).toBe(true);

      // The results, per reader and pooled (their mean), unaided and with AI. No mark unaided: nothing
      // found, no false positive. With AI, R7 found 1 of the 3 nodules of the two cases, R8 none.
      const results = dialog.getByRole('region', { name: 'Reader study results' });
      await results.waitFor();
      expect(await studies.textContent()).toMatch(/Done.*Done/);
      const rows = await results
        .getByRole('table')
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
      const pct = (v: number): string => `${Math.round(v * 100)} %`;
      const found = 1 / truth.length;
      expect(rows.map((r) => r.slice(0, 4))).toEqual([
        ['R7', 'Unaided', '0 %', '0.00'],
        ['R8', 'Unaided', '0 %', '0.00'],
        ['Pooled', 'Unaided', '0 %', '0.00'],
        ['R7', 'With AI', pct(found), '0.00'],
        ['R8', 'With AI', '0 %', '0.00'],
        ['Pooled', 'With AI', pct(found / 2), '0.00'],
      ]);
      // wAFROC: with no mark every nodule ties with the normal case (0.5 each); R7's hit with AI wins its
      // comparison, its weight 1/3 of the case's: 1/3 + 2/3 × 0.5.
      expect(rows.map((r) => r[4])).toEqual(['0.500', '0.500', '0.500', '0.667', '0.500', '0.583']);
      const text = (await results.textContent()) ?? '';
      expect(text).toContain(`R7, Sensitivity: with AI − unaided ${found.toFixed(3)}`);
      expect(text).toContain(`Pooled, Sensitivity: with AI − unaided ${(found / 2).toFixed(3)}`);
      await results.getByTestId('study-plot').waitFor();
      await results.scrollIntoViewIfNeeded();
      await screenshot(page, 'reader-study-results.png');
      expect(problems).toEqual([]);
    } finally {
      await own.close();
    }
  }, 300_000);

  it('generates a case on the device and reads it blind', async () => {
    const { page, problems, dialog } = await openPractice();
    await dialog.getByLabel('Difficulty').selectOption('easy');
    await dialog.getByRole('button', { name: 'Generate a case' }).click();
    const panel = page.getByRole('region', { name: 'Practice', exact: true });
    await panel.getByText('Blind read').waitFor({ timeout: 120_000 });
    await waitForImage(page);
    expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);
    await panel.getByRole('button', { name: 'Submit read' }).click();
    // The easy mix holds one or two nodules; none was marked.
    const found = await page
      .getByRole('region', { name: 'Practice result' })
      .getByTestId('practice-found')
      .textContent();
    expect(found).toMatch(/Nodules found: 0 of [12]/);
    expect(problems).toEqual([]);
  }, 200_000);
});
