/**
 * Detection metrics over a dataset, as LUNA16 defines them: a detection hits a true nodule when its
 * centre lies within the nodule's radius; each nodule counts once (further detections inside it are
 * ignored, not counted as false positives). FROC sensitivities at 1/8 … 8 false positives per scan and
 * their mean (CPM), with case-bootstrap confidence intervals.
 */
export interface TruthNodule {
  readonly centerMm: readonly [number, number, number];
  readonly diameterMm: number;
  readonly type: string;
  /** Further true attributes by name (e.g. margin), where the truth gives them. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface Detection {
  readonly centerMm: readonly [number, number, number];
  readonly score: number;
  readonly type: string;
  readonly meanDiameterMm: number;
  /** Decoded attributes by name (e.g. margin). */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface CaseResult {
  readonly name: string;
  readonly truth: readonly TruthNodule[];
  readonly detections: readonly Detection[];
}

export const FP_RATES = [0.125, 0.25, 0.5, 1, 2, 4, 8] as const;

interface Events {
  readonly tp: { score: number; nodule: TruthNodule; det: Detection }[];
  readonly fp: number[];
  readonly nodules: number;
  readonly scans: number;
}

function inside(d: Detection, n: TruthNodule): boolean {
  const [x, y, z] = d.centerMm;
  const [a, b, c] = n.centerMm;
  return Math.hypot(x - a, y - b, z - c) <= n.diameterMm / 2;
}

function events(cases: readonly CaseResult[], include: (n: TruthNodule) => boolean): Events {
  const tp: Events['tp'] = [];
  const fp: number[] = [];
  let nodules = 0;
  for (const c of cases) {
    const counted = c.truth.filter(include);
    nodules += counted.length;
    for (const n of counted) {
      let best: Detection | null = null;
      for (const d of c.detections) if (inside(d, n) && (!best || d.score > best.score)) best = d;
      if (best) tp.push({ score: best.score, nodule: n, det: best });
    }
    for (const d of c.detections) {
      if (!c.truth.some((n) => inside(d, n))) fp.push(d.score);
    }
  }
  return { tp, fp, nodules, scans: cases.length };
}

/** Highest sensitivity reached with at most `rate` false positives per scan. */
function sensitivityAt(e: Events, rate: number): number {
  if (e.nodules === 0) return NaN;
  const fp = [...e.fp].sort((a, b) => b - a);
  const allowed = Math.floor(rate * e.scans);
  // Threshold just above the (allowed+1)-th false positive score.
  const threshold = allowed < fp.length ? fp[allowed] : -Infinity;
  const found = e.tp.filter((t) => t.score > threshold).length;
  return found / e.nodules;
}

/** Score threshold that gives `rate` false positives per scan (or the lowest score when fewer). */
export function thresholdAt(cases: readonly CaseResult[], rate: number): number {
  const e = events(cases, () => true);
  const fp = [...e.fp].sort((a, b) => b - a);
  const allowed = Math.floor(rate * e.scans);
  return allowed < fp.length ? fp[allowed] : 0;
}

export interface Froc {
  readonly sensitivities: readonly number[];
  readonly cpm: number;
}

export function froc(cases: readonly CaseResult[], include: (n: TruthNodule) => boolean = () => true): Froc {
  const e = events(cases, include);
  const sensitivities = FP_RATES.map((r) => sensitivityAt(e, r));
  return { sensitivities, cpm: sensitivities.reduce((a, b) => a + b, 0) / sensitivities.length };
}

export interface OperatingPointStats {
  readonly threshold: number;
  readonly sensitivity: number;
  readonly fpPerScan: number;
  readonly typeAccuracy: number;
  readonly diameterMaeMm: number;
  readonly hits: number;
}

export function atThreshold(cases: readonly CaseResult[], threshold: number): OperatingPointStats {
  const kept = cases.map((c) => ({ ...c, detections: c.detections.filter((d) => d.score >= threshold) }));
  const e = events(kept, () => true);
  const typeOk = e.tp.filter((t) => t.det.type === t.nodule.type).length;
  const mae = e.tp.reduce((s, t) => s + Math.abs(t.det.meanDiameterMm - t.nodule.diameterMm), 0);
  return {
    threshold,
    sensitivity: e.nodules ? e.tp.length / e.nodules : NaN,
    fpPerScan: e.fp.length / Math.max(1, e.scans),
    typeAccuracy: e.tp.length ? typeOk / e.tp.length : NaN,
    diameterMaeMm: e.tp.length ? mae / e.tp.length : NaN,
    hits: e.tp.length,
  };
}

export interface AttributeAccuracy {
  readonly name: string;
  /** Hits at the threshold whose nodule has a true value for the attribute. */
  readonly hits: number;
  /** Share of those hits whose detection gives the true value. */
  readonly accuracy: number;
  /** What always answering the commonest true value would score on the same hits. */
  readonly baseline: number;
  readonly commonest: string | null;
}

/** How often the detections at `threshold` give a nodule attribute (e.g. margin) right, against a baseline. */
export function attributeAccuracy(
  cases: readonly CaseResult[],
  threshold: number,
  name: string,
): AttributeAccuracy {
  const kept = cases.map((c) => ({ ...c, detections: c.detections.filter((d) => d.score >= threshold) }));
  const judged = events(kept, () => true).tp.filter((t) => t.nodule.attributes?.[name] !== undefined);
  const counts = new Map<string, number>();
  for (const t of judged) {
    const v = t.nodule.attributes?.[name] ?? '';
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const [commonest, most] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [
    null,
    0,
  ];
  const right = judged.filter((t) => t.det.attributes?.[name] === t.nodule.attributes?.[name]).length;
  return {
    name,
    hits: judged.length,
    accuracy: judged.length ? right / judged.length : NaN,
    baseline: judged.length ? most / judged.length : NaN,
    commonest,
  };
}

/** Deterministic case bootstrap (a fixed pseudo-random stream) for a 95% interval of a statistic. */
export function bootstrap(
  cases: readonly CaseResult[],
  stat: (cs: readonly CaseResult[]) => number,
  rounds = 200,
): [number, number] {
  let seed = 12345;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const values: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const sample = Array.from({ length: cases.length }, () => cases[Math.floor(next() * cases.length)]);
    const v = stat(sample);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const q = (p: number): number =>
    values[Math.min(values.length - 1, Math.max(0, Math.floor(p * values.length)))] ?? NaN;
  return [q(0.025), q(0.975)];
}
