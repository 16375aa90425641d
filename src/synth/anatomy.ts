/**
 * A procedural chest: body wall (skin, fat, muscle), thoracic cavity, two lungs above a domed diaphragm,
 * mediastinum with heart, aorta, pulmonary trunk, SVC, trachea and bronchi, 3D branching vessel trees,
 * spine, ribs and sternum. Everything is in patient coordinates (DICOM LPS, mm): x to the patient's left,
 * y posterior, z superior. The model is continuous; `render.ts` samples it on any scanner's grid.
 */
import type { Vec3 } from '../dicom/geometry';
import type { Rng } from './rng';

/** A tube segment (capsule) with a constant radius: vessels, bronchi, ribs, great vessels. */
export interface Capsule {
  readonly a: Vec3;
  readonly b: Vec3;
  readonly r: number;
  readonly hu: number;
  readonly kind:
    | 'vessel'
    | 'bronchus-wall'
    | 'bronchus-lumen'
    | 'rib-cortex'
    | 'rib-marrow'
    | 'great-vessel'
    | 'airway-wall'
    | 'airway-lumen';
  /** Only drawn where the lung (or mediastinum) is: vessels stop at the pleura. */
  readonly clipToThorax: boolean;
}

export interface Fissure {
  /** A point on the plane and its unit normal. */
  readonly point: Vec3;
  readonly normal: Vec3;
  /** Which lung it belongs to: -1 right (x < 0), +1 left. */
  readonly side: -1 | 1;
}

export interface Chest {
  /** Half width and half depth of the body at mid-chest (mm). */
  readonly bodyA: number;
  readonly bodyB: number;
  readonly fat: number;
  readonly muscle: number;
  readonly zApex: number;
  readonly zDomeRight: number;
  readonly zDomeLeft: number;
  readonly recessDepth: number;
  readonly spineY: number;
  readonly heart: { c: Vec3; r: Vec3 };
  readonly mediastinumHalfWidth: number;
  readonly capsules: readonly Capsule[];
  readonly fissures: readonly Fissure[];
  /** Lung density gradient: HU added at the most posterior (dependent) point. */
  readonly gravityHU: number;
  readonly lungHU: number;
  readonly textureSeed: number;
  readonly zMin: number;
  readonly zMax: number;
  /** Great vessels, airway and oesophagus: the mediastinum is the fat envelope around them. */
  readonly tubes: readonly Capsule[];
  /** Cavity semi-axes at the height of the diaphragm domes (used for the dome shape). */
  readonly domeAxes: readonly [number, number];
}

const v = (x: number, y: number, z: number): Vec3 => [x, y, z];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const norm = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
};

/** Semi-axes of the body outline at height z: the chest narrows towards the neck. */
export function bodyAxes(c: Chest, z: number): [number, number] {
  const top = c.zApex + 25;
  const t = z > top - 90 ? Math.max(0, (z - (top - 90)) / 120) : 0;
  return [c.bodyA * (1 - 0.35 * t * t), c.bodyB * (1 - 0.18 * t)];
}

/** Semi-axes of the thoracic cavity (inside the chest wall) at height z. */
export function cavityAxes(c: Chest, z: number): [number, number] {
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

/**
 * Signed distance (mm, positive inside) from the inner chest wall: an ellipse, indented at the back where
 * the spine sits in the posterior wall with the lungs wrapping round it.
 */
export function cavityDistance(c: Chest, x: number, y: number, cavity: readonly [number, number]): number {
  const [ca, cb] = cavity;
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
export function diaphragmZ(c: Chest, x: number, y: number): number {
  const ca = c.domeAxes[0];
  const cb = c.domeAxes[1];
  const dome = x < 0 ? c.zDomeRight : c.zDomeLeft;
  const lx = (Math.abs(x) - 0.45 * ca) / (0.6 * ca);
  const ly = (y + 0.1 * cb) / (0.95 * cb);
  const d2 = lx * lx + ly * ly;
  return dome - c.recessDepth * Math.min(1.4, d2);
}

/**
 * Signed "inside the lung" value at (x, y, z): positive inside, with magnitude roughly the distance in mm
 * to the nearest lung boundary (chest wall, mediastinum, heart, diaphragm or apex).
 */
export function lungDepth(
  c: Chest,
  x: number,
  y: number,
  z: number,
  cavity?: readonly [number, number],
): number {
  const [ca, cb] = cavity ?? cavityAxes(c, z);
  if (ca <= 5 || cb <= 5) return -100;
  // Chest wall (with the spine in its posterior midline).
  const wall = cavityDistance(c, x, y, [ca, cb]);
  // Mediastinum: a thin septum where the lungs meet in front and behind, and a fat envelope around the
  // great vessels, airway and oesophagus.
  const ty = y / cb; // -1 front … +1 back
  const septum = Math.abs(x - 3) - (ty < 0 ? 6 : 11);
  let tubes = 1000;
  for (const t of c.tubes) {
    const d = segmentDistance(t.a, t.b, x, y, z) - t.r - 6;
    if (d < tubes) tubes = d;
  }
  const medial = Math.min(septum, tubes);
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

/** Is the point inside the mediastinal soft tissue (between the lungs, inside the cavity)? */
export function inMediastinum(c: Chest, x: number, y: number, z: number): boolean {
  const [ca, cb] = cavityAxes(c, z);
  const inside = (x / ca) ** 2 + (y / cb) ** 2 < 1;
  return inside && lungDepth(c, x, y, z) <= 0 && z > diaphragmZ(c, x, y);
}

function branch(
  rng: Rng,
  c: Chest,
  out: Capsule[],
  from: Vec3,
  dir0: Vec3,
  r: number,
  depth: number,
  kind: 'vessel' | 'bronchus',
  minRadius: number,
): void {
  if (r < minRadius || depth > 18) return;
  let dir = dir0;
  const length = Math.max(5, r * rng.uniform(5, 8)) * (depth > 3 ? rng.uniform(1, 1.6) : 1);
  let to = add(from, scale(dir, length));
  // Stop growth that would leave the lung; allow the first segments to run through the hilum.
  if (depth > 1 && lungDepth(c, to[0], to[1], to[2]) < r + 1) {
    // Heading for the pleura: bend back towards the lung interior (towards the hilum's level), or stop.
    const bent = norm(add(dir, scale(norm([-from[0] * 0.2, -from[1] * 0.6, -from[2] * 0.3]), 1.2)));
    const alt = add(from, scale(bent, length * 0.6));
    if (lungDepth(c, alt[0], alt[1], alt[2]) < r + 0.5) return;
    to = alt;
    dir = bent;
  }
  if (kind === 'vessel') {
    out.push({ a: from, b: to, r, hu: 40, kind: 'vessel', clipToThorax: true });
  } else {
    const wall = 0.5 + 0.18 * r;
    out.push({ a: from, b: to, r: r + wall, hu: 30, kind: 'bronchus-wall', clipToThorax: true });
    out.push({ a: from, b: to, r, hu: -990, kind: 'bronchus-lumen', clipToThorax: true });
  }
  // Two children (Murray's law r³ = r1³ + r2³ with an uneven split), spreading away from the parent.
  const split = rng.uniform(0.35, 0.65);
  const r1 = r * Math.cbrt(split);
  const r2 = r * Math.cbrt(1 - split);
  const spread = rng.uniform(0.25, 0.55);
  const ortho = norm([rng.normal() - dir[0] * 0.5, rng.normal() - dir[1] * 0.5, rng.normal() - dir[2] * 0.5]);
  for (const [ri, s] of [
    [r1, spread * (1 - split)],
    [r2, -spread * split],
  ] as const) {
    const child = norm(add(dir, scale(ortho, s * 2.2)));
    branch(rng, c, out, to, child, ri * rng.uniform(0.92, 1), depth + 1, kind, minRadius);
  }
}

/** Build a chest from a random stream. */
export function makeChest(rng: Rng): Chest {
  const bodyA = rng.uniform(128, 172);
  const bodyB = bodyA * rng.uniform(0.66, 0.78);
  const fat = rng.uniform(5, 26);
  const muscle = rng.uniform(8, 15);
  const zApex = rng.uniform(125, 150);
  const zDomeRight = rng.uniform(-85, -60);
  const zDomeLeft = zDomeRight - rng.uniform(8, 22);
  const recessDepth = rng.uniform(35, 55);
  const spineY = bodyB - fat - muscle - rng.uniform(38, 48);
  const heart: Chest['heart'] = {
    c: v(rng.uniform(14, 28), -bodyB * rng.uniform(0.22, 0.32), zDomeLeft + rng.uniform(38, 50)),
    r: v(rng.uniform(52, 64), rng.uniform(40, 50), rng.uniform(45, 55)),
  };
  const carina = v(0, spineY - 45, rng.uniform(15, 30));
  const hila = ([-1, 1] as const).map((side) =>
    v(side * rng.uniform(38, 48), carina[1] + 5, carina[2] - rng.uniform(12, 22)),
  );

  // Mediastinal tubes: trachea, main bronchi, aorta, pulmonary trunk and arteries, SVC, oesophagus.
  const tubes: Capsule[] = [];
  const tube = (a: Vec3, b: Vec3, r: number, hu: number, kind: Capsule['kind']): void => {
    tubes.push({ a, b, r, hu, kind, clipToThorax: false });
  };
  const tracheaTop = v(0, carina[1] - 8, zApex + 40);
  tube(tracheaTop, carina, 10, 25, 'airway-wall');
  for (const hilum of hila) tube(carina, hilum, 7.5, 25, 'airway-wall');
  const aortaR = rng.uniform(12, 16);
  const asc0 = v(heart.c[0] - 20, heart.c[1] + 15, heart.c[2] + 20);
  const asc1 = v(-8, carina[1] - 25, carina[2] + 30);
  const arch = v(18, spineY - 30, carina[2] + 38);
  const desc0 = v(22, spineY - 18, carina[2] + 15);
  const zMin = zDomeLeft - recessDepth - 25;
  const desc1 = v(18, spineY - 22, zMin - 10);
  for (const [a, b] of [
    [asc0, asc1],
    [asc1, arch],
    [arch, desc0],
    [desc0, desc1],
  ] as const) {
    tube(a, b, aortaR, 42, 'great-vessel');
  }
  const trunk0 = v(heart.c[0] - 5, heart.c[1] - 10, heart.c[2] + heart.r[2] * 0.6);
  const trunk1 = v(2, carina[1] - 15, carina[2] - 8);
  tube(trunk0, trunk1, 13, 40, 'great-vessel');
  for (const hilum of hila) tube(trunk1, v(hilum[0], hilum[1] - 7, hilum[2] - 4), 10, 40, 'great-vessel');
  tube(
    v(-24, carina[1] - 18, zApex + 30),
    v(-24, carina[1] - 14, heart.c[2] + heart.r[2] * 0.5),
    10,
    38,
    'great-vessel',
  );
  tube(v(5, spineY - 26, zApex + 40), v(8, spineY - 24, zMin), 7, 35, 'great-vessel');

  const partial: Omit<Chest, 'capsules' | 'fissures'> = {
    bodyA,
    bodyB,
    fat,
    muscle,
    zApex,
    zDomeRight,
    zDomeLeft,
    recessDepth,
    spineY,
    heart,
    mediastinumHalfWidth: rng.uniform(22, 30),
    gravityHU: rng.uniform(35, 80),
    lungHU: rng.uniform(-875, -840),
    textureSeed: Math.floor(rng.next() * 2 ** 31),
    zMin,
    zMax: zApex + 20,
    tubes,
    domeAxes: [0, 0],
  };
  const [da, db] = cavityAxes(partial as Chest, zDomeRight);
  (partial as { domeAxes: readonly [number, number] }).domeAxes = [da, db];
  const chest: Chest = { ...partial, capsules: [], fissures: [] };

  // Drawn capsules: the tubes (air inside the airway), then bronchial and vascular trees.
  const capsules: Capsule[] = [...tubes];
  capsules.push({ a: tracheaTop, b: carina, r: 8, hu: -1000, kind: 'airway-lumen', clipToThorax: false });
  const bronchRng = rng.fork('bronchi');
  hila.forEach((hilum, k) => {
    const side = k === 0 ? -1 : 1;
    capsules.push({ a: carina, b: hilum, r: 6, hu: -1000, kind: 'airway-lumen', clipToThorax: false });
    for (const d of [v(side * 0.6, -0.2, 0.75), v(side * 0.7, 0.1, -0.7), v(side * 0.8, -0.5, -0.2)]) {
      branch(bronchRng, chest, capsules, hilum, norm(d), 4.2, 1, 'bronchus', 1.1);
    }
  });

  // Pulmonary arteries and veins: several trees per lung from the hilum, branching to sub-millimetre.
  const vesselRng = rng.fork('vessels');
  for (const side of [-1, 1] as const) {
    for (const tree of [0, 1, 2, 3]) {
      const root = v(
        side * vesselRng.uniform(38, 50),
        carina[1] + (tree - 1.5) * 10,
        carina[2] + 12 - tree * 22,
      );
      const dirs = [
        v(side * 0.4, -0.3, 0.85),
        v(side * 0.6, 0.35, -0.7),
        v(side * 0.8, -0.6, -0.1),
        v(side * 0.6, 0.75, 0.15),
        v(side * 0.5, -0.8, 0.3),
        v(side * 0.7, 0.2, -0.3),
      ];
      for (const d of dirs) {
        const jitter = v(vesselRng.normal() * 0.25, vesselRng.normal() * 0.25, vesselRng.normal() * 0.25);
        branch(
          vesselRng,
          chest,
          capsules,
          root,
          norm(add(d, jitter)),
          vesselRng.uniform(2.4, 4),
          1,
          'vessel',
          0.35,
        );
      }
    }
  }

  // Ribs: 12 pairs hugging the inner chest wall, falling towards the front; cortex and marrow.
  for (let i = 0; i < 12; i++) {
    const zBack = zApex - 8 - i * rng.uniform(22, 27);
    for (const side of [-1, 1]) {
      const points: Vec3[] = [];
      for (let k = 0; k <= 14; k++) {
        const t = k / 14;
        const angle = 0.3 + (Math.PI - 0.75) * t; // 0 = straight back, π = straight front
        const z = zBack - 40 * t * t - 8 * t;
        const [ca, cb] = cavityAxes(chest, z);
        const x = side * (ca + 7) * Math.sin(angle);
        const y = (cb + 7) * Math.cos(angle);
        if (i < 2 && t > 0.6) break; // short upper ribs
        points.push(v(x, y, z));
      }
      for (let k = 1; k < points.length; k++) {
        const a = points[k - 1];
        const b = points[k];
        const cartilage = k > points.length - 4 && i > 1;
        capsules.push({ a, b, r: 5.2, hu: cartilage ? 140 : 650, kind: 'rib-cortex', clipToThorax: false });
        if (!cartilage) capsules.push({ a, b, r: 3.4, hu: 220, kind: 'rib-marrow', clipToThorax: false });
      }
    }
  }

  // Fissures: an oblique one in each lung and the horizontal one on the right.
  const fissures: Fissure[] = [];
  for (const side of [-1, 1] as const) {
    fissures.push({ side, point: v(side * 70, 0, carina[2] - 25), normal: norm(v(0, -0.78, 0.62)) });
  }
  fissures.push({ side: -1, point: v(-70, -20, carina[2] - 18), normal: norm(v(0, -0.12, 1)) });

  return { ...partial, capsules, fissures };
}
