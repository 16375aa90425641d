import { describe, expect, it } from 'vitest';
import { corpusDir, dcmdumpValue, sourceOf, walk } from '../../test/support/corpus';
import type { Vec3 } from './geometry';
import type { ImageInfo, InstanceInfo } from './instance';
import { readInstance } from './read';
import { EXPLICIT_LE } from './transferSyntax';
import {
  assembleStudies,
  frameGeometry,
  imageCount,
  seriesExtentZ,
  sliceNumberNearest,
  type LoadedInstance,
} from './series';

function image(position: Vec3 | undefined, overrides: Partial<ImageInfo> = {}): ImageInfo {
  return {
    rows: 4,
    columns: 4,
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    planarConfiguration: 0,
    bitsAllocated: 16,
    bitsStored: 16,
    highBit: 15,
    pixelRepresentation: 1,
    numberOfFrames: 1,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: [],
    windowWidth: [],
    lossy: false,
    frames: [{ position, orientation: [1, 0, 0, 0, 1, 0] }],
    pixelData: { tag: 0x7fe00010, vr: 'OW', offset: 0, length: 32, encapsulated: false },
    ...overrides,
  };
}

function instance(
  key: string,
  n: number | undefined,
  position: Vec3 | undefined,
  series = 'S1',
): LoadedInstance {
  const info: InstanceInfo = {
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    sopInstanceUID: `1.2.3.${key}`,
    studyInstanceUID: '1.2.3',
    seriesInstanceUID: series,
    modality: 'CT',
    kind: 'image',
    label: 'CT',
    transferSyntaxUID: EXPLICIT_LE,
    instanceNumber: n,
    imageType: [],
    patient: {},
    image: image(position),
  };
  return { key, fileName: `${key}.dcm`, info };
}

describe('series assembly', () => {
  it('orders slices along the normal whatever the input order, keeping the acquisition direction', () => {
    // Acquired head to feet: InstanceNumber 1 is the highest z.
    const zs = [0, 2.5, 5, 7.5, 10];
    const input = zs.map((z, i) => instance(`k${i}`, zs.length - i, [0, 0, z] as const));
    const shuffled = [input[3], input[0], input[4], input[1], input[2]] as LoadedInstance[];
    const [study] = assembleStudies(shuffled);
    const series = study?.series[0];
    expect(series?.frames.map((f) => f.position?.[2])).toEqual([10, 7.5, 5, 2.5, 0]);
    expect(series?.volume).toMatchObject({ isVolume: true, spacingMm: 2.5 });
  });

  it('falls back to InstanceNumber without geometry, and does not call it a volume', () => {
    const input = [3, 1, 2].map((n) => instance(`n${n}`, n, undefined));
    const series = assembleStudies(input)[0]?.series[0];
    expect(series?.frames.map((f) => f.instanceKey)).toEqual(['n1', 'n2', 'n3']);
    expect(series?.volume).toEqual({ isVolume: false, reason: 'no-geometry' });
  });

  it('rejects irregular spacing and duplicate positions as volumes', () => {
    const irregular = [0, 1, 2, 5].map((z, i) => instance(`i${i}`, i + 1, [0, 0, z]));
    expect(assembleStudies(irregular)[0]?.series[0]?.volume).toMatchObject({
      isVolume: false,
      reason: 'irregular-spacing',
    });
    const dup = [0, 1, 1, 2].map((z, i) => instance(`d${i}`, i + 1, [0, 0, z]));
    expect(assembleStudies(dup)[0]?.series[0]?.volume).toMatchObject({
      isVolume: false,
      reason: 'duplicate-positions',
    });
  });

  it('splits a series whose images differ in size into separate display sets', () => {
    const a = [0, 1, 2].map((z, i) => instance(`a${i}`, i + 1, [0, 0, z]));
    const scout = instance('scout', 99, [0, 0, 0]);
    const odd: LoadedInstance = { ...scout, info: { ...scout.info, image: image([0, 0, 0], { rows: 8 }) } };
    const series = assembleStudies([...a, odd])[0]?.series ?? [];
    expect(series.map((s) => imageCount(s))).toEqual([3, 1]);
    expect(new Set(series.map((s) => s.key)).size).toBe(2);
  });

  it('groups the real pydicom DICOMDIR test tree into its studies and series', async () => {
    const files = walk(`${corpusDir()}/dicomdirtests`).filter((f) => /\/\d+$/.test(f));
    const loaded: LoadedInstance[] = [];
    for (const [i, f] of files.entries()) {
      const r = await readInstance(sourceOf(f));
      if (r.ok) loaded.push({ key: String(i), fileName: f, info: r.info });
    }
    const studies = assembleStudies(loaded);
    const expectedSeries = new Set(files.map((f) => dcmdumpValue(f, '0020,000e')));
    const expectedStudies = new Set(files.map((f) => dcmdumpValue(f, '0020,000d')));
    expect(studies.length).toBe(expectedStudies.size);
    const seriesUids = new Set(studies.flatMap((s) => s.series.map((x) => x.seriesInstanceUID)));
    expect(seriesUids).toEqual(expectedSeries);
    const total = studies.flatMap((s) => s.series).reduce((n, s) => n + imageCount(s), 0);
    expect(total).toBe(loaded.length);
  });
});

describe('slice geometry of a series', () => {
  // Acquired head to feet (display order runs down in z), 2.5 mm apart.
  const zs = [10, 7.5, 5, 2.5, 0];
  const series = assembleStudies(zs.map((z, i) => instance(`g${i}`, i + 1, [0, 0, z])))[0]?.series[0];

  it('finds the slice nearest a point along the slice normal, numbered from 1 in display order', () => {
    if (!series) throw new Error('no series');
    expect(sliceNumberNearest(series, [0, 0, 10])).toBe(1);
    expect(sliceNumberNearest(series, [40, -30, 6.1])).toBe(3); // off-centre in the plane: same slice
    expect(sliceNumberNearest(series, [0, 0, -50])).toBe(5);
    const noPositions = assembleStudies([instance('x', 1, undefined)])[0]?.series[0];
    expect(noPositions && sliceNumberNearest(noPositions, [0, 0, 0])).toBeUndefined();
  });

  it('measures along an oblique normal, not along z', () => {
    // A stack tilted 45° about x: the normal is (0, -0.707, 0.707); slices step 2 mm along it.
    const iop = [1, 0, 0, 0, Math.SQRT1_2, Math.SQRT1_2] as const;
    const tilted = [0, 1, 2, 3].map((k) => {
      const p: Vec3 = [0, -k * 2 * Math.SQRT1_2, k * 2 * Math.SQRT1_2];
      const inst = instance(`t${k}`, k + 1, p);
      const img = image(p, { frames: [{ position: p, orientation: iop }] });
      return { ...inst, info: { ...inst.info, image: img } };
    });
    const s = assembleStudies(tilted)[0]?.series[0];
    if (!s) throw new Error('no series');
    expect(s.volume.isVolume).toBe(true);
    // A point 4 mm along the normal from slice 1 lies in slice 3, whatever its z alone says.
    expect(sliceNumberNearest(s, [5, -4 * Math.SQRT1_2, 4 * Math.SQRT1_2])).toBe(3);
  });

  it('gives the z-extent of its frames', () => {
    if (!series) throw new Error('no series');
    expect(seriesExtentZ(series)).toEqual([0, 10]);
    const none = assembleStudies([instance('y', 1, undefined)])[0]?.series[0];
    expect(none && seriesExtentZ(none)).toBeNull();
  });

  it('gives each frame the geometry a volume needs, per-frame attributes first', () => {
    const img = image([1, 2, 3], {
      pixelSpacing: [0.5, 0.6],
      sliceThickness: 1.25,
      frames: [
        { position: [1, 2, 3], orientation: [1, 0, 0, 0, 1, 0] },
        { position: [1, 2, 4], pixelSpacing: [0.7, 0.8], sliceThickness: 2 },
        { orientation: [1, 0, 0, 0, 1, 0] },
      ],
    });
    expect(frameGeometry(img, 0)).toEqual({
      position: [1, 2, 3],
      orientation: [1, 0, 0, 0, 1, 0],
      rows: 4,
      columns: 4,
      pixelSpacing: [0.5, 0.6],
      sliceThickness: 1.25,
    });
    expect(frameGeometry(img, 1)).toMatchObject({ pixelSpacing: [0.7, 0.8], sliceThickness: 2 });
    expect(() => frameGeometry(img, 2)).toThrow(/no position or pixel spacing/);
  });
});
