/**
 * Renders axial CT slices of a synthetic chest on a scanner's grid: tissue densities with partial volume
 * at every edge, slab averaging over the slice thickness, reconstruction blur and spatially correlated
 * noise. Output is HU per pixel, row-major, rows running anterior → posterior, columns right → left.
 */
import { ValueNoise3, blur2d } from './noise';
import {
  bodyAxes,
  cavityAxes,
  cavityDistance,
  diaphragmZ,
  lungDepth,
  type Capsule,
  type Chest,
} from './anatomy';
import { noduleExtent, noduleSdf, type Nodule } from './nodules';
import type { Rng } from './rng';

export interface Scanner {
  readonly matrix: number;
  readonly pixelSpacing: number;
  readonly sliceThickness: number;
  readonly sliceSpacing: number;
  /** Patient-space (x, y) of the image centre. */
  readonly fovCenter: readonly [number, number];
  readonly blurSigmaPx: number;
  readonly noiseSigma: number;
  readonly noiseCorrelationPx: number;
  readonly kvp: number;
  readonly mA: number;
  readonly kernel: string;
  readonly manufacturer: string;
  readonly lowDose: boolean;
}

export interface SliceGrid {
  readonly size: number;
  readonly spacing: number;
  /** Patient (x, y) of the centre of pixel (0, 0). */
  readonly x0: number;
  readonly y0: number;
}

export function gridOf(s: Scanner): SliceGrid {
  const half = ((s.matrix - 1) * s.pixelSpacing) / 2;
  return { size: s.matrix, spacing: s.pixelSpacing, x0: s.fovCenter[0] - half, y0: s.fovCenter[1] - half };
}

const clamp01 = (t: number): number => (t < 0 ? 0 : t > 1 ? 1 : t);

interface Prepared {
  readonly chest: Chest;
  readonly nodules: readonly Nodule[];
  readonly capsules: readonly (Capsule & { zLo: number; zHi: number })[];
  readonly tex: ValueNoise3;
  readonly fine: ValueNoise3;
}

export function prepare(chest: Chest, nodules: readonly Nodule[]): Prepared {
  return {
    chest,
    nodules,
    capsules: chest.capsules.map((c) => ({
      ...c,
      zLo: Math.min(c.a[2], c.b[2]) - c.r - 1,
      zHi: Math.max(c.a[2], c.b[2]) + c.r + 1,
    })),
    tex: new ValueNoise3(chest.textureSeed, 7),
    fine: new ValueNoise3(chest.textureSeed ^ 0x5bd1e995, 2.2),
  };
}

/**
 * Smooth fields sampled on a grid twice as coarse as the image and interpolated: lung depth (a distance,
 * smooth by construction) and two texture octaves. Evaluating them per pixel was most of the cost.
 */
interface Fields {
  readonly depth: Float32Array;
  readonly tex: Float32Array;
  readonly fine: Float32Array;
}

function coarseFields(p: Prepared, g: SliceGrid, z: number, cavity: readonly [number, number]): Fields {
  const n = g.size;
  const m = Math.ceil(n / 2) + 1;
  const cd = new Float32Array(m * m);
  const ct = new Float32Array(m * m);
  const cf = new Float32Array(m * m);
  for (let j = 0; j < m; j++) {
    const y = g.y0 + 2 * j * g.spacing;
    for (let i = 0; i < m; i++) {
      const x = g.x0 + 2 * i * g.spacing;
      const k = j * m + i;
      cd[k] = lungDepth(p.chest, x, y, z, cavity);
      ct[k] = p.tex.at(x, y, z);
      cf[k] = p.fine.at(x, y, z);
    }
  }
  const up = (c: Float32Array): Float32Array => {
    const out = new Float32Array(n * n);
    for (let y = 0; y < n; y++) {
      const jy = y >> 1;
      const fy = (y & 1) * 0.5;
      for (let x = 0; x < n; x++) {
        const ix = x >> 1;
        const fx = (x & 1) * 0.5;
        const a = c[jy * m + ix];
        const b = c[jy * m + ix + 1];
        const d = c[(jy + 1) * m + ix];
        const e = c[(jy + 1) * m + ix + 1];
        out[y * n + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
      }
    }
    return out;
  };
  return { depth: up(cd), tex: up(ct), fine: up(cf) };
}

/** Tissue HU at one point, before vessels, airways and nodules are drawn over it. */
function baseHU(
  p: Prepared,
  x: number,
  y: number,
  z: number,
  px: number,
  cavity: readonly [number, number],
  body: readonly [number, number],
  depth: number,
  tex: number,
  fine: number,
): number {
  const c = p.chest;
  const fb = Math.sqrt((x / body[0]) ** 2 + (y / body[1]) ** 2);
  const skinDist = (1 - fb) * Math.min(body[0], body[1]); // mm inside the skin
  if (skinDist < -px) return -1000;
  const airAlpha = clamp01(0.5 + skinDist / px);
  let hu: number;
  const cavDist = cavityDistance(c, x, y, cavity);
  const below = z < diaphragmZ(c, x, y);
  if (cavDist < 0) {
    // Chest wall: skin, subcutaneous fat, muscle.
    const posteriorMuscle = y > 0 ? 25 * Math.exp(-((x / 55) ** 2)) : 0;
    if (skinDist < 1.5) hu = 25;
    else if (skinDist < c.fat) hu = -105 + 12 * fine;
    else if (skinDist < c.fat + c.muscle + posteriorMuscle) hu = 48 + 8 * fine;
    else hu = 38;
  } else if (below) {
    // Upper abdomen under the diaphragm: liver on the right, spleen and stomach on the left.
    hu = x < 15 ? 58 + 6 * tex : y > 0 ? 48 : 35;
    if (x > 30 && y < -20 && z > diaphragmZ(c, x, y) - 30 && Math.hypot(x - 60, y + 45) < 28) hu = -990;
  } else {
    const h = c.heart;
    const hq = Math.sqrt(
      ((x - h.c[0]) / h.r[0]) ** 2 + ((y - h.c[1]) / h.r[1]) ** 2 + ((z - h.c[2]) / h.r[2]) ** 2,
    );
    const soft = hq < 1 ? 40 + 5 * tex : hq < 1.08 ? -95 : -85 + 6 * fine;
    if (depth > -px) {
      const t = clamp01((y + cavity[1]) / (2 * cavity[1]));
      const lung = c.lungHU + c.gravityHU * t * t + 16 * tex;
      const a = clamp01(0.5 + depth / px);
      hu = lung * a + soft * (1 - a);
    } else {
      hu = soft;
    }
  }
  hu = spineAndSternum(c, x, y, z, hu, cavity);
  return hu * airAlpha + -1000 * (1 - airAlpha);
}

function spineAndSternum(
  c: Chest,
  x: number,
  y: number,
  z: number,
  hu: number,
  cavity: readonly [number, number],
): number {
  // Vertebral body with cortex, discs, canal and posterior elements.
  const dx = x / 21;
  const dy = (y - c.spineY) / 17;
  const r = Math.sqrt(dx * dx + dy * dy);
  if (r < 1) {
    const disc = ((z % 27) + 27) % 27 < 5;
    if (disc) return 85;
    return r > 0.86 ? 720 : 230 + 30 * Math.sin(x * 0.9) * Math.sin(y * 0.7);
  }
  const cy = y - (c.spineY + 27);
  const canal = x * x + cy * cy < 81;
  if (canal) return 12;
  if (Math.abs(x) < 5 && y > c.spineY + 36 && y < c.spineY + 62) return 620;
  if (Math.abs(Math.abs(x) - 14) < 4.5 && y > c.spineY + 14 && y < c.spineY + 38) return 560;
  // Sternum: a flat bar in front of the heart.
  const sy = -(cavity[1] + 7);
  if (z < c.zApex - 25 && z > c.heart.c[2] - c.heart.r[2] * 0.6 && Math.abs(x) < 15 && Math.abs(y - sy) < 6) {
    return Math.abs(x) > 12.5 || Math.abs(y - sy) > 4 ? 480 : 170;
  }
  return hu;
}

function drawCapsule(
  img: Float32Array,
  g: SliceGrid,
  cap: Capsule,
  z: number,
  p: Prepared,
  cavity: readonly [number, number],
  depthMap: Float32Array,
): void {
  const { a, b, r } = cap;
  const abx = b[0] - a[0];
  const aby = b[1] - a[1];
  const abz = b[2] - a[2];
  const len2 = abx * abx + aby * aby + abz * abz || 1;
  // The part of the segment within r of this plane bounds the pixels to visit.
  let tLo = 0;
  let tHi = 1;
  if (Math.abs(abz) > 1e-6) {
    const t1 = (z - r - a[2]) / abz;
    const t2 = (z + r - a[2]) / abz;
    tLo = Math.max(0, Math.min(t1, t2));
    tHi = Math.min(1, Math.max(t1, t2));
    if (tLo > tHi) return;
  }
  const xa = a[0] + abx * tLo;
  const xb = a[0] + abx * tHi;
  const ya = a[1] + aby * tLo;
  const yb = a[1] + aby * tHi;
  const px = g.spacing;
  const i0 = Math.max(0, Math.floor((Math.min(xa, xb) - r - px - g.x0) / px));
  const i1 = Math.min(g.size - 1, Math.ceil((Math.max(xa, xb) + r + px - g.x0) / px));
  const j0 = Math.max(0, Math.floor((Math.min(ya, yb) - r - px - g.y0) / px));
  const j1 = Math.min(g.size - 1, Math.ceil((Math.max(ya, yb) + r + px - g.y0) / px));
  for (let j = j0; j <= j1; j++) {
    const y = g.y0 + j * px;
    for (let i = i0; i <= i1; i++) {
      const x = g.x0 + i * px;
      const apx = x - a[0];
      const apy = y - a[1];
      const apz = z - a[2];
      const t = Math.max(0, Math.min(1, (apx * abx + apy * aby + apz * abz) / len2));
      const qx = apx - abx * t;
      const qy = apy - aby * t;
      const qz = apz - abz * t;
      const d = Math.sqrt(qx * qx + qy * qy + qz * qz);
      let alpha = clamp01((r - d) / px + 0.5);
      if (alpha <= 0) continue;
      if (cap.clipToThorax) {
        // Pulmonary vessels and bronchi stay inside the lungs (and the hilum).
        const depth = depthMap[j * g.size + i];
        if (depth < -6) continue;
        if (cavityDistance(p.chest, x, y, cavity) < 0) continue;
        alpha *= clamp01(0.5 + (depth + 3) / px);
      }
      const k = j * g.size + i;
      img[k] = img[k] * (1 - alpha) + cap.hu * alpha;
    }
  }
}

function drawFissures(img: Float32Array, g: SliceGrid, z: number, p: Prepared, depthMap: Float32Array): void {
  for (const f of p.chest.fissures) {
    const n = f.normal;
    if (Math.abs(n[0]) + Math.abs(n[1]) < 1e-3 && Math.abs(z - f.point[2]) > 2) continue;
    for (let j = 0; j < g.size; j++) {
      const y = g.y0 + j * g.spacing;
      for (let i = 0; i < g.size; i++) {
        const x = g.x0 + i * g.spacing;
        if (Math.sign(x) !== f.side) continue;
        const d = (x - f.point[0]) * n[0] + (y - f.point[1]) * n[1] + (z - f.point[2]) * n[2];
        if (Math.abs(d) > 1.5) continue;
        // The horizontal fissure only separates the front of the right lung.
        if (Math.abs(n[2]) > 0.9 && (y > 15 || x > -25)) continue;
        const depth = depthMap[j * g.size + i];
        if (depth < 1) continue;
        const alpha = 0.45 * clamp01(1 - Math.abs(d) / 1.2);
        const k = j * g.size + i;
        img[k] = img[k] * (1 - alpha) + -620 * alpha;
      }
    }
  }
}

function noduleHU(n: Nodule, x: number, y: number, z: number, tex: ValueNoise3): number {
  switch (n.type) {
    case 'solid':
      return n.hu + 8 * tex.at(x * 3, y * 3, z * 3);
    case 'calcified':
      return n.hu + 40 * tex.at(x * 2, y * 2, z * 2);
    case 'ground-glass':
    case 'part-solid':
      // Ground glass is heterogeneous: a bubbly texture around the mean density.
      return n.hu + 70 * tex.at(x * 2.5, y * 2.5, z * 2.5);
  }
}

function drawNodule(img: Float32Array, g: SliceGrid, n: Nodule, z: number, tex: ValueNoise3): void {
  const ext = noduleExtent(n);
  if (Math.abs(z - n.center[2]) > ext) return;
  const px = g.spacing;
  const i0 = Math.max(0, Math.floor((n.center[0] - ext - g.x0) / px));
  const i1 = Math.min(g.size - 1, Math.ceil((n.center[0] + ext - g.x0) / px));
  const j0 = Math.max(0, Math.floor((n.center[1] - ext - g.y0) / px));
  const j1 = Math.min(g.size - 1, Math.ceil((n.center[1] + ext - g.y0) / px));
  const core = n.solidDiameter !== null ? n.solidDiameter / 2 : 0;
  for (let j = j0; j <= j1; j++) {
    const y = g.y0 + j * px;
    for (let i = i0; i <= i1; i++) {
      const x = g.x0 + i * px;
      const d = noduleSdf(n, x, y, z);
      const alpha = clamp01(0.5 - d / px);
      if (alpha <= 0) continue;
      let hu = noduleHU(n, x, y, z, tex);
      if (core > 0) {
        const dc = Math.hypot(x - n.center[0], y - n.center[1], z - n.center[2]) - core;
        const ac = clamp01(0.5 - dc / px);
        hu = hu * (1 - ac) + (n.solidHU + 8 * tex.at(x * 3, y * 3, z * 3)) * ac;
      }
      const k = j * g.size + i;
      // Nodules displace lung; denser structures they touch (vessels, pleura, bone) stay visible.
      const under = img[k];
      img[k] = Math.max(under * (1 - alpha) + hu * alpha, under);
    }
  }
}

/** Noise-free image of the tissue at exactly height z. */
export function renderPlane(p: Prepared, g: SliceGrid, z: number): Float32Array {
  const img = new Float32Array(g.size * g.size);
  const body = bodyAxes(p.chest, z);
  const cavity = cavityAxes(p.chest, z);
  const f = coarseFields(p, g, z, cavity);
  for (let j = 0; j < g.size; j++) {
    const y = g.y0 + j * g.spacing;
    for (let i = 0; i < g.size; i++) {
      const x = g.x0 + i * g.spacing;
      const k = j * g.size + i;
      img[k] = baseHU(p, x, y, z, g.spacing, cavity, body, f.depth[k], f.tex[k], f.fine[k]);
    }
  }
  drawFissures(img, g, z, p, f.depth);
  for (const cap of p.capsules) {
    if (z >= cap.zLo && z <= cap.zHi) drawCapsule(img, g, cap, z, p, cavity, f.depth);
  }
  for (const n of p.nodules) drawNodule(img, g, n, z, p.fine);
  return img;
}

/**
 * One reconstructed slice centred at z: the average of planes across the slice thickness, blurred by the
 * reconstruction kernel, plus correlated noise. `rng` drives the noise only.
 */
export function renderSlice(p: Prepared, s: Scanner, z: number, rng: Rng): Float32Array {
  const g = gridOf(s);
  const planes = Math.max(1, Math.round(s.sliceThickness / 1.25));
  const out = new Float32Array(g.size * g.size);
  for (let k = 0; k < planes; k++) {
    const zk = z + ((k + 0.5) / planes - 0.5) * s.sliceThickness;
    const plane = renderPlane(p, g, zk);
    for (let i = 0; i < out.length; i++) out[i] = out[i] + plane[i] / planes;
  }
  const scratch = new Float32Array(out.length);
  blur2d(out, g.size, g.size, s.blurSigmaPx, scratch);
  if (s.noiseSigma > 0) {
    const noise = new Float32Array(out.length);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
    blur2d(noise, g.size, g.size, s.noiseCorrelationPx, scratch);
    // A 2D Gaussian of σ pixels divides white-noise variance by 4πσ²: undo that to hit the target σ.
    const gain = s.noiseSigma * Math.sqrt(4 * Math.PI * s.noiseCorrelationPx ** 2);
    for (let i = 0; i < out.length; i++) {
      // Less noise in air outside the body, as on real scanners.
      const w = out[i] < -980 ? 0.35 : 1;
      out[i] = out[i] + noise[i] * gain * w;
    }
  }
  return out;
}
