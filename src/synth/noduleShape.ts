/**
 * A synthetic nodule as drawn: its record (type, margin, location, shape, frame, lobulation, spicules,
 * density), the implicit surface the renderer samples (`noduleSdf`) and its extent, and the truth
 * measured on that shape (`measureNodule`: centre, long and short axes, volume). `nodules.ts` places
 * nodules in a chest and re-exports these names.
 */
import type { Vec3 } from '../dicom/geometry';
import { lungDepth, type Chest, type Mat3 } from './anatomy';
import { ValueNoise3 } from './noise';
import type { NoduleType } from '../findings/types';

export type { NoduleType };
export type NoduleMargin = 'smooth' | 'lobulated' | 'spiculated';
export type NoduleLocation = 'intraparenchymal' | 'juxtavascular' | 'juxtapleural' | 'perifissural';
export type NoduleShape = 'ellipsoid' | 'lobulated' | 'spiculated' | 'irregular' | 'lentiform';

export interface Spicule {
  readonly dir: Vec3;
  readonly length: number;
  readonly radius: number;
}

/** What the truth says about a nodule, measured on the shape as drawn (spicules left out). */
export interface NoduleMeasure {
  /** Centre: the nodule's own centre, or the centroid of its visible part when the pleura cuts it. */
  readonly center: Vec3;
  /** Long and short axes of the axial section through the centre (from its second moments). */
  readonly longAxis: number;
  readonly shortAxis: number;
  readonly volume: number;
}

export interface Nodule {
  readonly type: NoduleType;
  readonly margin: NoduleMargin;
  readonly location: NoduleLocation;
  readonly shape: NoduleShape;
  readonly center: Vec3;
  /** Semi-axes (mm) in the nodule's own frame. */
  readonly axes: Vec3;
  /** The nodule's frame: rows are its local axes in patient coordinates. */
  readonly rot: Mat3;
  /** Lobulation: amplitude (fraction of radius) and integer frequencies. */
  readonly lobes: readonly { amp: number; k: number; phase: number; kz: number }[];
  readonly spicules: readonly Spicule[];
  /** Irregular surface: amplitude (fraction of radius) and frequency of a noise on the direction. */
  readonly irregular: number;
  readonly irregularFreq: number;
  /** Mean HU of the (outer) nodule tissue. */
  readonly hu: number;
  /** Part-solid: diameter of the solid core (mm); its HU. Calcified 'central': a dense core. */
  readonly solidDiameter: number | null;
  readonly solidHU: number;
  readonly calcifiedCore: number | null;
  readonly textureSeed: number;
  /** Drawn only inside the lung: a juxtapleural nodule's part beyond the pleura is not lung nodule. */
  readonly clipToLung: boolean;
  /**
   * Ill-defined margin of the ground-glass tissue (training profile): the width in mm over which its
   * density fades into the lung, centred on the surface (so the measured diameter is unchanged). Absent
   * or 0: a sharp margin, partial volume over one pixel.
   */
  readonly haze?: number;
  readonly measure: NoduleMeasure;
}

/** Mean diameter as a radiologist measures it: mean of long and short axes on the axial section. */
export function meanDiameter(n: Nodule): number {
  return (n.measure.longAxis + n.measure.shortAxis) / 2;
}

export function longAxis(n: Nodule): number {
  return n.measure.longAxis;
}

export function shortAxis(n: Nodule): number {
  return n.measure.shortAxis;
}

export function volume(n: Nodule): number {
  return n.measure.volume;
}

const shapeNoise = new WeakMap<Nodule, ValueNoise3>();

function irregularNoise(n: Nodule): ValueNoise3 {
  let v = shapeNoise.get(n);
  if (!v) {
    v = new ValueNoise3(n.textureSeed ^ 0x68e31da4, 1);
    shapeNoise.set(n, v);
  }
  return v;
}

/**
 * Signed distance-like value of the nodule body at a point (negative inside), in mm: radial distance
 * to the (lobulated, perturbed) ellipsoid surface. Spicules are thin tapering cones added outside.
 */
export function noduleSdf(n: Nodule, x: number, y: number, z: number, spicules = true): number {
  const dx = x - n.center[0];
  const dy = y - n.center[1];
  const dz = z - n.center[2];
  const [r0, r1, r2] = n.rot;
  const u = dx * r0[0] + dy * r0[1] + dz * r0[2];
  const w = dx * r1[0] + dy * r1[1] + dz * r1[2];
  const h = dx * r2[0] + dy * r2[1] + dz * r2[2];
  const [a, b, c] = n.axes;
  const q = Math.sqrt((u / a) ** 2 + (w / b) ** 2 + (h / c) ** 2);
  const len = Math.sqrt(u * u + w * w + h * h);
  const ray = q > 1e-6 ? len / q : (a + b + c) / 3;
  let radiusScale = 1;
  if (n.lobes.length > 0) {
    const theta = Math.atan2(w, u);
    const phi = Math.atan2(h, Math.hypot(u, w));
    for (const l of n.lobes) radiusScale += l.amp * Math.sin(l.k * theta + l.kz * phi + l.phase);
  }
  if (n.irregular > 0 && len > 1e-6) {
    const f = n.irregularFreq / len;
    radiusScale += n.irregular * irregularNoise(n).at(u * f + 17.3, w * f - 5.1, h * f + 9.7);
  }
  let d = (q - radiusScale) * ray;
  if (spicules) {
    const mean = (a + b + c) / 3;
    for (const s of n.spicules) {
      // Distance to a cone from the surface outwards, tapering to a point.
      const base = mean * 0.8;
      const px = dx - s.dir[0] * base;
      const py = dy - s.dir[1] * base;
      const pz = dz - s.dir[2] * base;
      const t = Math.max(0, Math.min(1, (px * s.dir[0] + py * s.dir[1] + pz * s.dir[2]) / s.length));
      const cx = px - s.dir[0] * s.length * t;
      const cy = py - s.dir[1] * s.length * t;
      const cz = pz - s.dir[2] * s.length * t;
      const ds = Math.hypot(cx, cy, cz) - s.radius * (1 - t);
      if (ds < d) d = ds;
    }
  }
  return d;
}

/** Bounding half-extent (mm) of everything the nodule draws, about its centre. */
export function noduleExtent(n: Nodule): number {
  const bump = 1 + n.irregular + n.lobes.reduce((s, l) => s + l.amp, 0);
  const r = Math.max(...n.axes) * bump;
  const spike = n.spicules.reduce((m, s) => Math.max(m, s.length + Math.max(...n.axes)), 0);
  return Math.max(r, spike) + 2 + (n.haze ?? 0) / 2;
}

/** Semi-axes of the axial (z = const) section through the centre of an ellipsoid with frame `rot`. */
export function axialSectionAxes(axes: Vec3, rot: Mat3): [number, number] {
  // Quadric A = Rᵀ diag(1/a²) R restricted to x, y.
  let axx = 0;
  let axy = 0;
  let ayy = 0;
  for (let k = 0; k < 3; k++) {
    const inv = 1 / (axes[k] * axes[k]);
    const row = rot[k];
    axx += row[0] * row[0] * inv;
    axy += row[0] * row[1] * inv;
    ayy += row[1] * row[1] * inv;
  }
  const tr = (axx + ayy) / 2;
  const det = Math.sqrt(((axx - ayy) / 2) ** 2 + axy * axy);
  return [1 / Math.sqrt(Math.max(1e-9, tr - det)), 1 / Math.sqrt(tr + det)];
}

/**
 * Measure a nodule as drawn: volume and (for clipped ones) the centroid on a 3D grid, then the second
 * moments of the axial section through the centre on a fine 2D grid. For a filled ellipse, the variance
 * along an axis is (semi-axis)²/4, so an axis is 4√λ.
 */
export function measureNodule(n: Omit<Nodule, 'measure'>, chest: Chest | null): NoduleMeasure {
  const probe = { ...n, measure: { center: n.center, longAxis: 0, shortAxis: 0, volume: 0 } } as Nodule;
  const ext = noduleExtent(probe);
  const clip = n.clipToLung && chest !== null;
  const inside = (x: number, y: number, z: number): boolean =>
    noduleSdf(probe, x, y, z, false) < 0 && (!clip || lungDepth(chest, x, y, z) > 0);
  const step3 = Math.max(0.12, (2 * ext) / 56);
  let count = 0;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let k = -ext; k <= ext; k += step3) {
    for (let j = -ext; j <= ext; j += step3) {
      for (let i = -ext; i <= ext; i += step3) {
        const x = n.center[0] + i;
        const y = n.center[1] + j;
        const z = n.center[2] + k;
        if (!inside(x, y, z)) continue;
        count++;
        sx += x;
        sy += y;
        sz += z;
      }
    }
  }
  const volume = count * step3 ** 3;
  const center: Vec3 = clip && count > 0 ? [sx / count, sy / count, sz / count] : n.center;
  const step2 = Math.max(0.05, (2 * ext) / 260);
  let m = 0;
  let mx = 0;
  let my = 0;
  let mxx = 0;
  let myy = 0;
  let mxy = 0;
  for (let j = -ext; j <= ext; j += step2) {
    for (let i = -ext; i <= ext; i += step2) {
      if (!inside(center[0] + i, center[1] + j, center[2])) continue;
      m++;
      mx += i;
      my += j;
      mxx += i * i;
      myy += j * j;
      mxy += i * j;
    }
  }
  if (m === 0) return { center, longAxis: 0, shortAxis: 0, volume };
  mx /= m;
  my /= m;
  const vxx = mxx / m - mx * mx;
  const vyy = myy / m - my * my;
  const vxy = mxy / m - mx * my;
  const tr = (vxx + vyy) / 2;
  const det = Math.sqrt(((vxx - vyy) / 2) ** 2 + vxy * vxy);
  return {
    center,
    longAxis: 4 * Math.sqrt(tr + det),
    shortAxis: 4 * Math.sqrt(Math.max(0, tr - det)),
    volume,
  };
}
