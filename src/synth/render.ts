/**
 * Renders axial CT slices of a synthetic chest on a scanner's grid.
 *
 * The tissue is sampled on thin planes (≤ 0.7 mm apart) and each slice integrates the planes under its
 * slice sensitivity profile (a rectangle of the slice thickness smoothed by a Gaussian), so partial volume
 * along z is physical: a vessel seen end-on is a round dot on one slice and on the next, a thin one fades
 * across neighbouring slices. Planes are shared between overlapping slices. Smooth tissue (body wall,
 * mediastinum, lung parenchyma, table, arms) is computed on a coarser z lattice (2 mm) and interpolated;
 * the fine structures (vessels, airways, ribs, fissures, nodules, scars, emphysema…) are drawn on every
 * plane. `physics.ts` then applies the reconstruction kernel, noise and artefacts.
 *
 * Output is HU per pixel, row-major, rows running anterior → posterior (+y), columns right → left (+x);
 * `case.ts` flips it for prone and feet-first orientations.
 */
import {
  bodyAxes,
  cavityAxes,
  cavityDistance,
  diaphragmZ,
  fissureSurfaces,
  lungDepth,
  tubesNear,
  wobble,
  type Capsule,
  type CapsuleKind,
  type Chest,
  type FissureSurface,
  type Mat3,
  type Plate,
} from './anatomy';
import { NO_FINDINGS, type Blob, type Findings, type Hole } from './findings';
import { ValueNoise3 } from './noise';
import { noduleExtent, noduleSdf, type Nodule } from './nodules';
import { Physics } from './physics';
import type { Rng } from './rng';
import type { Vec3 } from '../dicom/geometry';

export type Kernel = 'soft' | 'standard' | 'sharp' | 'lung';
export type PatientPosition = 'HFS' | 'FFS' | 'HFP' | 'FFP';

export interface Scanner {
  readonly matrix: number;
  readonly pixelSpacing: number;
  readonly sliceThickness: number;
  readonly sliceSpacing: number;
  /** Patient-space (x, y) of the image centre (the scanner's isocentre, unless a targeted view). */
  readonly fovCenter: readonly [number, number];
  /** Reconstruction kernel MTF: a Gaussian blur (pixels) and edge enhancement
   * img + sharpen·(img − blur(img, sharpenSigmaPx)), which overshoots at edges. */
  readonly blurSigmaPx: number;
  readonly sharpen: number;
  readonly sharpenSigmaPx: number;
  /** Noise SD (HU) at the centre of the body at mid-chest; its texture follows the kernel. */
  readonly noiseSigma: number;
  readonly kvp: number;
  readonly mA: number;
  readonly kernel: Kernel;
  readonly manufacturer: string;
  readonly lowDose: boolean;
  readonly patientPosition: PatientPosition;
  /** DICOM ImageOrientationPatient the slices are written with. */
  readonly imageOrientation: readonly [number, number, number, number, number, number];
  readonly contrast: boolean;
  /** Per-case HU calibration: written HU = true HU × (1 + gain) + offset. */
  readonly calibrationOffset: number;
  readonly calibrationGain: number;
  /** Streak artefacts through dense bone (HU amplitude, 0 none) and cardiac motion blur (mm, 0 none). */
  readonly streaks: number;
  readonly motion: number;
  /** Pixels outside the reconstruction circle are set to -1024. */
  readonly reconCircle: boolean;
}

export interface SliceGrid {
  readonly size: number;
  readonly spacing: number;
  /** Patient (x, y) of the centre of pixel (0, 0), in the renderer's own orientation (+x, +y). */
  readonly x0: number;
  readonly y0: number;
}

export function gridOf(s: Pick<Scanner, 'matrix' | 'pixelSpacing' | 'fovCenter'>): SliceGrid {
  const half = ((s.matrix - 1) * s.pixelSpacing) / 2;
  return { size: s.matrix, spacing: s.pixelSpacing, x0: s.fovCenter[0] - half, y0: s.fovCenter[1] - half };
}

const clamp01 = (t: number): number => (t < 0 ? 0 : t > 1 ? 1 : t);

/** Items bucketed by z so that a plane visits only those that reach it. */
class ZIndex<T extends { zLo: number; zHi: number }> {
  private readonly bins: T[][] = [];
  private readonly z0: number;
  private static readonly BIN = 4;

  constructor(items: readonly T[]) {
    this.z0 = items.reduce((m, t) => Math.min(m, t.zLo), Infinity);
    for (const t of items) {
      const lo = Math.floor((t.zLo - this.z0) / ZIndex.BIN);
      const hi = Math.floor((t.zHi - this.z0) / ZIndex.BIN);
      for (let b = lo; b <= hi; b++) {
        while (this.bins.length <= b) this.bins.push([]);
        this.bins[b].push(t);
      }
    }
  }

  at(z: number): readonly T[] {
    const b = Math.floor((z - this.z0) / ZIndex.BIN);
    return b >= 0 && b < this.bins.length ? this.bins[b] : [];
  }
}

interface PCapsule {
  readonly ax: number;
  readonly ay: number;
  readonly az: number;
  readonly abx: number;
  readonly aby: number;
  readonly abz: number;
  readonly len2: number;
  readonly r: number;
  readonly dr: number;
  readonly rMax: number;
  readonly hu: number;
  readonly kind: CapsuleKind;
  readonly clip: boolean;
  readonly zLo: number;
  readonly zHi: number;
}

interface PPlate extends Plate {
  readonly ext: Vec3;
  readonly zLo: number;
  readonly zHi: number;
}

interface PHole extends Hole {
  readonly zLo: number;
  readonly zHi: number;
}

interface PBlob extends Blob {
  readonly ext: number;
  readonly zLo: number;
  readonly zHi: number;
}

interface PNodule {
  readonly n: Nodule;
  readonly ext: number;
  readonly zLo: number;
  readonly zHi: number;
}

export interface Prepared {
  readonly chest: Chest;
  readonly nodules: readonly Nodule[];
  readonly findings: Findings;
  readonly capsules: ZIndex<PCapsule>;
  readonly plates: ZIndex<PPlate>;
  readonly holes: ZIndex<PHole>;
  readonly blobs: ZIndex<PBlob>;
  readonly noduleIndex: ZIndex<PNodule>;
  readonly fissures: readonly FissureSurface[];
  readonly tex: ValueNoise3;
  readonly fine: ValueNoise3;
}

function prepCapsule(c: Capsule): PCapsule {
  const rMax = Math.max(c.r, c.rb);
  return {
    ax: c.a[0],
    ay: c.a[1],
    az: c.a[2],
    abx: c.b[0] - c.a[0],
    aby: c.b[1] - c.a[1],
    abz: c.b[2] - c.a[2],
    len2: (c.b[0] - c.a[0]) ** 2 + (c.b[1] - c.a[1]) ** 2 + (c.b[2] - c.a[2]) ** 2 || 1e-9,
    r: c.r,
    dr: c.rb - c.r,
    rMax,
    hu: c.hu,
    kind: c.kind,
    clip: c.clipToThorax,
    zLo: Math.min(c.a[2], c.b[2]) - rMax - 0.5,
    zHi: Math.max(c.a[2], c.b[2]) + rMax + 0.5,
  };
}

function prepPlate(p: Plate): PPlate {
  const ext: Vec3 = [0, 1, 2].map(
    (k) => Math.abs(p.u[k]) * p.halfU + Math.abs(p.v[k]) * p.halfV + Math.abs(p.n[k]) * p.halfT + 1,
  ) as unknown as Vec3;
  return { ...p, ext, zLo: p.c[2] - ext[2], zHi: p.c[2] + ext[2] };
}

export function prepare(
  chest: Chest,
  nodules: readonly Nodule[],
  findings: Findings = NO_FINDINGS,
): Prepared {
  return {
    chest,
    nodules,
    findings,
    capsules: new ZIndex(chest.capsules.map(prepCapsule)),
    plates: new ZIndex([...chest.plates, ...findings.plates].map(prepPlate)),
    holes: new ZIndex(findings.holes.map((h) => ({ ...h, zLo: h.c[2] - h.r - 1, zHi: h.c[2] + h.r + 1 }))),
    blobs: new ZIndex(
      findings.blobs.map((b) => {
        const ext = Math.max(...b.axes) + 1;
        return { ...b, ext, zLo: b.c[2] - ext, zHi: b.c[2] + ext };
      }),
    ),
    noduleIndex: new ZIndex(
      nodules.map((n) => {
        const ext = noduleExtent(n);
        return { n, ext, zLo: n.center[2] - ext, zHi: n.center[2] + ext };
      }),
    ),
    fissures: fissureSurfaces(chest),
    tex: new ValueNoise3(chest.textureSeed, 7),
    fine: new ValueNoise3(chest.textureSeed ^ 0x5bd1e995, 2.2),
  };
}

/** A background plane: smooth tissue HU and the signed lung depth (mm) per pixel. */
interface Background {
  readonly hu: Float32Array;
  readonly depth: Float32Array;
}

const COARSE = 4;

/** Bilinear upsampling of a field sampled every COARSE pixels (m × m samples) to n × n. */
function upsample(c: Float32Array, m: number, n: number, out: Float32Array): void {
  for (let y = 0; y < n; y++) {
    const jy = (y / COARSE) | 0;
    const fy = (y - jy * COARSE) / COARSE;
    const r0 = jy * m;
    const r1 = r0 + m;
    for (let x = 0; x < n; x++) {
      const ix = (x / COARSE) | 0;
      const fx = (x - ix * COARSE) / COARSE;
      const a = c[r0 + ix];
      const b = c[r0 + ix + 1];
      const d = c[r1 + ix];
      const e = c[r1 + ix + 1];
      out[y * n + x] = (a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy;
    }
  }
}

/** Smooth tissue at height z: body wall, arms, breasts, table, mediastinum, heart, abdomen, lung. */
function renderBackground(
  p: Prepared,
  g: SliceGrid,
  z: number,
  alloc: () => Float32Array = () => new Float32Array(g.size * g.size),
): Background {
  const c = p.chest;
  const n = g.size;
  const px = g.spacing;
  const m = Math.ceil((n - 1) / COARSE) + 2;
  const body = bodyAxes(c, z);
  const cavity = cavityAxes(c, z);
  const tubes = tubesNear(c, z);
  const dep = c.dependent;
  // Coarse smooth fields.
  const cDepth = new Float32Array(m * m);
  const cBody = new Float32Array(m * m);
  const cCav = new Float32Array(m * m);
  const cFloor = new Float32Array(m * m);
  const cTex = new Float32Array(m * m);
  const cFine = new Float32Array(m * m);
  for (let j = 0; j < m; j++) {
    const y = g.y0 + j * COARSE * px;
    for (let i = 0; i < m; i++) {
      const x = g.x0 + i * COARSE * px;
      const k = j * m + i;
      const cav = cavityDistance(c, x, y, cavity, z);
      cCav[k] = cav;
      cBody[k] = 1 / wobble(c, x, y, z, false);
      cFloor[k] = z - diaphragmZ(c, x, y);
      cDepth[k] = cav > -12 ? lungDepth(c, x, y, z, cavity, tubes) : cav;
      const inBody = (x / (body[0] + 8)) ** 2 + (y / (body[1] + 8)) ** 2 < 1;
      cTex[k] = inBody ? p.tex.at(x, y, z) : 0;
      cFine[k] = inBody ? p.fine.at(x, y, z) : 0;
    }
  }
  const depth = alloc();
  upsample(cDepth, m, n, depth);
  const hu = alloc().fill(-1000);

  const [ba, bb] = body;
  const cb = cavity[1];
  const flat = c.flat;
  const h = c.heart;
  const blood = c.blood;
  const hzt = (z - h.c[2]) / h.r[2];
  const hmin = Math.min(h.r[0], h.r[1]);
  const spineY = c.spineY;
  const sternumY = -(cb + 7);
  const sternum = z < c.zApex - 25 && z > h.c[2] - h.r[2] * 0.6;
  const disc = ((z % 27) + 27) % 27 < 5;
  const f = p.findings;
  const eff = f.effusion;
  const effThick = eff ? eff.thick * clamp01((eff.zTop - z) / eff.span) : 0;
  // Fluid lies in the most dependent part of each pleural space: its level is measured from there.
  const deepest = [-Infinity, -Infinity];
  if (eff && effThick > 0) {
    for (let j = 0; j < m; j++) {
      const y = dep * (g.y0 + j * COARSE * px);
      for (let i = 0; i < m; i++) {
        if (cDepth[j * m + i] > 0 && y > deepest[g.x0 + i * COARSE * px < 0 ? 0 : 1]) {
          deepest[g.x0 + i * COARSE * px < 0 ? 0 : 1] = y;
        }
      }
    }
  }
  const dd = f.dependentDensity;
  const ddW = dd ? clamp01((dd.zTop - z) / 40) : 0;
  const ddLambda = dd ? dd.lambda : 1;
  const lungTex = c.lungTextureHU;
  const posteriorMuscle = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = g.x0 + i * px;
    posteriorMuscle[i] = 25 * Math.exp(-((x / 55) ** 2));
  }

  for (let j = 0; j < n; j++) {
    const y = g.y0 + j * px;
    const ey = y / bb;
    if (Math.abs(ey) >= 1.1 + (px + 1) / bb) continue;
    if (dep * y > flat + px) continue;
    const halfRow = ba * 1.1 * Math.sqrt(Math.max(0, 1 - Math.min(1, (ey / 1.1) ** 2))) + 2 * px + 1;
    const i0 = Math.max(0, Math.floor((-halfRow - g.x0) / px));
    const i1 = Math.min(n - 1, Math.ceil((halfRow - g.x0) / px));
    const jy = (j / COARSE) | 0;
    const fy = (j - jy * COARSE) / COARSE;
    const r0 = jy * m;
    const r1 = r0 + m;
    // Dependent fraction of the lung (0 at the non-dependent side, 1 at the dependent one).
    const tDep = clamp01(dep > 0 ? (y + cb) / (2 * cb) : (cb - y) / (2 * cb));
    const gravity = c.gravityHU * tDep * tDep;
    const ddRow = dd ? dd.amp * ddW * clamp01((tDep - 0.62) / 0.25) : 0;
    const nearSpineRow = y > spineY - 20 && y < spineY + 66;
    const nearSternumRow = sternum && Math.abs(y - sternumY) < 6.5;
    const hy = (y - h.c[1]) / h.r[1];
    for (let i = i0; i <= i1; i++) {
      const x = g.x0 + i * px;
      const k = j * n + i;
      const ix = (i / COARSE) | 0;
      const fx = (i - ix * COARSE) / COARSE;
      const k00 = r0 + ix;
      const k10 = r1 + ix;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const inv = cBody[k00] * w00 + cBody[k00 + 1] * w01 + cBody[k10] * w10 + cBody[k10 + 1] * w11;
      const ex = (x / ba) * inv;
      const eyw = ey * inv;
      const skin = Math.min((1 - Math.sqrt(ex * ex + eyw * eyw)) * Math.min(ba, bb), flat - dep * y);
      if (skin < -px) continue;
      const airAlpha = clamp01(0.5 + skin / px);
      const cav = cCav[k00] * w00 + cCav[k00 + 1] * w01 + cCav[k10] * w10 + cCav[k10 + 1] * w11;
      const fine = cFine[k00] * w00 + cFine[k00 + 1] * w01 + cFine[k10] * w10 + cFine[k10 + 1] * w11;
      let v: number;
      if (cav < -px) {
        // Chest wall: skin, subcutaneous fat, muscle (thicker beside the spine).
        const pm = y > 0 ? posteriorMuscle[i] : 0;
        if (skin < 1.5) v = 25;
        else if (skin < c.fat) v = -105 + 12 * fine;
        else if (skin < c.fat + c.muscle + pm) v = 48 + 8 * fine;
        else v = 38;
      } else {
        const tex = cTex[k00] * w00 + cTex[k00 + 1] * w01 + cTex[k10] * w10 + cTex[k10 + 1] * w11;
        const floor = cFloor[k00] * w00 + cFloor[k00 + 1] * w01 + cFloor[k10] * w10 + cFloor[k10 + 1] * w11;
        // Upper abdomen under the diaphragm: liver on the right, spleen and stomach on the left.
        let abdomen = 0;
        if (floor < px) {
          abdomen = x < 15 ? 58 + 6 * tex : y > 0 ? 48 : 35;
          if (x > 30 && y < -20 && floor > -30 && (x - 60) ** 2 + (y + 45) ** 2 < 784) abdomen = -990;
        }
        let thorax = 0;
        if (floor > -px) {
          // Heart: chambers, myocardium, pericardial fat; mediastinal fat around it.
          const hx = (x - h.c[0]) / h.r[0];
          const hq = Math.sqrt(hx * hx + hy * hy + hzt * hzt);
          const hd = (hq - 1) * hmin; // mm outside the heart
          let soft: number;
          if (hd < 3) {
            const inner = hd + 0.22 * hmin; // mm outside the chambers
            const ch = blood.chambers + 5 * tex;
            const wall = blood.myocardium;
            const inHeart = clamp01(0.5 - hd / px);
            const chamber = clamp01(0.5 - inner / px);
            const heart = ch * chamber + wall * (1 - chamber);
            const around = hd < 1.5 ? -95 : -85 + 6 * fine;
            soft = heart * inHeart + around * (1 - inHeart);
          } else {
            soft = -85 + 6 * fine;
          }
          const d = depth[k];
          if (d > -px) {
            let lung = c.lungHU + gravity + lungTex * tex + 6 * fine;
            if (ddRow > 0) lung += ddRow * Math.exp(-d / ddLambda) * (0.65 + 0.35 * tex);
            if (eff && effThick > 0 && (eff.side === 0 || (x < 0 ? -1 : 1) === eff.side)) {
              const below = dep * y - (deepest[x < 0 ? 0 : 1] + 2 - effThick); // mm into the fluid
              if (below > -8) {
                const a = clamp01(0.5 + below / px);
                lung += 220 * Math.exp(Math.min(0, below) / 2.5);
                lung = lung * (1 - a) + (eff.hu + 4 * tex) * a;
              }
            }
            const a = clamp01(0.5 + d / px);
            thorax = lung * a + soft * (1 - a);
          } else {
            thorax = soft;
          }
        }
        v =
          floor >= px
            ? thorax
            : floor <= -px
              ? abdomen
              : (thorax - abdomen) * (0.5 + floor / (2 * px)) + abdomen;
        if (cav < px && cav >= -px) {
          // Partial volume with the innermost chest wall layer.
          const a = clamp01(0.5 + cav / px);
          v = v * a + 38 * (1 - a);
        }
      }
      if (nearSpineRow && Math.abs(x) < 40) v = spine(spineY, disc, x, y, v);
      if (nearSternumRow && Math.abs(x) < 15)
        v = Math.abs(x) > 12.5 || Math.abs(y - sternumY) > 4 ? 480 : 170;
      hu[k] = v * airAlpha - 1000 * (1 - airAlpha);
    }
  }
  drawBreasts(p, g, z, hu, body);
  drawArms(p, g, z, hu, body);
  drawTable(p, g, hu);
  return { hu, depth };
}

function spine(spineY: number, disc: boolean, x: number, y: number, hu: number): number {
  // Vertebral body with cortex, discs, canal and posterior elements.
  const dx = x / 21;
  const dy = (y - spineY) / 17;
  const r = Math.sqrt(dx * dx + dy * dy);
  if (r < 1) {
    if (disc) return 85;
    return r > 0.86 ? 720 : 230 + 30 * Math.sin(x * 0.9) * Math.sin(y * 0.7);
  }
  const cy = y - (spineY + 27);
  if (x * x + cy * cy < 81) return 12;
  if (Math.abs(x) < 5 && y > spineY + 36 && y < spineY + 62) return 620;
  if (Math.abs(Math.abs(x) - 14) < 4.5 && y > spineY + 14 && y < spineY + 38) return 560;
  return hu;
}

function drawBreasts(
  p: Prepared,
  g: SliceGrid,
  z: number,
  hu: Float32Array,
  body: readonly [number, number],
): void {
  const b = p.chest.breasts;
  if (!b) return;
  const tz = (z - b.c[2]) / b.r[2];
  if (Math.abs(tz) >= 1) return;
  const s = Math.sqrt(1 - tz * tz);
  const rx = b.r[0] * s;
  const ry = b.r[1] * s;
  const px = g.spacing;
  const [ba, bb] = body;
  for (const side of [-1, 1]) {
    const cx = side * Math.abs(b.c[0]);
    const cy = b.c[1];
    const box = bounds(g, cx, cy, rx + 2, ry + 2);
    if (!box) continue;
    for (let j = box[2]; j <= box[3]; j++) {
      const y = g.y0 + j * px;
      if (y > 0) continue;
      for (let i = box[0]; i <= box[1]; i++) {
        const x = g.x0 + i * px;
        const q = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
        const skin = (1 - q) * Math.min(rx, ry);
        const a = clamp01(0.5 + skin / px);
        if (a <= 0) continue;
        const k = j * g.size + i;
        const gland = q < 0.8 && p.fine.at(x * 1.7, y * 1.7, z * 1.7) > 1 - 2 * b.gland;
        const v = skin < 1.5 ? 25 : gland ? b.glandHU : -100 + 10 * p.fine.at(x, y, z);
        const bodySkin = (1 - Math.sqrt((x / ba) ** 2 + (y / bb) ** 2)) * Math.min(ba, bb);
        if (hu[k] < -300) hu[k] = hu[k] * (1 - a) + v * a;
        else if (bodySkin < 2.5 && skin > 2) hu[k] = v; // the body's skin line runs inside the breast
      }
    }
  }
}

function drawArms(
  p: Prepared,
  g: SliceGrid,
  z: number,
  hu: Float32Array,
  body: readonly [number, number],
): void {
  const arm = p.chest.arms;
  if (!arm) return;
  const px = g.spacing;
  const rx = arm.r * 0.85;
  const ry = arm.r * 1.12;
  for (const side of [-1, 1]) {
    const cx = side * (body[0] + arm.gap + rx);
    const cy = arm.y;
    const hx = cx + side * arm.humerusOffset[0];
    const hy = cy + arm.humerusOffset[1];
    const i0 = Math.max(0, Math.floor((cx - rx - 2 - g.x0) / px));
    const i1 = Math.min(g.size - 1, Math.ceil((cx + rx + 2 - g.x0) / px));
    const j0 = Math.max(0, Math.floor((cy - ry - 2 - g.y0) / px));
    const j1 = Math.min(g.size - 1, Math.ceil((cy + ry + 2 - g.y0) / px));
    for (let j = j0; j <= j1; j++) {
      const y = g.y0 + j * px;
      for (let i = i0; i <= i1; i++) {
        const x = g.x0 + i * px;
        const q = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
        const skin = (1 - q) * Math.min(rx, ry);
        const a = clamp01(0.5 + skin / px);
        if (a <= 0) continue;
        let v: number;
        if (skin < 1.5) v = 25;
        else if (skin < arm.fat) v = -100 + 10 * p.fine.at(x, y, z);
        else v = 52 + 8 * p.fine.at(x, y, z);
        const hd = Math.hypot(x - hx, y - hy) - arm.humerusR;
        if (hd < px) {
          const inBone = clamp01(0.5 - hd / px);
          const inMarrow = clamp01(0.5 - (hd + 2.8) / px);
          const bone = arm.cortexHU * (1 - inMarrow) + 40 * inMarrow;
          v = v * (1 - inBone) + bone * inBone;
        }
        const k = j * g.size + i;
        hu[k] = hu[k] * (1 - a) + v * a;
      }
    }
  }
}

function drawTable(p: Prepared, g: SliceGrid, hu: Float32Array): void {
  const t = p.chest.table;
  const dep = p.chest.dependent;
  const px = g.spacing;
  const gap = t.top - p.chest.flat;
  for (let i = 0; i < g.size; i++) {
    const x = g.x0 + i * px;
    const dx = x - t.x;
    const edge = t.halfWidth - Math.abs(dx);
    const rail = t.rails && Math.abs(Math.abs(dx) - t.halfWidth * 0.62) < 7;
    if (edge < -px && !rail) continue;
    const top = t.top - t.curve * dx * dx;
    const bottom = t.top + t.depth - 0.4 * t.curve * dx * dx;
    const lo = top - (t.pad > 0 ? gap : 0) - 1;
    const hi = bottom + (rail ? 18 : 0) + 1;
    // Rows whose |y| on the dependent side is within [lo, hi].
    const ya = dep > 0 ? lo : -hi;
    const yb = dep > 0 ? hi : -lo;
    const j0 = Math.max(0, Math.floor((ya - g.y0) / px));
    const j1 = Math.min(g.size - 1, Math.ceil((yb - g.y0) / px));
    for (let j = j0; j <= j1; j++) {
      const y = dep * (g.y0 + j * px);
      const k = j * g.size + i;
      if (hu[k] > -990) continue;
      let v = -1000;
      let a = 0;
      if (edge > -px && y > top - px / 2 && y < bottom + px / 2) {
        const inside = Math.min(y - top, bottom - y, edge);
        a = clamp01(0.5 + inside / px);
        v = inside < t.shell ? t.shellHU : t.coreHU;
      } else if (t.pad > 0 && edge > 0 && y < top && y > top - gap) {
        a = clamp01(0.5 + Math.min(top - y, y - (top - gap)) / px);
        v = t.padHU;
      } else if (rail && y >= bottom && y < bottom + 18) {
        a = 1;
        v = 900;
      }
      hu[k] = -1000 * (1 - a) + v * a;
    }
  }
}

function drawCapsule(img: Float32Array, depthMap: Float32Array, g: SliceGrid, c: PCapsule, z: number): void {
  const r = c.rMax;
  let tLo = 0;
  let tHi = 1;
  if (Math.abs(c.abz) > 1e-6) {
    const t1 = (z - r - c.az) / c.abz;
    const t2 = (z + r - c.az) / c.abz;
    tLo = Math.max(0, Math.min(t1, t2));
    tHi = Math.min(1, Math.max(t1, t2));
    if (tLo > tHi) return;
  } else if (Math.abs(z - c.az) > r) return;
  const xa = c.ax + c.abx * tLo;
  const xb = c.ax + c.abx * tHi;
  const ya = c.ay + c.aby * tLo;
  const yb = c.ay + c.aby * tHi;
  const px = g.spacing;
  const inv = 1 / px;
  const i0 = Math.max(0, Math.floor((Math.min(xa, xb) - r - px - g.x0) * inv));
  const i1 = Math.min(g.size - 1, Math.ceil((Math.max(xa, xb) + r + px - g.x0) * inv));
  const j0 = Math.max(0, Math.floor((Math.min(ya, yb) - r - px - g.y0) * inv));
  const j1 = Math.min(g.size - 1, Math.ceil((Math.max(ya, yb) + r + px - g.y0) * inv));
  if (i0 > i1 || j0 > j1) return;
  const apz = z - c.az;
  const il = 1 / c.len2;
  for (let j = j0; j <= j1; j++) {
    const apy = g.y0 + j * px - c.ay;
    const row = j * g.size;
    for (let i = i0; i <= i1; i++) {
      const apx = g.x0 + i * px - c.ax;
      let t = (apx * c.abx + apy * c.aby + apz * c.abz) * il;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const qx = apx - c.abx * t;
      const qy = apy - c.aby * t;
      const qz = apz - c.abz * t;
      const d = Math.sqrt(qx * qx + qy * qy + qz * qz) - (c.r + c.dr * t);
      let alpha = 0.5 - d * inv;
      if (alpha <= 0) continue;
      if (alpha > 1) alpha = 1;
      const k = row + i;
      if (c.clip) {
        // Pulmonary vessels and bronchi stay inside the lungs (and the hilum).
        const depth = depthMap[k];
        if (depth < -6) continue;
        alpha *= clamp01(0.5 + (depth + 3) * inv);
      }
      img[k] += (c.hu - img[k]) * alpha;
    }
  }
}

function drawFissures(img: Float32Array, depthMap: Float32Array, g: SliceGrid, z: number, p: Prepared): void {
  const px = g.spacing;
  const B = 8;
  const blocks = Math.ceil(g.size / B);
  for (const s of p.fissures) {
    const f = s.f;
    const nxy = Math.hypot(f.normal[0], f.normal[1]);
    const half = f.thickness / 2;
    const contrast = f.mass / f.thickness;
    // Across one pixel the distance changes by about px·|n_xy|: the pixel's coverage of the sheet.
    const w = Math.max(0.05, px * nxy);
    const reach = half + w / 2;
    const lip = (B * px * 0.75 + 1) * (nxy + 0.6);
    for (let bj = 0; bj < blocks; bj++) {
      for (let bi = 0; bi < blocks; bi++) {
        const xc = g.x0 + (bi * B + B / 2) * px;
        const yc = g.y0 + (bj * B + B / 2) * px;
        if (Math.sign(xc) !== f.side && Math.abs(xc) > B * px) continue;
        if (Math.abs(s.distance(xc, yc, z)) > reach + lip) continue;
        const jEnd = Math.min(g.size, bj * B + B);
        const iEnd = Math.min(g.size, bi * B + B);
        for (let j = bj * B; j < jEnd; j++) {
          const y = g.y0 + j * px;
          for (let i = bi * B; i < iEnd; i++) {
            const x = g.x0 + i * px;
            if ((x < 0 ? -1 : 1) !== f.side) continue;
            const k = j * g.size + i;
            const depth = depthMap[k];
            if (depth < 0.5) continue;
            const d = Math.abs(s.distance(x, y, z));
            if (d >= reach) continue;
            const cover = Math.min(1, (Math.min(d + w / 2, half) - Math.max(d - w / 2, -half)) / w);
            if (cover <= 0) continue;
            const presence = s.presence(x, y, z);
            if (presence <= 0) continue;
            const alpha = cover * presence * clamp01(depth - 0.5);
            img[k] += alpha * contrast * (1 + 0.4 * s.density.at(x, y, z));
          }
        }
      }
    }
  }
}

function bounds(
  g: SliceGrid,
  cx: number,
  cy: number,
  ex: number,
  ey: number,
): [number, number, number, number] | null {
  const px = g.spacing;
  const i0 = Math.max(0, Math.floor((cx - ex - g.x0) / px));
  const i1 = Math.min(g.size - 1, Math.ceil((cx + ex - g.x0) / px));
  const j0 = Math.max(0, Math.floor((cy - ey - g.y0) / px));
  const j1 = Math.min(g.size - 1, Math.ceil((cy + ey - g.y0) / px));
  return i0 > i1 || j0 > j1 ? null : [i0, i1, j0, j1];
}

function drawPlate(img: Float32Array, depthMap: Float32Array, g: SliceGrid, p: PPlate, z: number): void {
  if (z < p.zLo || z > p.zHi) return;
  const b = bounds(g, p.c[0], p.c[1], p.ext[0], p.ext[1]);
  if (!b) return;
  const px = g.spacing;
  const round = p.halfT * 0.9;
  const dz = z - p.c[2];
  for (let j = b[2]; j <= b[3]; j++) {
    const dy = g.y0 + j * px - p.c[1];
    for (let i = b[0]; i <= b[1]; i++) {
      const dx = g.x0 + i * px - p.c[0];
      const qu = Math.abs(dx * p.u[0] + dy * p.u[1] + dz * p.u[2]) - (p.halfU - round);
      const qv = Math.abs(dx * p.v[0] + dy * p.v[1] + dz * p.v[2]) - (p.halfV - round);
      const qn = Math.abs(dx * p.n[0] + dy * p.n[1] + dz * p.n[2]) - (p.halfT - round);
      const out = Math.hypot(Math.max(qu, 0), Math.max(qv, 0), Math.max(qn, 0));
      const d = out + Math.min(Math.max(qu, qv, qn), 0) - round;
      let alpha = clamp01(0.5 - d / px);
      if (alpha <= 0) continue;
      const k = j * g.size + i;
      if (p.clip === 'lung') alpha *= clamp01(0.5 + (depthMap[k] - 0.3) / px);
      img[k] += (p.hu - img[k]) * alpha;
    }
  }
}

function drawHole(img: Float32Array, depthMap: Float32Array, g: SliceGrid, h: PHole, z: number): void {
  const dz = z - h.c[2];
  const rr = h.r + 1;
  if (Math.abs(dz) > rr) return;
  const e = Math.sqrt(rr * rr - dz * dz);
  const b = bounds(g, h.c[0], h.c[1], e, e);
  if (!b) return;
  const px = g.spacing;
  for (let j = b[2]; j <= b[3]; j++) {
    const dy = g.y0 + j * px - h.c[1];
    for (let i = b[0]; i <= b[1]; i++) {
      const dx = g.x0 + i * px - h.c[0];
      const d = Math.sqrt(dx * dx + dy * dy + dz * dz) - h.r;
      const k = j * g.size + i;
      const lung = clamp01(0.5 + (depthMap[k] - 0.5) / px);
      if (lung <= 0) continue;
      if (h.rim !== null) {
        const rim = clamp01(1 - Math.abs(d - 0.35) / (0.3 + px / 2)) * 0.7 * lung;
        if (rim > 0) img[k] += (h.rim - img[k]) * rim;
      }
      const alpha = clamp01(0.5 - d / px) * lung;
      if (alpha > 0) img[k] += (h.hu - img[k]) * alpha;
    }
  }
}

/** Local coordinates of (dx, dy, dz) in a frame. */
function local(rot: Mat3, dx: number, dy: number, dz: number): [number, number, number] {
  const [a, b, c] = rot;
  return [
    dx * a[0] + dy * a[1] + dz * a[2],
    dx * b[0] + dy * b[1] + dz * b[2],
    dx * c[0] + dy * c[1] + dz * c[2],
  ];
}

function drawBlob(img: Float32Array, depthMap: Float32Array, g: SliceGrid, o: PBlob, z: number): void {
  const dz = z - o.c[2];
  if (Math.abs(dz) > o.ext) return;
  const b = bounds(g, o.c[0], o.c[1], o.ext, o.ext);
  if (!b) return;
  const px = g.spacing;
  const [ax, ay, az] = o.axes;
  for (let j = b[2]; j <= b[3]; j++) {
    const dy = g.y0 + j * px - o.c[1];
    for (let i = b[0]; i <= b[1]; i++) {
      const dx = g.x0 + i * px - o.c[0];
      const [u, v, w] = local(o.rot, dx, dy, dz);
      const q = Math.sqrt((u / ax) ** 2 + (v / ay) ** 2 + (w / az) ** 2);
      const len = Math.sqrt(u * u + v * v + w * w);
      const d = q > 1e-6 ? (q - 1) * (len / q) : -ax;
      let alpha = clamp01(0.5 - d / px);
      if (alpha <= 0) continue;
      const k = j * g.size + i;
      if (o.clip === 'lung') alpha *= clamp01(0.5 + depthMap[k] / px);
      const under = img[k];
      if (o.kind === 'lymph-node' && under > 120) continue;
      const v2 = under + (o.hu - under) * alpha;
      img[k] = o.kind === 'granuloma' ? Math.max(v2, under) : v2;
    }
  }
}

function noduleHU(n: Nodule, x: number, y: number, z: number, tex: ValueNoise3): number {
  switch (n.type) {
    case 'solid':
      return n.hu + 8 * tex.at(x * 3, y * 3, z * 3);
    case 'calcified':
      return n.hu + (n.calcifiedCore === null ? 40 : 8) * tex.at(x * 2, y * 2, z * 2);
    case 'ground-glass':
    case 'part-solid':
      // Ground glass is heterogeneous: a bubbly texture around the mean density.
      return n.hu + 70 * tex.at(x * 2.5, y * 2.5, z * 2.5);
  }
}

function drawNodule(
  img: Float32Array,
  depthMap: Float32Array,
  g: SliceGrid,
  pn: PNodule,
  z: number,
  tex: ValueNoise3,
): void {
  const n = pn.n;
  const ext = pn.ext;
  if (Math.abs(z - n.center[2]) > ext) return;
  const b = bounds(g, n.center[0], n.center[1], ext, ext);
  if (!b) return;
  const px = g.spacing;
  const core =
    n.solidDiameter !== null ? n.solidDiameter / 2 : n.calcifiedCore !== null ? n.calcifiedCore / 2 : 0;
  for (let j = b[2]; j <= b[3]; j++) {
    const y = g.y0 + j * px;
    for (let i = b[0]; i <= b[1]; i++) {
      const x = g.x0 + i * px;
      const d = noduleSdf(n, x, y, z);
      let alpha = clamp01(0.5 - d / px);
      if (alpha <= 0) continue;
      const k = j * g.size + i;
      if (n.clipToLung) alpha *= clamp01(0.5 + depthMap[k] / px);
      if (alpha <= 0) continue;
      let hu = noduleHU(n, x, y, z, tex);
      if (core > 0) {
        const dc = Math.hypot(x - n.center[0], y - n.center[1], z - n.center[2]) - core;
        const ac = clamp01(0.5 - dc / px);
        hu = hu * (1 - ac) + (n.solidHU + 8 * tex.at(x * 3, y * 3, z * 3)) * ac;
      }
      // Nodules displace lung; denser structures they touch (vessels, pleura, bone) stay visible.
      const under = img[k];
      img[k] = Math.max(under * (1 - alpha) + hu * alpha, under);
    }
  }
}

/** Draw the fine structures of height z over a background. */
function drawFine(p: Prepared, g: SliceGrid, z: number, img: Float32Array, depth: Float32Array): void {
  for (const h of p.holes.at(z)) if (z >= h.zLo && z <= h.zHi) drawHole(img, depth, g, h, z);
  drawFissures(img, depth, g, z, p);
  for (const pl of p.plates.at(z)) drawPlate(img, depth, g, pl, z);
  for (const c of p.capsules.at(z)) if (z >= c.zLo && z <= c.zHi) drawCapsule(img, depth, g, c, z);
  for (const o of p.blobs.at(z)) if (z >= o.zLo && z <= o.zHi) drawBlob(img, depth, g, o, z);
  for (const n of p.noduleIndex.at(z)) if (z >= n.zLo && z <= n.zHi) drawNodule(img, depth, g, n, z, p.fine);
}

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
