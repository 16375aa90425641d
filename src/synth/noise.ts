/** Procedural textures and filters: 3D value noise, and separable Gaussian blur of 2D images. */

/** Smooth 3D value noise in [-1, 1] with a lattice of `cell` mm, from an integer seed. */
export class ValueNoise3 {
  constructor(
    private readonly seed: number,
    private readonly cell: number,
  ) {}

  private lattice(ix: number, iy: number, iz: number): number {
    let h =
      (Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ Math.imul(iz, 0x1b873593) ^ this.seed) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    h ^= h >>> 15;
    return ((h >>> 0) / 4294967295) * 2 - 1;
  }

  at(x: number, y: number, z: number): number {
    const fx = x / this.cell;
    const fy = y / this.cell;
    const fz = z / this.cell;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    const iz = Math.floor(fz);
    const tx = smooth(fx - ix);
    const ty = smooth(fy - iy);
    const tz = smooth(fz - iz);
    // No closures here: this runs for every lung pixel.
    const x00 = lerp(this.lattice(ix, iy, iz), this.lattice(ix + 1, iy, iz), tx);
    const x10 = lerp(this.lattice(ix, iy + 1, iz), this.lattice(ix + 1, iy + 1, iz), tx);
    const x01 = lerp(this.lattice(ix, iy, iz + 1), this.lattice(ix + 1, iy, iz + 1), tx);
    const x11 = lerp(this.lattice(ix, iy + 1, iz + 1), this.lattice(ix + 1, iy + 1, iz + 1), tx);
    return lerp(lerp(x00, x10, ty), lerp(x01, x11, ty), tz);
  }
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** Normalised 1D Gaussian kernel; `sigma` in pixels, `reach` its radius in σ. */
export function gaussianKernel(sigma: number, reach = 3): Float32Array {
  const radius = Math.max(1, Math.ceil(reach * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = k[i] / sum;
  return k;
}

/** Separable Gaussian blur of a width×height image, in place (edges clamped). */
export function blur2d(
  img: Float32Array,
  width: number,
  height: number,
  sigma: number,
  scratch?: Float32Array,
): void {
  if (sigma <= 0.05) return;
  convolveSeparable(img, width, height, gaussianKernel(sigma), scratch);
}

/**
 * Separable convolution with the same symmetric 1D taps along rows and columns, in place (edges
 * clamped).
 */
export function convolveSeparable(
  img: Float32Array,
  width: number,
  height: number,
  k: Float32Array,
  scratch?: Float32Array,
): void {
  const r = (k.length - 1) / 2;
  const L = k.length;
  const tmp = scratch && scratch.length >= img.length ? scratch : new Float32Array(img.length);
  // Rows: clamped at the ends, a plain dot product in between.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      if (x >= r && x < width - r) {
        const o = row + x - r;
        for (let i = 0; i < L; i++) s += img[o + i] * k[i];
      } else {
        for (let i = -r; i <= r; i++) {
          const xi = x + i < 0 ? 0 : x + i >= width ? width - 1 : x + i;
          s += img[row + xi] * k[i + r];
        }
      }
      tmp[row + x] = s;
    }
  }
  // Columns: whole rows at a time (contiguous memory).
  for (let y = 0; y < height; y++) {
    const out = y * width;
    const w0 = k[0];
    const src0 = (y - r < 0 ? 0 : y - r) * width;
    for (let x = 0; x < width; x++) img[out + x] = tmp[src0 + x] * w0;
    for (let i = 1; i < L; i++) {
      const yi = y + i - r;
      const src = (yi < 0 ? 0 : yi >= height ? height - 1 : yi) * width;
      const w = k[i];
      for (let x = 0; x < width; x++) img[out + x] += tmp[src + x] * w;
    }
  }
}
