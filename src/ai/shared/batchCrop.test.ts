import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../registry/manifest';
import { batchCrop } from './pipeline';
import { inputShape, writeInput, type Box, type Grid } from './preprocess';

const spec: InputSpec = {
  name: 'input',
  layout: 'NCHW',
  dtype: 'float32',
  slices: 5,
  sliceSpacingMm: 1.5,
  pixelSpacingMm: 1,
  window: { lower: -1100, upper: 500 },
  normalize: { offset: 300, scale: 800 },
  multipleOf: 16,
  crop: 'lungs',
};

const [nx, ny, nz] = [220, 170, 40];
function grid(): Grid {
  const data = new Int16Array(nx * ny * nz);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1600) - 1100;
  return { data, nx, ny, nz, origin: [-110, -85, 0], spacing: [1, 1, 1.5] };
}
// A lung box whose size is no multiple of 16, so that its input is padded on the right and at the bottom.
const box: Box = { x0: 13, y0: 9, x1: 203, y1: 158, z0: 2, z1: 37 };

/** Per-slice lung extents (x0, x1, y0, y1), -1 where a slice has none. */
function extents(lungs: Record<number, readonly [number, number, number, number]>): Int32Array {
  const e = new Int32Array(4 * nz).fill(-1);
  for (const [k, v] of Object.entries(lungs)) e.set(v, 4 * Number(k));
  return e;
}

/** The input the whole box gives slice k, cut to the crop's window. */
function windowOfBox(g: Grid, k: number, crop: Box): Float32Array {
  const full = inputShape(box, spec);
  const whole = new Float32Array(full.channels * full.height * full.width);
  writeInput(g, k, box, spec, whole);
  const s = inputShape(crop, spec);
  const [ox, oy] = [crop.x0 - box.x0, crop.y0 - box.y0];
  const out = new Float32Array(s.channels * s.height * s.width);
  for (let c = 0; c < s.channels; c++)
    for (let y = 0; y < s.height; y++)
      for (let x = 0; x < s.width; x++)
        out[(c * s.height + y) * s.width + x] =
          whole[(c * full.height + oy + y) * full.width + ox + x] ?? NaN;
  return out;
}

describe('the crop of a batch of slices', () => {
  const g = grid();
  const full = inputShape(box, spec);

  it('holds the lungs of every slice its inputs reach, with 32 mm around them, on the box’s 16-pixel grid', () => {
    // Lungs on slices 20–22 only; the batch is 16–19, whose inputs reach slices 14–21.
    const e = extents({ 20: [90, 120, 60, 100], 21: [80, 130, 70, 110], 22: [10, 210, 5, 160] });
    const crop = batchCrop(e, [16, 17, 18, 19], box, g, spec);
    expect(crop.x0).toBeLessThanOrEqual(80 - 32);
    expect(crop.x1).toBeGreaterThanOrEqual(130 + 32);
    expect(crop.y0).toBeLessThanOrEqual(60 - 32);
    expect(crop.y1).toBeGreaterThanOrEqual(110 + 32);
    // Slice 22 is beyond every input of the batch: its wide lungs do not widen the crop.
    expect(crop.x0).toBeGreaterThan(box.x0);
    expect((crop.x0 - box.x0) % 16).toBe(0);
    expect((crop.y0 - box.y0) % 16).toBe(0);
    const s = inputShape(crop, spec);
    expect(s.width * s.height).toBeLessThan(full.width * full.height);
    expect(s.width - (crop.x1 - crop.x0 + 1)).toBeLessThan(16);
  });

  it('gives the detector the very pixels the whole box would, also where it reaches the box’s padded edge', () => {
    const e = extents({ 24: [150, 200, 100, 158], 25: [150, 200, 100, 158] });
    for (const k of [23, 26]) {
      const crop = batchCrop(e, [k], box, g, spec);
      // Reaches the right and bottom edges of the box: its input keeps the box's air padding there.
      expect(crop.x1).toBe(box.x1);
      expect(crop.y1).toBe(box.y1);
      const s = inputShape(crop, spec);
      expect(s.width).toBe(full.width - (crop.x0 - box.x0));
      expect(s.height).toBe(full.height - (crop.y0 - box.y0));
      const mine = new Float32Array(s.channels * s.height * s.width);
      writeInput(g, k, crop, spec, mine);
      expect(mine).toEqual(windowOfBox(g, k, crop));
    }
    const inner = batchCrop(extents({ 10: [100, 110, 70, 80] }), [10], box, g, spec);
    const s = inputShape(inner, spec);
    const mine = new Float32Array(s.channels * s.height * s.width);
    writeInput(g, 10, inner, spec, mine);
    expect(mine).toEqual(windowOfBox(g, 10, inner));
  });

  it('is the whole box for slices whose inputs hold no lung', () => {
    const e = extents({ 5: [100, 110, 70, 80] });
    expect(batchCrop(e, [30, 31, 32, 33], box, g, spec)).toEqual(box);
    expect(batchCrop(e, [8], box, g, spec)).toEqual(box);
    expect(batchCrop(e, [7], box, g, spec)).not.toEqual(box);
  });
});
