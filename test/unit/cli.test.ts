import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lucent, npxLucent } from '../support/cli';
import { corpusDir, walk } from '../support/corpus';

describe('lucent CLI', () => {
  it('prints its version, run as the package installs it (npx lucent)', async () => {
    const r = await npxLucent('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('analyze accounts for every file of the pydicom corpus, as series or errors', async () => {
    const dir = corpusDir();
    const r = await lucent('analyze', dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      schema: string;
      series: { kind: string; images: number; instances: number; model: null; skipped: { code: string } }[];
      errors: { file: string; code: string; message: string }[];
    };
    expect(out.schema).toBe('lucent.analysis/1');
    // Every file is either an instance of a listed series or a load error (zipMR.gz expands to one file).
    const files = walk(dir).length;
    const instancesListed = out.series.reduce((n, s) => n + s.instances, 0);
    const errorFiles = new Set(out.errors.map((e) => e.file));
    expect(out.errors.length).toBe(errorFiles.size);
    expect(out.errors.find((e) => e.file.endsWith('MR_truncated.dcm'))?.code).toBe('truncated');
    expect(out.errors.find((e) => e.file.endsWith('README.txt'))?.code).toBe('not-dicom');
    expect(instancesListed + errorFiles.size).toBe(files);
    expect(out.series.every((s) => s.model === null && s.skipped.code.length > 0)).toBe(true);
    // stderr has one line per error, stdout only JSON.
    expect(r.stderr.trim().split('\n').length).toBe(out.errors.length);
  });

  it('exits 1 when nothing could be analysed and 2 on bad arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-cli-'));
    writeFileSync(join(dir, 'notes.txt'), 'not dicom');
    const none = await lucent('analyze', dir);
    expect(none.code).toBe(1);
    expect((JSON.parse(none.stdout) as { errors: { code: string }[] }).errors[0]?.code).toBe('not-dicom');
    expect((await lucent('analyze')).code).toBe(2);
    expect((await lucent('analyze', dir, '--min-score', 'high')).code).toBe(2);
    expect((await lucent('frobnicate')).code).toBe(2);
  });

  it('--out writes the JSON to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-cli-'));
    const out = join(dir, 'a.json');
    const r = await lucent('analyze', join(corpusDir(), 'CT_small.dcm'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const { readFileSync } = await import('node:fs');
    expect(
      (JSON.parse(readFileSync(out, 'utf8')) as { series: { modality: string }[] }).series[0]?.modality,
    ).toBe('CT');
  });
});
