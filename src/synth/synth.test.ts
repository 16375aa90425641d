import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeInstance } from '../dicom/instance';
import { parseDicom } from '../dicom/parse';
import { bodyAxes, cavityAxes, lungDepth } from './anatomy';
import { makeCase, type CaseOptions, type SynthCase } from './case';
import type { NoduleRequest } from './nodules';

/** A decoded slice: HU values plus the geometry read back from its DICOM header. */
interface Slice {
  hu: Float32Array;
  z: number;
  x0: number;
  y0: number;
  spacing: number;
  size: number;
}

function decode(bytes: Uint8Array): Slice {
  const parsed = parseDicom(bytes);
  const info = describeInstance(parsed);
  const image = info.image;
  const px = parsed.pixelData;
  if (!image || !px) throw new Error('not an image');
  const raw = new Int16Array(bytes.slice(px.offset, px.offset + px.length).buffer);
  const hu = Float32Array.from(raw, (v) => v * image.rescaleSlope + image.rescaleIntercept);
  const pos = image.frames[0]?.position ?? [0, 0, 0];
  return {
    hu,
    z: pos[2],
    x0: pos[0],
    y0: pos[1],
    spacing: image.pixelSpacing?.[1] ?? 1,
    size: image.columns,
  };
}

function render(c: SynthCase): Slice[] {
  return [...c.slices()].map((s) => decode(s.bytes));
}

const at = (s: Slice, x: number, y: number): number => {
  const i = Math.round((x - s.x0) / s.spacing);
  const j = Math.round((y - s.y0) / s.spacing);
  return s.hu[j * s.size + i] ?? NaN;
};

const clean: CaseOptions['scanner'] = {
  matrix: 512,
  pixelSpacing: 0.7,
  sliceThickness: 1,
  sliceSpacing: 1,
  blurSigmaPx: 0.3,
  sharpen: 0,
  noiseSigma: 0,
  fovCenter: [0, 0],
};

/** Generate a case twice: first to learn where its nodules are, then only the slices around them. */
function aroundNodules(seed: string, nodules: NoduleRequest[]): { c: SynthCase; slices: Slice[] } {
  const probe = makeCase(seed, 0, { nodules, scanner: clean, clean: true });
  const zs = probe.truth.nodules.map((n) => n.centerMm[2]);
  const c = makeCase(seed, 0, {
    nodules,
    clean: true,
    scanner: clean,
    zRange: [Math.min(...zs) - 12, Math.max(...zs) + 12],
  });
  return { c, slices: render(c) };
}

describe('synthetic chest CT', () => {
  it('gives the same bytes for the same seed, and different ones for another seed', () => {
    const tiny: CaseOptions = {
      scanner: { matrix: 96, pixelSpacing: 3.5, sliceThickness: 6, sliceSpacing: 6 },
    };
    const digest = (seed: string): string => {
      const h = createHash('sha256');
      const c = makeCase(seed, 3, tiny);
      h.update(JSON.stringify(c.truth));
      for (const s of c.slices()) h.update(s.bytes);
      return h.digest('hex');
    };
    expect(digest('same')).toBe(digest('same'));
    expect(digest('same')).not.toBe(digest('other'));
  });

  it('places every nodule where its density peaks and draws it at its true diameter (within a voxel)', () => {
    const requests: NoduleRequest[] = [
      { type: 'solid', diameter: 8, margin: 'smooth', location: 'intraparenchymal' },
      { type: 'solid', diameter: 14, margin: 'smooth', location: 'intraparenchymal' },
      { type: 'calcified', diameter: 6, margin: 'smooth', location: 'intraparenchymal' },
    ];
    const { c, slices } = aroundNodules('geometry', requests);
    expect(c.truth.nodules.length).toBe(3);
    for (const n of c.truth.nodules) {
      const [x, y, z] = n.centerMm;
      const nearest = slices.reduce((a, b) => (Math.abs(b.z - z) < Math.abs(a.z - z) ? b : a));
      // Density peak: the mean density over a ball as large as the nodule is highest at the centre voxel
      // (±1 voxel in each direction). A smaller ball would find a plateau, not a peak.
      let best = { v: -Infinity, dx: 0, dy: 0, dz: 0 };
      const step = nearest.spacing;
      const r = n.diameterMm / 2;
      const near = slices.filter((q) => Math.abs(q.z - z) <= 3.01);
      for (const s of near) {
        for (let dy = -3; dy <= 3; dy++) {
          for (let dx = -3; dx <= 3; dx++) {
            const cx = x + dx * step;
            const cy = y + dy * step;
            let sum = 0;
            let count = 0;
            for (const q of slices) {
              const dz = q.z - s.z;
              if (Math.abs(dz) > r) continue;
              const rr = Math.sqrt(r * r - dz * dz);
              for (let oy = -rr; oy <= rr; oy += step) {
                for (let ox = -rr; ox <= rr; ox += step) {
                  if (ox * ox + oy * oy > rr * rr) continue;
                  sum += at(q, cx + ox, cy + oy);
                  count++;
                }
              }
            }
            const v = sum / count;
            if (v > best.v) best = { v, dx, dy, dz: s.z - z };
          }
        }
      }
      expect(Math.abs(best.dx)).toBeLessThanOrEqual(1);
      expect(Math.abs(best.dy)).toBeLessThanOrEqual(1);
      expect(Math.abs(best.dz)).toBeLessThanOrEqual(1.01);
      // Diameter: segment the nodule on the centre slice at half its contrast, then take the mean of the
      // long and short axes of the region (from its second moments).
      const inside = at(nearest, x, y);
      const threshold = (inside + -850) / 2;
      const seen = new Set<number>();
      const i0 = Math.round((x - nearest.x0) / step);
      const j0 = Math.round((y - nearest.y0) / step);
      const stack = [j0 * nearest.size + i0];
      const pts: [number, number][] = [];
      while (stack.length > 0 && pts.length < 20000) {
        const k = stack.pop() as number;
        if (seen.has(k) || (nearest.hu[k] ?? -2000) < threshold) continue;
        seen.add(k);
        const i = k % nearest.size;
        const j = Math.floor(k / nearest.size);
        if (Math.hypot(i - i0, j - j0) * step > n.diameterMm) continue; // stay within the nodule
        pts.push([i * step, j * step]);
        stack.push(k + 1, k - 1, k + nearest.size, k - nearest.size);
      }
      const mx = pts.reduce((s2, p) => s2 + p[0], 0) / pts.length;
      const my = pts.reduce((s2, p) => s2 + p[1], 0) / pts.length;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (const [px, py] of pts) {
        sxx += (px - mx) ** 2;
        syy += (py - my) ** 2;
        sxy += (px - mx) * (py - my);
      }
      sxx /= pts.length;
      syy /= pts.length;
      sxy /= pts.length;
      const tr = (sxx + syy) / 2;
      const det = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy * sxy);
      // For a filled ellipse, the variance along an axis is (semi-axis)²/4.
      const measured = 2 * Math.sqrt(tr + det) + 2 * Math.sqrt(Math.max(0, tr - det));
      expect(Math.abs(measured - n.diameterMm)).toBeLessThanOrEqual(step);
    }
  });

  it('keeps tissues and nodule types in their HU ranges', () => {
    const requests: NoduleRequest[] = [
      { type: 'solid', diameter: 10, margin: 'smooth' },
      { type: 'ground-glass', diameter: 14, margin: 'smooth' },
      { type: 'part-solid', diameter: 16, margin: 'smooth' },
      { type: 'calcified', diameter: 7, margin: 'smooth' },
    ];
    const { c, slices } = aroundNodules('densities', requests);
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const s = slices[Math.floor(slices.length / 2)];
    const chest = c.chest;
    const [ba, bb] = bodyAxes(chest, s.z);
    const [ca, cb] = cavityAxes(chest, s.z);
    const lung: number[] = [];
    const fat: number[] = [];
    const muscle: number[] = [];
    for (let j = 0; j < s.size; j += 3) {
      for (let i = 0; i < s.size; i += 3) {
        const x = s.x0 + i * s.spacing;
        const y = s.y0 + j * s.spacing;
        const v = s.hu[j * s.size + i];
        if (lungDepth(chest, x, y, s.z) > 8) lung.push(v);
        const skin = (1 - Math.hypot(x / ba, y / bb)) * Math.min(ba, bb);
        if (skin > 3 && skin < chest.fat - 2 && y < 0) fat.push(v);
        if (
          skin > chest.fat + 2 &&
          skin < chest.fat + chest.muscle - 2 &&
          y < 0 &&
          Math.hypot(x / ca, y / cb) > 1.05 &&
          v < 300 // the ribs lie under the chest wall muscles
        )
          muscle.push(v);
      }
    }
    expect(median(lung)).toBeGreaterThan(-900);
    expect(median(lung)).toBeLessThan(-760);
    expect(median(fat)).toBeGreaterThan(-130);
    expect(median(fat)).toBeLessThan(-70);
    expect(median(muscle)).toBeGreaterThan(25);
    expect(median(muscle)).toBeLessThan(70);
    // Vertebral cortex.
    const spine = slices.map((q) => Math.max(...[-19, 19].map((dx) => at(q, dx, chest.spineY))));
    expect(Math.max(...spine)).toBeGreaterThan(500);
    // Lung density is higher at the back (gravity gradient).
    const front: number[] = [];
    const back: number[] = [];
    for (let j = 0; j < s.size; j += 2) {
      for (let i = 0; i < s.size; i += 2) {
        const x = s.x0 + i * s.spacing;
        const y = s.y0 + j * s.spacing;
        if (lungDepth(chest, x, y, s.z) < 8) continue;
        (y < -cb * 0.2 ? front : y > cb * 0.2 ? back : []).push(s.hu[j * s.size + i]);
      }
    }
    expect(median(back)).toBeGreaterThan(median(front) + 10);

    const byType = new Map(c.truth.nodules.map((n) => [n.type, n]));
    expect([...byType.keys()].sort()).toEqual(['calcified', 'ground-glass', 'part-solid', 'solid']);
    const core = (type: string, radius: number): number => {
      const n = byType.get(type as never);
      if (!n) throw new Error(type);
      const q = slices.reduce((a, b) =>
        Math.abs(b.z - n.centerMm[2]) < Math.abs(a.z - n.centerMm[2]) ? b : a,
      );
      const vals: number[] = [];
      for (let dy = -radius; dy <= radius; dy += 0.7) {
        for (let dx = -radius; dx <= radius; dx += 0.7)
          if (dx * dx + dy * dy <= radius * radius) vals.push(at(q, n.centerMm[0] + dx, n.centerMm[1] + dy));
      }
      return vals.reduce((a, b) => a + b, 0) / vals.length;
    };
    const solid = core('solid', 2);
    expect(solid).toBeGreaterThan(0);
    expect(solid).toBeLessThan(80);
    const ggn = core('ground-glass', 3);
    expect(ggn).toBeGreaterThan(-760);
    expect(ggn).toBeLessThan(-440);
    const calcified = core('calcified', 1.5);
    expect(calcified).toBeGreaterThan(250);
    const partSolid = byType.get('part-solid');
    expect(partSolid?.solidComponentMm).toBeGreaterThan(1);
    expect(core('part-solid', Math.min(1.5, (partSolid?.solidComponentMm ?? 2) / 3))).toBeGreaterThan(-100);
  });

  /** The nodules case `i` gains with `more` over `base`, after checking it keeps every one of base's unchanged. */
  const addedNodules = (name: string, i: number, base: CaseOptions, more: CaseOptions) => {
    const before = makeCase(name, i, base).truth.nodules;
    const after = makeCase(name, i, more).truth.nodules;
    for (const n of before) expect(after).toContainEqual(n);
    return after.filter((n) => !before.some((p) => JSON.stringify(p) === JSON.stringify(n)));
  };

  it('adds the asked sub-solid nodules to training cases, keeps their other nodules, and leaves clinical cases alone', () => {
    const training: CaseOptions = { profile: 'training', noduleCount: [2, 6] };
    let added = 0;
    for (let i = 0; i < 8; i++) {
      // The case's own nodules are all still there, unchanged; what is added is sub-solid.
      const extra = addedNodules('extra', i, training, { ...training, extraSubsolid: 3 });
      expect(extra.length).toBeLessThanOrEqual(3);
      for (const n of extra) expect(['ground-glass', 'part-solid']).toContain(n.type);
      added += extra.length;
    }
    expect(added).toBeGreaterThanOrEqual(16);
    const clinical = makeCase('extra', 3, {}).truth;
    expect(makeCase('extra', 3, { extraSubsolid: 3 }).truth).toEqual(clinical);
  });

  it('adds the asked small solid nodules after the sub-solid ones, and leaves everything before them as it was', () => {
    const training: CaseOptions = { profile: 'training', noduleCount: [2, 6], extraSubsolid: 3 };
    let added = 0;
    for (let i = 0; i < 8; i++) {
      const extra = addedNodules('small', i, training, { ...training, extraSmall: 3 });
      expect(extra.length).toBeLessThanOrEqual(3);
      for (const n of extra) {
        expect(n.type).toBe('solid');
        // asked for 3–6 mm; the measured axial mean diameter of a drawn shape lands within a voxel of that
        expect(n.diameterMm).toBeGreaterThan(2.5);
        expect(n.diameterMm).toBeLessThan(6.8);
      }
      added += extra.length;
    }
    expect(added).toBeGreaterThanOrEqual(16);
    const clinical = makeCase('small', 2, {}).truth;
    expect(makeCase('small', 2, { extraSmall: 3 }).truth).toEqual(clinical);
  });
});
