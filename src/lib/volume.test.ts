import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSeriesVolume,
  buildVolume,
  planeMap,
  sameOrientation,
  VolumeError,
  type SliceInput,
} from './volume';

/**
 * A small canonical volume (x right→left of the patient, y anterior→posterior, z ascending) whose value at
 * each voxel encodes its patient position, so any misplaced voxel is visible.
 */
const NX = 5;
const NY = 4;
const NZ = 3;
const ORIGIN = [-20, -30, 100] as const;
const SPACING = [0.7, 0.9, 2.5] as const;
const value = (x: number, y: number, z: number): number => 100 * z + 10 * y + x;

interface Acquisition {
  readonly name: string;
  readonly orientation: readonly number[];
}

/** Store the canonical volume as an acquisition with this orientation would: rows, columns and IPP. */
function acquire(a: Acquisition, reverseFiles: boolean): SliceInput[] {
  const map = planeMap(a.orientation);
  const storedRows = map.transpose ? NX : NY;
  const storedColumns = map.transpose ? NY : NX;
  // Spacing between stored rows and between stored columns.
  const rowSpacing = map.transpose ? SPACING[0] : SPACING[1];
  const colSpacing = map.transpose ? SPACING[1] : SPACING[0];
  const slices: SliceInput[] = [];
  for (let z = 0; z < NZ; z++) {
    const hu = new Float32Array(storedRows * storedColumns);
    for (let r = 0; r < storedRows; r++) {
      for (let c = 0; c < storedColumns; c++) {
        // Canonical indices of stored pixel (r, c).
        let x = map.transpose ? r : c;
        let y = map.transpose ? c : r;
        if (map.flipX) x = NX - 1 - x;
        if (map.flipY) y = NY - 1 - y;
        hu[r * storedColumns + c] = value(x, y, z);
      }
    }
    // Patient position of stored pixel (0, 0).
    const x0 = map.flipX ? NX - 1 : 0;
    const y0 = map.flipY ? NY - 1 : 0;
    slices.push({
      position: [ORIGIN[0] + x0 * SPACING[0], ORIGIN[1] + y0 * SPACING[1], ORIGIN[2] + z * SPACING[2]],
      orientation: a.orientation,
      rows: storedRows,
      columns: storedColumns,
      pixelSpacing: [rowSpacing, colSpacing],
      hu,
    });
  }
  return reverseFiles ? slices.reverse() : slices;
}

const acquisitions: Acquisition[] = [
  { name: 'supine, head first', orientation: [1, 0, 0, 0, 1, 0] },
  { name: 'prone', orientation: [-1, 0, 0, 0, -1, 0] },
  { name: 'mirrored left–right', orientation: [-1, 0, 0, 0, 1, 0] },
  { name: 'upside down', orientation: [1, 0, 0, 0, -1, 0] },
  { name: 'transposed (rows along y)', orientation: [0, 1, 0, 1, 0, 0] },
  { name: 'transposed and decubitus', orientation: [0, -1, 0, 1, 0, 0] },
  { name: 'within the tilt tolerance', orientation: [1, 0, 0, 0, 0.9993, 0.0366] },
];

describe('volume orientation', () => {
  for (const a of acquisitions) {
    for (const reverse of [false, true]) {
      it(`puts every voxel of a ${a.name} acquisition${reverse ? ', files feet first,' : ''} at its patient position`, () => {
        const v = buildVolume(acquire(a, reverse), 2.5);
        expect([v.columns, v.rows, v.slices]).toEqual([NX, NY, NZ]);
        v.origin.forEach((o, i) => expect(o).toBeCloseTo(ORIGIN[i] ?? NaN, 2));
        v.spacing.forEach((s, i) => expect(s).toBeCloseTo(SPACING[i] ?? NaN, 2));
        for (let z = 0; z < NZ; z++)
          for (let y = 0; y < NY; y++)
            for (let x = 0; x < NX; x++) expect(v.data[(z * NY + y) * NX + x]).toBe(value(x, y, z));
      });
    }
  }

  it('refuses oblique, sagittal and coronal images with a reason', () => {
    for (const o of [
      [0.9, 0.436, 0, -0.436, 0.9, 0],
      [0, 1, 0, 0, 0, -1],
      [1, 0, 0, 0, 0, -1],
    ]) {
      expect(() => planeMap(o)).toThrow(VolumeError);
      expect(() => planeMap(o)).toThrow(/not axial/);
    }
  });

  it('refuses slices of one series with different orientations', () => {
    const slices = acquire(acquisitions[0], false);
    const mixed = slices.map((s, i) => (i === 1 ? { ...s, orientation: [-1, 0, 0, 0, -1, 0] } : s));
    expect(() => buildVolume(mixed, 2.5)).toThrow(/differ in orientation/);
  });

  it('takes header rounding as the same orientation, and a slice without one as axial', () => {
    const slices = acquire(acquisitions[0], false);
    const withSlice1 = (orientation: readonly number[]): SliceInput[] =>
      slices.map((s, i) => (i === 1 ? { ...s, orientation } : s));
    expect(() => buildVolume(withSlice1([1, 0.0009, 0, -0.0009, 1, 0]), 2.5)).not.toThrow();
    expect(() => buildVolume(withSlice1([1, 0.002, 0, -0.002, 1, 0]), 2.5)).toThrow(/differ in orientation/);
    const absent = slices.map((s, i) => {
      if (i !== 1) return s;
      const { orientation: _, ...rest } = s;
      return rest;
    });
    expect(buildVolume(absent, 2.5).data).toEqual(buildVolume(slices, 2.5).data);
  });

  it('compares orientations the same way for series assembly and volume planning', () => {
    const axial = [1, 0, 0, 0, 1, 0];
    expect(sameOrientation(axial, [1, 0, 0, 0, 0.9995, 0])).toBe(true);
    expect(sameOrientation(axial, [1, 0, 0, 0, 0.998, 0])).toBe(false);
    expect(sameOrientation(undefined, undefined)).toBe(true);
    expect(sameOrientation(axial, undefined)).toBe(false);
    // Five cosines are not an orientation, whatever they agree on.
    expect(sameOrientation(axial.slice(0, 5), axial.slice(0, 5))).toBe(false);
  });

  it('maps orientations exactly as the training code does', () => {
    const orientations = acquisitions.map((a) => a.orientation);
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(resolve(import.meta.dirname, '../../models/training'))})`,
      'from common import plane_map',
      `print(json.dumps([list(plane_map(o)) for o in ${JSON.stringify(orientations)}]))`,
    ].join('\n');
    const py = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }),
    ) as boolean[][];
    expect(py).toEqual(
      orientations.map((o) => {
        const m = planeMap(o);
        return [m.transpose, m.flipX, m.flipY];
      }),
    );
  });
});

describe('the series volume builder both hosts use', () => {
  it('reads each slice once, applies its rescale, and stacks it as buildVolume does', async () => {
    for (const a of acquisitions) {
      const slices = acquire(a, true);
      const read: number[] = [];
      const progress: [number, number][] = [];
      // Stored values are HU / 2 + 512 (as a scanner's slope and intercept would give them back).
      const v = await buildSeriesVolume(
        slices.map((s, i) => ({ ...s, sliceThickness: i === 0 ? 0 : 2.5 })),
        (i) => {
          read.push(i);
          const s = slices[i];
          return {
            values: Array.from(s.hu, (hu) => (hu - 512) / 2),
            rows: s.rows,
            columns: s.columns,
            slope: 2,
            intercept: 512,
          };
        },
        { onProgress: (done, total) => progress.push([done, total]) },
      );
      const reference = buildVolume(slices, 2.5);
      expect([...v.data]).toEqual([...reference.data]);
      expect([v.origin, v.spacing, v.sliceThickness]).toEqual([
        reference.origin,
        reference.spacing,
        2.5, // the first thickness a slice gives
      ]);
      expect([...read].sort()).toEqual(slices.map((_, i) => i));
      expect(progress.at(-1)).toEqual([NZ, NZ]);
    }
  });

  it('refuses a decoded slice whose size differs from its header', async () => {
    const slices = acquire(acquisitions[0], false);
    const wrong = buildSeriesVolume(slices, (i) => ({
      values: slices[i].hu,
      rows: slices[i].rows + 1,
      columns: slices[i].columns,
      slope: 1,
      intercept: 0,
    }));
    await expect(wrong).rejects.toThrow(/does not have the size its header gives/);
  });

  it('stops between slices when cancelled', async () => {
    const slices = acquire(acquisitions[0], false);
    const abort = new AbortController();
    let reads = 0;
    const run = buildSeriesVolume(
      slices,
      (i) => {
        reads++;
        abort.abort();
        return {
          values: slices[i].hu,
          rows: slices[i].rows,
          columns: slices[i].columns,
          slope: 1,
          intercept: 0,
        };
      },
      { signal: abort.signal },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(reads).toBe(1);
  });
});
