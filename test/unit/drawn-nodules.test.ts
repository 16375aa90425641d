/**
 * The training recipe's drawn nodules (models/training/drawn.py), measured on synthetic blocks by
 * test/reference/drawn_nodules.py: the size asked for, each type's density, the wall a nodule touches left
 * as it was, noise like the surroundings', and labels in the order the shipped model's manifest gives.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const TRAINING = join(ROOT, 'models/training');

interface Range {
  readonly min: number;
  readonly max: number;
}
interface Measured {
  readonly sizes: readonly { diameter: number; equivalent: number; centre: number }[];
  readonly farChanged: number;
  readonly density: Readonly<Record<'solid' | 'ground-glass' | 'part-solid' | 'calcified', Range>>;
  readonly wallChanged: number;
  readonly wallNoduleCentre: number;
  readonly noise: { readonly background: number; readonly inside: number };
  readonly labels: { readonly types: Record<string, number>; readonly margins: Record<string, number> };
  readonly visibleOf200: number;
}

const measured = (): Measured =>
  JSON.parse(
    execFileSync('/usr/bin/python3', [join(ROOT, 'test/reference/drawn_nodules.py'), TRAINING], {
      encoding: 'utf8',
    }),
  ) as Measured;

describe('drawn training nodules', () => {
  const m = measured();

  it('have the diameter asked for and leave everything beyond their reach unchanged', () => {
    for (const s of m.sizes) {
      expect(Math.abs(s.equivalent - s.diameter) / s.diameter).toBeLessThan(0.1);
      expect(Math.abs(s.centre - 30)).toBeLessThan(25);
    }
    expect(m.farChanged).toBe(0);
  });

  it('have the density of their type', () => {
    expect(m.density.solid.min).toBeGreaterThan(-100);
    expect(m.density.solid.max).toBeLessThan(120);
    expect(m.density['ground-glass'].min).toBeGreaterThan(-800);
    expect(m.density['ground-glass'].max).toBeLessThan(-300);
    // A part-solid nodule's solid core, here at its centre.
    expect(m.density['part-solid'].min).toBeGreaterThan(-120);
    expect(m.density.calcified.min).toBeGreaterThan(200);
  });

  it('keep the denser wall they touch, and carry noise like the lung around them', () => {
    expect(m.wallChanged).toBe(0);
    expect(Math.abs(m.wallNoduleCentre - -550)).toBeLessThan(60);
    const ratio = m.noise.inside / m.noise.background;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('are labelled in the class order of the shipped model, and visible in open lung', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'models/lung-nodule-ct/manifest.json'), 'utf8')) as {
      output: { classes: { labels: string[] }; attributes: { name: string; labels: string[] }[] };
    };
    const types = manifest.output.classes.labels;
    expect(Object.keys(m.labels.types).sort()).toEqual([...types].sort());
    for (const [name, index] of Object.entries(m.labels.types)) expect(types[index]).toBe(name);
    const margin = manifest.output.attributes.find((a) => a.name === 'margin')?.labels ?? [];
    expect(Object.keys(m.labels.margins).sort()).toEqual([...margin].sort());
    for (const [name, index] of Object.entries(m.labels.margins)) expect(margin[index]).toBe(name);
    expect(m.visibleOf200).toBeGreaterThanOrEqual(195);
  });
});
