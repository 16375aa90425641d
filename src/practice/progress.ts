/**
 * Progress from the practice history: sensitivity and false positives per practice session over time,
 * sensitivity by nodule type, size and place (the weaknesses), and a suggested next set aimed at the
 * weakest of them. Pure: the history in, numbers out.
 */
import { NODULE_TYPES, type NoduleType } from '../findings/types';
import { MIXES, type CaseMix, type Placement } from './difficulty';
import type { PracticeEntry } from './history';
import { matchMarks } from './match';

/** Reads less than this far apart belong to one session. */
export const SESSION_GAP_MS = 60 * 60 * 1000;

export interface SessionPoint {
  /** When the session started (ISO 8601). */
  readonly at: string;
  readonly cases: number;
  readonly lesions: number;
  readonly found: number;
  /** found / lesions; NaN when the session's cases held no nodule. */
  readonly sensitivity: number;
  readonly fpPerCase: number;
  readonly secondsPerCase: number;
}

/** Unaided reads grouped into sessions, oldest first. */
export function sessions(history: readonly PracticeEntry[]): SessionPoint[] {
  const reads = history
    .filter((e) => e.read.modality === 'unaided')
    .sort((a, b) => Date.parse(a.read.at) - Date.parse(b.read.at));
  const groups: PracticeEntry[][] = [];
  let last = -Infinity;
  for (const e of reads) {
    const t = Date.parse(e.read.at);
    if (t - last > SESSION_GAP_MS || groups.length === 0) groups.push([]);
    groups[groups.length - 1]?.push(e);
    last = t;
  }
  return groups.map((g) => {
    let lesions = 0;
    let found = 0;
    let fps = 0;
    for (const e of g) {
      const m = matchMarks(e.truth, e.read.marks);
      lesions += e.truth.length;
      found += m.hits.length;
      fps += m.falsePositives.length;
    }
    return {
      at: g[0]?.read.at ?? '',
      cases: g.length,
      lesions,
      found,
      sensitivity: lesions ? found / lesions : NaN,
      fpPerCase: fps / g.length,
      secondsPerCase: g.reduce((s, e) => s + e.read.seconds, 0) / g.length,
    };
  });
}

export type SizeBand = 'under6' | '6to10' | 'over10';
export const SIZE_BANDS: readonly SizeBand[] = ['under6', '6to10', 'over10'];

export function sizeBand(diameterMm: number): SizeBand {
  return diameterMm < 6 ? 'under6' : diameterMm < 10 ? '6to10' : 'over10';
}

export const PLACEMENTS: readonly Placement[] = [
  'intraparenchymal',
  'juxtavascular',
  'juxtapleural',
  'perifissural',
];

export interface Tally {
  readonly seen: number;
  readonly found: number;
}

export interface Weaknesses {
  readonly byType: Readonly<Record<NoduleType, Tally>>;
  readonly bySize: Readonly<Record<SizeBand, Tally>>;
  readonly byPlacement: Readonly<Record<Placement, Tally>>;
  /** Found nodules whose type was named right, of the found nodules. */
  readonly typeNamed: Tally;
}

const tallies = <K extends string>(keys: readonly K[]): Record<K, { seen: number; found: number }> =>
  Object.fromEntries(keys.map((k) => [k, { seen: 0, found: 0 }])) as Record<
    K,
    { seen: number; found: number }
  >;

/** How often each kind of nodule was found, over the unaided reads. */
export function weaknesses(history: readonly PracticeEntry[]): Weaknesses {
  const byType = tallies(NODULE_TYPES);
  const bySize = tallies(SIZE_BANDS);
  const byPlacement = tallies(PLACEMENTS);
  const typeNamed = { seen: 0, found: 0 };
  for (const e of history) {
    if (e.read.modality !== 'unaided') continue;
    const m = matchMarks(e.truth, e.read.marks);
    e.truth.forEach((l, i) => {
      const hit = m.hits.find((h) => h.lesion === i);
      const place = PLACEMENTS.find((p) => p === l.location);
      for (const t of [byType[l.type], bySize[sizeBand(l.diameterMm)], place ? byPlacement[place] : null]) {
        if (!t) continue;
        t.seen++;
        if (hit) t.found++;
      }
      if (hit) {
        typeNamed.seen++;
        if (hit.typeRight) typeNamed.found++;
      }
    });
  }
  return { byType, bySize, byPlacement, typeNamed };
}

export type Focus =
  | { readonly kind: 'type'; readonly value: NoduleType }
  | { readonly kind: 'size'; readonly value: SizeBand }
  | { readonly kind: 'placement'; readonly value: Placement };

export interface Suggestion {
  /** The weakest kind of nodule (at least MIN_SEEN seen), or null for a balanced mix. */
  readonly focus: Focus | null;
  /** Its sensitivity so far. */
  readonly sensitivity: number;
  readonly mix: CaseMix;
}

/** A kind of nodule counts as a weakness once this many were seen. */
export const MIN_SEEN = 2;

const SIZE_RANGE: Readonly<Record<SizeBand, readonly [number, number]>> = {
  under6: [4, 6],
  '6to10': [6, 10],
  over10: [10, 16],
};

/**
 * The next set to practise: cases full of the kind of nodule found least often (lowest sensitivity among
 * those seen at least MIN_SEEN times; ties: type before size before place). Without a clear weakness
 * (nothing below 100 %, or too little history), the medium mix.
 */
export function suggestNext(history: readonly PracticeEntry[]): Suggestion {
  const w = weaknesses(history);
  const all: { focus: Focus; t: Tally }[] = [
    ...NODULE_TYPES.map((value) => ({ focus: { kind: 'type' as const, value }, t: w.byType[value] })),
    ...SIZE_BANDS.map((value) => ({ focus: { kind: 'size' as const, value }, t: w.bySize[value] })),
    ...PLACEMENTS.map((value) => ({
      focus: { kind: 'placement' as const, value },
      t: w.byPlacement[value],
    })),
  ];
  const candidates = all.filter((c) => c.t.seen >= MIN_SEEN && c.t.found < c.t.seen);
  let best: { focus: Focus; t: Tally } | null = null;
  for (const c of candidates) if (!best || c.t.found / c.t.seen < best.t.found / best.t.seen) best = c;
  if (!best) return { focus: null, sensitivity: NaN, mix: MIXES.medium };
  const base = MIXES.medium;
  const f = best.focus;
  const mix: CaseMix =
    f.kind === 'type'
      ? { ...base, count: [2, 3], types: [f.value] }
      : f.kind === 'size'
        ? { ...base, count: [2, 3], sizeMm: SIZE_RANGE[f.value] }
        : { ...base, count: [2, 3], placements: [f.value] };
  return { focus: f, sensitivity: best.t.found / best.t.seen, mix };
}
