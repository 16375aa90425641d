/**
 * Imaging physics applied to a slice after slab integration: cardiac motion blur, the reconstruction
 * kernel's MTF (Gaussian blur with edge enhancement for sharp and lung kernels), noise whose texture
 * follows the kernel (noise power spectrum ∝ |f|·MTF(f)², as filtered back-projection gives) and whose
 * level is non-stationary (higher where the rays through a point cross more of the body: the centre of
 * large bodies, the lateral axis through the shoulders and arms), streaks through dense bone, a per-case
 * HU calibration error, and the reconstruction circle.
 */
import { bodyAxes, type Chest } from './anatomy';
import { convolveSeparable, gaussianKernel } from './noise';
import type { SliceGrid, Scanner } from './scanner';
import type { Rng } from './rng';

/** In-place radix-2 complex FFT of length n (a power of two); `inverse` without the 1/n scale. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      const half = len >> 1;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

/** 2D FFT of an n×n complex image (rows then columns). */
function fft2(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  const r = new Float64Array(n);
  const i2 = new Float64Array(n);
  for (let y = 0; y < n; y++) {
    r.set(re.subarray(y * n, y * n + n));
    i2.set(im.subarray(y * n, y * n + n));
    fft(r, i2, inverse);
    re.set(r, y * n);
    im.set(i2, y * n);
  }
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      r[y] = re[y * n + x];
      i2[y] = im[y * n + x];
    }
    fft(r, i2, inverse);
    for (let y = 0; y < n; y++) {
      re[y * n + x] = r[y];
      im[y * n + x] = i2[y];
    }
  }
}

/** The kernel's MTF at spatial frequency f (cycles per pixel). */
export function kernelMtf(s: Pick<Scanner, 'blurSigmaPx' | 'sharpen' | 'sharpenSigmaPx'>, f: number): number {
  const g = (sigma: number): number => Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * f * f);
  return g(s.blurSigmaPx) * (1 + s.sharpen * (1 - g(s.sharpenSigmaPx)));
}

/**
 * Periodic unit-variance noise fields of size n×n with the kernel's noise power spectrum. One complex
 * inverse FFT gives two independent fields (its real and imaginary parts).
 */
export function noiseBank(s: Scanner, n: number, rng: Rng, count: number): Float32Array[] {
  const fields: Float32Array[] = [];
  const filter = new Float64Array(n * n);
  for (let v = 0; v < n; v++) {
    const fy = (v < n / 2 ? v : v - n) / n;
    for (let u = 0; u < n; u++) {
      const fx = (u < n / 2 ? u : u - n) / n;
      const f = Math.hypot(fx, fy);
      // Ramp (filtered back-projection) times the kernel, with a little low-frequency floor.
      filter[v * n + u] = Math.sqrt(f + 0.015) * kernelMtf(s, f);
    }
  }
  while (fields.length < count) {
    const re = new Float64Array(n * n);
    const im = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) {
      re[i] = rng.normal() * filter[i];
      im[i] = rng.normal() * filter[i];
    }
    fft2(re, im, n, true);
    for (const part of [re, im]) {
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < part.length; i++) {
        sum += part[i];
        sum2 += part[i] * part[i];
      }
      const mean = sum / part.length;
      const sd = Math.sqrt(Math.max(1e-12, sum2 / part.length - mean * mean));
      const field = new Float32Array(n * n);
      for (let i = 0; i < part.length; i++) field[i] = (part[i] - mean) / sd;
      fields.push(field);
    }
  }
  return fields.slice(0, count);
}

const ANGLES = 12;
const MU_BODY = 0.011;
const MU_ARM = 0.02;

/** Chord length through an ellipse (centre cx, cy; semi-axes a, b) of the line through p along d. */
function chord(
  px: number,
  py: number,
  dx: number,
  dy: number,
  cx: number,
  cy: number,
  a: number,
  b: number,
): number {
  const ox = (px - cx) / a;
  const oy = (py - cy) / b;
  const vx = dx / a;
  const vy = dy / b;
  const A = vx * vx + vy * vy;
  const B = 2 * (ox * vx + oy * vy);
  const C = ox * ox + oy * oy - 1;
  const disc = B * B - 4 * A * C;
  return disc > 0 ? Math.sqrt(disc) / A : 0;
}

export class Physics {
  private bank: Float32Array[] | null = null;
  private readonly sigmaCache = new Map<number, Float32Array>();
  private readonly narrow: Float32Array | null;
  private readonly broad: Float32Array | null;
  private readonly scratch: Float32Array;
  private readonly half: Float32Array;
  private readonly halfScratch: Float32Array;
  private readonly bankSize: number;
  private readonly reference: number;

  constructor(
    private readonly s: Scanner,
    private readonly chest: Chest,
    private readonly g: SliceGrid,
    private readonly rng: Rng,
  ) {
    let n = 1;
    while (n < g.size) n <<= 1;
    this.bankSize = n;
    this.narrow = s.blurSigmaPx > 0.05 ? gaussianKernel(s.blurSigmaPx, 2.6) : null;
    // The edge enhancement's wide blur is smooth: computed at half resolution (the 2×2 average and the
    // bilinear return add about 0.4 px² of variance, taken off its σ²).
    this.broad =
      s.sharpen > 0 ? gaussianKernel(Math.sqrt(Math.max(0.09, s.sharpenSigmaPx ** 2 - 0.4)) / 2, 2.6) : null;
    this.scratch = new Float32Array(g.size * g.size);
    const h = Math.ceil(g.size / 2);
    this.half = new Float32Array(h * h);
    this.halfScratch = new Float32Array(h * h);
    const zMid = (chest.zApex + chest.zDomeRight) / 2;
    this.reference = this.variance(0, 0, zMid);
  }

  /** Relative noise variance at (x, y, z): mean over view angles of exp(attenuation along the ray). */
  private variance(x: number, y: number, z: number): number {
    const [a, b] = bodyAxes(this.chest, z);
    const arm = this.chest.arms;
    let sum = 0;
    for (let k = 0; k < ANGLES; k++) {
      const t = (k * Math.PI) / ANGLES;
      const dx = Math.cos(t);
      const dy = Math.sin(t);
      let att = MU_BODY * chord(x, y, dx, dy, 0, 0, a, b);
      if (arm) {
        for (const side of [-1, 1]) {
          const cx = side * (a + arm.gap + arm.r * 0.85);
          att += MU_ARM * chord(x, y, dx, dy, cx, arm.y, arm.r * 0.85, arm.r * 1.12);
        }
      }
      sum += Math.exp(att);
    }
    return sum / ANGLES;
  }

  /** Noise SD per pixel (coarse grid, bilinear). */
  private sigmaMap(z: number): Float32Array {
    const key = Math.round(z / 4);
    const cached = this.sigmaCache.get(key);
    if (cached) return cached;
    const map = this.computeSigmaMap(key * 4);
    this.sigmaCache.clear();
    this.sigmaCache.set(key, map);
    return map;
  }

  private computeSigmaMap(z: number): Float32Array {
    const g = this.g;
    const n = g.size;
    const step = 32;
    const m = Math.ceil((n - 1) / step) + 2;
    const coarse = new Float32Array(m * m);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < m; i++) {
        const v = this.variance(g.x0 + i * step * g.spacing, g.y0 + j * step * g.spacing, z);
        const f = Math.sqrt(v / this.reference);
        coarse[j * m + i] = this.s.noiseSigma * Math.max(0.35, Math.min(3, f));
      }
    }
    const out = new Float32Array(n * n);
    for (let y = 0; y < n; y++) {
      const jy = Math.floor(y / step);
      const fy = (y - jy * step) / step;
      for (let x = 0; x < n; x++) {
        const ix = Math.floor(x / step);
        const fx = (x - ix * step) / step;
        const a = coarse[jy * m + ix];
        const b = coarse[jy * m + ix + 1];
        const c = coarse[(jy + 1) * m + ix];
        const d = coarse[(jy + 1) * m + ix + 1];
        out[y * n + x] = (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
      }
    }
    return out;
  }

  /** Cardiac motion: a directional blur around the heart's border. */
  private motion(img: Float32Array, z: number, rng: Rng): void {
    const h = this.chest.heart;
    const tz = (z - h.c[2]) / h.r[2];
    if (Math.abs(tz) > 1.05) return;
    const s = Math.sqrt(Math.max(0.05, 1 - tz * tz));
    const ex = h.r[0] * s;
    const ey = h.r[1] * s;
    const g = this.g;
    const px = g.spacing;
    const margin = 18;
    const angle = rng.uniform(0, Math.PI);
    const len = (this.s.motion * rng.uniform(0.6, 1.2)) / px;
    const steps = 7;
    const ux = (Math.cos(angle) * len) / (steps - 1);
    const uy = (Math.sin(angle) * len) / (steps - 1);
    const i0 = Math.max(0, Math.floor((h.c[0] - ex - margin - g.x0) / px));
    const i1 = Math.min(g.size - 1, Math.ceil((h.c[0] + ex + margin - g.x0) / px));
    const j0 = Math.max(0, Math.floor((h.c[1] - ey - margin - g.y0) / px));
    const j1 = Math.min(g.size - 1, Math.ceil((h.c[1] + ey + margin - g.y0) / px));
    if (i0 > i1 || j0 > j1) return;
    const src = img.slice();
    const n = g.size;
    for (let j = j0; j <= j1; j++) {
      const y = g.y0 + j * px;
      for (let i = i0; i <= i1; i++) {
        const x = g.x0 + i * px;
        const q = Math.sqrt(((x - h.c[0]) / ex) ** 2 + ((y - h.c[1]) / ey) ** 2);
        const w = q < 1 ? 1 : Math.max(0, 1 - ((q - 1) * Math.min(ex, ey)) / margin);
        if (w <= 0) continue;
        let sum = 0;
        for (let k = 0; k < steps; k++) {
          const o = k - (steps - 1) / 2;
          const si = Math.min(n - 1, Math.max(0, Math.round(i + o * ux)));
          const sj = Math.min(n - 1, Math.max(0, Math.round(j + o * uy)));
          sum += src[sj * n + si];
        }
        img[j * n + i] = src[j * n + i] * (1 - w) + (sum / steps) * w;
      }
    }
  }

  /** Add a streak: a thin line of HU offset `amp` through (x, y) at `angle`, fading away from it. */
  private streak(img: Float32Array, x: number, y: number, angle: number, amp: number, width: number): void {
    const g = this.g;
    const n = g.size;
    const px = g.spacing;
    const nx = -Math.sin(angle);
    const ny = Math.cos(angle);
    const reach = 3 * width;
    for (let j = 0; j < n; j++) {
      const yy = g.y0 + j * px - y;
      // |nx·xx + ny·yy| < reach → a band of columns when nx ≠ 0.
      let i0 = 0;
      let i1 = n - 1;
      if (Math.abs(nx) > 1e-3) {
        const xa = (-reach - ny * yy) / nx;
        const xb = (reach - ny * yy) / nx;
        i0 = Math.max(0, Math.floor((Math.min(xa, xb) + x - g.x0) / px));
        i1 = Math.min(n - 1, Math.ceil((Math.max(xa, xb) + x - g.x0) / px));
      }
      for (let i = i0; i <= i1; i++) {
        const xx = g.x0 + i * px - x;
        const d = nx * xx + ny * yy;
        if (Math.abs(d) > reach) continue;
        const along = Math.abs(xx * ny - yy * nx);
        img[j * n + i] += amp * Math.exp(-(d * d) / (2 * width * width)) * Math.exp(-along / 180);
      }
    }
  }

  private streaks(img: Float32Array, z: number, rng: Rng): void {
    const c = this.chest;
    const amp = this.s.streaks;
    const [a] = bodyAxes(c, z);
    const shoulders = z > c.zApex - 45;
    if (c.arms || shoulders) {
      // Photon starvation along the lateral axis through both arms or shoulders: dark, thin lines.
      const count = rng.int(1, 3);
      const y = c.arms ? c.arms.y : rng.uniform(-20, 20);
      for (let k = 0; k < count; k++) {
        this.streak(
          img,
          rng.uniform(-a * 0.3, a * 0.3),
          y + rng.normal(0, 8),
          rng.normal(0, 0.08),
          -amp * rng.uniform(0.5, 1.2),
          rng.uniform(0.4, 1.2),
        );
      }
    }
    // Thin streaks through the vertebra and, with dense contrast, the SVC.
    if (rng.chance(0.5)) {
      const count = rng.int(1, 3);
      for (let k = 0; k < count; k++) {
        this.streak(
          img,
          0,
          c.spineY,
          rng.uniform(0, Math.PI),
          amp * rng.uniform(-0.6, 0.5),
          rng.uniform(0.3, 0.8),
        );
      }
    }
    if (c.blood.svc > 400 && z > c.heart.c[2] && z < c.zApex + 30) {
      const count = rng.int(2, 5);
      for (let k = 0; k < count; k++) {
        this.streak(
          img,
          -24,
          c.carina[1] - 16,
          rng.uniform(0, Math.PI),
          (rng.chance(0.5) ? -1 : 1) * amp * rng.uniform(0.5, 1.5),
          rng.uniform(0.4, 1),
        );
      }
    }
  }

  /** The reconstruction kernel: Gaussian blur, then img + a·(img − wide blur of img). */
  private kernel(img: Float32Array): void {
    const n = this.g.size;
    if (this.narrow) convolveSeparable(img, n, n, this.narrow, this.scratch);
    if (!this.broad) return;
    const h = Math.ceil(n / 2);
    const half = this.half;
    for (let J = 0; J < h; J++) {
      const y0 = 2 * J;
      const y1 = Math.min(n - 1, y0 + 1);
      for (let I = 0; I < h; I++) {
        const x0 = 2 * I;
        const x1 = Math.min(n - 1, x0 + 1);
        half[J * h + I] = 0.25 * (img[y0 * n + x0] + img[y0 * n + x1] + img[y1 * n + x0] + img[y1 * n + x1]);
      }
    }
    convolveSeparable(half, h, h, this.broad, this.halfScratch);
    const a = this.s.sharpen;
    for (let y = 0; y < n; y++) {
      const v = Math.min(h - 1, Math.max(0, (y - 0.5) / 2));
      const J0 = Math.min(h - 2, Math.floor(v));
      const fy = Math.min(1, v - J0);
      const r0 = Math.max(0, J0) * h;
      const r1 = Math.min(h - 1, J0 + 1) * h;
      for (let x = 0; x < n; x++) {
        const u = Math.min(h - 1, Math.max(0, (x - 0.5) / 2));
        const I0 = Math.min(h - 2, Math.floor(u));
        const fx = Math.min(1, u - I0);
        const low =
          (half[r0 + I0] * (1 - fx) + half[r0 + I0 + 1] * fx) * (1 - fy) +
          (half[r1 + I0] * (1 - fx) + half[r1 + I0 + 1] * fx) * fy;
        const k = y * n + x;
        img[k] += a * (img[k] - low);
      }
    }
  }

  apply(img: Float32Array, z: number, rng: Rng): void {
    const s = this.s;
    const g = this.g;
    const n = g.size;
    if (s.motion > 0) this.motion(img, z, rng.fork('motion'));
    this.kernel(img);
    if (s.noiseSigma > 0) {
      if (!this.bank) this.bank = noiseBank(s, this.bankSize, this.rng.fork('bank'), 4);
      const bank = this.bank;
      const nr = rng.fork('noise');
      // A fresh-looking realisation: a random unit-weight mix of three bank fields, each shifted.
      const picks = [0, 1, 2, 3];
      const drop = nr.int(0, 3);
      picks.splice(drop, 1);
      let w = picks.map(() => nr.normal());
      const norm = Math.hypot(...w) || 1;
      w = w.map((v) => v / norm);
      const N = this.bankSize;
      const shifts = picks.map(() => [nr.int(0, N - 1), nr.int(0, N - 1)] as const);
      const sigma = this.sigmaMap(z);
      for (let t = 0; t < 3; t++) {
        const field = bank[picks[t]];
        const wt = w[t];
        const [sx, sy] = shifts[t];
        for (let y = 0; y < n; y++) {
          const src = ((y + sy) % N) * N;
          const row = y * n;
          // Columns x + sx wrap at N: two runs.
          const split = Math.min(n, N - sx);
          for (let x = 0; x < split; x++) img[row + x] += wt * field[src + x + sx] * sigma[row + x];
          for (let x = split; x < n; x++) img[row + x] += wt * field[src + x + sx - N] * sigma[row + x];
        }
      }
    }
    if (s.streaks > 0) this.streaks(img, z, rng.fork('streaks'));
    const gain = 1 + s.calibrationGain;
    const offset = s.calibrationOffset;
    if (gain !== 1 || offset !== 0) {
      for (let i = 0; i < img.length; i++) img[i] = img[i] * gain + offset;
    }
    if (s.reconCircle) {
      const c0 = (n - 1) / 2;
      for (let y = 0; y < n; y++) {
        const dy = y - c0;
        const half = Math.sqrt(Math.max(0, c0 * c0 - dy * dy));
        const a = Math.max(0, Math.ceil(c0 - half));
        const b = Math.min(n, Math.floor(c0 + half) + 1);
        img.fill(-1024, y * n, y * n + a);
        img.fill(-1024, y * n + b, y * n + n);
      }
    }
  }
}
