/**
 * The detector's varied pasted nodules (`vary` in models/training/dataset.py's PatchSampler, `train.py
 * --vary`) and pasted positives (`--paste-positive`), measured on a small synthetic cache by
 * test/reference/paste_vary.py: varied copies span the stated size range with labels that match what is
 * drawn, keep the donor's noise, and leave calcified density alone.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

interface Paste {
  centred: boolean;
  diameter: number;
  measured: number;
  contrast: number;
  noise: number;
}
interface Measured {
  solid0: Paste[];
  solid1: Paste[];
  calcified1: Paste[];
  small1: Paste[];
  positives0: number;
  positives1: number;
  positivesHalf: number;
  noise: number;
}

const m = JSON.parse(
  execFileSync(
    '/usr/bin/python3',
    [join(ROOT, 'test/reference/paste_vary.py'), join(ROOT, 'models/training')],
    { encoding: 'utf8' },
  ),
) as Measured;

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const centred = (v: Paste[]): Paste[] => v.filter((p) => p.centred);

describe('varied pasted nodules', () => {
  it('pastes each donor as it is when vary is 0', () => {
    expect(m.solid0.length).toBeGreaterThan(100);
    for (const p of m.solid0) expect(p.diameter).toBe(12);
  });

  it('rescales donors over 0.75–1.33 times, and the label is the size drawn', () => {
    const d = m.solid1.map((p) => p.diameter);
    expect(d.length).toBeGreaterThan(100);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(9 - 1e-6);
    expect(Math.max(...d)).toBeLessThanOrEqual(16 + 1e-6);
    // Spread over the range, not a few values: both ends are reached and the middle is not empty.
    expect(Math.min(...d)).toBeLessThan(9.6);
    expect(Math.max(...d)).toBeGreaterThan(15.2);
    expect(d.filter((v) => v > 11 && v < 13).length).toBeGreaterThan(10);
    // What is drawn has the labelled size: the dense area of the widest slice agrees with the label as
    // closely for varied copies as for the donor itself.
    const err = (v: Paste[]) => median(centred(v).map((p) => Math.abs(p.measured - p.diameter)));
    expect(err(m.solid1)).toBeLessThan(err(m.solid0) + 0.6);
    for (const p of centred(m.solid1)) expect(Math.abs(p.measured - p.diameter)).toBeLessThan(2.5);
  });

  it('keeps the donor’s noise level inside a rescaled nodule', () => {
    // Interpolation alone would smooth it (by about half for a 1.3 times enlargement).
    const noise = median(centred(m.solid1).map((p) => p.noise));
    expect(noise).toBeGreaterThan(0.8 * m.noise);
    expect(noise).toBeLessThan(1.25 * m.noise);
  });

  it('scales a solid nodule’s contrast by 0.85–1.15 and leaves a calcified one’s density alone', () => {
    const solid = centred(m.solid1).map((p) => p.contrast);
    const donor = median(centred(m.solid0).map((p) => p.contrast));
    expect(Math.min(...solid)).toBeLessThan(0.93 * donor);
    expect(Math.max(...solid)).toBeGreaterThan(1.07 * donor);
    for (const c of solid) {
      expect(c).toBeGreaterThan(0.8 * donor);
      expect(c).toBeLessThan(1.2 * donor);
    }
    // 400 HU donors: 1,250 above lung, give or take the noise of a 3 × 3 mean.
    for (const p of centred(m.calcified1)) expect(Math.abs(p.contrast - 1250)).toBeLessThan(60);
  });

  it('never makes a nodule smaller than 3 mm', () => {
    expect(m.small1.length).toBeGreaterThan(100);
    for (const p of m.small1) {
      expect(p.diameter).toBeGreaterThanOrEqual(3 - 1e-6);
      expect(p.diameter).toBeLessThanOrEqual(3.5 * (4 / 3) + 1e-6);
    }
    expect(Math.min(...m.small1.map((p) => p.diameter))).toBeLessThan(3.6);
  });
});

describe('pasted positives', () => {
  it('makes the share of positive patches asked for by pasting, and none when it is 0', () => {
    expect(m.positives0).toBe(0);
    // A paste that finds no place is tried again at another spot, up to four times.
    expect(m.positives1).toBeGreaterThan(0.85);
    expect(m.positivesHalf).toBeGreaterThan(0.35 * m.positives1);
    expect(m.positivesHalf).toBeLessThan(0.65 * m.positives1);
  });
});
