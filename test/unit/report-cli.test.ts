/**
 * `lucent analyze --sr`, `lucent draft` and `lucent ground` as a script would call them (CONTRACTS.md),
 * on a synthetic chest CT analysed by the committed model: the draft is grounded in the findings it
 * was written from, a size changed by hand is flagged with the finding's value, and the SR written
 * next to the analysis holds one measurement group per finding.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lucent, lucentWithStdin, type Outcome } from '../support/cli';
import { main } from '../../src/cli/main';
import { makeCase } from '../../src/synth/case';

/** The same command in this process (the spawned runs above show the process-level behaviour). */
async function inProcess(...args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function textFile(name: string, text: string): string {
  const file = join(root, name);
  writeFileSync(file, text);
  return file;
}

interface Finding {
  id: string;
  meanDiameterMm: number;
  lungRads: string;
  location: { side: string; zone: string };
}
interface AnalysisJson {
  series: { seriesInstanceUID: string; model: unknown; findings: Finding[] }[];
}
interface Problem {
  kind: string;
  found: string;
  expected: string;
}
interface GroundingJson {
  schema: string;
  grounded: boolean;
  sentences: {
    text: string;
    start: number;
    end: number;
    findingIds: string[];
    grounded: boolean;
    problems: Problem[];
  }[];
}
interface DraftJson {
  schema: string;
  text: string;
  model: unknown;
  grounding: GroundingJson;
}

let root = '';
let analysisFile = '';
let srDir = '';
let analysis: AnalysisJson;
let findings: Finding[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lucent-report-cli-'));
  const dicom = join(root, 'dicom');
  mkdirSync(dicom);
  const c = makeCase('report-cli', 1, {
    clean: true,
    nodules: [
      { type: 'solid', diameter: 14 },
      { type: 'part-solid', diameter: 16 },
    ],
    zRange: [-40, 40],
    scanner: { matrix: 512, sliceThickness: 2, sliceSpacing: 2 },
  });
  for (const s of c.slices()) writeFileSync(join(dicom, s.fileName), s.bytes);
  analysisFile = join(root, 'analysis.json');
  srDir = join(root, 'sr');
  const r = await lucent('analyze', dicom, '--min-score', '0.3', '--out', analysisFile, '--sr', srDir);
  expect(r.code, r.stderr).toBe(0);
  analysis = JSON.parse(readFileSync(analysisFile, 'utf8')) as AnalysisJson;
  findings = analysis.series.find((s) => s.model)?.findings ?? [];
}, 600_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('lucent draft and lucent ground on an analysed synthetic CT', () => {
  it('drafts a grounded report in both languages that names every finding', { timeout: 60_000 }, async () => {
    expect(findings.length).toBeGreaterThan(0);
    for (const lang of ['en', 'zh-CN']) {
      const r =
        lang === 'en'
          ? await lucent('draft', '--analysis', analysisFile)
          : await inProcess('draft', '--analysis', analysisFile, '--lang', lang);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as DraftJson;
      expect(out.schema).toBe('lucent.draft/1');
      expect(out.model).toBeNull();
      expect(out.grounding.grounded).toBe(true);
      const linked = new Set(out.grounding.sentences.flatMap((s) => s.findingIds));
      for (const f of findings) {
        expect(linked.has(f.id)).toBe(true);
        expect(out.text).toContain(`${f.meanDiameterMm.toFixed(1)} mm`);
      }
      expect(out.text).toContain(lang === 'en' ? 'Impression:' : '印象：');
    }
  });

  it('flags a size changed by hand with the finding’s value, and exits 3', { timeout: 60_000 }, async () => {
    const draft = JSON.parse((await inProcess('draft', '--analysis', analysisFile)).stdout) as DraftJson;
    const f = findings[0];
    const written = `mean diameter ${f.meanDiameterMm.toFixed(1)} mm`;
    const wrong = (f.meanDiameterMm + 5).toFixed(1);
    const text = draft.text.replace(written, `mean diameter ${wrong} mm`);
    expect(text).not.toBe(draft.text);
    const file = join(root, 'report.txt');
    writeFileSync(file, text);
    const r = await lucent('ground', '--analysis', analysisFile, '--report', file);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as GroundingJson;
    expect(out.schema).toBe('lucent.grounding/1');
    expect(out.grounded).toBe(false);
    const flagged = out.sentences.filter((s) => !s.grounded);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.findingIds).toEqual([f.id]);
    expect(text.slice(flagged[0]?.start, flagged[0]?.end)).toBe(flagged[0]?.text);
    expect(flagged[0]?.problems[0]).toMatchObject({
      kind: 'size',
      found: `${wrong} mm`,
      expected: `${f.meanDiameterMm.toFixed(1)} mm`,
    });
    // The draft as written, from stdin: grounded, exit 0.
    const ok = await lucentWithStdin(draft.text, 'ground', '--analysis', analysisFile, '--report', '-');
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as GroundingJson).grounded).toBe(true);
  });

  it('checks hand-typed Chinese and English against the findings', { timeout: 60_000 }, async () => {
    const f = findings[0];
    const other = f.location.side === 'right' ? 'left' : 'right';
    const cm = (f.meanDiameterMm / 10).toFixed(1);
    const texts: [string, boolean][] = [
      [`${f.id}: ${cm} cm nodule in the ${f.location.side} lung.`, true],
      [`${f.id}: nodule in the ${other} lung.`, false],
      ['No pulmonary nodules.', false],
      [`${findings.length + 3} nodules are seen.`, false],
      [
        `${f.id}：${f.location.side === 'right' ? '右' : '左'}肺结节，${f.meanDiameterMm.toFixed(1)} mm。`,
        true,
      ],
      ['未见结节。', false],
    ];
    for (const [i, [text, grounded]] of texts.entries()) {
      const r = await inProcess(
        'ground',
        '--analysis',
        analysisFile,
        '--report',
        textFile(`typed-${i}.txt`, text),
      );
      expect(r.code, text).toBe(grounded ? 0 : 3);
    }
  });

  it('refuses bad arguments with exit 2 and one line on stderr', { timeout: 60_000 }, async () => {
    const notAnalysis = join(root, 'other.json');
    writeFileSync(notAnalysis, '{"schema":"something/1"}');
    const cases: string[][] = [
      ['ground', '--report', analysisFile],
      ['ground', '--analysis', analysisFile],
      ['ground', '--analysis', notAnalysis, '--report', analysisFile],
      ['draft', '--analysis', analysisFile, '--lang', 'fr'],
      ['draft', '--analysis', analysisFile, '--series', '1.2.3'],
      ['draft', '--analysis', join(root, 'missing.json')],
    ];
    for (const [i, args] of cases.entries()) {
      const r = i === 0 ? await lucent(...args) : await inProcess(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('lucent analyze --sr', () => {
  it('writes one SR per analysed series with one measurement group per finding', () => {
    const files = readdirSync(srDir);
    const analysed = analysis.series.filter((s) => s.model);
    expect(files).toHaveLength(analysed.length);
    const bytes = readFileSync(join(srDir, files[0]));
    const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
    const ds = DicomMetaDictionary.naturalizeDataset(
      DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).dict,
    ) as Record<string, unknown>;
    expect(ds['Modality']).toBe('SR');
    expect(ds['VerificationFlag']).toBe('UNVERIFIED');
    expect(files[0]).toBe(`${String(ds['SOPInstanceUID'])}.dcm`);
    type Item = {
      ConceptNameCodeSequence?: { CodeValue?: string } | { CodeValue?: string }[];
      ContentSequence?: Item | Item[];
      TextValue?: string;
      UID?: string;
    };
    const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    const codeOf = (i: Item): string | undefined => list(i.ConceptNameCodeSequence)[0]?.CodeValue;
    const all: Item[] = [];
    const walk = (items: Item[]): void =>
      items.forEach((i) => {
        all.push(i);
        walk(list(i.ContentSequence));
      });
    walk(list(ds['ContentSequence'] as Item | Item[]));
    const groups = all.filter((i) => codeOf(i) === '125007');
    expect(groups).toHaveLength(analysed[0]?.findings.length ?? -1);
    const tracking = groups.map(
      (g) => list(g.ContentSequence).find((c) => codeOf(c) === '112039')?.TextValue,
    );
    expect(tracking.sort()).toEqual((analysed[0]?.findings ?? []).map((f) => f.id).sort());
  });
});
