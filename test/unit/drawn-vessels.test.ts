/**
 * The training recipe's drawn vessels and airways (models/training/vessels.py), measured on synthetic
 * blocks by test/reference/drawn_vessels.py: a tube keeps its calibre through the slices (what tells it
 * from a nodule), partial volume across a slice, denser tissue left as it was, air in an airway's lumen,
 * Murray's law at each branch, and never a voxel drawn over the nodule a tree was checked against; and
 * the second stage's blocks (models/training/fpr.py --vessels): a tree through a negative's centre, and
 * none over the nodule of a positive at any zoom.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const TRAINING = join(ROOT, 'models/training');

interface Measured {
  readonly alongZ: readonly { radius: number; perSlice: readonly number[] }[];
  readonly inPlane: readonly number[];
  readonly tissueChanged: number;
  readonly enhancedInFat: number;
  readonly airway: { readonly lumen: number; readonly wall: number };
  readonly trees: {
    readonly vesselHu: readonly [number, number];
    readonly drawn: number;
    readonly overlap: number;
    readonly refused: number;
    readonly murrayWorst: number;
    readonly branches: number;
  };
  readonly fpr: {
    readonly blocks: number;
    readonly through: number;
    readonly centreChanged: number;
    readonly beside: number;
    readonly besideOverlap: number;
  };
}

const measured = (): Measured =>
  JSON.parse(
    execFileSync('/usr/bin/python3', [join(ROOT, 'test/reference/drawn_vessels.py'), TRAINING], {
      encoding: 'utf8',
    }),
  ) as Measured;

describe('drawn training vessels', () => {
  const m = measured();

  it('keep their calibre through every slice, unlike a nodule', () => {
    for (const tube of m.alongZ) {
      for (const r of tube.perSlice)
        expect(Math.abs(r - tube.radius)).toBeLessThan(Math.max(0.5, 0.15 * tube.radius));
      if (tube.radius >= 2.5)
        expect(Math.max(...tube.perSlice) / Math.min(...tube.perSlice)).toBeLessThan(1.1);
    }
  });

  it('show a tube in the plane of a slice there, faintly in the next slices by partial volume, and nowhere else', () => {
    const [far0, far1, below, at, above, far5, far6] = m.inPlane;
    expect(Math.abs(at - 40)).toBeLessThan(30);
    for (const v of [below, above]) {
      expect(v).toBeGreaterThan(-800);
      expect(v).toBeLessThan(-300);
    }
    for (const v of [far0, far1, far5, far6]) expect(v).toBe(-850);
  });

  it('leave denser tissue as it was, show contrast through fat, and put air in an airway inside its wall', () => {
    expect(m.tissueChanged).toBe(0);
    expect(m.enhancedInFat).toBeGreaterThan(200);
    expect(m.airway.lumen).toBeLessThan(-900);
    expect(m.airway.wall).toBeGreaterThan(-300);
  });

  it('branch by Murray’s law, at blood or contrast density, and never over a nodule they were checked against', () => {
    expect(m.trees.branches).toBeGreaterThan(50);
    expect(m.trees.murrayWorst).toBeLessThan(0.1);
    expect(m.trees.vesselHu[0]).toBeGreaterThanOrEqual(20);
    expect(m.trees.vesselHu[1]).toBeLessThanOrEqual(420);
    expect(m.trees.refused).toBeGreaterThan(0);
    expect(m.trees.drawn).toBe(150 - m.trees.refused);
    expect(m.trees.overlap).toBe(0);
  });

  it('give the second stage negatives with a tree through their centre and positives with one beside, never over, the nodule', () => {
    expect(m.fpr.through).toBeGreaterThan(m.fpr.blocks * 0.75);
    expect(m.fpr.centreChanged).toBe(m.fpr.through);
    expect(m.fpr.beside).toBeGreaterThan(m.fpr.blocks * 0.75);
    expect(m.fpr.besideOverlap).toBe(0);
  });
});
