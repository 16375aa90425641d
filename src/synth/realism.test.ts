import { describe, expect, it } from 'vitest';
import { describeInstance } from '../dicom/instance';
import { parseDicom } from '../dicom/parse';
import { lungDepth } from './anatomy';
import { makeCase, type CaseOptions } from './case';
import { makeFindings } from './findings';
import { noduleSdf, vesselGap } from './nodules';
import type { PatientPosition } from './scanner';
import { Rng } from './rng';

/** A decoded slice with its geometry as written: IPP, IOP (row and column directions), spacing. */
interface Slice {
  hu: Float32Array;
  ipp: [number, number, number];
  row: [number, number, number];
  col: [number, number, number];
  spacing: number;
  size: number;
  instance: number;
  position: string | undefined;
}

function decode(bytes: Uint8Array): Slice {
  const parsed = parseDicom(bytes);
  const info = describeInstance(parsed);
  const image = info.image;
  const px = parsed.pixelData;
  if (!image || !px) throw new Error('not an image');
  const raw = new Int16Array(bytes.slice(px.offset, px.offset + px.length).buffer);
  const frame = image.frames[0];
  const ipp = frame?.position;
  const iop = frame?.orientation;
  if (!ipp || !iop) throw new Error('no geometry');
  return {
    hu: Float32Array.from(raw, (v) => v * image.rescaleSlope + image.rescaleIntercept),
    ipp: [ipp[0], ipp[1], ipp[2]],
    row: [iop[0], iop[1], iop[2]],
    col: [iop[3], iop[4], iop[5]],
    spacing: image.pixelSpacing?.[1] ?? 1,
    size: image.columns,
    instance: info.instanceNumber ?? 0,
    position: parsed.dataset.string(0x00185100),
  };
}

/** HU at patient (x, y) on a slice, mapped through ImagePositionPatient and ImageOrientationPatient. */
function huAt(s: Slice, x: number, y: number): number {
  const dx = x - s.ipp[0];
  const dy = y - s.ipp[1];
  // Axial slices: the row and column directions lie in the x–y plane.
  const det = s.row[0] * s.col[1] - s.row[1] * s.col[0];
  const i = Math.round((dx * s.col[1] - dy * s.col[0]) / det / s.spacing);
  const j = Math.round((s.row[0] * dy - s.row[1] * dx) / det / s.spacing);
  return s.hu[j * s.size + i] ?? NaN;
}

const scanner: CaseOptions['scanner'] = {
  matrix: 256,
  pixelSpacing: 1.4,
  sliceThickness: 2,
  sliceSpacing: 2,
  blurSigmaPx: 0.3,
  sharpen: 0,
  noiseSigma: 0,
  fovCenter: [12, -8],
  streaks: 0,
  motion: 0,
  calibrationGain: 0,
  calibrationOffset: 0,
  reconCircle: false,
};

describe('synthetic chest CT realism', () => {
  it('writes prone and feet-first series whose pixels map to the right anatomy through IPP and IOP', () => {
    const cases: [PatientPosition, CaseOptions['scanner']][] = [
      ['HFS', {}],
      ['HFP', {}],
      ['FFS', { imageOrientation: [-1, 0, 0, 0, 1, 0] }],
      ['FFP', { imageOrientation: [1, 0, 0, 0, -1, 0] }],
    ];
    for (const [position, extra] of cases) {
      const nodules = [
        {
          type: 'solid' as const,
          diameter: 12,
          margin: 'smooth' as const,
          location: 'intraparenchymal' as const,
        },
      ];
      const probe = makeCase('orient', 0, { nodules, position, scanner: { ...scanner, ...extra } });
      const truth = probe.truth.nodules[0];
      expect(truth).toBeDefined();
      if (!truth) continue;
      const [x, y, z] = truth.centerMm;
      const c = makeCase('orient', 0, {
        nodules,
        position,
        scanner: { ...scanner, ...extra },
        zRange: [z - 12, z + 12],
      });
      const slices = [...c.slices()].map((s) => decode(s.bytes));
      expect(slices[0]?.position).toBe(position);
      // Instance 1 is the most superior slice head first, the most inferior feet first.
      const zs = slices.map((s) => s.ipp[2]);
      const ascending = zs.every((v, k) => k === 0 || v > (zs[k - 1] ?? -Infinity));
      const descending = zs.every((v, k) => k === 0 || v < (zs[k - 1] ?? Infinity));
      expect(position.startsWith('FF') ? ascending : descending).toBe(true);
      expect(slices.map((s) => s.instance)).toEqual(slices.map((_, k) => k + 1));
      const nearest = slices.reduce((a, b) => (Math.abs(b.ipp[2] - z) < Math.abs(a.ipp[2] - z) ? b : a));
      // The nodule is at its truth centre; lung beside it; the vertebra where the spine is.
      expect(huAt(nearest, x, y)).toBeGreaterThan(-100);
      expect(huAt(nearest, 0, c.chest.spineY)).toBeGreaterThan(150);
      const lungSide = x < 0 ? -1 : 1;
      let lungFound = false;
      for (let dx = 10; dx < 60 && !lungFound; dx += 2) {
        const px = x - lungSide * dx;
        if (lungDepth(c.chest, px, y, nearest.ipp[2]) > 4) lungFound = huAt(nearest, px, y) < -600;
      }
      expect(lungFound).toBe(true);
    }
  }, 120_000);

  it('attaches juxtavascular nodules to a vessel and juxtapleural ones to the pleura', () => {
    const c = makeCase('attached', 0, {
      clean: true,
      scanner,
      nodules: [
        { type: 'solid', diameter: 6, location: 'juxtavascular' },
        { type: 'solid', diameter: 9, location: 'juxtavascular' },
        { type: 'ground-glass', diameter: 10, location: 'juxtavascular' },
        { type: 'solid', diameter: 8, location: 'juxtapleural' },
        { type: 'solid', diameter: 14, location: 'juxtapleural' },
        { type: 'solid', diameter: 6, location: 'perifissural' },
      ],
    });
    const byLocation = (l: string): typeof c.nodules => c.nodules.filter((n) => n.location === l);
    expect(byLocation('juxtavascular').length).toBe(3);
    for (const n of byLocation('juxtavascular')) expect(vesselGap(n, c.chest)).toBeLessThanOrEqual(0);
    expect(byLocation('juxtapleural').length).toBe(2);
    for (const n of byLocation('juxtapleural')) {
      const [x, y, z] = n.measure.center;
      // The truth centre is inside the visible (lung) part of the nodule, which reaches the pleura.
      expect(noduleSdf(n, x, y, z, false)).toBeLessThan(0);
      expect(lungDepth(c.chest, x, y, z)).toBeGreaterThan(0);
      expect(lungDepth(c.chest, n.center[0], n.center[1], n.center[2])).toBeLessThan(
        0.75 * Math.max(...n.axes),
      );
    }
    const fissural = byLocation('perifissural');
    expect(fissural.length).toBe(1);
    for (const n of fissural) expect(n.axes[2]).toBeLessThan(0.65 * n.axes[0]);
  }, 60_000);

  it('grows vessels out to a few millimetres from the pleura, never through it', () => {
    const c = makeCase('vessels', 0, { clean: true, nodules: [] });
    const vessels = c.chest.capsules.filter((k) => k.kind === 'vessel');
    expect(vessels.length).toBeGreaterThan(5000);
    let near = 0;
    let through = 0;
    for (const v of vessels) {
      if (Math.min(v.r, v.rb) > 0.5) continue;
      const d = lungDepth(c.chest, v.b[0], v.b[1], v.b[2]);
      if (d < 12) near++;
      if (d < 1) through++;
    }
    expect(near).toBeGreaterThan(1000);
    expect(through / vessels.length).toBeLessThan(0.01);
  });

  it('adds distractors to training cases and none to clean ones', () => {
    let emphysema = 0;
    let scars = 0;
    let nodes = 0;
    for (let i = 0; i < 12; i++) {
      const c = makeCase('findings', i, { noduleCount: [0, 0] });
      const f = makeFindings(new Rng(`f${i}`), c.chest, { training: true });
      if (f.summary.emphysema !== 'none') emphysema++;
      scars += f.summary.scars;
      nodes += f.summary.lymphNodes;
      expect(makeFindings(new Rng(`f${i}`), c.chest, { clean: true }).holes.length).toBe(0);
    }
    expect(emphysema).toBeGreaterThan(0);
    expect(scars).toBeGreaterThan(0);
    expect(nodes).toBeGreaterThan(0);
  }, 60_000);
});
