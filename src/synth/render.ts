/**
 * Renders axial CT slices of a synthetic chest on a scanner's grid.
 *
 * The tissue is sampled on thin planes (≤ 0.7 mm apart) and each slice integrates the planes under its
 * slice sensitivity profile (a rectangle of the slice thickness smoothed by a Gaussian), so partial volume
 * along z is physical: a vessel seen end-on is a round dot on one slice and on the next, a thin one fades
 * across neighbouring slices. Planes are shared between overlapping slices. Smooth tissue (body wall,
 * mediastinum, lung parenchyma, table, arms) is computed on a coarser z lattice (2 mm) and interpolated
 * (`background.ts`); the fine structures (vessels, airways, ribs, fissures, nodules, scars, emphysema…)
 * are drawn on every plane (`fineStructures.ts`) from the chest made ready by `prepare.ts`, on the grid of
 * `scanner.ts`. `physics.ts` then applies the reconstruction kernel, noise and artefacts.
 *
 * Output is HU per pixel, row-major, rows running anterior → posterior (+y), columns right → left (+x);
 * `case.ts` flips it for prone and feet-first orientations.
 */
import { renderBackground, type Background } from './background';
import { drawFine } from './fineStructures';
import { Physics } from './physics';
import type { Prepared } from './prepare';
import type { Rng } from './rng';
import { gridOf, type Scanner, type SliceGrid } from './scanner';

/** Noise-free image of the tissue at exactly height z (no interpolation: for previews and tests). */
export function renderPlane(p: Prepared, g: SliceGrid, z: number): Float32Array {
  const bg = renderBackground(p, g, z);
  drawFine(p, g, z, bg.hu, bg.depth);
  return bg.hu;
}

/** erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}

/**
 * Renders the slices of one series: caches the thin planes and the background planes they interpolate,
 * so overlapping and neighbouring slices share them. Slices may be asked for in any order; the cache keeps
 * what lies near the last one.
 */
export class SliceRenderer {
  /** Plane pitch (mm): the slice spacing divided evenly into steps of at most 0.7 mm. */
  readonly pitch: number;
  private readonly bgPitch = 2;
  private readonly planes = new Map<number, Float32Array>();
  private readonly backgrounds = new Map<number, Background>();
  private readonly grid: SliceGrid;
  private readonly sigma: number;
  private readonly support: number;
  private readonly physics: Physics;

  constructor(
    private readonly p: Prepared,
    private readonly s: Scanner,
    /** z of one slice: the plane lattice is anchored there. */
    private readonly zRef: number,
    noiseRng: Rng,
  ) {
    this.grid = gridOf(s);
    this.pitch = s.sliceSpacing / Math.ceil(s.sliceSpacing / 0.7 - 1e-9);
    // Slice sensitivity profile: the nominal thickness, with Gaussian edges (helical interpolation).
    this.sigma = 0.12 + 0.15 * s.sliceThickness;
    this.support = s.sliceThickness / 2 + 2.5 * this.sigma;
    this.physics = new Physics(s, p.chest, this.grid, noiseRng);
    this.depthScratch = new Float32Array(this.grid.size * this.grid.size);
  }

  /** Reused image buffers (planes and backgrounds that were dropped from the cache). */
  private readonly pool: Float32Array[] = [];
  private readonly depthScratch: Float32Array;

  private alloc(): Float32Array {
    return this.pool.pop() ?? new Float32Array(this.grid.size * this.grid.size);
  }

  private background(nb: number): Background {
    let b = this.backgrounds.get(nb);
    if (!b) {
      b = renderBackground(this.p, this.grid, this.zRef - nb * this.bgPitch, () => this.alloc());
      this.backgrounds.set(nb, b);
    }
    return b;
  }

  private plane(m: number): Float32Array {
    const cached = this.planes.get(m);
    if (cached) return cached;
    const z = this.zRef - m * this.pitch;
    const t = (this.zRef - z) / this.bgPitch;
    const nb = Math.floor(t + 1e-9);
    const w = t - nb;
    const a = this.background(nb);
    const size = this.grid.size * this.grid.size;
    const img = this.alloc();
    const depth = this.depthScratch;
    if (w < 1e-6) {
      img.set(a.hu);
      depth.set(a.depth);
    } else {
      const b = this.background(nb + 1);
      const ah = a.hu;
      const bh = b.hu;
      const ad = a.depth;
      const bd = b.depth;
      for (let i = 0; i < size; i++) {
        img[i] = ah[i] + (bh[i] - ah[i]) * w;
        depth[i] = ad[i] + (bd[i] - ad[i]) * w;
      }
    }
    drawFine(this.p, this.grid, z, img, depth);
    this.planes.set(m, img);
    return img;
  }

  /** SSP weights of the planes that make up the slice at z. */
  weights(z: number): { m: number; w: number }[] {
    const mLo = Math.ceil((this.zRef - z - this.support) / this.pitch - 1e-6);
    const mHi = Math.floor((this.zRef - z + this.support) / this.pitch + 1e-6);
    const half = this.s.sliceThickness / 2;
    const k = 1 / (Math.SQRT2 * this.sigma);
    const out: { m: number; w: number }[] = [];
    let sum = 0;
    for (let m = mLo; m <= mHi; m++) {
      const dz = this.zRef - m * this.pitch - z;
      const w = 0.5 * (erf((dz + half) * k) - erf((dz - half) * k));
      if (w < 1e-3) continue;
      out.push({ m, w });
      sum += w;
    }
    if (out.length === 0) return [{ m: Math.round((this.zRef - z) / this.pitch), w: 1 }];
    return out.map((o) => ({ m: o.m, w: o.w / sum }));
  }

  /** The reconstructed slice centred at z (HU), with its noise drawn from `rng`. */
  slice(z: number, rng: Rng): Float32Array {
    const size = this.grid.size * this.grid.size;
    const out = new Float32Array(size);
    const ws = this.weights(z);
    for (const { m, w } of ws) {
      const plane = this.plane(m);
      for (let i = 0; i < size; i++) out[i] += plane[i] * w;
    }
    // Forget what the next slices (either way) will not need.
    const keep = this.support + this.s.sliceSpacing * 1.01 + this.pitch;
    for (const [m, plane] of this.planes) {
      if (Math.abs(this.zRef - m * this.pitch - z) > keep) {
        this.planes.delete(m);
        this.pool.push(plane);
      }
    }
    for (const [nb, b] of this.backgrounds) {
      if (Math.abs(this.zRef - nb * this.bgPitch - z) > keep + this.bgPitch) {
        this.backgrounds.delete(nb);
        this.pool.push(b.hu, b.depth);
      }
    }
    this.physics.apply(out, z, rng);
    return out;
  }
}
