// `lucent lungrads` as a script would call it (CONTRACTS.md): input file or stdin, JSON on stdout,
// one line on stderr and exit code 2 for bad arguments or invalid input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lucent, lucentWithStdin } from '../support/cli';

function inputFile(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'lucent-lungrads-'));
  const file = join(dir, 'nodules.json');
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

interface Output {
  category: string;
  management: string;
  source: string;
  perNodule: { index: number; category: string; meanDiameterMm: number; source: string }[];
}

const example = {
  nodules: [
    { type: 'solid', meanDiameterMm: 7.0, solidComponentMm: null, status: 'baseline', juxtapleural: false },
    {
      type: 'part-solid',
      meanDiameterMm: 12.0,
      solidComponentMm: 6.5,
      status: 'baseline',
      juxtapleural: false,
    },
    {
      type: 'ground-glass',
      meanDiameterMm: 14.0,
      solidComponentMm: null,
      status: 'new',
      juxtapleural: false,
    },
  ],
};

describe('lucent lungrads', () => {
  it('reads a file and prints the most suspicious category with every nodule', async () => {
    const r = await lucent('lungrads', '--input', inputFile(example));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Output;
    expect(out.category).toBe('4A');
    expect(out.management).toMatch(/^3-month LDCT/);
    expect(out.perNodule.map((n) => n.category)).toEqual(['3', '4A', '2']);
    expect(out.perNodule[0].source).toMatch(/ACR Lung-RADS v2022/);
  });

  it('reads stdin with --input - and writes Chinese with --lang zh-CN', async () => {
    const r = await lucentWithStdin(
      JSON.stringify({ nodules: [{ type: 'solid', meanDiameterMm: 5.95, status: 'baseline' }] }),
      'lungrads',
      '--input',
      '-',
      '--lang',
      'zh-CN',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Output;
    expect(out.category).toBe('3'); // 5.95 rounds to 6.0 mm
    expect(out.perNodule[0].meanDiameterMm).toBe(6);
    expect(out.management).toMatch(/^6个月后复查低剂量CT/);
  });

  it('is category 1 for an examination without nodules', async () => {
    const out = JSON.parse(
      (await lucent('lungrads', '--input', inputFile({ nodules: [] }))).stdout,
    ) as Output;
    expect(out.category).toBe('1');
    expect(out.perNodule).toEqual([]);
  });

  it.each([
    ['a missing --input', [], /needs --input/],
    ['an unknown language', ['--input', '-', '--lang', 'fr'], /--lang must be en or zh-CN/],
    ['a file argument', ['nodules.json'], /no file arguments/],
  ])('exits 2 on %s', async (_, args, message) => {
    const r = await lucent('lungrads', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    ['invalid JSON', '{ nodules: [', /not valid JSON/],
    [
      'a wrong type',
      { nodules: [{ type: 'mass', meanDiameterMm: 7, status: 'baseline' }] },
      /nodules\[0\]\.type/,
    ],
    [
      'a negative size',
      { nodules: [{ type: 'solid', meanDiameterMm: -1, status: 'new' }] },
      /meanDiameterMm/,
    ],
    [
      'a part-solid nodule without its solid component',
      { nodules: [{ type: 'part-solid', meanDiameterMm: 9, solidComponentMm: null, status: 'new' }] },
      /nodules\[0\]\.solidComponentMm/,
    ],
  ])('exits 2 with one line on %s', async (_, input, message) => {
    const r = await lucent('lungrads', '--input', inputFile(input));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 when the input file cannot be read', async () => {
    const r = await lucent('lungrads', '--input', join(tmpdir(), 'lucent-no-such-file.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the --input file \(ENOENT\)/);
  });
});
