// `lucent deidentify` end to end on real files: pydicom's corpus and a `lucent synth` series, checked with
// Lucent's parser, pydicom, dcmtk's dcmdump and dicom3tools' dciodvfy.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/dicom/parse';
import { corpusDir, corpusFile, walk } from '../support/corpus';

const run = promisify(execFile);
/** The `lucent` command (bin/lucent.mjs, what `npx lucent` runs), started without npx's own start-up. */
const LUCENT = join(import.meta.dirname, '../../bin/lucent.mjs');

interface Summary {
  schema: string;
  options: { dates: string; keepUids: boolean; allowBurnedIn: boolean };
  written: { source: string; file: string }[];
  refused: { file: string; code: string; message: string }[];
}

async function deidentify(...args: string[]): Promise<{ code: number; summary?: Summary; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [LUCENT, 'deidentify', ...args], {
      maxBuffer: 64 << 20,
    });
    return { code: 0, summary: JSON.parse(stdout) as Summary, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return {
      code: x.code,
      summary: x.stdout ? (JSON.parse(x.stdout) as Summary) : undefined,
      stderr: x.stderr,
    };
  }
}

// pydicom reads every output; where it can decode the input's pixels, the output's are identical.
const PYDICOM_CHECK = `
import json, sys, warnings
import numpy as np
import pydicom
warnings.filterwarnings("ignore")
out = []
for src, dst in json.load(sys.stdin):
    d = pydicom.dcmread(dst)
    r = {"file": dst, "read": True, "identity": str(d.get("PatientIdentityRemoved", "")), "same": None}
    try:
        a = pydicom.dcmread(src).pixel_array
        # A broken codestream can decode to different garbage each time: not a reference to compare with.
        if not np.array_equal(a, pydicom.dcmread(src).pixel_array):
            a = None
    except Exception:
        a = None
    if a is not None:
        r["same"] = bool(np.array_equal(a, d.pixel_array))
    out.append(r)
print(json.dumps(out))
`;

function pydicomCheck(
  pairs: [string, string][],
): { file: string; read: boolean; identity: string; same: boolean | null }[] {
  const out = execFileSync('/usr/bin/python3', ['-c', PYDICOM_CHECK], {
    input: JSON.stringify(pairs),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as { file: string; read: boolean; identity: string; same: boolean | null }[];
}

/** dciodvfy's error lines, with UIDs and numbers normalised so that the same error compares equal. */
function iodErrors(path: string): Set<string> {
  const r = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  return new Set(
    `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.startsWith('Error'))
      .map((l) =>
        l
          .replace(/[0-9]+(\.[0-9]+)+/g, 'N')
          .replace(/UID [0-9]+$/, 'UID N')
          .replace(/<[^>]*>/g, '<>'),
      ),
  );
}

describe('lucent deidentify on the pydicom corpus', () => {
  const out = mkdtempSync(join(tmpdir(), 'lucent-deid-'));
  let result: Awaited<ReturnType<typeof deidentify>>;
  beforeAll(async () => {
    result = await deidentify(corpusDir(), '--out', out, '--allow-burned-in', '--shift-dates', '-30');
  }, 120_000);

  it('accounts for every file, writes valid DICOM that pydicom reads with the same pixels', () => {
    expect(result.code).toBe(0);
    const summary = result.summary!;
    expect(summary.schema).toBe('lucent.deidentify/1');
    expect(summary.options).toEqual({ dates: 'shift', keepUids: false, allowBurnedIn: true });
    // zipMR.gz expands to one entry named after it; every other file is written or refused by name.
    const inputs = walk(corpusDir()).length;
    expect(summary.written.length + summary.refused.length).toBe(inputs);
    expect(summary.written.length).toBeGreaterThan(60);
    expect(result.stderr.trim().split('\n').length).toBe(summary.refused.length);
    const codes = new Set(summary.refused.map((r) => r.code));
    for (const c of codes)
      expect([
        'not-dicom',
        'truncated',
        'invalid-attribute',
        'unsupported-object',
        'output-exists',
      ]).toContain(c);
    const pairs = summary.written.map((w): [string, string] => [
      join(corpusDir(), '..', w.source),
      join(out, w.file),
    ]);
    const checks = pydicomCheck(pairs.filter(([src]) => existsSync(src)));
    expect(checks.every((c) => c.read && c.identity === 'YES')).toBe(true);
    const compared = checks.filter((c) => c.same !== null);
    expect(compared.length).toBeGreaterThan(40);
    expect(compared.filter((c) => !c.same)).toEqual([]);
  });

  it('adds no dciodvfy error and no dcmdump complaint to any file', () => {
    const summary = result.summary!;
    const fresh: string[] = [];
    for (const w of summary.written) {
      const src = join(corpusDir(), '..', w.source);
      if (!existsSync(src)) continue;
      const before = iodErrors(src);
      for (const e of iodErrors(join(out, w.file))) if (!before.has(e)) fresh.push(`${w.source}: ${e}`);
    }
    expect(fresh).toEqual([]);
    const dump = spawnSync('dcmdump', ['-q', ...summary.written.map((w) => join(out, w.file))], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(dump.status).toBe(0);
    expect(dump.stderr).toBe('');
  });

  it(
    'refuses to write into an input folder, or without --out, with exit 2 and nothing written',
    { timeout: 180_000 },
    async () => {
      const inside = join(corpusDir(), 'deidentified');
      const r = await deidentify(corpusDir(), '--out', inside);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/input folder/);
      expect(existsSync(inside)).toBe(false);
      expect((await deidentify(corpusFile('CT_small.dcm'), '--out', corpusDir())).code).toBe(2);
      expect((await deidentify(corpusFile('CT_small.dcm'))).code).toBe(2);
      expect(
        (await deidentify(corpusFile('CT_small.dcm'), '--out', out, '--keep-dates', '--shift-dates', '2'))
          .code,
      ).toBe(2);
      expect((await deidentify(corpusFile('CT_small.dcm'), '--out', out, '--shift-dates', '1.5')).code).toBe(
        2,
      );
    },
  );

  it(
    'refuses secondary captures without --allow-burned-in (exit 1 when nothing is left)',
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lucent-deid-sc-'));
      const r = await deidentify(corpusFile('SC_rgb_rle.dcm'), '--out', join(dir, 'out'));
      expect(r.code).toBe(1);
      expect(r.summary?.refused).toEqual([expect.objectContaining({ code: 'burned-in-annotation' })]);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    },
  );
});

describe('lucent deidentify on a lucent synth series', () => {
  it(
    'keeps the series together, remaps references, shifts dates, keeps pixels, in a zip too',
    { timeout: 240_000 },
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'lucent-deid-synth-'));
      const src = join(work, 'in');
      await run(
        process.execPath,
        [LUCENT, 'synth', '--out', src, '--cases', '1', '--seed', 'deid', '--jobs', '1'],
        {
          maxBuffer: 16 << 20,
        },
      );
      const caseDir = join(src, 'case-0001');
      const slices = readdirSync(caseDir).filter((f) => f.endsWith('.dcm'));
      const zip = join(work, 'zipped', 'case.zip');
      mkdirSync(join(work, 'zipped'));
      writeFileSync(
        zip,
        zipSync(
          Object.fromEntries(slices.slice(0, 3).map((f) => [`x/${f}`, readFileSync(join(caseDir, f))])),
        ),
      );

      const out = join(work, 'out');
      const r = await deidentify(caseDir, zip, '--out', out, '--shift-dates', '-7');
      expect(r.code).toBe(0);
      const summary = r.summary!;
      // truth.json is not DICOM; the zipped slices are the same instances, so refused as existing outputs
      // (a file given on the command line is named by its path, its entries under it).
      expect(summary.written.length).toBe(slices.length);
      expect(summary.refused.map((x) => x.code).sort()).toEqual([
        'not-dicom',
        'output-exists',
        'output-exists',
        'output-exists',
      ]);
      expect(
        summary.refused
          .filter((x) => x.code === 'output-exists')
          .every((x) => x.file.startsWith(`${zip}/x/`)),
      ).toBe(true);

      const ins = slices.map((f) => parseDicom(new Uint8Array(readFileSync(join(caseDir, f)))).dataset);
      const outs = summary.written
        .filter((w) => !w.source.endsWith('.zip'))
        .map((w) => ({ w, file: parseDicom(new Uint8Array(readFileSync(join(out, w.file)))) }));
      const one = (tag: number): Set<string | undefined> =>
        new Set(outs.map((o) => o.file.dataset.string(tag)));
      for (const tag of [0x0020000d, 0x0020000e, 0x00200052]) {
        expect(one(tag).size, tag.toString(16)).toBe(1);
        expect([...one(tag)][0]).toMatch(/^2\.25\./);
        expect(one(tag).has(ins[0].string(tag))).toBe(false);
      }
      expect(one(0x00080018).size).toBe(slices.length);
      // Every output sits under STUDY/SERIES/SOP.dcm with its own new UIDs.
      for (const { w, file } of outs) {
        expect(w.file).toBe(
          join(
            file.dataset.string(0x0020000d)!,
            file.dataset.string(0x0020000e)!,
            `${file.dataset.string(0x00080018)}.dcm`,
          ),
        );
      }
      const byName = new Map(outs.map((o) => [o.w.source.split('/').pop(), o.file]));
      for (const [i, f] of slices.entries()) {
        const o = byName.get(f)!;
        const d = ins[i];
        const studyDate = d.string(0x00080020)!;
        const expected = new Date(
          Date.UTC(+studyDate.slice(0, 4), +studyDate.slice(4, 6) - 1, +studyDate.slice(6, 8) - 7),
        );
        expect(o.dataset.string(0x00080020)).toBe(expected.toISOString().slice(0, 10).replaceAll('-', ''));
        expect(o.dataset.string(0x00080030)).toBe(d.string(0x00080030));
        for (const tag of [0x00200032, 0x00200037, 0x00280030, 0x00180050, 0x00281052, 0x00281053])
          expect(o.dataset.raw(tag), tag.toString(16)).toEqual(d.raw(tag));
        // Byte comparisons (a deep equality over every pixel of every slice takes minutes).
        const pixels = (ds: typeof d): Buffer => Buffer.from(ds.raw(0x7fe00010) ?? new Uint8Array(0));
        expect(pixels(o.dataset).length).toBeGreaterThan(0);
        expect(Buffer.compare(pixels(o.dataset), pixels(d))).toBe(0);
        const bytes = Buffer.from(o.dataset.bytes);
        expect(bytes.includes(d.string(0x00100010)!, 0, 'latin1')).toBe(false);
        expect(bytes.includes(d.string(0x00100020)!, 0, 'latin1')).toBe(false);
      }
      // Independent readers: pydicom (same pixel arrays), dcmdump (no complaint), dciodvfy (no new error).
      const pairs = outs
        .slice(0, 8)
        .map(({ w }): [string, string] => [join(caseDir, w.source.split('/').pop()!), join(out, w.file)]);
      expect(pydicomCheck(pairs).every((c) => c.read && c.same === true && c.identity === 'YES')).toBe(true);
      const dump = spawnSync('dcmdump', ['-q', ...outs.map(({ w }) => join(out, w.file))], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(dump.status).toBe(0);
      expect(dump.stderr).toBe('');
      const [src0, dst0] = pairs[0];
      expect([...iodErrors(dst0)].filter((e) => !iodErrors(src0).has(e))).toEqual([]);
    },
  );
});
