/**
 * Pulmonary arteries, veins and bronchi that fill the lungs out to their periphery.
 *
 * Each lobe's arterial and venous tree is grown into its territory: points scattered through the lobe
 * (each 2–10 mm inside the pleura). A branch runs from its start towards the centroid of its territory,
 * splits the territory in two across its longest axis and gives each half to a child; radii follow Murray's
 * law with flow proportional to the territory (r³ = r1³ + r2³). Terminal vessels end at their territory's
 * last points, a few millimetres short of the pleura; fissures bound the lobes, so vessels do not cross
 * them. Segments curve (a gentle bow and small jitter) and taper. Bronchi run beside the arteries (a
 * bronchus with its artery: the signet ring seen end-on), down to about 2 mm across.
 */
import { add, dot, normalize, scale, sub, type Vec3 } from '../dicom/geometry';
import type { Airways, Blood, Capsule, Chest, FissureSurface } from './anatomy';
import { perpendiculars } from './geom';
import type { Rng } from './rng';

type Depth = (x: number, y: number, z: number) => number;

interface Lobe {
  readonly side: -1 | 1;
  readonly name: 'upper' | 'middle' | 'lower';
  readonly contains: (p: Vec3) => boolean;
}

export interface TreeOptions {
  readonly chest: Pick<Chest, 'zApex' | 'bodyA' | 'bodyB' | 'zDomeLeft' | 'zDomeRight' | 'recessDepth'>;
  /** Signed depth inside the lung (mm): anatomy.ts's lungDepth. */
  readonly depth: Depth;
  readonly carina: Vec3;
  readonly hila: readonly Vec3[];
  readonly fissures: readonly FissureSurface[];
  readonly blood: Blood;
  readonly airways: Airways;
  /** Points per lobe and tree system (both lungs together hold about 5 lobes' worth × 2 systems). */
  readonly pointsPerLung?: number;
}

interface Growth {
  readonly rng: Rng;
  readonly depth: Depth;
  readonly out: Capsule[];
  readonly bronchusWalls: Capsule[];
  readonly bronchusLumens: Capsule[];
  readonly rLeaf: number;
  readonly baseHU: number;
  readonly airways: Airways;
  readonly mucusChance: number;
}

interface Branch {
  readonly hu: number;
  /** Bronchus beside this artery: unit offset direction, lumen scale, mucus; null when none. */
  readonly bronchus: { o: Vec3; ectasia: number; mucus: boolean; ratio: number } | null;
}

function centroid(points: readonly Vec3[]): Vec3 {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const p of points) {
    x += p[0];
    y += p[1];
    z += p[2];
  }
  const n = points.length || 1;
  return [x / n, y / n, z / n];
}

/** Principal axis of a point cloud (power iteration on its covariance). */
function principalAxis(points: readonly Vec3[], c: Vec3): Vec3 {
  let xx = 0;
  let xy = 0;
  let xz = 0;
  let yy = 0;
  let yz = 0;
  let zz = 0;
  for (const p of points) {
    const dx = p[0] - c[0];
    const dy = p[1] - c[1];
    const dz = p[2] - c[2];
    xx += dx * dx;
    xy += dx * dy;
    xz += dx * dz;
    yy += dy * dy;
    yz += dy * dz;
    zz += dz * dz;
  }
  let v: Vec3 = xx >= yy && xx >= zz ? [1, 0.1, 0.1] : yy >= zz ? [0.1, 1, 0.1] : [0.1, 0.1, 1];
  for (let i = 0; i < 8; i++) {
    v = normalize([
      xx * v[0] + xy * v[1] + xz * v[2],
      xy * v[0] + yy * v[1] + yz * v[2],
      xz * v[0] + yz * v[1] + zz * v[2],
    ]);
  }
  return v;
}

/** Emit a curved, tapering tube from a to b as a few capsules; returns nothing. */
function tube(
  g: Growth,
  a: Vec3,
  b: Vec3,
  ra: number,
  rb: number,
  hu: number,
  bronchus: Branch['bronchus'],
): void {
  const ab = sub(b, a);
  const len = Math.hypot(ab[0], ab[1], ab[2]);
  if (len < 0.3) return;
  const d = scale(ab, 1 / len);
  const [e1, e2] = perpendiculars(d);
  const ang = g.rng.uniform(0, 2 * Math.PI);
  const bowDir = add(scale(e1, Math.cos(ang)), scale(e2, Math.sin(ang)));
  const bow = g.rng.uniform(-0.1, 0.1) * len;
  const pieces = Math.min(4, Math.max(1, Math.round(len / g.rng.uniform(3, 5.5))));
  let prev = a;
  let rPrev = ra;
  for (let k = 1; k <= pieces; k++) {
    const t = k / pieces;
    const jitter = k < pieces ? 0.05 * len : 0;
    const p =
      k === pieces
        ? b
        : add(add(a, scale(ab, t)), [
            bowDir[0] * bow * Math.sin(Math.PI * t) + g.rng.normal(0, jitter / 3),
            bowDir[1] * bow * Math.sin(Math.PI * t) + g.rng.normal(0, jitter / 3),
            bowDir[2] * bow * Math.sin(Math.PI * t) + g.rng.normal(0, jitter / 3),
          ]);
    const r = ra + (rb - ra) * t;
    g.out.push({ a: prev, b: p, r: rPrev, rb: r, hu, kind: 'vessel', clipToThorax: true });
    if (bronchus) {
      const lumenA = rPrev * bronchus.ratio * bronchus.ectasia;
      const lumenB = r * bronchus.ratio * bronchus.ectasia;
      const wall = (rad: number): number =>
        g.airways.wallFactor * (0.3 + 0.16 * rad) * (bronchus.ectasia > 1 ? 1.25 : 1);
      const offA = rPrev + lumenA + wall(lumenA) + 0.2;
      const offB = r + lumenB + wall(lumenB) + 0.2;
      const ba = add(prev, scale(bronchus.o, offA));
      const bb = add(p, scale(bronchus.o, offB));
      g.bronchusWalls.push({
        a: ba,
        b: bb,
        r: lumenA + wall(lumenA),
        rb: lumenB + wall(lumenB),
        hu: 30,
        kind: 'bronchus-wall',
        clipToThorax: true,
      });
      g.bronchusLumens.push({
        a: ba,
        b: bb,
        r: lumenA,
        rb: lumenB,
        hu: bronchus.mucus ? 20 : -990,
        kind: 'bronchus-lumen',
        clipToThorax: true,
      });
    }
    prev = p;
    rPrev = r;
  }
}

/** Grow a branch from `start` into `territory`; `generation` counts from the lobe's root. */
function grow(g: Growth, start: Vec3, territory: Vec3[], generation: number, br: Branch): void {
  const n = territory.length;
  const r = g.rLeaf * Math.cbrt(n);
  const c = centroid(territory);
  if (n <= 2) {
    // Terminal vessel: out to its last points, tapering to its leaf radius.
    const end = n === 1 ? territory[0] : c;
    tube(g, start, end, r, g.rLeaf * g.rng.uniform(0.85, 1), br.hu, null);
    return;
  }
  const toC = sub(c, start);
  const dist = Math.hypot(toC[0], toC[1], toC[2]);
  const frac = generation === 0 ? g.rng.uniform(0.15, 0.3) : g.rng.uniform(0.3, 0.55);
  let b = add(start, scale(toC, frac));
  if (dist < 1) b = c;
  // Keep branch points inside the lung (the lobe's centroid can fall outside a curved lobe).
  if (g.depth(b[0], b[1], b[2]) < 1.5) b = add(start, scale(toC, frac * 0.5));
  const rEnd = r * g.rng.uniform(0.9, 0.98);
  // A bronchus accompanies the artery down to about 2 mm across.
  const bronchus = br.bronchus && r * br.bronchus.ratio * br.bronchus.ectasia >= 0.9 ? br.bronchus : null;
  tube(g, start, b, r, rEnd, br.hu, bronchus);
  // Split the territory across its longest axis at the median.
  const axis = principalAxis(territory, c);
  const keyed = territory.map((p) => ({ p, k: dot(sub(p, c), axis) }));
  keyed.sort((x, y) => x.k - y.k);
  const cut = Math.max(1, Math.min(n - 1, Math.round(n * g.rng.uniform(0.35, 0.65))));
  const halves = [keyed.slice(0, cut).map((e) => e.p), keyed.slice(cut).map((e) => e.p)];
  for (const half of halves) {
    const hu = Math.max(g.baseHU - 10, Math.min(g.baseHU + 10, br.hu + g.rng.normal(0, 2.5)));
    let child: Branch['bronchus'] = null;
    if (bronchus) {
      const dir = normalize(sub(centroid(half), b));
      const o = sub(bronchus.o, scale(dir, dot(bronchus.o, dir)));
      const ol = Math.hypot(o[0], o[1], o[2]);
      child = {
        ...bronchus,
        o: ol > 1e-3 ? scale(o, 1 / ol) : perpendiculars(dir)[0],
        mucus: bronchus.mucus || (generation >= 2 && g.rng.chance(g.mucusChance)),
      };
    }
    grow(g, b, half, generation + 1, { hu, bronchus: child });
  }
}

/** Sample `count` points in a lobe, each 2–10 mm inside the lung. */
function lobePoints(rng: Rng, o: TreeOptions, lobe: Lobe, count: number): Vec3[] {
  const c = o.chest;
  const pts: Vec3[] = [];
  const zLo = Math.min(c.zDomeLeft, c.zDomeRight) - c.recessDepth - 5;
  const zHi = c.zApex;
  for (let i = 0; i < count * 40 && pts.length < count; i++) {
    const p: Vec3 = [
      lobe.side * rng.uniform(0, c.bodyA),
      rng.uniform(-c.bodyB, c.bodyB),
      rng.uniform(zLo, zHi),
    ];
    if (!lobe.contains(p)) continue;
    const min = 2 + 8 * rng.next() ** 1.5;
    if (o.depth(p[0], p[1], p[2]) > min) pts.push(p);
  }
  return pts;
}

/** The lobes: the oblique fissure divides each lung, the horizontal one adds the right middle lobe. */
function lobes(o: TreeOptions): Lobe[] {
  const out: Lobe[] = [];
  for (const side of [-1, 1] as const) {
    const oblique = o.fissures.find((f) => f.f.kind === 'oblique' && f.f.side === side);
    const horizontal = side === -1 ? o.fissures.find((f) => f.f.kind === 'horizontal') : undefined;
    const inLung = (p: Vec3): boolean => (p[0] < 0 ? -1 : 1) === side;
    const front = (p: Vec3): boolean => !oblique || oblique.distance(p[0], p[1], p[2]) > 0;
    if (horizontal) {
      out.push({
        side,
        name: 'upper',
        contains: (p) => inLung(p) && front(p) && horizontal.distance(p[0], p[1], p[2]) > 0,
      });
      out.push({
        side,
        name: 'middle',
        contains: (p) => inLung(p) && front(p) && horizontal.distance(p[0], p[1], p[2]) <= 0,
      });
    } else {
      out.push({ side, name: 'upper', contains: (p) => inLung(p) && front(p) });
    }
    out.push({ side, name: 'lower', contains: (p) => inLung(p) && !front(p) });
  }
  return out;
}

export interface Trees {
  readonly vessels: Capsule[];
  readonly bronchusWalls: Capsule[];
  readonly bronchusLumens: Capsule[];
}

/** Grow the arterial and venous trees (with their bronchi) of both lungs. */
export function growTrees(rng: Rng, o: TreeOptions): Trees {
  const vessels: Capsule[] = [];
  const bronchusWalls: Capsule[] = [];
  const bronchusLumens: Capsule[] = [];
  const per = o.pointsPerLung ?? 1800;
  const rLeaf = rng.uniform(0.3, 0.4);
  const ectaticLobe = o.airways.bronchiectasis ? rng.int(0, 4) : -1;
  const { carina } = o;
  lobes(o).forEach((lobe, li) => {
    const hilum = o.hila[lobe.side < 0 ? 0 : 1];
    const share = lobe.name === 'middle' ? 0.35 : lobe.name === 'upper' && lobe.side < 0 ? 0.75 : 1;
    for (const artery of [true, false]) {
      const lrng = rng.fork(`${lobe.side}/${lobe.name}/${artery ? 'a' : 'v'}`);
      const pts = lobePoints(lrng, o, lobe, Math.round(per * share));
      if (pts.length < 3) continue;
      const dz = lobe.name === 'upper' ? 8 : lobe.name === 'middle' ? -16 : -22;
      const root: Vec3 = artery
        ? [
            hilum[0] + lobe.side * 4,
            hilum[1] + (lobe.name === 'middle' ? -14 : lobe.name === 'lower' ? 6 : -4),
            hilum[2] + dz,
          ]
        : [
            lobe.side * lrng.uniform(30, 40),
            carina[1] + (lobe.name === 'lower' ? lrng.uniform(0, 10) : lrng.uniform(-22, -10)),
            carina[2] + dz - 28,
          ];
      const base = artery ? o.blood.artery : o.blood.vein;
      const g: Growth = {
        rng: lrng,
        depth: o.depth,
        out: vessels,
        bronchusWalls,
        bronchusLumens,
        rLeaf,
        baseHU: base,
        airways: o.airways,
        mucusChance: o.airways.mucus ? 0.05 : 0,
      };
      let bronchus: Branch['bronchus'] = null;
      if (artery) {
        const ectasia = li === ectaticLobe ? lrng.uniform(1.5, 2.2) : 1;
        const toward = normalize(sub(centroid(pts), root));
        const [p1] = perpendiculars(toward);
        // The bronchus lies on the artery's side towards the hilum's bronchus.
        const side = normalize(sub(hilum, root));
        const o1 = sub(side, scale(toward, dot(side, toward)));
        const ol = Math.hypot(o1[0], o1[1], o1[2]);
        bronchus = {
          o: ol > 1e-3 ? scale(o1, 1 / ol) : p1,
          ectasia,
          mucus: false,
          ratio: lrng.uniform(0.7, 0.95),
        };
        // Lobar bronchus from the main bronchus at the hilum to where it meets its artery.
        const r0 = rLeaf * Math.cbrt(pts.length);
        const lumen = r0 * bronchus.ratio * ectasia;
        const start = add(root, scale(bronchus.o, r0 + lumen + 1.5));
        const wall = o.airways.wallFactor * (0.3 + 0.16 * lumen);
        bronchusWalls.push({
          a: hilum,
          b: start,
          r: 5,
          rb: lumen + wall,
          hu: 30,
          kind: 'bronchus-wall',
          clipToThorax: true,
        });
        bronchusLumens.push({
          a: hilum,
          b: start,
          r: 4,
          rb: lumen,
          hu: -990,
          kind: 'bronchus-lumen',
          clipToThorax: true,
        });
      }
      grow(g, root, pts, 0, { hu: base + lrng.uniform(-6, 6), bronchus });
    }
  });
  return { vessels, bronchusWalls, bronchusLumens };
}
