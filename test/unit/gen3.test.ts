/**
 * The third training generator (models/training/gen3): small cases read back as an axial CT series with
 * a valid header, truth in the contract's shape, every truth centre mapped through the written DICOM
 * geometry lands on nodule-dense voxels of the right kind with lung around it (supine and prone), a case
 * depends only on the seed and its index, and `--thickness` re-makes it at 5 mm with the same nodules.
 * test/gen3_check.py generates and measures; this file states what must hold.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

interface NoduleCheck {
  type: string;
  location: string;
  diameter: number;
  inVolume: boolean;
  mean?: number;
  lungRef?: number;
  lungFraction?: number;
  dense?: boolean;
  typeMatch?: boolean;
  checkedType?: boolean;
  ok: boolean;
}

interface CaseReport {
  name: string;
  shape: number[];
  truthProblems: string[];
  headerProblems: string[];
  position: string;
  nodules: NoduleCheck[];
  spinePosterior: boolean;
  rawBackUp: boolean;
  sizeMB: number;
  thickness: number;
}

interface Answers {
  exitCodes: number[];
  progressLines: number[];
  folders: string[];
  cases: CaseReport[];
  prone: CaseReport;
  /** Case 1 again with its slices forced to 5 mm (`--thickness 5`). */
  thick: CaseReport;
  /** Case 1 again with every nodule juxtapleural (`--location juxtapleural`). */
  juxta: CaseReport;
  splitIdentical: boolean;
  splitTruthIdentical: boolean;
  casesDiffer: boolean;
}

describe('third synthetic chest-CT generator (gen3)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gen3-'));
  let a: Answers;

  beforeAll(() => {
    a = JSON.parse(
      execFileSync('/usr/bin/python3', [join(ROOT, 'test/gen3_check.py'), ROOT, tmp], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Answers;
  }, 240_000);

  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes the requested case folders with one progress line per case', () => {
    expect(a.exitCodes).toEqual([0, 0, 0, 0, 0, 0]);
    expect(a.progressLines).toEqual([2, 1, 1]);
    expect(a.folders).toEqual(['g3-0001', 'g3-0002']);
  });

  it('reads back as an axial CT series with the required header and truth format', () => {
    for (const c of [...a.cases, a.prone]) {
      expect(c.shape).toHaveLength(3);
      expect(c.shape[0]).toBeGreaterThan(20);
      expect(c.shape[0]).toBeLessThanOrEqual(100);
      expect(c.shape[1]).toBe(256);
      expect(c.headerProblems).toEqual([]);
      expect(c.truthProblems).toEqual([]);
      expect(c.sizeMB).toBeLessThan(60);
    }
  });

  it('puts every truth centre on nodule voxels of its type with lung around it', () => {
    const all = [...a.cases, a.prone].flatMap((c) => c.nodules);
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const n of all) {
      expect(n.inVolume).toBe(true);
      expect(n.dense).toBe(true);
      expect(n.lungFraction).toBeGreaterThanOrEqual(n.location === 'intraparenchymal' ? 0.5 : 0.2);
      if (n.checkedType) expect(n.typeMatch).toBe(true);
      expect(n.ok).toBe(true);
    }
    // the type rule is exercised on nodules large enough for the slice thickness
    expect(all.filter((n) => n.checkedType).length).toBeGreaterThanOrEqual(3);
  });

  it('gets the geometry right for a prone patient', () => {
    expect(a.prone.position).toBe('HFP');
    expect(a.prone.nodules.length).toBeGreaterThan(0);
    expect(a.prone.nodules.every((n) => n.ok)).toBe(true);
    // patient coordinates: spine posterior in both; stored pixels: back up only when prone
    expect(a.prone.spinePosterior).toBe(true);
    expect(a.prone.rawBackUp).toBe(true);
    const supine = [...a.cases].find((c) => c.position === 'HFS' || c.position === 'FFS');
    expect(supine).toBeDefined();
    expect(supine?.spinePosterior).toBe(true);
    expect(supine?.rawBackUp).toBe(false);
  });

  it('makes a case from its seed and index only, whatever the split', () => {
    expect(a.splitIdentical).toBe(true);
    expect(a.splitTruthIdentical).toBe(true);
    expect(a.casesDiffer).toBe(true);
  });

  it('re-makes a case at the slice thickness it is given: the same nodules in fewer, thicker slices', () => {
    const [thin] = a.cases;
    expect(thin?.thickness).toBeLessThanOrEqual(3);
    expect(a.thick.thickness).toBe(5);
    // the checker's thickness rule is for the generator's own draws (up to 3 mm)
    expect(a.thick.headerProblems.filter((p) => !p.startsWith('slice thickness'))).toEqual([]);
    expect(a.thick.shape[0]).toBeLessThan(thin?.shape[0] ?? 0);
    const nodules = (c: CaseReport | undefined): string[] =>
      (c?.nodules ?? []).map((n) => `${n.type} ${n.location} ${n.diameter}`);
    expect(nodules(a.thick)).toEqual(nodules(thin));
    expect(a.thick.nodules.length).toBeGreaterThan(0);
    for (const n of a.thick.nodules) {
      expect(n.inVolume).toBe(true);
      // partial volume dims a small nodule in a 5 mm slice but must not erase it
      expect((n.mean ?? 0) - (n.lungRef ?? 0)).toBeGreaterThan(150);
    }
  });

  it('gives every nodule the location it is told, each on the pleura of the same patient', () => {
    const [base] = a.cases;
    expect(a.juxta.truthProblems).toEqual([]);
    expect(a.juxta.headerProblems).toEqual([]);
    // what was drawn before the nodules stays: the same body and scanner, so the same series shape
    expect(a.juxta.shape).toEqual(base?.shape);
    expect(a.juxta.nodules.length).toBeGreaterThan(0);
    for (const n of a.juxta.nodules) {
      expect(n.location).toBe('juxtapleural');
      expect(n.ok).toBe(true);
      // against the pleura: tissue in the shell around it as well as lung
      expect(n.lungFraction ?? 1).toBeLessThan(0.97);
    }
  });
});
