/**
 * The report from findings to PACS, in headless Chromium against the test Orthanc: Run AI on a demo
 * case, accept every finding, the draft names each one; a size changed by hand is flagged (with its
 * reason as the sentence's accessible description) and blocks sign-off; a click on a sentence selects
 * its finding and a selected finding marks its sentences; fixed, the report is signed and read-only;
 * exported as a DICOM SR file without patient identifiers, and stored by STOW-RS to Orthanc, where the
 * SR holds the accepted findings' measurements, verified by the reader. Another workstation then opens the
 * study from the PACS and finds every signed finding back on the image, accepted, from the stored SR.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { DEMO_DIR } from '../../scripts/demo.mjs';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import {
  aiStatus,
  openApp,
  openDemo,
  openPacsDialog,
  shownFindings,
  startSession,
  waitForLoaded,
  fileSession,
} from './helpers';

const session = fileSession();

type Item = Record<string, unknown>;
const list = (v: unknown): Item[] => (v === undefined ? [] : Array.isArray(v) ? (v as Item[]) : [v as Item]);
const codeOf = (i: Item): unknown => list(i['ConceptNameCodeSequence'])[0]?.['CodeValue'];

function readSr(bytes: Uint8Array): Item {
  const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(buffer).dict);
}

/** Each measurement group's tracking id and mean diameter. */
function groupsOf(ds: Item): { id: string; mean: number }[] {
  const all: Item[] = [];
  const walk = (items: Item[]): void =>
    items.forEach((i) => {
      all.push(i);
      walk(list(i['ContentSequence']));
    });
  walk(list(ds['ContentSequence']));
  return all
    .filter((i) => codeOf(i) === '125007')
    .map((g) => {
      const children = list(g['ContentSequence']);
      const tracking = children.find((c) => codeOf(c) === '112039')?.['TextValue'];
      const id = typeof tracking === 'string' ? tracking : '';
      const diameter = children.find((c) => codeOf(c) === '81827009');
      const mean = Number(list(diameter?.['MeasuredValueSequence'])[0]?.['NumericValue']);
      return { id, mean };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The accessible description of an element (from aria-describedby). */
async function description(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((els) =>
    els.map((e) =>
      (e.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim(),
    ),
  );
}

describe('the report', () => {
  it('is edited, checked, signed, exported as SR and stored in the PACS', { timeout: 420_000 }, async () => {
    const { page, problems } = await openApp(session);
    const base = inject('baseUrl');
    const orthanc = inject('orthancUrl');
    // Connect to the PACS (the study comes from the demo set; the report goes to this server).
    await page.getByRole('button', { name: 'PACS' }).click();
    const dialog = page.getByRole('dialog', { name: /PACS/ });
    await dialog.getByLabel('DICOMweb server URL').fill(`${base}/dicomweb`);
    await dialog.getByRole('button', { name: 'Search' }).click();
    // The search has answered (this Orthanc may hold no study yet): the server is connected.
    await dialog
      .getByRole('table', { name: 'Studies found' })
      .or(dialog.getByText('No studies match.'))
      .waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await openDemo(page, 'Solid nodules');
    await page.getByRole('button', { name: 'Run AI' }).click();
    await aiStatus(page, /AI done: \d+ findings?/);
    const findings = await shownFindings(page);
    expect(findings.length).toBeGreaterThan(0);
    const report = page.getByRole('region', { name: 'Report' });
    const textbox = report.getByRole('textbox', { name: 'Report text' });
    await textbox.waitFor();

    // Sign-off is blocked while findings are pending.
    await report.getByLabel('Reader name').fill('Dr. E2E Reader');
    await report.getByRole('button', { name: 'Sign off' }).click();
    await expect.poll(() => report.getByRole('alert').textContent()).toMatch(/pending: F\d/);

    for (const f of findings) await page.getByRole('button', { name: `Accept ${f.id}` }).click();

    // The on-device language model (the committed demo model, transformers.js in a worker) phrases the
    // findings; its text streams in and every size it writes is one of the findings' (constrained decoding).
    const llm = report.getByLabel('Draft by the language model');
    await llm.getByRole('button', { name: 'Draft with the language model' }).click();
    const outcome = llm.locator('.llm-draft-outcome');
    await outcome.waitFor({ timeout: 240_000 });
    expect(await llm.getByRole('alert').count()).toBe(0);
    const [, grounded, sentences] =
      /(\d+) of (\d+) sentences grounded/.exec((await outcome.textContent()) ?? '') ?? [];
    expect(Number(sentences)).toBeGreaterThan(0);
    expect(Number(grounded)).toBeGreaterThan(0);
    const modelText = (await llm.locator('.llm-draft-text').textContent()) ?? '';
    // Sizes: a number before "mm" or "×" (as in "9.8 × 7.9 mm"); the findings' own sizes are those the
    // template draft states.
    const sizesIn = (text: string): number[] =>
      [...text.matchAll(/(\d+(?:\.\d+)?) ?(?:mm|×)/g)].map((m) => Number(m[1]));
    const draft = await textbox.inputValue();
    const known = sizesIn(draft);
    const written = sizesIn(modelText);
    expect(written.length).toBeGreaterThan(0);
    for (const size of written) expect(known, modelText).toContain(size);

    for (const f of findings) expect(draft).toContain(`${f.id}: `);
    expect(await description(page, '.report-sentence-text')).toEqual(
      (await page.locator('.report-sentence-text').all()).map(() => ''),
    );

    // A size changed by hand: the sentence is flagged with its reason, and sign-off is blocked.
    const first = findings[0];
    if (!first) throw new Error('no finding');
    const right = `mean diameter ${first.mean.toFixed(1)} mm`;
    const wrong = `mean diameter ${(first.mean + 6).toFixed(1)} mm`;
    expect(draft).toContain(right);
    await textbox.fill(draft.replace(right, wrong));
    const flagged = report.locator('.report-sentence.ungrounded .report-sentence-text');
    await expect.poll(() => flagged.count()).toBe(1);
    const [reason] = await description(page, '.report-sentence.ungrounded .report-sentence-text');
    expect(reason).toMatch(/^Not grounded: size: the text says \d+\.\d mm, the findings say \d+\.\d mm/);
    expect(reason).toContain(`${(first.mean + 6).toFixed(1)} mm`);
    expect(reason).toContain(`${first.mean.toFixed(1)} mm`);
    await report.getByRole('button', { name: 'Sign off' }).click();
    await expect.poll(() => report.getByRole('alert').textContent()).toMatch(/1 flagged sentence/);

    // Sentence → finding: a click on the flagged sentence selects its finding.
    await flagged.click();
    await page.locator(`li[data-id="${first.id}"][aria-current="true"]`).waitFor();
    // Finding → sentences: the selected finding's sentences are marked.
    const marked = await report.locator('.report-sentence-text[aria-current="true"]').allTextContents();
    expect(marked.length).toBeGreaterThanOrEqual(2); // its findings and impression sentences
    for (const m of marked) expect(m).toContain(first.id);

    // Fixed: nothing is flagged; signed, the text is read-only.
    await textbox.fill((await textbox.inputValue()).replace(wrong, right));
    await expect.poll(() => flagged.count()).toBe(0);
    await report.getByRole('button', { name: 'Sign off' }).click();
    await expect.poll(() => report.textContent()).toMatch(/Signed by Dr\. E2E Reader at /);
    expect(await textbox.getAttribute('readonly')).not.toBeNull();
    expect(await textbox.inputValue()).not.toMatch(/AI-assisted draft/);

    // Export SR: a file without patient identifiers, verified by the reader.
    const download = page.waitForEvent('download');
    await report.getByRole('button', { name: 'Export SR' }).click();
    const file = await (await download).path();
    const exported = readSr(new Uint8Array(readFileSync(file)));
    // Empty (dcmjs reads an empty name as [] and an empty string as ''); the patient ID a pseudonym (a salted
    // hash, new salt each export).
    for (const tag of ['PatientName', 'PatientBirthDate', 'PatientSex'])
      expect(JSON.stringify(exported[tag] ?? '')).toMatch(/^(""|\[\])$/);
    expect(String(exported['PatientID'])).toMatch(/^ANON[0-9A-F]{12}$/);
    expect(exported['VerificationFlag']).toBe('VERIFIED');
    const expected = findings
      .map((f) => ({ id: f.id, mean: Number(f.mean.toFixed(1)) }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(groupsOf(exported)).toEqual(expected);

    // Send to PACS: STOW-RS to Orthanc, into the demo study; the stored SR holds the same measurements.
    const demo = join(DEMO_DIR, 'demo-solid');
    const image = readdirSync(demo).find((f) => f.endsWith('.dcm')) ?? '';
    const studyUid = String(readSr(new Uint8Array(readFileSync(join(demo, image))))['StudyInstanceUID']);
    await report.getByRole('button', { name: 'Send to PACS' }).click();
    await expect.poll(() => report.textContent(), { timeout: 30_000 }).toMatch(/stored in the PACS/);
    const found = (await (
      await fetch(`${orthanc}/tools/find`, {
        method: 'POST',
        body: JSON.stringify({ Level: 'Instance', Query: { Modality: 'SR', StudyInstanceUID: studyUid } }),
      })
    ).json()) as string[];
    expect(found).toHaveLength(1);
    const stored = readSr(
      new Uint8Array(await (await fetch(`${orthanc}/instances/${found[0] ?? ''}/file`)).arrayBuffer()),
    );
    // The exported file was de-identified: new UIDs, none of the study's; the stored one files in the study.
    expect(exported['SOPInstanceUID']).not.toBe(stored['SOPInstanceUID']);
    expect(exported['StudyInstanceUID']).not.toBe(stored['StudyInstanceUID']);
    expect(String(exported['PatientIdentityRemoved'])).toBe('YES');
    expect(String(exported['DeidentificationMethod'])).toMatch(/Clean Structured Content/);
    expect(stored['VerificationFlag']).toBe('VERIFIED');
    expect(
      String(list(stored['VerifyingObserverSequence'])[0]?.['VerifyingObserverName'] ? 'named' : ''),
    ).toBe('named');
    expect(groupsOf(stored)).toEqual(expected);

    // An addendum: a new version below the signed text, which stays as it was; still read-only.
    const signedText = await textbox.inputValue();
    await report.getByRole('button', { name: 'Add an addendum' }).click();
    await report
      .getByRole('textbox', { name: 'Addendum text' })
      .fill('Compared with the prior CT: no change.');
    await report.getByRole('button', { name: 'Sign addendum' }).click();
    await expect
      .poll(() => report.textContent())
      .toMatch(/Version 2: the addendum was signed by Dr\. E2E Reader at /);
    const withAddendum = await textbox.inputValue();
    expect(withAddendum.startsWith(signedText)).toBe(true);
    expect(withAddendum.slice(signedText.length)).toMatch(
      /^\n\nAddendum \(Dr\. E2E Reader, [^)]+\):\nCompared with the prior CT: no change\.$/,
    );
    expect(await textbox.getAttribute('readonly')).not.toBeNull();
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
    await page.close();

    // Another workstation (a fresh browser: no review saved on it) opens the study from the PACS, images and
    // SR: the signed report's findings are back on the image, all of them, accepted, with the same sizes.
    for (const f of readdirSync(demo).filter((n) => n.endsWith('.dcm'))) {
      const r = await fetch(`${orthanc}/instances`, { method: 'POST', body: readFileSync(join(demo, f)) });
      expect(r.ok, f).toBe(true);
    }
    const other = await startSession();
    try {
      const reopened = await openApp(other);
      const p2 = reopened.page;
      const pacs = await openPacsDialog(p2, `${base}/dicomweb`);
      await pacs
        .getByLabel('Patient ID')
        .fill(String(readSr(new Uint8Array(readFileSync(join(demo, image))))['PatientID']));
      await pacs.getByRole('button', { name: 'Search' }).click();
      const rows = pacs.getByRole('table', { name: 'Studies found' }).getByRole('row');
      await expect.poll(() => rows.count()).toBe(2);
      await rows.nth(1).getByRole('button', { name: 'Open' }).click();
      await waitForLoaded(p2);
      await expect
        .poll(
          async () =>
            (await shownFindings(p2))
              .map((f) => ({ id: f.id, mean: f.mean }))
              .sort((a, b) => a.id.localeCompare(b.id)),
          {
            timeout: 30_000,
          },
        )
        .toEqual(expected);
      const items = p2.getByRole('list', { name: 'AI findings' }).locator('li[data-id]');
      expect(
        await items.evaluateAll((els) =>
          els.map((e) => `${e.getAttribute('data-status')} ${e.getAttribute('data-origin')}`),
        ),
      ).toEqual(expected.map(() => 'accepted stored-report'));
      await expect.poll(() => p2.getByTestId('stored-report-note').textContent()).toMatch(/signed report/);
      // On the image: a click on a finding shows its mark.
      await p2.locator(`li[data-id="${first.id}"] .finding-main`).click();
      await p2.locator(`[data-testid="ai-marks-0"] g[data-id="${first.id}"]`).waitFor();
      expect(reopened.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
      await p2.close();
    } finally {
      await other.close();
    }
  });
});
