/**
 * `lucent eval --readers FILE`: people's marks scored by the rules the model is scored by, in one table;
 * truth from the study file or from a dataset's truth.json; RJafroc-style CSV; clear errors.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lucent } from '../support/cli';

const nodule = { centerMm: [0, 0, 0], diameterMm: 10, type: 'solid' };
const mark = (x: number, confidence: number) => ({
  id: `m${x}`,
  centerMm: [x, 0, 0],
  confidence,
  type: 'solid',
});
// R1 unaided finds a1 (4), misses a2, one false positive (2) on n1; with AI finds both, none false.
const reads = [
  { reader: 'R1', caseId: 'n1', modality: 'unaided', seconds: 60, marks: [mark(50, 2)] },
  { reader: 'R1', caseId: 'n2', modality: 'unaided', seconds: 60, marks: [] },
  { reader: 'R1', caseId: 'a1', modality: 'unaided', seconds: 60, marks: [mark(0, 4)] },
  { reader: 'R1', caseId: 'a2', modality: 'unaided', seconds: 60, marks: [] },
  { reader: 'R1', caseId: 'n1', modality: 'aided', seconds: 40, marks: [] },
  { reader: 'R1', caseId: 'n2', modality: 'aided', seconds: 40, marks: [] },
  { reader: 'R1', caseId: 'a1', modality: 'aided', seconds: 40, marks: [mark(0, 4)] },
  { reader: 'R1', caseId: 'a2', modality: 'aided', seconds: 40, marks: [mark(1, 3)] },
];
const truth: Record<string, unknown[]> = { n1: [], n2: [], a1: [nodule], a2: [nodule] };

interface Out {
  schema: string;
  model: unknown;
  readers: {
    fom: string;
    table: {
      reader: string;
      modality: string;
      sensitivity: number;
      fpPerCase: number;
      wafroc: number;
      caseAuc: number;
      secondsPerCase: number;
    }[];
    differences: { reader: string; metric: string; difference: number; ci95: [number, number] }[];
  };
}

describe('lucent eval --readers', () => {
  it('scores the readers from a study file that carries its truth, and writes the CSV tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-readers-'));
    const file = join(dir, 'study.json');
    writeFileSync(
      file,
      JSON.stringify({
        schema: 'lucent.readers/1',
        cases: Object.entries(truth).map(([id, t]) => ({ id, truth: t })),
        reads,
      }),
    );
    const r = await lucent('eval', '--readers', file, '--csv', join(dir, 'csv'));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.schema).toBe('lucent.eval/1');
    expect(out.model).toBeNull();
    expect(out.readers.fom).toBe('normal-cases');
    // Values worked out by hand in src/practice/study.test.ts (wAFROC and AUC 2.5 / 4).
    expect(out.readers.table).toEqual([
      expect.objectContaining({
        reader: 'R1',
        modality: 'unaided',
        sensitivity: 0.5,
        fpPerCase: 0.25,
        wafroc: 0.625,
        caseAuc: 0.625,
        secondsPerCase: 60,
      }),
      expect.objectContaining({
        reader: 'R1',
        modality: 'aided',
        sensitivity: 1,
        fpPerCase: 0,
        wafroc: 1,
        caseAuc: 1,
        secondsPerCase: 40,
      }),
    ]);
    const d = out.readers.differences.find((x) => x.metric === 'wafroc');
    expect(d?.difference).toBe(0.375);
    expect(d?.ci95[0]).toBeGreaterThanOrEqual(0);
    // The table on stderr, one row per reading.
    expect(r.stderr).toMatch(/R1 +unaided +4 +0\.500 +0\.250 +0\.625/);
    const marks = readFileSync(join(dir, 'csv', 'marks.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(marks.length).toBe(1 + 4);
    expect(marks.filter((l) => l.includes(',NL,')).length).toBe(1);
    expect(readFileSync(join(dir, 'csv', 'truth.csv'), 'utf8')).toContain('\na1,1,1,solid,10,0,0,0\n');
  });

  it("takes the truth from the dataset's truth.json when a dataset is given (--model none: no model run)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-readers-'));
    for (const [id, t] of Object.entries(truth)) {
      mkdirSync(join(dir, 'data', id), { recursive: true });
      // In the dataset, a2's nodule lies elsewhere: the aided mark at x = 1 is now a false positive.
      const nodules = id === 'a2' ? [{ ...nodule, centerMm: [80, 0, 0] }] : t;
      writeFileSync(
        join(dir, 'data', id, 'truth.json'),
        JSON.stringify({ schema: 'lucent.truth/1', nodules }),
      );
    }
    const file = join(dir, 'study.json');
    writeFileSync(file, JSON.stringify({ schema: 'lucent.readers/1', reads }));
    const r = await lucent('eval', join(dir, 'data'), '--readers', file, '--model', 'none');
    expect(r.code).toBe(0);
    const aided = (JSON.parse(r.stdout) as Out).readers.table.find((x) => x.modality === 'aided');
    expect(aided).toMatchObject({ sensitivity: 0.5, fpPerCase: 0.25 });
  });

  it('exits 2 with the field that is wrong, or the case that has no truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-readers-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        schema: 'lucent.readers/1',
        reads: [{ ...reads[0], marks: [{ ...mark(0, 1), confidence: 'high' }] }],
      }),
    );
    const r1 = await lucent('eval', '--readers', bad);
    expect(r1.code).toBe(2);
    expect(r1.stderr.trim()).toBe(`lucent: ${bad}: reads[0].marks[0].confidence must be a number`);
    const noTruth = join(dir, 'no-truth.json');
    writeFileSync(noTruth, JSON.stringify({ schema: 'lucent.readers/1', reads }));
    const r2 = await lucent('eval', '--readers', noTruth);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('case "n1" has no truth: give the dataset folder');
    expect(r2.stdout).toBe('');
  });
});
