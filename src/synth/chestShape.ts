/**
 * Shape queries on a chest: the body outline and thoracic cavity at any height (with their irregularity),
 * distances to the chest wall, diaphragm, tubes and capsules, the signed lung depth, the lung boundary's
 * normal, the mediastinum, and random points inside the lung.
 */
import { dot, normalize, scale, sub, type Vec3 } from '../dicom/geometry';
import type { Capsule, Chest, Outline } from './chestTypes';
import { ValueNoise3 } from './noise';
import type { Rng } from './rng';

/** A random point in the lung at least `margin` mm from its boundary, optionally within a z range. */
export function randomLungPoint(
  rng: Rng,
  chest: Chest,
  margin: number,
  zRange?: readonly [number, number],
  tries = 400,
): Vec3 | null {
  const zLo = zRange ? zRange[0] : chest.zDomeLeft - 20;
  const zHi = zRange ? zRange[1] : chest.zApex - 15;
  for (let i = 0; i < tries; i++) {
    const p: Vec3 = [
      rng.uniform(-chest.bodyA, chest.bodyA),
      rng.uniform(-chest.bodyB, chest.bodyB),
      rng.uniform(zLo, zHi),
    ];
    if (lungDepth(chest, p[0], p[1], p[2]) > margin) return p;
  }
  return null;
}

const wobbleNoise = new Map<number, ValueNoise3>();

/**
 * Radial scale (about 1) of the body outline or the inner chest wall at the angle of (x, y) and height z:
 * two octaves of smooth noise, so that neither is a perfect ellipse.
 */
export function wobble(
  c: { readonly outline?: Outline },
  x: number,
  y: number,
  z: number,
  cavity: boolean,
): number {
  const o = c.outline;
  if (!o) return 1;
  let n = wobbleNoise.get(o.seed);
  if (!n) {
    n = new ValueNoise3(o.seed, 45);
    wobbleNoise.set(o.seed, n);
  }
  const k = 80 / (Math.hypot(x, y) || 1);
  const off = cavity ? 0 : 500;
  const v = n.at(x * k + off, y * k, z * 0.8) + 0.5 * n.at(x * k * 2.2 - off, y * k * 2.2 + 300, z * 1.7);
  return 1 + (cavity ? o.cavity : o.body) * v;
}

/** Semi-axes of the body outline at height z: the chest narrows towards the neck. */
export function bodyAxes(c: Pick<Chest, 'zApex' | 'bodyA' | 'bodyB'>, z: number): [number, number] {
  const top = c.zApex + 25;
  const t = z > top - 90 ? Math.max(0, (z - (top - 90)) / 120) : 0;
  return [c.bodyA * (1 - 0.35 * t * t), c.bodyB * (1 - 0.18 * t)];
}

/** Semi-axes of the thoracic cavity (inside the chest wall) at height z. */
export function cavityAxes(
  c: Pick<Chest, 'zApex' | 'bodyA' | 'bodyB' | 'fat' | 'muscle'>,
  z: number,
): [number, number] {
  const [a, b] = bodyAxes(c, z);
  return [a - c.fat - c.muscle - 6, b - c.fat - c.muscle - 4];
}

/** Distance from (x, y, z) to the segment a–b. */
export function segmentDistance(a: Vec3, b: Vec3, x: number, y: number, z: number): number {
  const abx = b[0] - a[0];
  const aby = b[1] - a[1];
  const abz = b[2] - a[2];
  const apx = x - a[0];
  const apy = y - a[1];
  const apz = z - a[2];
  const len2 = abx * abx + aby * aby + abz * abz || 1;
  let t = (apx * abx + apy * aby + apz * abz) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const qx = apx - abx * t;
  const qy = apy - aby * t;
  const qz = apz - abz * t;
  return Math.sqrt(qx * qx + qy * qy + qz * qz);
}

/** Signed distance (negative inside) from a point to a tapered capsule's surface. */
export function capsuleDistance(s: Capsule, p: Vec3): number {
  const ab = sub(s.b, s.a);
  const ap = sub(p, s.a);
  const len2 = dot(ab, ab) || 1;
  const t = Math.max(0, Math.min(1, dot(ap, ab) / len2));
  const q = sub(ap, scale(ab, t));
  return Math.hypot(q[0], q[1], q[2]) - (s.r + (s.rb - s.r) * t);
}

/**
 * Signed distance (mm, positive inside) from the inner chest wall: an ellipse, indented at the back where
 * the spine sits in the posterior wall with the lungs wrapping round it.
 */
export function cavityDistance(
  c: Pick<Chest, 'spineY'> & { readonly outline?: Outline },
  x: number,
  y: number,
  cavity: readonly [number, number],
  z = 0,
): number {
  const w = wobble(c, x, y, z, true);
  const ca = cavity[0] * w;
  const cb = cavity[1] * w;
  let b = cb;
  if (y > 0) {
    const front = c.spineY - 24;
    b = cb - Math.max(0, cb - front) * Math.exp(-((x / 34) ** 2));
  }
  const ex = x / ca;
  const ey = y / b;
  return (1 - Math.sqrt(ex * ex + ey * ey)) * Math.min(ca, b);
}

/** Height of the diaphragm surface under (x, y): a dome on each side, deepest posteriorly and laterally. */
export function diaphragmZ(
  c: Pick<Chest, 'domeAxes' | 'zDomeRight' | 'zDomeLeft' | 'recessDepth'>,
  x: number,
  y: number,
): number {
  const ca = c.domeAxes[0];
  const cb = c.domeAxes[1];
  const dome = x < 0 ? c.zDomeRight : c.zDomeLeft;
  const lx = (Math.abs(x) - 0.45 * ca) / (0.6 * ca);
  const ly = (y + 0.1 * cb) / (0.95 * cb);
  const d2 = lx * lx + ly * ly;
  return dome - c.recessDepth * Math.min(1.4, d2);
}

export type Frame = Pick<
  Chest,
  | 'zApex'
  | 'bodyA'
  | 'bodyB'
  | 'fat'
  | 'muscle'
  | 'spineY'
  | 'tubes'
  | 'heart'
  | 'domeAxes'
  | 'zDomeRight'
  | 'zDomeLeft'
  | 'recessDepth'
> & { readonly outline?: Outline };

/**
 * Signed "inside the lung" value at (x, y, z): positive inside, with magnitude roughly the distance in mm
 * to the nearest lung boundary (chest wall, mediastinum, heart, diaphragm or apex).
 */
export function lungDepth(
  c: Frame,
  x: number,
  y: number,
  z: number,
  cavity?: readonly [number, number],
  tubes?: readonly Capsule[],
): number {
  const [ca, cb] = cavity ?? cavityAxes(c, z);
  if (ca <= 5 || cb <= 5) return -100;
  // Chest wall (with the spine in its posterior midline).
  const wall = cavityDistance(c, x, y, [ca, cb], z);
  // Mediastinum: a thin septum where the lungs meet in front and behind, and a fat envelope around the
  // great vessels, airway and oesophagus.
  const ty = y / cb; // -1 front … +1 back
  const septum = Math.abs(x - 3) - (ty < 0 ? 6 : 11);
  let medial = septum;
  for (const t of tubes ?? c.tubes) {
    const d = segmentDistance(t.a, t.b, x, y, z) - t.r - 6;
    if (d < medial) medial = d;
  }
  // Heart: an ellipsoid pushing into the left lung.
  const h = c.heart;
  const hx = (x - h.c[0]) / h.r[0];
  const hy = (y - h.c[1]) / h.r[1];
  const hz = (z - h.c[2]) / h.r[2];
  const heart = (Math.sqrt(hx * hx + hy * hy + hz * hz) - 1) * Math.min(h.r[0], h.r[1]);
  // Diaphragm below and apex dome above.
  const floor = z - diaphragmZ(c, x, y);
  const side = x < 0 ? -1 : 1;
  const apexCx = side * 0.45 * ca;
  const apexR = 0.55 * ca;
  const apexZ = c.zApex - apexR;
  const ax = (x - apexCx) * 1.1;
  const ay = y * 0.9;
  const az = z - apexZ;
  const apex = z > apexZ ? apexR - Math.sqrt(ax * ax + ay * ay + az * az) : 1000;
  return Math.min(wall, medial, heart, floor, apex);
}

/** Tubes that can matter for lungDepth at height z (the rest are too far above or below). */
export function tubesNear(c: Pick<Chest, 'tubes'>, z: number, margin = 30): Capsule[] {
  return c.tubes.filter(
    (t) => z >= Math.min(t.a[2], t.b[2]) - t.r - margin && z <= Math.max(t.a[2], t.b[2]) + t.r + margin,
  );
}

/** Outward unit normal of the lung boundary near p (numerical gradient of -lungDepth). */
export function lungNormal(c: Frame, p: Vec3): Vec3 {
  const e = 0.75;
  const f = (x: number, y: number, z: number): number => lungDepth(c, x, y, z);
  return normalize([
    f(p[0] - e, p[1], p[2]) - f(p[0] + e, p[1], p[2]),
    f(p[0], p[1] - e, p[2]) - f(p[0], p[1] + e, p[2]),
    f(p[0], p[1], p[2] - e) - f(p[0], p[1], p[2] + e),
  ]);
}

/** Is the point inside the mediastinal soft tissue (between the lungs, inside the cavity)? */
export function inMediastinum(c: Frame, x: number, y: number, z: number): boolean {
  const [ca, cb] = cavityAxes(c, z);
  const inside = (x / ca) ** 2 + (y / cb) ** 2 < 1;
  return inside && lungDepth(c, x, y, z) <= 0 && z > diaphragmZ(c, x, y);
}
