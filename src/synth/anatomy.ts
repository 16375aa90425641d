/**
 * A procedural chest: body wall (skin, fat, muscle), thoracic cavity, two lungs above a domed diaphragm,
 * mediastinum with heart, aorta, pulmonary trunk, SVC, trachea and bronchi, curving and tapering 3D
 * vessel and airway trees, spine, ribs, sternum, clavicles and scapulae, and what lies around the body:
 * arms (when down at the sides), breasts, the patient table. Everything is in patient coordinates
 * (DICOM LPS, mm): x to the patient's left, y posterior, z superior. The model is continuous;
 * `render.ts` samples it on any scanner's grid. Prone patients keep the same anatomy; only what gravity
 * and the table act on (the dependent side) changes.
 */
import { cross, dot, normalize, scale, sub, type Vec3 } from '../dicom/geometry';
import { frameAround, perpendiculars, randomRotation, type Mat3 } from './geom';
import { ValueNoise3 } from './noise';
import { growTrees } from './vessels';
import type { Rng } from './rng';

export type CapsuleKind =
  | 'vessel'
  | 'bronchus-wall'
  | 'bronchus-lumen'
  | 'rib-cortex'
  | 'rib-marrow'
  | 'great-vessel'
  | 'airway-wall'
  | 'airway-lumen'
  | 'bone';

/** A tube segment (capsule) whose radius changes linearly from `r` at `a` to `rb` at `b`. */
export interface Capsule {
  readonly a: Vec3;
  readonly b: Vec3;
  readonly r: number;
  readonly rb: number;
  readonly hu: number;
  readonly kind: CapsuleKind;
  /** Only drawn where the lung (or the hilum next to it) is: pulmonary vessels and bronchi. */
  readonly clipToThorax: boolean;
}

/** A thin rounded plate (box) with centre, unit axes u, v (in its plane) and n (its normal). */
export interface Plate {
  readonly c: Vec3;
  readonly u: Vec3;
  readonly v: Vec3;
  readonly n: Vec3;
  readonly halfU: number;
  readonly halfV: number;
  readonly halfT: number;
  readonly hu: number;
  /** Drawn only inside the lung (scars, atelectasis) or everywhere (bone). */
  readonly clip: 'lung' | 'none';
}

export interface Fissure {
  readonly kind: 'oblique' | 'horizontal';
  /** Which lung it belongs to: -1 right (x < 0), +1 left. */
  readonly side: -1 | 1;
  /** A point on the mean plane and its unit normal. */
  readonly point: Vec3;
  readonly normal: Vec3;
  /** Low-frequency displacement of the plane along its normal: amplitude and lattice (mm). */
  readonly amp: number;
  readonly cell: number;
  readonly seed: number;
  /** Visible thickness (mm), and the excess density it carries (HU × mm: two thin pleural layers), so a
   * fissure crossed at right angles is a faint line and one lying in the slice a faint haze. */
  readonly thickness: number;
  readonly mass: number;
  /** Incompleteness: the fissure is missing where a smooth noise in [-1, 1] falls below this. */
  readonly gap: number;
}

/** A fissure's curved surface, with the noise fields that bend it, thin it out and vary its density. */
export class FissureSurface {
  private readonly bend: ValueNoise3;
  private readonly holes: ValueNoise3;
  readonly density: ValueNoise3;
  /** The horizontal fissure exists only in front of (above) the right oblique fissure. */
  bound: FissureSurface | null = null;

  constructor(readonly f: Fissure) {
    this.bend = new ValueNoise3(f.seed, f.cell);
    this.holes = new ValueNoise3(f.seed ^ 0x3c6ef372, 45);
    this.density = new ValueNoise3(f.seed ^ 0x1f83d9ab, 18);
  }

  /** Signed distance-like value (mm) from the curved fissure surface. */
  distance(x: number, y: number, z: number): number {
    const f = this.f;
    const n = f.normal;
    const d = (x - f.point[0]) * n[0] + (y - f.point[1]) * n[1] + (z - f.point[2]) * n[2];
    return d + f.amp * this.bend.at(x, y, z);
  }

  /** How present the fissure is here (0 missing … 1 complete), fading at the edges of its gaps. */
  presence(x: number, y: number, z: number): number {
    let p = 1;
    if (this.bound) {
      const b = this.bound.distance(x, y, z) / 2;
      if (b <= 0) return 0;
      if (b < 1) p = b;
    }
    if (this.f.gap <= -1) return p;
    const t = (this.holes.at(x, y, z) - this.f.gap) / 0.15;
    return t <= 0 ? 0 : t >= 1 ? p : t * p;
  }

  /** Unit normal of the curved surface (numerical gradient). */
  normalAt(x: number, y: number, z: number): Vec3 {
    const e = 0.5;
    return normalize([
      this.distance(x + e, y, z) - this.distance(x - e, y, z),
      this.distance(x, y + e, z) - this.distance(x, y - e, z),
      this.distance(x, y, z + e) - this.distance(x, y, z - e),
    ]);
  }
}

/** The chest's fissure surfaces, the horizontal one bounded by the right oblique one. */
export function fissureSurfaces(c: Pick<Chest, 'fissures'>): FissureSurface[] {
  const s = c.fissures.map((f) => new FissureSurface(f));
  const rightOblique = s.find((x) => x.f.kind === 'oblique' && x.f.side === -1) ?? null;
  for (const x of s) if (x.f.kind === 'horizontal') x.bound = rightOblique;
  return s;
}

export { frameAround, perpendiculars, randomRotation, type Mat3 };

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

/** Blood and contrast: HU of the pulmonary arteries and veins, aorta, heart chambers, myocardium, SVC. */
export interface Blood {
  readonly contrast: boolean;
  readonly artery: number;
  readonly vein: number;
  readonly aorta: number;
  readonly chambers: number;
  readonly myocardium: number;
  readonly svc: number;
}

export interface Arms {
  /** Arm radius (mm), gap to the chest wall, centre y, fat thickness, humerus radius and offset. */
  readonly r: number;
  readonly gap: number;
  readonly y: number;
  readonly fat: number;
  readonly humerusR: number;
  readonly humerusOffset: readonly [number, number];
  readonly cortexHU: number;
}

export interface Breasts {
  /** Centre of the right breast (the left one mirrors x) and its semi-axes. */
  readonly c: Vec3;
  readonly r: Vec3;
  /** Fraction of fibroglandular tissue and its HU. */
  readonly gland: number;
  readonly glandHU: number;
}

/** The patient couch: a curved shell with foam or air inside, maybe a pad, under the dependent side. */
export interface Table {
  readonly x: number;
  /** |y| of the top surface at the centre (patient coordinates, on the dependent side). */
  readonly top: number;
  readonly curve: number;
  readonly depth: number;
  readonly halfWidth: number;
  readonly shell: number;
  readonly shellHU: number;
  readonly coreHU: number;
  readonly pad: number;
  readonly padHU: number;
  readonly rails: boolean;
}

export interface Airways {
  /** Wall thickness factor (1 = normal; > 1.5 thickened), mucus-filled subtrees, bronchiectasis. */
  readonly wallFactor: number;
  readonly mucus: boolean;
  readonly bronchiectasis: boolean;
}

export interface ChestOptions {
  /** A clean clinical chest: no arms down, no airway disease, no contrast (the demo set, tests). */
  readonly clean?: boolean;
  readonly prone?: boolean;
  readonly sex?: 'M' | 'F';
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
  readonly plates: readonly Plate[];
  readonly fissures: readonly Fissure[];
  /** Lung density gradient: HU added at the most dependent point. */
  readonly gravityHU: number;
  readonly lungHU: number;
  readonly lungTextureHU: number;
  readonly textureSeed: number;
  readonly zMin: number;
  readonly zMax: number;
  /** Great vessels, airway and oesophagus: the mediastinum is the fat envelope around them. */
  readonly tubes: readonly Capsule[];
  /** Cavity semi-axes at the height of the diaphragm domes (used for the dome shape). */
  readonly domeAxes: readonly [number, number];
  /** +1 supine (the back is dependent and on the table), -1 prone. */
  readonly dependent: 1 | -1;
  /** The body outline is flattened where it lies on the table: |y| of that flat. */
  readonly flat: number;
  readonly blood: Blood;
  readonly arms: Arms | null;
  readonly breasts: Breasts | null;
  readonly table: Table;
  readonly airways: Airways;
  readonly carina: Vec3;
  readonly outline: Outline;
}

const v = (x: number, y: number, z: number): Vec3 => [x, y, z];

/** Irregularity of the body outline and of the inner chest wall (fractions of their radii). */
export interface Outline {
  readonly seed: number;
  readonly body: number;
  readonly cavity: number;
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

type Frame = Pick<
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

function sampleBlood(rng: Rng, clean: boolean): Blood {
  const blood = rng.uniform(30, 55);
  if (clean || !rng.chance(0.25)) {
    return {
      contrast: false,
      artery: blood,
      vein: blood + rng.normal(0, 2),
      aorta: blood + rng.normal(0, 3),
      chambers: blood,
      myocardium: blood + rng.uniform(0, 14),
      svc: blood,
    };
  }
  const artery = rng.uniform(150, 350);
  const vein = blood + (artery - blood) * rng.uniform(0.15, 0.65);
  const aorta = blood + (artery - blood) * rng.uniform(0.3, 1.1);
  return {
    contrast: true,
    artery,
    vein,
    aorta,
    chambers: (artery + aorta) / 2,
    myocardium: rng.uniform(70, 130),
    svc: rng.chance(0.4) ? rng.uniform(400, 1400) : rng.uniform(artery * 0.5, artery),
  };
}

/** Build a chest from a random stream. */
export function makeChest(rng: Rng, options: ChestOptions = {}): Chest {
  const clean = options.clean === true;
  const dependent: 1 | -1 = options.prone === true ? -1 : 1;
  const bodyA = rng.uniform(128, 172);
  const bodyB = bodyA * rng.uniform(0.64, 0.8);
  const fat = rng.uniform(5, 28);
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
  const blood = sampleBlood(rng.fork('blood'), clean);

  // Mediastinal tubes: trachea, main bronchi, aorta, pulmonary trunk and arteries, SVC, oesophagus.
  const tubes: Capsule[] = [];
  const tube = (a: Vec3, b: Vec3, r: number, hu: number, kind: CapsuleKind): void => {
    tubes.push({ a, b, r, rb: r, hu, kind, clipToThorax: false });
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
    tube(a, b, aortaR, blood.aorta, 'great-vessel');
  }
  const trunk0 = v(heart.c[0] - 5, heart.c[1] - 10, heart.c[2] + heart.r[2] * 0.6);
  const trunk1 = v(2, carina[1] - 15, carina[2] - 8);
  tube(trunk0, trunk1, 13, blood.artery, 'great-vessel');
  for (const hilum of hila) {
    tube(trunk1, v(hilum[0], hilum[1] - 7, hilum[2] - 4), 10, blood.artery, 'great-vessel');
  }
  tube(
    v(-24, carina[1] - 18, zApex + 30),
    v(-24, carina[1] - 14, heart.c[2] + heart.r[2] * 0.5),
    10,
    blood.svc,
    'great-vessel',
  );
  tube(v(5, spineY - 26, zApex + 40), v(8, spineY - 24, zMin), 7, 35, 'great-vessel');

  const outlineRng = rng.fork('outline');
  const outline: Outline = clean
    ? { seed: Math.floor(outlineRng.next() * 2 ** 31), body: 0.012, cavity: 0.01 }
    : {
        seed: Math.floor(outlineRng.next() * 2 ** 31),
        body: outlineRng.uniform(0.015, 0.045),
        cavity: outlineRng.uniform(0.01, 0.03),
      };
  const frame: Frame = {
    outline,
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
    tubes,
    domeAxes: [0, 0],
  };
  const [da, db] = cavityAxes(frame, zDomeRight);
  const chestFrame: Frame = { ...frame, domeAxes: [da, db] };

  // Airways: wall thickness varies between patients (and is thickened in some), some bronchial subtrees
  // are plugged with mucus, some lobes have bronchiectasis.
  const airRng = rng.fork('airway-disease');
  const airways: Airways = clean
    ? { wallFactor: airRng.uniform(0.85, 1.15), mucus: false, bronchiectasis: false }
    : {
        wallFactor: airRng.chance(0.18) ? airRng.uniform(1.5, 2.4) : airRng.uniform(0.7, 1.3),
        mucus: airRng.chance(0.15),
        bronchiectasis: airRng.chance(0.12),
      };

  // Fissures: an oblique one in each lung and the horizontal one on the right, curved, of varying
  // thickness and density, and sometimes incomplete.
  const fisRng = rng.fork('fissures');
  const fissures: Fissure[] = [];
  const fissure = (kind: Fissure['kind'], side: -1 | 1, point: Vec3, normal: Vec3): Fissure => ({
    kind,
    side,
    point,
    normal: normalize(normal),
    amp: fisRng.uniform(2, 9),
    cell: fisRng.uniform(35, 80),
    seed: Math.floor(fisRng.next() * 2 ** 31),
    thickness: fisRng.uniform(0.5, 1.5),
    mass: fisRng.uniform(150, 320),
    gap: clean ? -1 : fisRng.chance(0.45) ? fisRng.uniform(-0.6, 0.1) : -1,
  });
  for (const side of [-1, 1] as const) {
    fissures.push(
      fissure(
        'oblique',
        side,
        v(side * 70, fisRng.normal(0, 6), carina[2] - 25 + fisRng.normal(0, 8)),
        v(-side * fisRng.uniform(0.25, 0.55), -fisRng.uniform(0.66, 0.86), fisRng.uniform(0.5, 0.72)),
      ),
    );
  }
  if (clean || fisRng.chance(0.9)) {
    fissures.push(
      fissure(
        'horizontal',
        -1,
        v(-70, -20, carina[2] - 18 + fisRng.normal(0, 6)),
        v(fisRng.normal(0, 0.06), -fisRng.uniform(0.03, 0.2), 1),
      ),
    );
  }

  const capsules: Capsule[] = [...tubes];
  capsules.push({
    a: tracheaTop,
    b: carina,
    r: 8,
    rb: 8,
    hu: -1000,
    kind: 'airway-lumen',
    clipToThorax: false,
  });
  for (const hilum of hila) {
    capsules.push({ a: carina, b: hilum, r: 6, rb: 6, hu: -1000, kind: 'airway-lumen', clipToThorax: false });
  }
  // Pulmonary arteries with their bronchi, and veins: space-filling trees per lobe (vessels.ts).
  const trees = growTrees(rng.fork('trees'), {
    chest: chestFrame,
    depth: (x, y, z) => lungDepth(chestFrame, x, y, z),
    carina,
    hila,
    fissures: fissureSurfaces({ fissures }),
    blood,
    airways,
  });
  capsules.push(...trees.bronchusWalls, ...trees.bronchusLumens, ...trees.vessels);

  // Ribs: 12 pairs hugging the inner chest wall, falling towards the front; cortex and marrow.
  for (let i = 0; i < 12; i++) {
    const zBack = zApex - 8 - i * rng.uniform(22, 27);
    for (const side of [-1, 1]) {
      const points: Vec3[] = [];
      for (let k = 0; k <= 14; k++) {
        const t = k / 14;
        const angle = 0.3 + (Math.PI - 0.75) * t; // 0 = straight back, π = straight front
        const z = zBack - 62 * t * t - 14 * t;
        const [ca, cb] = cavityAxes(frame, z);
        const w = wobble(frame, side * Math.sin(angle), Math.cos(angle), z, true);
        const x = side * (ca * w + 7) * Math.sin(angle);
        const y = (cb * w + 7) * Math.cos(angle);
        if (i < 2 && t > 0.6) break; // short upper ribs
        points.push(v(x, y, z));
      }
      for (let k = 1; k < points.length; k++) {
        const a = points[k - 1];
        const b = points[k];
        const cartilage = k > points.length - 4 && i > 1;
        const cortex = cartilage ? 140 : 650;
        capsules.push({ a, b, r: 5.2, rb: 5.2, hu: cortex, kind: 'rib-cortex', clipToThorax: false });
        if (!cartilage) {
          capsules.push({ a, b, r: 3.4, rb: 3.4, hu: 220, kind: 'rib-marrow', clipToThorax: false });
        }
      }
    }
  }

  // Clavicles (at the top of the scan) and the blades of the scapulae behind the upper ribs.
  const plates: Plate[] = [];
  const boneRng = rng.fork('bones');
  for (const side of [-1, 1]) {
    const [ca0, cb0] = cavityAxes(frame, zApex);
    const medial = v(side * 18, -cb0 - 12, zApex + 8);
    const lateral = v(side * (ca0 + 35), -cb0 * 0.35, zApex + boneRng.uniform(12, 22));
    capsules.push({ a: medial, b: lateral, r: 6.5, rb: 5.5, hu: 620, kind: 'bone', clipToThorax: false });
    capsules.push({ a: medial, b: lateral, r: 4, rb: 3.2, hu: 230, kind: 'bone', clipToThorax: false });
    const zs = zApex - boneRng.uniform(55, 75);
    const [ca, cb] = cavityAxes(frame, zs);
    const angle = boneRng.uniform(0.55, 0.85); // from straight back towards the side
    // In the muscle just outside the ribs (and inside the skin, however thin the patient).
    const out = Math.min(17, (fat + muscle + 6) * 0.6);
    const c = v(side * (ca + out) * Math.sin(angle), (cb + out) * Math.cos(angle), zs);
    const n = normalize(v(side * Math.sin(angle) * 0.8, Math.cos(angle), 0));
    const u = v(0, 0, 1);
    const w = normalize(cross(n, u));
    plates.push({
      c,
      u,
      v: w,
      n,
      halfU: 55,
      halfV: 38,
      halfT: boneRng.uniform(0.9, 1.5),
      hu: boneRng.uniform(350, 480),
      clip: 'none',
    });
  }

  // Around the body: arms down at the sides in some patients, breasts, the table under the dependent side.
  const bodyRng = rng.fork('body');
  const arms: Arms | null =
    !clean && bodyRng.chance(0.3)
      ? {
          r: bodyRng.uniform(36, 52),
          gap: bodyRng.uniform(-4, 18),
          y: bodyRng.uniform(-15, 25),
          fat: bodyRng.uniform(4, 18),
          humerusR: bodyRng.uniform(9.5, 13),
          humerusOffset: [bodyRng.uniform(-6, 6), bodyRng.uniform(-6, 6)],
          cortexHU: bodyRng.uniform(800, 1300),
        }
      : null;
  // Supine breasts spread sideways: broad and low, centred a little inside the front of the body.
  const breastX = bodyA * bodyRng.uniform(0.5, 0.64);
  const breasts: Breasts | null =
    options.sex === 'F'
      ? {
          c: v(
            -breastX,
            -bodyB * Math.sqrt(1 - (breastX / bodyA) ** 2) + bodyRng.uniform(4, 14),
            heart.c[2] + bodyRng.uniform(-10, 25),
          ),
          r: v(bodyRng.uniform(38, 60), bodyRng.uniform(18, 50), bodyRng.uniform(40, 60)),
          gland: bodyRng.uniform(0.05, 0.6),
          glandHU: bodyRng.uniform(-40, 40),
        }
      : null;
  const flat = Math.max(bodyB * bodyRng.uniform(0.92, 0.98), dependent > 0 ? spineY + 72 : 0);
  const table: Table = {
    x: bodyRng.normal(0, 6),
    top: flat + bodyRng.uniform(5, 30),
    curve: bodyRng.uniform(0.0003, 0.0012),
    depth: bodyRng.uniform(25, 55),
    halfWidth: bodyRng.uniform(190, 240),
    shell: bodyRng.uniform(1.5, 3.5),
    shellHU: bodyRng.uniform(-200, 300),
    coreHU: bodyRng.chance(0.4) ? -1000 : bodyRng.uniform(-960, -700),
    pad: bodyRng.chance(0.4) ? 1 : 0,
    padHU: bodyRng.uniform(-920, -650),
    rails: bodyRng.chance(0.5),
  };

  const texRng = rng.fork('lung');
  return {
    ...chestFrame,
    mediastinumHalfWidth: texRng.uniform(22, 30),
    gravityHU: clean ? texRng.uniform(35, 80) : texRng.uniform(25, 110),
    lungHU: clean ? texRng.uniform(-875, -840) : texRng.uniform(-895, -805),
    lungTextureHU: texRng.uniform(10, 24),
    textureSeed: Math.floor(texRng.next() * 2 ** 31),
    zMin,
    zMax: zApex + 20,
    capsules,
    plates,
    fissures,
    dependent,
    flat,
    blood,
    arms,
    breasts,
    table,
    airways,
    carina,
    outline,
  };
}
