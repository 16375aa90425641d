/**
 * The second training generator (models/training/chestgen): small cases read back like real data, their
 * truth has the contract's shape, every truth centre mapped through the DICOM geometry lies on the nodule
 * (supine and prone), a case depends only on the seed and its index, not on how the range was split, and
 * `--thickness` re-makes a case's plan with thicker slices.
 * test/reference/chestgen_check.py generates the cases and measures; this file states what must hold.
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
  enclosed?: boolean;
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
  /** Between slice centres (mm). */
  spacing: number;
}

interface Answers {
  exitCodes: number[];
  progressLines: number[];
  folders: string[];
  cases: CaseReport[];
  prone: CaseReport;
  splitIdentical: boolean;
  splitTruthIdentical: boolean;
  casesDiffer: boolean;
  /** Case 1 again with its slices forced to 5 mm (`--thickness 5`). */
  thick: CaseReport;
}

describe('second synthetic chest-CT generator (chestgen)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'chestgen-'));
  let a: Answers;

  beforeAll(() => {
    a = JSON.parse(
      execFileSync('/usr/bin/python3', [join(ROOT, 'test/reference/chestgen_check.py'), ROOT, tmp], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Answers;
  }, 180_000);

  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes the requested case folders with one progress line per case', () => {
    expect(a.exitCodes).toEqual([0, 0, 0, 0]);
    expect(a.progressLines).toEqual([2, 1, 1, 1]);
    expect(a.folders).toEqual(['g2-0001', 'g2-0002']);
  });

  it('reads back as an axial CT series with the required header and truth format', () => {
    for (const c of [...a.cases, a.prone]) {
      expect(c.shape).toHaveLength(3);
      expect(c.shape[0]).toBeGreaterThan(20);
      expect(c.headerProblems).toEqual([]);
      expect(c.truthProblems).toEqual([]);
      expect(c.sizeMB).toBeLessThan(60);
    }
  });

  it('puts every truth centre on nodule-dense voxels inside the lungs', () => {
    const all = [...a.cases, a.prone].flatMap((c) => c.nodules);
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const n of all) {
      expect(n.inVolume).toBe(true);
      expect(n.dense).toBe(true);
      expect(n.enclosed).toBe(true);
      expect(n.lungFraction).toBeGreaterThanOrEqual(0.25);
    }
  });

  it('gets the geometry right for a prone patient', () => {
    expect(a.prone.position).toBe('HFP');
    expect(a.prone.nodules.length).toBeGreaterThan(0);
    expect(a.prone.nodules.every((n) => n.ok)).toBe(true);
    // canonical (patient) orientation: spine posterior; stored display: back up, unlike a supine case
    expect(a.prone.spinePosterior).toBe(true);
    expect(a.prone.rawBackUp).toBe(true);
    expect(a.cases[0].spinePosterior).toBe(true);
    expect(a.cases[0].rawBackUp).toBe(false);
  });

  it('makes a case from its seed and index only, whatever the split', () => {
    expect(a.splitIdentical).toBe(true);
    expect(a.splitTruthIdentical).toBe(true);
    expect(a.casesDiffer).toBe(true);
  });

  it('re-makes a case with the slice thickness it is given, its nodules still on their voxels', () => {
    const [thin] = a.cases;
    expect(thin?.thickness).toBeLessThanOrEqual(3);
    expect(a.thick.thickness).toBe(5);
    // the drawn overlap is kept (slices 0.5–1 thickness apart); the patient's plan is the same
    expect(a.thick.spacing).toBeGreaterThanOrEqual(2.5);
    expect(a.thick.spacing).toBeLessThanOrEqual(5);
    expect(a.thick.position).toBe(thin?.position);
    expect(a.thick.headerProblems).toEqual([]);
    // The lungs are sampled on a grid that follows the slices, so the trees and nodules are drawn anew:
    // a thick case is another case of the same patient, not the thin one averaged.
    expect(a.thick.nodules.length).toBeGreaterThan(0);
    for (const n of a.thick.nodules) {
      expect(n.inVolume).toBe(true);
      expect(n.enclosed).toBe(true);
      // partial volume dims a small nodule in a 5 mm slice but must not erase it
      expect((n.mean ?? 0) - (n.lungRef ?? 0)).toBeGreaterThan(150);
    }
  });
});
