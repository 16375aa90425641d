// An own practice case's truth from a DICOM SEG (practiceSegTruth.ts → dicom/seg.ts, practice/segTruth.ts):
// a CT series written by the phantom generator and read by Lucent, SEGs of known spheres written by an
// independent writer (pydicom, test/support/segWriter.py) and checked by dicom3tools' dciodvfy, read back
// through Lucent's parser; the nodules found are compared with the spheres they were drawn from.
import { describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../dicom/instance';
import { parseDicom } from '../dicom/parse';
import { readInstance } from '../dicom/read';
import { readSegmentation } from '../dicom/seg';
import { assembleStudies, type LoadedInstance, type Series } from '../dicom/series';
import { memorySource } from '../dicom/source';
import { scorePractice } from '../practice/score';
import type { TruthLesion } from '../practice/types';
import { simplePhantomSeries } from '../synth/simplePhantom';
import { dciodvfy } from '../../test/support/dciodvfy';
import { writeSeg, type SegJob, type SegSegmentSpec } from '../../test/support/segFixtures';
import { readSegSource, segTarget, truthFromSegs, type SegRead, type SegTruth } from './practiceSegTruth';

/** 24 axial slices of 64² (1 mm pixels, 2 mm apart: z = -23 … 23). */
async function ct(seed: string): Promise<{ infos: InstanceInfo[]; series: Series }> {
  const loaded: LoadedInstance[] = [];
  for (const s of simplePhantomSeries({ slices: 24, size: 64, pixelSpacingMm: 1, sliceSpacingMm: 2, seed })) {
    const r = await readInstance(memorySource(s.fileName, s.bytes));
    if (!r.ok) throw new Error(r.error.message);
    loaded.push({ key: `${seed}-${loaded.length}`, fileName: s.fileName, info: r.info });
  }
  const series = assembleStudies(loaded)[0]?.series[0];
  if (!series) throw new Error('no series');
  return { infos: loaded.map((l) => l.info), series };
}

const CASE = await ct('seg-case');
const byKey = new Map<string, InstanceInfo>();
for (const [i, info] of CASE.infos.entries()) byKey.set(`seg-case-${i}`, info);
const TARGET = segTarget(CASE.series, (k) => byKey.get(k));

/** Four segments: two solid nodules in one, a ground-glass one named by its code, one of no named type, a calcified one. */
const SEGMENTS: readonly SegSegmentSpec[] = [
  {
    label: 'Solid nodule',
    spheres: [
      { centerMm: [-12.3, 8.6, -6.2], diameterMm: 10 },
      { centerMm: [14.1, -10.4, 9.7], diameterMm: 7 },
    ],
  },
  {
    label: 'Nodule 2',
    typeMeaning: 'Ground-glass nodule',
    typeValue: 'GGN',
    typeScheme: '99LUCENT',
    spheres: [{ centerMm: [10.2, 12.5, -12.0], diameterMm: 12 }],
  },
  { label: 'Lesion 3', spheres: [{ centerMm: [-14, -13, 12], diameterMm: 6 }] },
  { label: 'Calcified granuloma', spheres: [{ centerMm: [0.5, -2, 0], diameterMm: 5 }] },
];
const EXPECTED = [
  { sphere: SEGMENTS[0]?.spheres[0], type: 'solid' },
  { sphere: SEGMENTS[0]?.spheres[1], type: 'solid' },
  { sphere: SEGMENTS[1]?.spheres[0], type: 'ground-glass' },
  { sphere: SEGMENTS[2]?.spheres[0], type: 'solid' },
  { sphere: SEGMENTS[3]?.spheres[0], type: 'calcified' },
] as const;

async function read(bytes: Uint8Array): Promise<SegRead> {
  return readSegSource(memorySource('seg.dcm', bytes));
}

async function truthOf(...segs: Uint8Array[]): Promise<ReturnType<typeof truthFromSegs>> {
  return truthFromSegs(await Promise.all(segs.map(read)), [TARGET], CASE.series.key);
}

function value(r: ReturnType<typeof truthFromSegs>): SegTruth {
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.error)}`);
  return r.value;
}

/** Each nodule at its sphere's centre, its diameter measured as Lung-RADS does (within a pixel or so). */
function expectSpheres(truth: readonly TruthLesion[]): void {
  expect(truth).toHaveLength(EXPECTED.length);
  const distance = (a: readonly number[], b: readonly number[]): number =>
    Math.hypot(...a.map((v, d) => v - (b[d] ?? 0)));
  EXPECTED.forEach(({ sphere }) => {
    if (!sphere) throw new Error('missing');
    // Each sphere gives its own nodule (none merged, none split).
    expect(truth.filter((n) => distance(n.centerMm, sphere.centerMm) < 2)).toHaveLength(1);
  });
  EXPECTED.forEach(({ sphere, type }) => {
    const n = truth.find((x) => sphere && distance(x.centerMm, sphere.centerMm) < 2);
    if (!sphere || !n) throw new Error('missing');
    expect(n.type).toBe(type);
    for (let d = 0; d < 3; d++)
      expect(Math.abs((n.centerMm[d] ?? 0) - (sphere.centerMm[d] ?? 0))).toBeLessThan(0.6);
    // On 2 mm slices the largest section lies up to 1 mm off the equator: at most ~0.4 mm short.
    expect(n.diameterMm).toBeGreaterThan(sphere.diameterMm - 1);
    expect(n.diameterMm).toBeLessThan(sphere.diameterMm + 0.8);
  });
}

const BINARY: SegJob = { segments: SEGMENTS };

describe('own practice case: truth from a DICOM SEG', () => {
  it('reads a multi-segment BINARY SEG: one nodule per connected region, types from labels and codes', async () => {
    const bytes = writeSeg(CASE.infos, BINARY);
    const verdict = dciodvfy(bytes);
    expect(verdict.iod).toMatch(/Segmentation/);
    expect(verdict.errors).toEqual([]);
    const t = value(await truthOf(bytes));
    expectSpheres(t.truth);
    expect(t.typesAssumed).toBe(1);
    expect(t.seriesKey).toBe(CASE.series.key);
    expect(t.date).toBe('2026-12-04');
    // A read that marks the 10 mm nodule's centre finds it, and only it.
    const mark = { id: 'm', centerMm: [-12.3, 8.6, -6.2] as const, confidence: 5, type: 'solid' as const };
    const score = scorePractice({ truth: t.truth, marks: [mark], lungRads: null, seconds: 1, ai: null });
    expect(score.matching.hits.length).toBe(1);
    expect(score.matching.misses.length).toBe(EXPECTED.length - 1);
  });

  it('gives the same truth when the frames come in a shuffled order', async () => {
    const ordered = value(await truthOf(writeSeg(CASE.infos, BINARY)));
    const shuffled = value(await truthOf(writeSeg(CASE.infos, { ...BINARY, shuffle: 7 })));
    expect(shuffled.truth).toEqual(ordered.truth);
  });

  it('reads a FRACTIONAL SEG: a voxel belongs to a segment from half the maximum fractional value', async () => {
    const bytes = writeSeg(CASE.infos, { ...BINARY, type: 'FRACTIONAL', shuffle: 3 });
    expect(dciodvfy(bytes).errors).toEqual([]);
    const seg = readSegmentation(parseDicom(bytes).dataset, new Uint8Array(0));
    expect(seg.ok).toBe(false); // pixel data too short: refused, not read past
    // The one-pixel rim at 100 of 255 is left out: diameters as the BINARY SEG's, not 2 mm larger.
    expectSpheres(value(await truthOf(bytes)).truth);
  });

  it('places frames by their source image alone, and by their position alone', async () => {
    const both = value(await truthOf(writeSeg(CASE.infos, BINARY)));
    const bySource = value(await truthOf(writeSeg(CASE.infos, { ...BINARY, positions: false })));
    const byPosition = value(
      await truthOf(writeSeg(CASE.infos, { ...BINARY, derivation: false, referenceSeries: false })),
    );
    expect(bySource.truth).toEqual(both.truth);
    expect(byPosition.truth).toEqual(both.truth);
  });

  it('merges the SEGs of one SEG series (one nodule each), and uses the newest SEG series', async () => {
    const uid = '2.25.1234567890123';
    const one = writeSeg(CASE.infos, { segments: [SEGMENTS[1]], seriesInstanceUID: uid });
    const two = writeSeg(CASE.infos, { segments: [SEGMENTS[3]], seriesInstanceUID: uid });
    const older = writeSeg(CASE.infos, { ...BINARY, contentDate: '20250101' });
    const t = value(await truthOf(older, one, two));
    expect(t.truth.map((n) => n.type)).toEqual(['ground-glass', 'calcified']);
  });

  it('refuses a SEG of another series, an empty SEG, and a SEG whose frames lie on no slice', async () => {
    const other = await ct('seg-other');
    expect(await truthOf(writeSeg(other.infos, BINARY))).toEqual({
      ok: false,
      error: { code: 'seg-other-series' },
    });
    expect(await truthOf(writeSeg(CASE.infos, { ...BINARY, empty: true }))).toEqual({
      ok: false,
      error: { code: 'seg-empty' },
    });
    // Half a slice off the series' planes: by position alone, and against the source image it names.
    for (const derivation of [false, true]) {
      const r = await truthOf(writeSeg(CASE.infos, { ...BINARY, derivation, shiftMm: [0, 0, 1] }));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('seg-unplaced');
        if (r.error.code === 'seg-unplaced') expect(r.error.frames).toBe(r.error.total);
      }
    }
    // One unreadable SEG refuses the case, naming the attribute.
    const ctBytes = [
      ...simplePhantomSeries({ slices: 1, size: 8, pixelSpacingMm: 1, sliceSpacingMm: 1, seed: 'x' }),
    ][0];
    if (!ctBytes) throw new Error('no slice');
    const good = await read(writeSeg(CASE.infos, BINARY));
    expect(
      truthFromSegs(
        [good, readSegmentation(parseDicom(ctBytes.bytes).dataset, new Uint8Array(0))],
        [TARGET],
        null,
      ),
    ).toEqual({
      ok: false,
      error: { code: 'seg-unreadable', attribute: 'SOPClassUID' },
    });
  });
});
