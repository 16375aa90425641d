/**
 * Synthetic pulmonary nodules: type, size, shape (ellipsoid, lobulated, spiculated), location
 * (intraparenchymal, juxtapleural, perifissural) and the implicit surface the renderer samples.
 */
import type { Vec3 } from '../dicom/geometry';
import { lungDepth, type Capsule, type Chest, type Fissure } from './anatomy';
import type { Rng } from './rng';

export type NoduleType = 'solid' | 'part-solid' | 'ground-glass' | 'calcified';
export type NoduleMargin = 'smooth' | 'lobulated' | 'spiculated';
export type NoduleLocation = 'intraparenchymal' | 'juxtapleural' | 'perifissural';

export interface Spicule {
  readonly dir: Vec3;
  readonly length: number;
  readonly radius: number;
}

export interface Nodule {
  readonly type: NoduleType;
  readonly margin: NoduleMargin;
  readonly location: NoduleLocation;
  readonly center: Vec3;
  /** Semi-axes (mm): a and b in the axial plane (before rotation), c along z. */
  readonly axes: Vec3;
  /** Rotation about z (radians). */
  readonly angle: number;
  /** Lobulation: amplitude (fraction of radius) and integer frequencies. */
  readonly lobes: readonly { amp: number; k: number; phase: number; kz: number }[];
  readonly spicules: readonly Spicule[];
  /** Mean HU of the (outer) nodule tissue. */
  readonly hu: number;
  /** Part-solid: diameter of the solid core (mm); its HU. */
  readonly solidDiameter: number | null;
  readonly solidHU: number;
  readonly textureSeed: number;
}

/** Mean diameter as a radiologist measures it: mean of long and short axes on the axial section. */
export function meanDiameter(n: Nodule): number {
  return n.axes[0] + n.axes[1];
}

export function longAxis(n: Nodule): number {
  return 2 * Math.max(n.axes[0], n.axes[1]);
}

export function shortAxis(n: Nodule): number {
  return 2 * Math.min(n.axes[0], n.axes[1]);
}

export function volume(n: Nodule): number {
  return (4 / 3) * Math.PI * n.axes[0] * n.axes[1] * n.axes[2];
}

/**
 * Signed distance-like value of the nodule body at a point (negative inside), in mm. Lobulation modulates
 * the radius; spicules are thin tapering cones added outside.
 */
export function noduleSdf(n: Nodule, x: number, y: number, z: number): number {
  const dx = x - n.center[0];
  const dy = y - n.center[1];
  const dz = z - n.center[2];
  const cos = Math.cos(n.angle);
  const sin = Math.sin(n.angle);
  const u = dx * cos + dy * sin;
  const w = -dx * sin + dy * cos;
  const [a, b, c] = n.axes;
  const q = Math.sqrt((u / a) ** 2 + (w / b) ** 2 + (dz / c) ** 2);
  let radiusScale = 1;
  if (n.lobes.length > 0) {
    const theta = Math.atan2(w, u);
    const phi = Math.atan2(dz, Math.hypot(u, w));
    for (const l of n.lobes) radiusScale += l.amp * Math.sin(l.k * theta + l.kz * phi + l.phase);
  }
  const mean = (a + b + c) / 3;
  let d = (q - radiusScale) * mean;
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
  return d;
}

/** Bounding half-extent (mm) of everything the nodule draws. */
export function noduleExtent(n: Nodule): number {
  const r = Math.max(...n.axes) * 1.3;
  const spike = n.spicules.reduce((m, s) => Math.max(m, s.length + Math.max(...n.axes)), 0);
  return Math.max(r, spike) + 2;
}

function sampleDiameter(rng: Rng): number {
  // Weighted towards small nodules: most are 3–8 mm, a few up to 30 mm.
  const u = rng.next();
  return 3 + 27 * u ** 2.6;
}

function distanceToCapsule(p: Vec3, s: Capsule): number {
  const ab: Vec3 = [s.b[0] - s.a[0], s.b[1] - s.a[1], s.b[2] - s.a[2]];
  const ap: Vec3 = [p[0] - s.a[0], p[1] - s.a[1], p[2] - s.a[2]];
  const len2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2 || 1;
  const t = Math.max(0, Math.min(1, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2));
  return Math.hypot(ap[0] - ab[0] * t, ap[1] - ab[1] * t, ap[2] - ab[2] * t) - s.r;
}

function clearOfVessels(chest: Chest, p: Vec3, radius: number): boolean {
  for (const s of chest.capsules) {
    if (
      (s.kind === 'vessel' || s.kind === 'bronchus-wall') &&
      s.r > 1.2 &&
      distanceToCapsule(p, s) < radius + 1.5
    )
      return false;
  }
  return true;
}

function randomLungPoint(rng: Rng, chest: Chest, margin: number): Vec3 | null {
  for (let i = 0; i < 400; i++) {
    const p: Vec3 = [
      rng.uniform(-chest.bodyA, chest.bodyA),
      rng.uniform(-chest.bodyB, chest.bodyB),
      rng.uniform(chest.zDomeLeft - 20, chest.zApex - 15),
    ];
    if (lungDepth(chest, p[0], p[1], p[2]) > margin) return p;
  }
  return null;
}

/** March from a lung point towards the chest wall and stop where the nodule just touches the pleura. */
function juxtapleuralPoint(rng: Rng, chest: Chest, radius: number): Vec3 | null {
  const start = randomLungPoint(rng, chest, radius + 8);
  if (!start) return null;
  const side = start[0] < 0 ? -1 : 1;
  const dir: Vec3 = [side * rng.uniform(0.6, 1), rng.uniform(-0.8, 0.8), rng.uniform(-0.2, 0.2)];
  const len = Math.hypot(...dir);
  let p = start;
  for (let s = 0; s < 400; s++) {
    const next: Vec3 = [p[0] + dir[0] / len, p[1] + dir[1] / len, p[2] + dir[2] / len];
    if (lungDepth(chest, next[0], next[1], next[2]) < radius * 0.85) return p;
    p = next;
  }
  return null;
}

function perifissuralPoint(rng: Rng, chest: Chest, radius: number): { p: Vec3; fissure: Fissure } | null {
  for (let i = 0; i < 60; i++) {
    const fissure = rng.pick(chest.fissures);
    const q = randomLungPoint(rng, chest, radius + 4);
    if (!q || Math.sign(q[0]) !== fissure.side) continue;
    const n = fissure.normal;
    const d =
      (q[0] - fissure.point[0]) * n[0] + (q[1] - fissure.point[1]) * n[1] + (q[2] - fissure.point[2]) * n[2];
    const off = (rng.chance(0.5) ? 1 : -1) * radius * 0.9;
    const p: Vec3 = [q[0] - n[0] * (d - off), q[1] - n[1] * (d - off), q[2] - n[2] * (d - off)];
    if (lungDepth(chest, p[0], p[1], p[2]) > radius + 3) return { p, fissure };
  }
  return null;
}

export interface NoduleRequest {
  readonly type?: NoduleType;
  readonly diameter?: number;
  readonly margin?: NoduleMargin;
  readonly location?: NoduleLocation;
}

/** Make one nodule (with placement) or null if no valid place was found. */
export function makeNodule(
  rng: Rng,
  chest: Chest,
  placed: readonly Nodule[],
  req: NoduleRequest = {},
): Nodule | null {
  const type =
    req.type ??
    rng.weighted<NoduleType>([
      ['solid', 0.5],
      ['ground-glass', 0.2],
      ['part-solid', 0.15],
      ['calcified', 0.15],
    ]);
  let diameter = req.diameter ?? sampleDiameter(rng);
  if (type === 'part-solid') diameter = Math.max(diameter, 6);
  if (type === 'ground-glass') diameter = Math.max(diameter, 4);
  if (type === 'calcified') diameter = Math.min(diameter, 12);
  const margin =
    req.margin ??
    (type === 'calcified' || diameter < 6
      ? rng.weighted<NoduleMargin>([
          ['smooth', 0.85],
          ['lobulated', 0.15],
        ])
      : rng.weighted<NoduleMargin>([
          ['smooth', 0.5],
          ['lobulated', 0.3],
          ['spiculated', type === 'ground-glass' ? 0 : 0.2],
        ]));
  const location =
    req.location ??
    (type === 'solid' && diameter < 10
      ? rng.weighted<NoduleLocation>([
          ['intraparenchymal', 0.6],
          ['juxtapleural', 0.25],
          ['perifissural', 0.15],
        ])
      : rng.weighted<NoduleLocation>([
          ['intraparenchymal', 0.8],
          ['juxtapleural', 0.2],
        ]));
  const elong = rng.uniform(0.72, 1);
  const a = (diameter / 2) * (2 / (1 + elong)); // a + b = diameter, b = a × elong
  const b = a * elong;
  const cz = ((a + b) / 2) * rng.uniform(0.8, 1.1);
  const r = Math.max(a, b, cz);
  for (let attempt = 0; attempt < 150; attempt++) {
    let center: Vec3 | null = null;
    let angle = rng.uniform(0, Math.PI);
    if (location === 'juxtapleural') center = juxtapleuralPoint(rng, chest, r);
    else if (location === 'perifissural') {
      const pf = perifissuralPoint(rng, chest, r);
      center = pf?.p ?? null;
      // Perifissural nodules are flattened along the fissure.
      angle = 0;
    } else center = randomLungPoint(rng, chest, r + 4);
    if (!center) continue;
    if (location === 'intraparenchymal' && !clearOfVessels(chest, center, r)) continue;
    if (
      placed.some(
        (o) =>
          Math.hypot(o.center[0] - center[0], o.center[1] - center[1], o.center[2] - center[2]) <
          r + Math.max(...o.axes) + 15,
      )
    ) {
      continue;
    }
    const lobes =
      margin === 'lobulated'
        ? Array.from({ length: rng.int(2, 3) }, () => ({
            amp: rng.uniform(0.05, 0.11),
            k: rng.int(3, 5),
            phase: rng.uniform(0, 2 * Math.PI),
            kz: rng.int(0, 2),
          }))
        : [];
    const spicules: Spicule[] =
      margin === 'spiculated'
        ? Array.from({ length: rng.int(6, 12) }, () => {
            const d: Vec3 = [rng.normal(), rng.normal(), rng.normal() * 0.6];
            const l = Math.hypot(...d) || 1;
            return {
              dir: [d[0] / l, d[1] / l, d[2] / l] as Vec3,
              length: rng.uniform(0.6, 1.3) * Math.max(4, diameter * 0.6),
              radius: rng.uniform(0.5, 0.9),
            };
          })
        : [];
    const hu =
      type === 'solid'
        ? rng.uniform(15, 55)
        : type === 'ground-glass'
          ? rng.uniform(-720, -480)
          : type === 'part-solid'
            ? rng.uniform(-680, -520)
            : rng.uniform(350, 850);
    return {
      type,
      margin,
      location,
      center,
      axes: [a, b, cz],
      angle,
      lobes,
      spicules,
      hu,
      solidDiameter: type === 'part-solid' ? Math.min(diameter * rng.uniform(0.3, 0.6), diameter - 2) : null,
      solidHU: rng.uniform(15, 45),
      textureSeed: Math.floor(rng.next() * 2 ** 31),
    };
  }
  return null;
}
