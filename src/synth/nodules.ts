/**
 * Synthetic pulmonary nodules: type, size, shape (ellipsoids up to 1.6:1 in any 3D orientation,
 * lobulated, spiculated, irregular), location (intraparenchymal, juxtavascular, juxtapleural with a broad
 * base on the costal or mediastinal pleura or the diaphragm, perifissural lentiform) and the implicit
 * surface the renderer samples. The truth (centre, axes, volume) is measured on the shape as drawn.
 * This file draws and places nodules in a chest; the nodule record, its surface and its measurement are
 * in `noduleShape.ts` (re-exported here).
 */
import { add, dot, normalize, scale, sub, type Vec3 } from '../dicom/geometry';
import {
  fissureSurfaces,
  frameAround,
  lungDepth,
  perpendiculars,
  randomLungPoint,
  randomRotation,
  type Capsule,
  type Chest,
  type Mat3,
} from './anatomy';
import { marchTo } from './findings';
import {
  axialSectionAxes,
  measureNodule,
  type Nodule,
  type NoduleLocation,
  type NoduleMargin,
  type NoduleShape,
  type NoduleType,
  type Spicule,
} from './noduleShape';
import type { Rng } from './rng';

export {
  axialSectionAxes,
  longAxis,
  meanDiameter,
  measureNodule,
  noduleExtent,
  noduleSdf,
  shortAxis,
  volume,
  type Nodule,
  type NoduleLocation,
  type NoduleMargin,
  type NoduleMeasure,
  type NoduleShape,
  type NoduleType,
  type Spicule,
} from './noduleShape';

function sampleDiameter(rng: Rng): number {
  // Weighted towards small nodules: most are 3–8 mm, a few up to 30 mm.
  const u = rng.next();
  return 3 + 27 * u ** 2.6;
}

export interface NoduleRequest {
  readonly type?: NoduleType;
  readonly diameter?: number;
  readonly margin?: NoduleMargin;
  readonly location?: NoduleLocation;
}

interface Placement {
  readonly center: Vec3;
  /** For lentiform nodules: the frame whose third axis is the fissure normal. */
  readonly frame?: Mat3;
}

/** Vessels a juxtavascular nodule can sit on (radius ≥ 0.8 mm), and their bifurcations. */
interface VesselIndex {
  readonly vessels: readonly Capsule[];
  readonly forks: readonly { p: Vec3; r: number; bisector: Vec3 }[];
}

const vesselIndexCache = new WeakMap<Chest, VesselIndex>();

function vesselIndex(chest: Chest): VesselIndex {
  const cached = vesselIndexCache.get(chest);
  if (cached) return cached;
  const vessels = chest.capsules.filter((c) => c.kind === 'vessel' && Math.min(c.r, c.rb) >= 0.8);
  const starts = new Map<string, Capsule[]>();
  const key = (p: Vec3): string => `${p[0].toFixed(3)},${p[1].toFixed(3)},${p[2].toFixed(3)}`;
  for (const c of vessels) {
    const k = key(c.a);
    const list = starts.get(k) ?? [];
    list.push(c);
    starts.set(k, list);
  }
  const forks: { p: Vec3; r: number; bisector: Vec3 }[] = [];
  for (const list of starts.values()) {
    if (list.length < 2) continue;
    const [c1, c2] = list;
    const d1 = normalize(sub(c1.b, c1.a));
    const d2 = normalize(sub(c2.b, c2.a));
    forks.push({ p: c1.a, r: Math.max(c1.r, c2.r), bisector: normalize(add(d1, d2)) });
  }
  const index = { vessels, forks };
  vesselIndexCache.set(chest, index);
  return index;
}

function juxtavascularPoint(rng: Rng, chest: Chest, radius: number): Placement | null {
  const { vessels, forks } = vesselIndex(chest);
  if (vessels.length === 0) return null;
  for (let i = 0; i < 40; i++) {
    let center: Vec3;
    if (forks.length > 0 && rng.chance(0.3)) {
      // In the crotch of a bifurcation, overlapping both branches.
      const f = rng.pick(forks);
      const [e1, e2] = perpendiculars(f.bisector);
      const a = rng.uniform(0, 2 * Math.PI);
      const off = add(
        scale(e1, Math.cos(a) * rng.uniform(0, 0.5)),
        scale(e2, Math.sin(a) * rng.uniform(0, 0.5)),
      );
      center = add(f.p, scale(normalize(add(f.bisector, off)), radius * rng.uniform(0.3, 0.9) + f.r * 0.5));
    } else {
      // Beside a vessel: the centre within (vessel radius + nodule radius) of its axis, so they overlap.
      const v = rng.pick(vessels);
      const t = rng.uniform(0.05, 0.95);
      const axis = add(v.a, scale(sub(v.b, v.a), t));
      const rv = v.r + (v.rb - v.r) * t;
      const [e1, e2] = perpendiculars(normalize(sub(v.b, v.a)));
      const a = rng.uniform(0, 2 * Math.PI);
      const dir = add(scale(e1, Math.cos(a)), scale(e2, Math.sin(a)));
      center = add(axis, scale(dir, rv + radius * rng.uniform(0.25, 0.9)));
    }
    if (lungDepth(chest, center[0], center[1], center[2]) > radius + 2) return { center };
  }
  return null;
}

/** Broad-based on the pleura: the centre from 0.3 r beyond the pleural surface to 0.7 r inside the lung. */
function juxtapleuralPoint(rng: Rng, chest: Chest, radius: number): Placement | null {
  const where = rng.weighted([
    ['costal', 0.55],
    ['posterior', 0.12],
    ['mediastinal', 0.18],
    ['diaphragm', 0.15],
  ] as const);
  const zRange: [number, number] | undefined =
    where === 'diaphragm' ? [chest.zDomeLeft - 30, chest.zDomeRight + 10] : undefined;
  const start = randomLungPoint(rng, chest, radius + 6, zRange);
  if (!start) return null;
  const side = start[0] < 0 ? -1 : 1;
  const dir: Vec3 =
    where === 'costal'
      ? [side * rng.uniform(0.5, 1), rng.uniform(-0.9, 0.9), rng.uniform(-0.2, 0.2)]
      : where === 'posterior'
        ? [side * rng.uniform(0, 0.5), 1, rng.uniform(-0.2, 0.2)]
        : where === 'mediastinal'
          ? [-side, rng.uniform(-0.5, 0.5), rng.uniform(-0.25, 0.25)]
          : [rng.normal(0, 0.25), rng.normal(0, 0.25), -1];
  const target = radius * rng.uniform(-0.3, 0.7);
  const p = marchTo(chest, start, dir, target, 0.5);
  return p ? { center: p } : null;
}

function perifissuralPoint(rng: Rng, chest: Chest, radius: number): Placement | null {
  const surfaces = fissureSurfaces(chest);
  if (surfaces.length === 0) return null;
  for (let i = 0; i < 60; i++) {
    const s = rng.pick(surfaces);
    let q = randomLungPoint(rng, chest, radius + 4, undefined, 100);
    if (!q || Math.sign(q[0]) !== s.f.side) continue;
    for (let k = 0; k < 4; k++) {
      const d = s.distance(q[0], q[1], q[2]);
      q = sub(q, scale(s.normalAt(q[0], q[1], q[2]), d));
    }
    if (Math.abs(s.distance(q[0], q[1], q[2])) > 0.3) continue;
    if (s.presence(q[0], q[1], q[2]) < 0.9) continue;
    if (lungDepth(chest, q[0], q[1], q[2]) < radius + 3) continue;
    const n = s.normalAt(q[0], q[1], q[2]);
    const frame = frameAround(rng, n);
    return { center: add(q, scale(n, rng.uniform(-0.35, 0.35) * radius * 0.5)), frame };
  }
  return null;
}

function intraparenchymalPoint(rng: Rng, chest: Chest, radius: number): Placement | null {
  const p = randomLungPoint(rng, chest, radius + 2);
  return p ? { center: p } : null;
}

/** Make one nodule (with placement) or null if no valid place was found. */
export function makeNodule(
  rng: Rng,
  chest: Chest,
  placed: readonly Nodule[],
  req: NoduleRequest = {},
): Nodule | null {
  let location =
    req.location ??
    rng.weighted<NoduleLocation>([
      ['intraparenchymal', 0.45],
      ['juxtavascular', 0.2],
      ['juxtapleural', 0.25],
      ['perifissural', 0.1],
    ]);
  let type =
    req.type ??
    rng.weighted<NoduleType>([
      ['solid', 0.5],
      ['ground-glass', 0.2],
      ['part-solid', 0.15],
      ['calcified', 0.15],
    ]);
  let diameter = req.diameter ?? sampleDiameter(rng);
  // Perifissural nodules are small solid (intrapulmonary lymph nodes).
  if (location === 'perifissural' && !req.location && (type === 'ground-glass' || type === 'part-solid')) {
    type = req.type ?? 'solid';
  }
  if (location === 'perifissural' && !req.diameter) diameter = Math.min(diameter, 10);
  if (location === 'perifissural' && (type === 'ground-glass' || type === 'part-solid')) {
    location = 'intraparenchymal';
  }
  if (type === 'part-solid') diameter = Math.max(diameter, 6);
  if (type === 'ground-glass') diameter = Math.max(diameter, 4);
  if (type === 'calcified') diameter = Math.min(diameter, 12);
  const margin =
    req.margin ??
    (type === 'calcified' || diameter < 6 || location === 'perifissural'
      ? rng.weighted<NoduleMargin>([
          ['smooth', 0.85],
          ['lobulated', 0.15],
        ])
      : rng.weighted<NoduleMargin>([
          ['smooth', 0.45],
          ['lobulated', 0.35],
          ['spiculated', type === 'ground-glass' ? 0 : 0.2],
        ]));
  const irregularShape = margin === 'lobulated' && diameter >= 6 && rng.chance(0.45);
  const shape: NoduleShape =
    location === 'perifissural'
      ? 'lentiform'
      : margin === 'spiculated'
        ? 'spiculated'
        : irregularShape
          ? 'irregular'
          : margin === 'lobulated'
            ? 'lobulated'
            : 'ellipsoid';
  const maxAspect = diameter < 6 ? 1.3 : 1.6;
  const f1 = rng.uniform(1 / maxAspect, 1);
  const f2 = rng.uniform(1 / maxAspect, 1);
  const baseAxes: Vec3 =
    shape === 'lentiform' ? [1, rng.uniform(0.75, 1), rng.uniform(0.35, 0.6)] : [1, f1, f2];
  const r0 = diameter / 2;
  for (let attempt = 0; attempt < 150; attempt++) {
    const rMax = r0 * 1.25;
    const placement: Placement | null =
      location === 'juxtapleural'
        ? juxtapleuralPoint(rng, chest, r0)
        : location === 'perifissural'
          ? perifissuralPoint(rng, chest, r0)
          : location === 'juxtavascular'
            ? juxtavascularPoint(rng, chest, r0)
            : intraparenchymalPoint(rng, chest, rMax);
    if (!placement) continue;
    const center = placement.center;
    if (
      placed.some(
        (o) =>
          Math.hypot(o.center[0] - center[0], o.center[1] - center[1], o.center[2] - center[2]) <
          rMax + Math.max(...o.axes) + 10,
      )
    ) {
      continue;
    }
    const rot = placement.frame ?? randomRotation(rng);
    // Scale the shape so that its axial section through the centre has the requested mean diameter.
    const [sa, sb] = axialSectionAxes(baseAxes, rot);
    const k = r0 / ((sa + sb) / 2);
    const axes: Vec3 = [baseAxes[0] * k, baseAxes[1] * k, baseAxes[2] * k];
    const lobes =
      margin === 'lobulated' && !irregularShape
        ? Array.from({ length: rng.int(2, 3) }, () => ({
            amp: rng.uniform(0.05, 0.11),
            k: rng.int(3, 5),
            phase: rng.uniform(0, 2 * Math.PI),
            kz: rng.int(0, 2),
          }))
        : [];
    const spicules: Spicule[] =
      margin === 'spiculated'
        ? Array.from({ length: rng.int(6, 14) }, () => {
            const d: Vec3 = normalize([rng.normal(), rng.normal(), rng.normal() * 0.6]);
            return {
              dir: d,
              length: rng.uniform(0.6, 1.4) * Math.max(4, diameter * 0.6),
              radius: rng.uniform(0.6, 1.3),
            };
          })
        : [];
    const irregular = irregularShape
      ? rng.uniform(0.1, 0.22)
      : margin === 'spiculated'
        ? rng.uniform(0.04, 0.12)
        : margin === 'lobulated'
          ? rng.uniform(0, 0.05)
          : 0;
    const hu =
      type === 'solid'
        ? rng.chance(0.8)
          ? rng.uniform(0, 70)
          : rng.uniform(-50, 80)
        : type === 'ground-glass'
          ? rng.uniform(-780, -350)
          : type === 'part-solid'
            ? rng.uniform(-750, -380)
            : rng.uniform(250, 900);
    const central = type === 'calcified' && rng.chance(0.3);
    const partial: Omit<Nodule, 'measure'> = {
      type,
      margin,
      location,
      shape,
      center,
      axes,
      rot,
      lobes,
      spicules,
      irregular,
      irregularFreq: rng.uniform(1.3, 2.4),
      hu: central ? rng.uniform(10, 60) : hu,
      solidDiameter: type === 'part-solid' ? Math.min(diameter * rng.uniform(0.3, 0.6), diameter - 2) : null,
      solidHU: rng.uniform(-20, 70),
      calcifiedCore: central ? diameter * rng.uniform(0.25, 0.35) : null,
      textureSeed: Math.floor(rng.next() * 2 ** 31),
      clipToLung: location === 'juxtapleural',
    };
    const measure = measureNodule(partial, chest);
    if (partial.clipToLung) {
      // Enough of it must be in the lung to be a nodule: at least a third of its volume, and at least 3 mm.
      const full = (4 / 3) * Math.PI * axes[0] * axes[1] * axes[2];
      if (measure.volume < full * 0.33 || (measure.longAxis + measure.shortAxis) / 2 < 3) continue;
    }
    const calcHU = central ? rng.uniform(350, 900) : 0;
    return { ...partial, solidHU: central ? calcHU : partial.solidHU, measure };
  }
  return null;
}

/** The nearest vessel surface to a nodule's centre, minus the nodule's radius: ≤ 0 means they touch. */
export function vesselGap(n: Nodule, chest: Chest): number {
  const r = (n.axes[0] + n.axes[1] + n.axes[2]) / 3;
  let best = Infinity;
  for (const c of chest.capsules) {
    if (c.kind !== 'vessel') continue;
    const ab = sub(c.b, c.a);
    const ap = sub(n.center, c.a);
    const t = Math.max(0, Math.min(1, dot(ap, ab) / (dot(ab, ab) || 1)));
    const q = sub(ap, scale(ab, t));
    const d = Math.hypot(q[0], q[1], q[2]) - (c.r + (c.rb - c.r) * t);
    if (d < best) best = d;
  }
  return best - r;
}
