/**
 * The reader's own language model, from a folder on this device, in headless Chromium: a copy of the
 * committed demo model under another name (no Lucent manifest, as a model folder from elsewhere would be)
 * is picked through the folder input, read on the page and handed to the worker; the draft streams in,
 * and the row and the model card name the picked model (its folder's name, no path) as "your model",
 * constrained. Nothing of the served demo model is fetched for it. Back on the demo model, the app's own
 * folder is fetched again. Broken folders end in their specific reason, never a spinner.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiStatus, openApp, openDemo, screenshot, fileSession } from './helpers';

const demo = resolve(import.meta.dirname, '../../models/report-demo');
const MODEL_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
];

/** A model folder named `name` with the demo model's files (those in `files`), in a fresh temporary folder. */
function modelFolder(name: string, files: readonly string[] = MODEL_FILES): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lucent-llm-')), name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of files) copyFileSync(join(demo, f), join(dir, f));
  return dir;
}

const session = fileSession();

describe('a language model from a folder the reader picks', () => {
  it(
    'drafts with it, names it on the model card, goes back to the demo model, and refuses broken folders',
    {
      timeout: 360_000,
    },
    async () => {
      const { page, problems, offOrigin } = await openApp(session);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(new URL(r.url()).pathname));
      await openDemo(page, 'Solid nodules');
      await page.getByRole('button', { name: 'Run AI' }).click();
      await aiStatus(page, /AI done: \d+ findings?/);
      const report = page.getByRole('region', { name: 'Report' });
      const llm = report.getByLabel('Draft by the language model');
      const row = llm.locator('.llm-model-name');
      await expect.poll(() => row.textContent()).toMatch(/^Language model: report-demo · demo model/);

      const mine = modelFolder('my-instruct-model');
      writeFileSync(
        join(mine, 'README.md'),
        '# my-instruct-model\n\nA small model the reader already had.\n',
      );
      await llm.getByLabel('Language model folder').setInputFiles(mine);
      await expect
        .poll(() => row.textContent())
        .toMatch(
          /^Language model: my-instruct-model · your model · 2\.\d MB · decoding constrained to the findings’ values$/,
        );
      expect(await llm.getByRole('alert').count()).toBe(0);

      // The text streams in: every version of it the page shows is kept.
      await page.evaluate(() => {
        const root = document.querySelector('.llm-draft');
        const seen: string[] = [];
        (window as unknown as { llmTexts: string[] }).llmTexts = seen;
        if (!root) return;
        new MutationObserver(() => {
          const text = root.querySelector('.llm-draft-text')?.textContent ?? '';
          if (text && seen[seen.length - 1] !== text) seen.push(text);
        }).observe(root, { subtree: true, childList: true, characterData: true });
      });
      const before = requests.length;
      await llm.getByRole('button', { name: 'Draft with the language model' }).click();
      const outcome = llm.locator('.llm-draft-outcome');
      await outcome.waitFor({ timeout: 240_000 });
      expect(await llm.getByRole('alert').count()).toBe(0);
      expect(await outcome.textContent()).toMatch(/^[1-9]\d* of [1-9]\d* sentences grounded · \d+ tokens/);
      const final = (await llm.locator('.llm-draft-text').textContent()) ?? '';
      const seen = await page.evaluate(() => (window as unknown as { llmTexts: string[] }).llmTexts);
      expect(final.length).toBeGreaterThan(40);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      expect(seen[0]?.length ?? 0).toBeLessThan(final.length / 2);
      // The model came from the picked bytes: nothing under /models/ was fetched for it.
      expect(requests.slice(before).filter((p) => p.startsWith('/models/'))).toEqual([]);
      // What the worker loaded: named by the folder (no manifest names it otherwise).
      await expect.poll(() => row.textContent()).toMatch(/^Language model: my-instruct-model · your model/);

      await llm.getByRole('button', { name: 'Language model card' }).click();
      const card = page.getByRole('dialog', { name: /Model card/ });
      const section = card.getByRole('region', { name: 'Language model (report draft)' });
      const text = (await section.textContent()) ?? '';
      expect(text).toContain('Namemy-instruct-model');
      expect(text).toContain('Model and versionmy-instruct-model');
      expect(text).toContain('Foldermy-instruct-model');
      expect(text).toContain('Sourceyour model');
      expect(text).toContain('Decodingdecoding constrained to the findings’ values');
      expect(text).toMatch(/Runs onWebAssembly|Runs onWebGPU/);
      expect(text).toMatch(/SHA-256 of the ONNX file[0-9a-f]{16}…/);
      expect(text).not.toContain(tmpdir());
      await section.getByText('The folder’s model card').click();
      await expect
        .poll(() => section.locator('pre').textContent())
        .toContain('A small model the reader already had.');
      await screenshot(page, 'llm-folder-card.png');
      await page.keyboard.press('Escape');
      await card.waitFor({ state: 'hidden' });

      // Broken folders: each refused with its reason; the model in use stays.
      const alert = llm.getByRole('alert');
      const refused = async (dir: string, reason: RegExp): Promise<void> => {
        await llm.getByLabel('Language model folder').setInputFiles(dir);
        await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toMatch(reason);
        expect(await row.textContent()).toMatch(/^Language model: my-instruct-model · your model/);
      };
      const noKvCache = modelFolder('exported-without-past');
      copyFileSync(
        resolve(import.meta.dirname, '../../models/examples/classifier/model.onnx'),
        join(noKvCache, 'onnx/model.onnx'),
      );
      await refused(
        noKvCache,
        /^The language model folder was not used: onnx\/model\.onnx has no past_key_values inputs/,
      );
      await refused(
        modelFolder(
          'half-copied',
          MODEL_FILES.filter((f) => f !== 'tokenizer_config.json'),
        ),
        /^The language model folder was not used: it has no tokenizer_config\.json/,
      );
      const badJson = modelFolder('bad-config');
      writeFileSync(join(badJson, 'config.json'), '{"model_type": "llama",');
      await refused(badJson, /^The language model folder was not used: config\.json is not valid JSON\.$/);
      await refused(
        modelFolder(
          'no-onnx',
          MODEL_FILES.filter((f) => !f.endsWith('.onnx')),
        ),
        /^The language model folder was not used: it has no onnx\/model\.onnx/,
      );

      // Back to the demo model: the app's own folder is fetched for the next draft.
      await llm.getByRole('button', { name: 'Use the demo model' }).click();
      await expect.poll(() => row.textContent()).toMatch(/^Language model: report-demo · demo model/);
      expect(await alert.count()).toBe(0);
      const demoStart = requests.length;
      await llm.getByRole('button', { name: 'Draft with the language model' }).click();
      await expect
        .poll(() => llm.locator('.llm-draft-text').textContent(), { timeout: 120_000 })
        .toMatch(/\S{10}/);
      await llm.getByRole('button', { name: 'Stop' }).click();
      await outcome.waitFor();
      expect(requests.slice(demoStart)).toContain('/models/report-demo/onnx/model.onnx');
      await expect
        .poll(() => row.textContent())
        .toMatch(/^Language model: Lucent report demo model · demo model/);

      expect(offOrigin).toEqual([]);
      expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
      await page.close();
    },
  );
});
