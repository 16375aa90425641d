/**
 * What else a chest CT shows besides nodules, drawn so that a detector learns not to call it a nodule:
 * linear scars and plate-like atelectasis, pleural plaques (some calcified), emphysema (centrilobular or
 * paraseptal), a small dependent pleural effusion, dependent ground-glass density, mediastinal and hilar
 * lymph nodes and tiny calcified granulomas (under 3 mm: not nodules; larger ones are nodules and listed
 * in the truth). None of these is in the truth.
 */
import { add, normalize, scale, sub, type Vec3 } from '../dicom/geometry';
import {
  frameAround,
  lungDepth,
  lungNormal,
  perpendiculars,
  randomLungPoint,
  randomRotation,
  type Chest,
  type Mat3,
  type Plate,
} from './anatomy';
import type { Rng } from './rng';

/** An emphysematous hole: a sphere of near-air density, with a thin wall for paraseptal bullae. */
export interface Hole {
  readonly c: Vec3;
  readonly r: number;
  readonly hu: number;
  /** HU of a thin wall around it, or null for none. */
  readonly rim: number | null;
}

/** An oriented ellipsoid: pleural plaques, lymph nodes, granulomas. */
export interface Blob {
  readonly kind: 'plaque' | 'lymph-node' | 'granuloma';
  readonly c: Vec3;
  readonly axes: Vec3;
  readonly rot: Mat3;
  readonly hu: number;
  /** Drawn only inside the lung (a plaque's soft tissue on the pleura) or everywhere. */
  readonly clip: 'lung' | 'none';
}

export interface Effusion {
  /** -1 right, +1 left, 0 both. */
  readonly side: -1 | 0 | 1;
  /** Greatest fluid depth (mm, along gravity) and the height where it ends, with a taper span. */
  readonly thick: number;
  readonly zTop: number;
  readonly span: number;
  readonly hu: number;
}

export interface DependentDensity {
  readonly amp: number;
  readonly lambda: number;
  readonly zTop: number;
}

export interface FindingsSummary {
  readonly emphysema: 'none' | 'centrilobular' | 'paraseptal' | 'mixed';
  readonly effusion: boolean;
  readonly dependentDensity: boolean;
  readonly scars: number;
  readonly plaques: number;
  readonly lymphNodes: number;
  readonly granulomas: number;
}

export interface Findings {
  readonly plates: readonly Plate[];
  readonly holes: readonly Hole[];
  readonly blobs: readonly Blob[];
  readonly effusion: Effusion | null;
  readonly dependentDensity: DependentDensity | null;
  readonly summary: FindingsSummary;
}

export interface FindingsOptions {
  /** None at all (the demo set, tests). */
  readonly clean?: boolean;
  /** Training data: more of everything that could be mistaken for a nodule. */
  readonly training?: boolean;
}

export const NO_FINDINGS: Findings = {
  plates: [],
  holes: [],
  blobs: [],
  effusion: null,
  dependentDensity: null,
  summary: {
    emphysema: 'none',
    effusion: false,
    dependentDensity: false,
    scars: 0,
    plaques: 0,
    lymphNodes: 0,
    granulomas: 0,
  },
};

/** March from p along dir until the lung depth falls to `target` (or give up). */
export function marchTo(chest: Chest, p: Vec3, dir: Vec3, target: number, step = 0.7): Vec3 | null {
  const d = normalize(dir);
  let q = p;
  for (let s = 0; s < 500; s++) {
    const next = add(q, scale(d, step));
    if (lungDepth(chest, next[0], next[1], next[2]) <= target) return next;
    q = next;
  }
  return null;
}

function emphysema(rng: Rng, chest: Chest, kind: FindingsSummary['emphysema'], holes: Hole[]): void {
  const zLow = chest.zDomeLeft;
  const severity = rng.uniform(0.3, 1);
  if (kind === 'centrilobular' || kind === 'mixed') {
    // Upper-lobe predominant clusters of small lucencies without walls.
    const clusters = Math.round(severity * rng.uniform(60, 220));
    for (let i = 0; i < clusters; i++) {
      const c = randomLungPoint(rng, chest, 4, [zLow, chest.zApex - 10]);
      if (!c) continue;
      if (!rng.chance(((c[2] - zLow) / (chest.zApex - zLow)) ** 1.2)) continue;
      const n = rng.int(3, 12);
      for (let k = 0; k < n; k++) {
        const r = 0.8 + 4.2 * rng.next() ** 2.2;
        const p: Vec3 = add(c, [rng.normal(0, 5), rng.normal(0, 5), rng.normal(0, 4)]);
        if (lungDepth(chest, p[0], p[1], p[2]) < r + 1) continue;
        holes.push({ c: p, r, hu: rng.uniform(-995, -955), rim: null });
      }
    }
  }
  if (kind === 'paraseptal' || kind === 'mixed') {
    // Subpleural bullae in a row along the pleura, with thin walls.
    const rows = Math.round(severity * rng.uniform(5, 16));
    for (let i = 0; i < rows; i++) {
      const start = randomLungPoint(rng, chest, 15, [chest.carina[2] - 20, chest.zApex - 8]);
      if (!start) continue;
      const side = start[0] < 0 ? -1 : 1;
      const dir: Vec3 = [side * rng.uniform(0.4, 1), rng.uniform(-1, 1), rng.uniform(-0.3, 0.3)];
      const wall = marchTo(chest, start, dir, 0);
      if (!wall) continue;
      const n = lungNormal(chest, wall);
      const [t1] = perpendiculars(n);
      const count = rng.int(2, 7);
      let p = wall;
      for (let k = 0; k < count; k++) {
        const r = rng.uniform(2.5, 7);
        const c = sub(p, scale(n, r + rng.uniform(0.3, 1.5)));
        if (lungDepth(chest, c[0], c[1], c[2]) > r * 0.6) {
          holes.push({ c, r, hu: rng.uniform(-995, -960), rim: rng.uniform(-650, -450) });
        }
        p = add(p, scale(t1, 2 * r + rng.uniform(0.5, 3)));
        const back = marchTo(chest, sub(p, scale(n, 12)), n, 0);
        if (!back) break;
        p = back;
      }
    }
  }
}

function scars(rng: Rng, chest: Chest, count: number, plates: Plate[]): void {
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.5)) {
      // Plate-like (subsegmental) atelectasis: a roughly horizontal band in a lower zone.
      const c = randomLungPoint(rng, chest, 8, [chest.zDomeLeft - 10, chest.carina[2] - 20]);
      if (!c) continue;
      const n = normalize([rng.normal(0, 0.3), rng.normal(0, 0.3), 1]);
      const [u, v] = frameAround(rng, n);
      plates.push({
        c,
        u,
        v,
        n,
        halfU: rng.uniform(6, 20),
        halfV: rng.uniform(3, 10),
        halfT: rng.uniform(0.6, 1.5),
        hu: rng.uniform(-150, 20),
        clip: 'lung',
      });
    } else {
      // A linear scar running in from the pleura.
      const start = randomLungPoint(rng, chest, 15);
      if (!start) continue;
      const side = start[0] < 0 ? -1 : 1;
      const wall = marchTo(
        chest,
        start,
        [side * rng.uniform(0.3, 1), rng.uniform(-1, 1), rng.uniform(-0.4, 0.4)],
        0,
      );
      if (!wall) continue;
      const out = lungNormal(chest, wall);
      const u = normalize(add(out, [rng.normal(0, 0.3), rng.normal(0, 0.3), rng.normal(0, 0.3)]));
      const halfU = rng.uniform(5, 20);
      const [p, q] = perpendiculars(u);
      const a = rng.uniform(0, 2 * Math.PI);
      const v = normalize(add(scale(p, Math.cos(a)), scale(q, Math.sin(a))));
      const n = normalize([u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]);
      plates.push({
        c: sub(wall, scale(u, halfU * 0.85)),
        u,
        v,
        n,
        halfU,
        halfV: rng.uniform(1.5, 6),
        halfT: rng.uniform(0.5, 1.2),
        hu: rng.uniform(-200, 10),
        clip: 'lung',
      });
    }
  }
}

function plaques(rng: Rng, chest: Chest, count: number, blobs: Blob[]): number {
  let made = 0;
  const calcifiedCase = rng.chance(0.5);
  for (let i = 0; i < count; i++) {
    const start = randomLungPoint(rng, chest, 12, [chest.zDomeLeft - 20, chest.carina[2] + 40]);
    if (!start) continue;
    const side = start[0] < 0 ? -1 : 1;
    const diaphragm = rng.chance(0.2);
    const dir: Vec3 = diaphragm
      ? [rng.normal(0, 0.2), rng.normal(0, 0.2), -1]
      : [side * rng.uniform(0.5, 1), rng.uniform(-0.8, 0.8), rng.uniform(-0.2, 0.2)];
    const wall = marchTo(chest, start, dir, 0);
    if (!wall) continue;
    const n = lungNormal(chest, wall);
    const rot = frameAround(rng, n);
    const halfT = rng.uniform(1, 3);
    const calcified = calcifiedCase && rng.chance(0.6);
    blobs.push({
      kind: 'plaque',
      c: add(wall, scale(n, halfT * rng.uniform(0.1, 0.6))),
      axes: [rng.uniform(8, 25), rng.uniform(6, 16), halfT],
      rot,
      hu: calcified ? rng.uniform(250, 900) : rng.uniform(20, 70),
      clip: calcified ? 'none' : 'lung',
    });
    made++;
  }
  return made;
}

function lymphNodes(rng: Rng, chest: Chest, count: number, blobs: Blob[]): number {
  let made = 0;
  const tubes = chest.tubes;
  for (let i = 0; i < count * 6 && made < count; i++) {
    const t = rng.pick(tubes);
    const along = rng.uniform(0.1, 0.9);
    const p = add(t.a, scale(sub(t.b, t.a), along));
    if (p[2] > chest.zApex + 15 || p[2] < chest.zDomeLeft) continue;
    const [e1, e2] = perpendiculars(normalize(sub(t.b, t.a)));
    const a = rng.uniform(0, 2 * Math.PI);
    const dir = add(scale(e1, Math.cos(a)), scale(e2, Math.sin(a)));
    const r = rng.uniform(2.5, 7);
    const c = add(p, scale(dir, t.r + r + rng.uniform(0.5, 4)));
    if (lungDepth(chest, c[0], c[1], c[2]) > r * 0.3) continue;
    blobs.push({
      kind: 'lymph-node',
      c,
      axes: [r, r * rng.uniform(0.6, 1), r * rng.uniform(0.6, 1.3)],
      rot: randomRotation(rng),
      hu: rng.chance(0.1) ? rng.uniform(200, 700) : rng.uniform(20, 50),
      clip: 'none',
    });
    made++;
  }
  return made;
}

function granulomas(rng: Rng, chest: Chest, count: number, blobs: Blob[]): number {
  let made = 0;
  for (let i = 0; i < count; i++) {
    const c = randomLungPoint(rng, chest, 3);
    if (!c) continue;
    const r = rng.uniform(0.5, 1.1);
    blobs.push({
      kind: 'granuloma',
      c,
      axes: [r, r, r],
      rot: randomRotation(rng),
      hu: rng.uniform(300, 900),
      clip: 'none',
    });
    made++;
  }
  return made;
}

/** Sample the findings of one case. */
export function makeFindings(rng: Rng, chest: Chest, options: FindingsOptions = {}): Findings {
  if (options.clean === true) return NO_FINDINGS;
  const training = options.training === true;
  const plates: Plate[] = [];
  const holes: Hole[] = [];
  const blobs: Blob[] = [];

  const emphysemaKind: FindingsSummary['emphysema'] = rng.chance(training ? 0.35 : 0.2)
    ? rng.weighted([
        ['centrilobular', 0.5],
        ['paraseptal', 0.25],
        ['mixed', 0.25],
      ] as const)
    : 'none';
  emphysema(rng.fork('emphysema'), chest, emphysemaKind, holes);

  const scarCount = rng.chance(training ? 0.65 : 0.35) ? rng.int(1, training ? 6 : 3) : 0;
  scars(rng.fork('scars'), chest, scarCount, plates);

  const plaqueCount = rng.chance(training ? 0.12 : 0.06) ? rng.int(2, 8) : 0;
  const plaqueMade = plaques(rng.fork('plaques'), chest, plaqueCount, blobs);

  const nodeCount = rng.chance(training ? 0.75 : 0.5) ? rng.int(1, training ? 8 : 5) : 0;
  const nodeMade = lymphNodes(rng.fork('nodes'), chest, nodeCount, blobs);

  const granCount = rng.chance(training ? 0.35 : 0.2) ? rng.int(1, 4) : 0;
  const granMade = granulomas(rng.fork('granulomas'), chest, granCount, blobs);

  const effRng = rng.fork('effusion');
  const effusion: Effusion | null = effRng.chance(training ? 0.12 : 0.08)
    ? {
        side: effRng.weighted<-1 | 0 | 1>([
          [-1, 0.4],
          [1, 0.3],
          [0, 0.3],
        ]),
        thick: effRng.uniform(8, 35),
        zTop: chest.zDomeRight + effRng.uniform(15, 70),
        span: effRng.uniform(25, 70),
        hu: effRng.uniform(0, 22),
      }
    : null;
  const ddRng = rng.fork('dependent');
  const dependentDensity: DependentDensity | null = ddRng.chance(training ? 0.3 : 0.2)
    ? {
        amp: ddRng.uniform(60, 230),
        lambda: ddRng.uniform(5, 18),
        zTop: chest.zDomeRight + ddRng.uniform(30, 110),
      }
    : null;
  return {
    plates,
    holes,
    blobs,
    effusion,
    dependentDensity,
    summary: {
      emphysema: emphysemaKind,
      effusion: effusion !== null,
      dependentDensity: dependentDensity !== null,
      scars: plates.length,
      plaques: plaqueMade,
      lymphNodes: nodeMade,
      granulomas: granMade,
    },
  };
}
