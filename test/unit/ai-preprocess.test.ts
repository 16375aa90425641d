import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeInstance } from '../../src/dicom/instance';
import { parseDicom } from '../../src/dicom/parse';
import { simplePhantomSeries } from '../../src/synth/simplePhantom';
import {
  bitMask,
  dropSmallRegions,
  isSet,
  lungBox,
  lungMask,
  resampleToGrid,
  unpackBits,
  writePatch,
  type Grid,
} from '../../src/ai/shared/preprocess';
import { buildVolume } from '../../src/ai/shared/volume';
import { streamModelGrid } from '../../src/ai/shared/modelGrid';
import { TooLargeError } from '../../src/ai/shared/errors';
import { buildSeriesVolume, type SliceGeometry, type Volume } from '../../src/lib/volume';

const TRAINING = resolve(import.meta.dirname, '../../models/training');

/** A simple-phantom series as the engine's volume inputs (HU per slice, with its position). */
function sliceInputs(slices: readonly { bytes: Uint8Array }[], spacingMm: number) {
  return slices.map((s) => {
    const parsed = parseDicom(s.bytes);
    const info = describeInstance(parsed);
    const px = parsed.pixelData;
    if (!px || !info.image) throw new Error('no image');
    const raw = new Int16Array(s.bytes.slice(px.offset, px.offset + px.length).buffer);
    const pos = info.image.frames[0]?.position ?? [0, 0, 0];
    return {
      position: [pos[0], pos[1], pos[2]] as const,
      rows: info.image.rows,
      columns: info.image.columns,
      pixelSpacing: [spacingMm, spacingMm] as const,
      hu: Float32Array.from(raw, (v) => v - 1024),
    };
  });
}

describe('preprocessing matches the training recipe', () => {
  it('resamples a DICOM series to the same numbers as the Python training code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-pre-'));
    const slices = [
      ...simplePhantomSeries({
        slices: 12,
        size: 48,
        pixelSpacingMm: 0.73,
        sliceSpacingMm: 2.5,
        seed: 'pre',
        noise: 20,
      }),
    ];
    for (const s of slices) writeFileSync(join(dir, s.fileName), s.bytes);
    // TypeScript side: parse, stack, resample.
    const inputs = sliceInputs(slices, 0.73);
    const grid = resampleToGrid(buildVolume(inputs, 2.5), 1.0, 1.5);
    // Python side: the training code's reader and resampler on the same files.
    const out = join(dir, 'py.bin');
    execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        // As the recipe caches a training case (dataset.py): whole HU, clipped to -1024…3071.
        `import sys, numpy as np; sys.path.insert(0, ${JSON.stringify(TRAINING)}); from common import read_series, resample; v = resample(read_series(${JSON.stringify(dir)})); np.round(v.hu).clip(-1024, 3071).astype('float32').tofile(${JSON.stringify(out)})`,
      ],
      { encoding: 'utf8' },
    );
    const buf = readFileSync(out);
    const py = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    expect(py.length).toBe(grid.nx * grid.ny * grid.nz);
    let worst = 0;
    let differ = 0;
    for (let i = 0; i < py.length; i++) {
      const d = Math.abs((py[i] ?? NaN) - (grid.data[i] ?? NaN));
      worst = Math.max(worst, d);
      if (d !== 0) differ++;
    }
    // The same whole numbers; a value within float rounding of a half may round the other way.
    expect(worst).toBeLessThanOrEqual(1);
    expect(differ / py.length).toBeLessThan(1e-3);
  });

  it('finds the lungs: air inside the body, not the air around it', () => {
    const slices = [
      ...simplePhantomSeries({ slices: 20, size: 96, pixelSpacingMm: 3, sliceSpacingMm: 5, seed: 'lungs' }),
    ];
    const inputs = sliceInputs(slices, 3);
    const grid = resampleToGrid(buildVolume(inputs, 5), 3, 5);
    const box = lungBox(grid, 0);
    expect(box).not.toBeNull();
    // The phantom's lungs sit at x = ±0.42 r with half-width 0.3 r (r = FOV/2): well inside the body.
    const half = (96 * 3) / 2;
    const x0 = grid.origin[0] + (box?.x0 ?? 0) * 3;
    const x1 = grid.origin[0] + (box?.x1 ?? 0) * 3;
    expect(x0).toBeGreaterThan(-half * 0.78);
    expect(x0).toBeLessThan(-half * 0.66);
    expect(x1).toBeLessThan(half * 0.78);
    expect(x1).toBeGreaterThan(half * 0.66);
    // The mask, one bit a voxel: set at the centre of each lung, clear in the air around the body and in
    // the mediastinum between the lungs.
    const { mask } = lungMask(grid, 0);
    expect(mask.length).toBe(Math.ceil((grid.nx * grid.ny * grid.nz) / 8));
    const k = Math.floor(grid.nz / 2);
    const voxel = (xMm: number): number =>
      (k * grid.ny + Math.round((0 - grid.origin[1]) / 3)) * grid.nx + Math.round((xMm - grid.origin[0]) / 3);
    expect(isSet(mask, voxel(-half * 0.42))).toBe(true);
    expect(isSet(mask, voxel(half * 0.42))).toBe(true);
    expect(isSet(mask, voxel(0))).toBe(false);
    expect(isSet(mask, voxel(-half * 0.97))).toBe(false);
    const bytes = unpackBits(mask, grid.nx * grid.ny * grid.nz);
    expect(bytes.every((v, i) => v === (isSet(mask, i) ? 1 : 0))).toBe(true);
  });
  it('leaves out air that is lung in each slice but not in 3D: a pocket trapped in the back', () => {
    // 1 mm voxels, 30 slices of a body (40 HU) with two lungs (-850 HU, a vessel every 9 px), and on
    // slices 12-15 a 6 × 6 px pocket of air in the back muscles, well away from the lungs.
    const n = 100;
    const nz = 30;
    const inEllipse = (x: number, y: number, cx: number, cy: number, ax: number, ay: number): boolean =>
      ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1;
    const pocket = (x: number, y: number, k: number): boolean =>
      k >= 12 && k <= 15 && x >= 47 && x < 53 && y >= 80 && y < 86;
    const data = new Int16Array(n * n * nz);
    for (let k = 0; k < nz; k++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          let v = -1000;
          if (inEllipse(x, y, 50, 50, 46, 42)) v = 40;
          if (inEllipse(x, y, 28, 48, 16, 26) || inEllipse(x, y, 72, 48, 16, 26))
            v = x % 9 < 2 && y % 9 < 2 ? 40 : -850;
          if (pocket(x, y, k)) v = -900;
          data[(k * n + y) * n + x] = v;
        }
    const grid: Grid = { data, nx: n, ny: n, nz, origin: [0, 0, 0], spacing: [1, 1, 1] };
    const { mask } = lungMask(grid, 0, 100);
    const at = (k: number, x: number, y: number): boolean => isSet(mask, (k * n + y) * n + x);
    expect(at(13, 27, 48)).toBe(true);
    expect(at(13, 73, 48)).toBe(true);
    for (let k = 12; k <= 15; k++) expect(at(k, 49, 82)).toBe(false);
  });

  it('drops the 3D regions smaller than a share of the largest', () => {
    const [nx, ny, nz] = [20, 10, 6];
    const mask = bitMask(nx * ny * nz);
    const set = (x: number, y: number, k: number): void => {
      const i = (k * ny + y) * nx + x;
      mask[i >> 3] = (mask[i >> 3] ?? 0) | (1 << (i & 7));
    };
    // Region A: 5 × 5 × 4 = 100 voxels; region B: 4 × 4 × 3 = 48; region C: 2 voxels, touching A only
    // diagonally (not 6-connected).
    for (let k = 1; k < 5; k++) for (let y = 2; y < 7; y++) for (let x = 1; x < 6; x++) set(x, y, k);
    for (let k = 2; k < 5; k++) for (let y = 3; y < 7; y++) for (let x = 12; x < 16; x++) set(x, y, k);
    set(6, 7, 5);
    set(7, 7, 5);
    const at = (x: number, y: number, k: number): boolean => isSet(mask, (k * ny + y) * nx + x);
    expect(dropSmallRegions(mask, nx, ny, nz, 0.05)).toBe(2);
    expect(at(3, 4, 2)).toBe(true);
    expect(at(13, 4, 3)).toBe(true);
    expect(at(6, 7, 5)).toBe(false);
    expect(at(7, 7, 5)).toBe(false);
    // With a share above B's (48 of 100), only A is left.
    expect(dropSmallRegions(mask, nx, ny, nz, 0.5)).toBe(48);
    expect(at(13, 4, 3)).toBe(false);
    expect(at(3, 4, 2)).toBe(true);
    expect(dropSmallRegions(bitMask(8), 2, 2, 2, 0.5)).toBe(0);
  });

  describe('finds the lungs where the field of view cuts the body', () => {
    // Hand-built slices at 1 mm: one scene a slice. Lungs are air at -850 HU with small vessels in them;
    // the air around the body is -1000 HU with noise, or the grid's floor (-1024) without it.
    const n = 160;
    let seed = 12345;
    const noise = (sd: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return ((seed / 2147483648) * 2 - 1) * sd * 1.7;
    };
    const inEllipse = (x: number, y: number, cx: number, cy: number, ax: number, ay: number): boolean =>
      ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1;
    type Scene = (x: number, y: number) => number;
    /** Lung at -850 HU with a vessel (2 × 2 px at 40 HU) every 9 px. */
    const lung = (x: number, y: number): number => (x % 9 < 2 && y % 9 < 2 ? 40 : -850 + noise(15));
    /**
     * A table under the body, edge to edge: a 300 HU shell 2 px thick round a -800 HU foam core, with
     * small struts in the core (compact and dense, as vessels are) where `struts` says.
     */
    const table = (x: number, y: number, top: number, struts: boolean): number | null => {
      if (y < top || y > top + 12) return null;
      if (y < top + 2 || y > top + 10) return 300;
      if (struts && x % 20 < 3 && y > top + 4 && y < top + 8) return 300;
      return -800 + noise(10);
    };
    const scenes: Scene[] = [
      // 0: a targeted reconstruction: the body runs off the right edge, and so does the left lung.
      (x, y) => {
        if (inEllipse(x, y, 55, 75, 22, 32)) return lung(x, y);
        if (inEllipse(x, y, 140, 75, 30, 32)) return lung(x, y);
        if (inEllipse(x, y, 100, 75, 90, 58)) return 40 + noise(10);
        return table(x, y, 140, true) ?? -1000 + noise(20);
      },
      // 1: padding (the floor, no noise) outside a reconstruction circle that cuts the body and a lung.
      (x, y) => {
        if ((x - 80) ** 2 + (y - 80) ** 2 > 76 ** 2) return -1024;
        if (inEllipse(x, y, 125, 80, 32, 30)) return lung(x, y);
        if (inEllipse(x, y, 45, 80, 20, 28)) return lung(x, y);
        if (inEllipse(x, y, 95, 85, 85, 55)) return 40 + noise(10);
        return -1000 + noise(20);
      },
      // 2: the whole body in the field, air around it at the floor with a partial-volume rim along the
      // skin, lying on a table whose shell touches the back and is closed at its left end (one tissue
      // region with the body, so the table's core lies inside the body's hull) and whose foam core runs
      // off the right edge.
      (x, y) => {
        if (inEllipse(x, y, 55, 75, 22, 32) || inEllipse(x, y, 105, 75, 22, 32)) return lung(x, y);
        if (inEllipse(x, y, 80, 75, 62, 50)) return 40 + noise(10);
        if (inEllipse(x, y, 80, 75, 63.5, 51.5) && y < 120) return -700;
        if (x < 6) return -1024;
        if (x < 8 && y >= 124 && y <= 136) return 300;
        return table(x, y, 124, false) ?? -1024;
      },
      // 3: as 0, but the air around the body at the floor (so the table is cut off from it) and the
      // table apart from the body, its core with struts in it running off both edges.
      (x, y) => {
        if (inEllipse(x, y, 55, 75, 22, 32)) return lung(x, y);
        if (inEllipse(x, y, 140, 75, 30, 32)) return lung(x, y);
        if (inEllipse(x, y, 100, 75, 90, 58)) return 40 + noise(10);
        return table(x, y, 140, true) ?? -1024;
      },
      // 4: the reconstruction circle cuts the chest wall above and below a lung, and the lung runs out to
      // the circle further than any of the body does.
      (x, y) => {
        if ((x - 80) ** 2 + (y - 80) ** 2 > 76 ** 2) return -1024;
        if (inEllipse(x, y, 40, 80, 38, 42)) return lung(x, y);
        if (inEllipse(x, y, 100, 80, 100, 70)) return 40 + noise(10);
        return -1000 + noise(20);
      },
    ];
    const data = new Int16Array(n * n * scenes.length);
    scenes.forEach((scene, k) => {
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) data[(k * n + y) * n + x] = Math.max(-1024, Math.round(scene(x, y)));
    });
    const grid: Grid = { data, nx: n, ny: n, nz: scenes.length, origin: [0, 0, 0], spacing: [1, 1, 1] };
    const { mask } = lungMask(grid, 0, 100);
    const at = (k: number, x: number, y: number): boolean => isSet(mask, (k * n + y) * n + x);
    /** The share of a slice's pixels in a region that are in the mask. */
    const share = (k: number, inside: (x: number, y: number) => boolean): number => {
      let all = 0;
      let set = 0;
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          if (!inside(x, y)) continue;
          all++;
          if (at(k, x, y)) set++;
        }
      return set / all;
    };

    it('keeps a lung that runs off the image edge, and the one inside', () => {
      expect(share(0, (x, y) => inEllipse(x, y, 140, 75, 26, 28))).toBeGreaterThan(0.8);
      expect(share(0, (x, y) => inEllipse(x, y, 55, 75, 18, 28))).toBeGreaterThan(0.8);
      // Never the air above the body, the mediastinum or the table's core.
      expect(share(0, (_x, y) => y < 12)).toBe(0);
      expect(at(0, 100, 75)).toBe(false);
      expect(share(0, (_x, y) => y > 143 && y < 149)).toBe(0);
    });

    it('keeps a lung cut by the reconstruction circle, never the padding or the air inside the circle', () => {
      expect(
        share(1, (x, y) => inEllipse(x, y, 125, 80, 28, 26) && (x - 80) ** 2 + (y - 80) ** 2 < 70 ** 2),
      ).toBeGreaterThan(0.8);
      expect(share(1, (x, y) => inEllipse(x, y, 45, 80, 16, 24))).toBeGreaterThan(0.8);
      expect(share(1, (x, y) => (x - 80) ** 2 + (y - 80) ** 2 > 77 ** 2)).toBe(0);
      expect(share(1, (x, y) => y < 25 && (x - 80) ** 2 + (y - 80) ** 2 < 74 ** 2)).toBe(0);
    });

    it('keeps a lung that the circle cuts beyond the reach of the body', () => {
      expect(
        share(4, (x, y) => inEllipse(x, y, 40, 80, 34, 38) && (x - 80) ** 2 + (y - 80) ** 2 < 70 ** 2),
      ).toBeGreaterThan(0.8);
      expect(share(4, (x, y) => (x - 80) ** 2 + (y - 80) ** 2 > 77 ** 2)).toBe(0);
    });

    it('never takes the core of a table below the body for lung, struts and all', () => {
      expect(share(3, (x, y) => inEllipse(x, y, 140, 75, 26, 28))).toBeGreaterThan(0.8);
      expect(share(3, (_x, y) => y > 142 && y < 150)).toBe(0);
    });

    it('takes neither the rim along the skin nor a table core running off the image for lung', () => {
      expect(share(2, (x, y) => inEllipse(x, y, 55, 75, 18, 28))).toBeGreaterThan(0.8);
      expect(share(2, (x, y) => inEllipse(x, y, 105, 75, 18, 28))).toBeGreaterThan(0.8);
      expect(
        share(2, (x, y) => inEllipse(x, y, 80, 75, 63.5, 51.5) && !inEllipse(x, y, 80, 75, 62, 50)),
      ).toBe(0);
      expect(share(2, (x, y) => x > 8 && y > 126 && y < 134)).toBe(0);
    });
  });

  it('cuts the second-stage patches, at the grid spacing and at twice it, as the Python training code does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-patch-'));
    // A grid of distinct values (so an index off by one shows), 20 × 24 × 28 voxels.
    const [nz, ny, nx] = [20, 24, 28];
    const data = new Int16Array(nz * ny * nx);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1601) - 1100;
    const grid: Grid = { data, nx, ny, nz, origin: [-10, 5, 30], spacing: [1, 1, 1.5] };
    writeFileSync(join(dir, 'grid.bin'), Float32Array.from(data));
    const size = [7, 9, 11] as const;
    const spec = { window: { lower: -1100, upper: 500 }, normalize: { offset: 300, scale: 800 } };
    // Centres inside, on a half voxel and beyond an edge (the patch is part air there).
    const centres: [number, number, number][] = [
      [3.2, 16.7, 44.9],
      [-10, 5, 30],
      [17.5, 28.4, 58.5],
      [0.5, 12.5, 40.25],
    ];
    const per = size[0] * size[1] * size[2];
    const ts = new Float32Array(per * 2 * centres.length);
    centres.forEach((c, n) =>
      [1, 2].forEach((s, ch) => writePatch(grid, c, size, spec, ts, (n * 2 + ch) * per, s)),
    );
    const out = join(dir, 'py.bin');
    const ijk = centres.map(([x, y, z]) => [(z - 30) / 1.5, y - 5, x + 10]);
    execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import sys, numpy as np',
          `sys.path.insert(0, ${JSON.stringify(TRAINING)})`,
          'from common import normalise, patches',
          `vol = np.fromfile(${JSON.stringify(join(dir, 'grid.bin'))}, dtype=np.float32).reshape(${nz}, ${ny}, ${nx})`,
          `np.stack([normalise(patches(vol, *c, (1, 2), (${size.join(', ')}))) for c in ${JSON.stringify(ijk)}]).astype(np.float32).tofile(${JSON.stringify(out)})`,
        ].join('\n'),
      ],
      { encoding: 'utf8' },
    );
    const buf = readFileSync(out);
    const py = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    expect(py.length).toBe(ts.length);
    let worst = 0;
    for (let i = 0; i < py.length; i++) worst = Math.max(worst, Math.abs(py[i] - ts[i]));
    expect(worst).toBeLessThan(1e-5);
    // The coarse channel is not the fine one: it averages, so it is smoother.
    const spread = (a: Float32Array): number => {
      const m = a.reduce((x, y) => x + y, 0) / a.length;
      return a.reduce((x, y) => x + (y - m) ** 2, 0) / a.length;
    };
    expect(spread(ts.subarray(per, 2 * per))).toBeLessThan(spread(ts.subarray(0, per)) / 2);
  });
});

describe('the model grid streamed from slices', () => {
  /** A series of random stored values, in a shuffled file order, with a given orientation and spacing. */
  function series(
    orientation: number[],
    n: number,
    rows: number,
    columns: number,
    sliceMm = 1.25,
    pixelMm: readonly [number, number] = [0.7, 0.62],
  ) {
    let seed = 7;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 3000 - 1500;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 37) % n) - ((b * 37) % n));
    const normalZ = orientation[0] * orientation[4] - orientation[1] * orientation[3];
    const geometry: SliceGeometry[] = order.map((k) => ({
      position: [-100, 80, normalZ * (k * sliceMm) - 50] as const,
      orientation,
      rows,
      columns,
      pixelSpacing: pixelMm,
      sliceThickness: sliceMm,
    }));
    const values = geometry.map(() => Float32Array.from({ length: rows * columns }, next));
    return { geometry, values };
  }

  /**
   * The training recipe's resampling written voxel by voxel, apart from the engine's plane-streaming code:
   * per axis, output i sits at i × dst / src source steps, between its floor and the next sample (both
   * clamped to the last), linear in z, then y, then x, each step kept in float32 as the recipe's arrays are;
   * then stored as the recipe caches a case: numpy's round (half to even), clipped to -1024…3071.
   */
  function referenceGrid(v: Volume, pixelMm: number, sliceMm: number): Float32Array {
    const cached = (h: number): number => {
      const f = Math.floor(h);
      const r = h - f > 0.5 || (h - f === 0.5 && f % 2 !== 0) ? f + 1 : f;
      return Math.min(3071, Math.max(-1024, r));
    };
    const axis = (n: number, src: number, dst: number) =>
      Array.from({ length: Math.floor(((n - 1) * src) / dst + 1e-6) + 1 }, (_, i) => {
        const pos = (i * dst) / src;
        const lo = Math.min(n - 1, Math.max(0, Math.floor(pos)));
        return { lo, hi: Math.min(n - 1, lo + 1), w: Math.fround(pos - Math.floor(pos)) };
      });
    const z = axis(v.slices, v.spacing[2], sliceMm);
    const y = axis(v.rows, v.spacing[1], pixelMm);
    const x = axis(v.columns, v.spacing[0], pixelMm);
    const at = (k: number, j: number, i: number): number => v.data[(k * v.rows + j) * v.columns + i] ?? NaN;
    const out = new Float32Array(z.length * y.length * x.length);
    let n = 0;
    for (const zk of z)
      for (const yj of y)
        for (const xi of x) {
          const zAt = (j: number, i: number): number =>
            Math.fround(at(zk.lo, j, i) * (1 - zk.w) + at(zk.hi, j, i) * zk.w);
          const yAt = (i: number): number => Math.fround(zAt(yj.lo, i) * (1 - yj.w) + zAt(yj.hi, i) * yj.w);
          out[n++] = cached(Math.fround(yAt(xi.lo) * (1 - xi.w) + yAt(xi.hi) * xi.w));
        }
    return out;
  }

  it('gives the training recipe’s grid bit for bit: spacings finer and coarser than the model’s, outputs on the last plane, two slices', async () => {
    // [slices, slice mm, pixel mm]: 25 × 1.25 mm puts the last output exactly on the last (clamped) plane.
    const cases: [number, number, readonly [number, number]][] = [
      [25, 1.25, [0.7, 0.62]],
      [2, 1.25, [0.7, 0.62]],
      [6, 5, [2, 1.6]],
      [9, 0.6, [1, 1]],
    ];
    for (const [n, sliceMm, pixelMm] of cases) {
      const { geometry, values } = series([1, 0, 0, 0, 1, 0], n, 14, 17, sliceMm, pixelMm);
      const read = (i: number) => ({ values: values[i], rows: 14, columns: 17, slope: 1, intercept: -3 });
      const expected = referenceGrid(await buildSeriesVolume(geometry, read), 1, 1.5);
      const { grid } = await streamModelGrid(geometry, read, { pixelSpacingMm: 1, sliceSpacingMm: 1.5 });
      expect(grid.data.length, `${n} × ${sliceMm} mm`).toBe(expected.length);
      let differ = 0;
      for (let i = 0; i < expected.length; i++) if (!Object.is(grid.data[i], expected[i])) differ++;
      expect(differ, `${n} slices of ${sliceMm} mm, pixels ${pixelMm.join(' × ')} mm`).toBe(0);
    }
  });

  it('gives the grid that resampling the whole volume gives, bit for bit, in every axial orientation', async () => {
    const orientations = [
      [1, 0, 0, 0, 1, 0],
      [-1, 0, 0, 0, -1, 0],
      [0, 1, 0, 1, 0, 0],
      [-1, 0, 0, 0, 1, 0],
    ];
    for (const o of orientations) {
      const { geometry, values } = series(o, 23, 30, 26);
      const read = (i: number) => ({ values: values[i], rows: 30, columns: 26, slope: 1.5, intercept: -7 });
      const whole = resampleToGrid(await buildSeriesVolume(geometry, read), 1, 1.5);
      const asked: number[] = [];
      const { grid, sliceThickness } = await streamModelGrid(
        geometry,
        (i) => {
          asked.push(i);
          return read(i);
        },
        { pixelSpacingMm: 1, sliceSpacingMm: 1.5 },
      );
      expect(sliceThickness).toBe(1.25);
      // Each slice read once, in ascending z.
      expect(new Set(asked).size).toBe(geometry.length);
      const z = asked.map((i) => geometry[i]?.position[2] ?? NaN);
      expect(z.every((v, k) => k === 0 || v > (z[k - 1] ?? Infinity))).toBe(true);
      expect([grid.nx, grid.ny, grid.nz]).toEqual([whole.nx, whole.ny, whole.nz]);
      expect(grid.origin).toEqual(whole.origin);
      let differ = 0;
      for (let i = 0; i < grid.data.length; i++) if (grid.data[i] !== whole.data[i]) differ++;
      expect(differ, `orientation ${o.join('\\')}`).toBe(0);
    }
  });

  it('refuses a series whose grid would not fit before it reads a slice', async () => {
    const geometry: SliceGeometry[] = Array.from({ length: 4000 }, (_, k) => ({
      position: [0, 0, k * 0.1] as const,
      rows: 2048,
      columns: 2048,
      pixelSpacing: [0.2, 0.2] as const,
    }));
    let reads = 0;
    await expect(
      streamModelGrid(
        geometry,
        () => {
          reads++;
          throw new Error('read');
        },
        { pixelSpacingMm: 0.2, sliceSpacingMm: 0.1 },
      ),
    ).rejects.toBeInstanceOf(TooLargeError);
    expect(reads).toBe(0);
  });
});
