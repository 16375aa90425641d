/**
 * A reader-study protocol over a case set, for one reader on this device: which case is read in which
 * condition (unaided, or with AI), in which session and in which order, and when the next session opens.
 *
 * - Sequential: session 1 reads every case unaided; session 2 reads every case with AI, after a washout of
 *   N days counted from the last read of session 1.
 * - Crossed: the cases are split in two halves; session 1 reads one half with AI and the other unaided,
 *   session 2 the other way round (after the washout, which may be 0 days).
 *
 * The order within each session, and which half is aided first, is shuffled per reader (seeded by the
 * reader and the study, so a resumed study keeps its order). A read is recorded only when it is the one the
 * protocol expects next, so a study cannot be read out of order or before its session opens. The plan is
 * plain data, kept on the device under one versioned key and validated when loaded (a plan that does not
 * parse is dropped, not trusted). Pure.
 */
import { hashString, mulberry32 } from '../lib/random';
import { studyFromHistory, type PracticeEntry } from './history';
import { readList, writeList, type KeyValueStore, type StoredList } from './stored';
import { analyseStudy, type StudyReport } from './study';
import type { Modality, TruthLesion } from './types';

export type Design =
  | { readonly kind: 'sequential'; readonly washoutDays: number }
  | { readonly kind: 'crossed'; readonly washoutDays: number };

export interface PlannedRead {
  readonly caseId: string;
  readonly modality: Modality;
}

export interface ReaderStudyPlan {
  readonly id: string;
  /** The reader's pseudonym (the reads in the practice history carry it). */
  readonly reader: string;
  /** The case set's name (e.g. "demo"), and its cases. */
  readonly caseSet: string;
  readonly caseIds: readonly string[];
  readonly design: Design;
  readonly createdAt: string;
  /** The reads of each session, in the order they are to be read. */
  readonly sessions: readonly (readonly PlannedRead[])[];
  /** When each read was submitted, in order (the i-th entry is the i-th read of the protocol). */
  readonly done: readonly string[];
}

export type NextStep =
  | { readonly kind: 'read'; readonly session: number; readonly index: number; readonly read: PlannedRead }
  | { readonly kind: 'washout'; readonly session: number; readonly opensAt: string }
  | { readonly kind: 'done' };

const DAY_MS = 86_400_000;
export const MAX_WASHOUT_DAYS = 365;

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The fewest cases a study is planned over: its 95% intervals come from a bootstrap over cases. */
export const MIN_STUDY_CASES = 2;

/**
 * The cases of a set chosen for a study (a reader study may cover a subset of the set): those of the set
 * that were chosen, in the set's order, each once (a chosen id the set does not hold is dropped); null when
 * fewer than MIN_STUDY_CASES remain.
 */
export function studyCases(all: readonly string[], chosen: Iterable<string>): string[] | null {
  const wanted = new Set(chosen);
  const cases = [...new Set(all)].filter((id) => wanted.has(id));
  return cases.length >= MIN_STUDY_CASES ? cases : null;
}

/** A new study for one reader over a case set: its sessions scheduled and shuffled for this reader. */
export function planStudy(o: {
  readonly id: string;
  readonly reader: string;
  readonly caseSet: string;
  readonly caseIds: readonly string[];
  readonly design: Design;
  readonly now: Date;
}): ReaderStudyPlan {
  const random = mulberry32(hashString(`${o.id}\u0000${o.reader}`));
  const cases = [...new Set(o.caseIds)];
  const washoutDays = Math.min(MAX_WASHOUT_DAYS, Math.max(0, Math.round(o.design.washoutDays)));
  let sessions: PlannedRead[][];
  if (o.design.kind === 'sequential') {
    sessions = (['unaided', 'aided'] as const).map((modality) =>
      shuffled(cases, random).map((caseId) => ({ caseId, modality })),
    );
  } else {
    const order = shuffled(cases, random);
    const half = new Set(order.slice(0, Math.ceil(order.length / 2)));
    sessions = [0, 1].map((s) =>
      shuffled(cases, random).map((caseId) => ({
        caseId,
        modality: half.has(caseId) === (s === 0) ? 'aided' : 'unaided',
      })),
    );
  }
  return {
    id: o.id,
    reader: o.reader,
    caseSet: o.caseSet,
    caseIds: cases,
    design: { kind: o.design.kind, washoutDays },
    createdAt: o.now.toISOString(),
    sessions,
    done: [],
  };
}

/** What the reader does next: the next read, a wait for the washout, or nothing (the study is done). */
export function nextStep(plan: ReaderStudyPlan, now: Date): NextStep {
  let before = 0;
  for (const [session, reads] of plan.sessions.entries()) {
    const index = plan.done.length - before;
    if (index < reads.length) {
      const read = reads[index];
      const last = plan.done[before - 1];
      if (session > 0 && index === 0 && last !== undefined) {
        const opens = Date.parse(last) + plan.design.washoutDays * DAY_MS;
        if (now.getTime() < opens)
          return { kind: 'washout', session, opensAt: new Date(opens).toISOString() };
      }
      return { kind: 'read', session, index, read };
    }
    before += reads.length;
  }
  return { kind: 'done' };
}

/** How far a study is: reads done and planned, per session. */
export function progressOf(plan: ReaderStudyPlan): { done: number; total: number }[] {
  let left = plan.done.length;
  return plan.sessions.map((reads) => {
    const done = Math.min(left, reads.length);
    left -= done;
    return { done, total: reads.length };
  });
}

/**
 * The plan with a read recorded, when it is the read the protocol expects now (that case, in that
 * condition, its session open); null otherwise (the read stays practice, outside the study).
 */
export function recordRead(
  plan: ReaderStudyPlan,
  read: PlannedRead & { readonly reader: string },
  at: Date,
): ReaderStudyPlan | null {
  const next = nextStep(plan, at);
  if (next.kind !== 'read' || read.reader !== plan.reader) return null;
  if (next.read.caseId !== read.caseId || next.read.modality !== read.modality) return null;
  return { ...plan, done: [...plan.done, at.toISOString()] };
}

/** The reads of the study done so far, each with when it was submitted (to find them in the history). */
export function readsDone(plan: ReaderStudyPlan): (PlannedRead & { readonly at: string })[] {
  return plan.sessions.flat().flatMap((r, i) => {
    const at = plan.done[i];
    return at === undefined ? [] : [{ ...r, at }];
  });
}

/**
 * The results of the studies over one case set with one design: each reader's protocol reads found in the
 * practice history (by reader, case, condition and submission time), analysed by study.ts (per reader and
 * pooled, unaided and with AI, the differences with their 95% intervals). Null before any case has been
 * read both ways.
 */
export function studyResults(
  plans: readonly ReaderStudyPlan[],
  history: readonly PracticeEntry[],
): StudyReport | null {
  const wanted = new Set(
    plans.flatMap((p) =>
      readsDone(p).map((r) => `${p.reader}\u0000${r.caseId}\u0000${r.modality}\u0000${r.at}`),
    ),
  );
  const entries = history.filter((e) =>
    wanted.has(`${e.read.reader}\u0000${e.read.caseId}\u0000${e.read.modality}\u0000${e.read.at}`),
  );
  const byCase = new Map<string, Set<string>>();
  for (const e of entries)
    byCase.set(e.read.caseId, (byCase.get(e.read.caseId) ?? new Set()).add(e.read.modality));
  if (![...byCase.values()].some((m) => m.size === 2)) return null;
  const truth = new Map<string, readonly TruthLesion[]>(entries.map((e) => [e.read.caseId, e.truth]));
  return analyseStudy(studyFromHistory(entries), (id) => truth.get(id) ?? []);
}

// Storage: one versioned key (practice/stored.ts), every plan validated when read.

export const STUDIES_KEY = 'lucent.readerStudies';
const VERSION = 1;
const MAX_PLANS = 50;

const isString = (v: unknown): v is string => typeof v === 'string';
const isDate = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));

function designOf(raw: unknown): Design | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const d = raw as Record<string, unknown>;
  const days = d['washoutDays'];
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_WASHOUT_DAYS) return null;
  return d['kind'] === 'sequential' || d['kind'] === 'crossed'
    ? { kind: d['kind'], washoutDays: days }
    : null;
}

/** A stored plan, checked: every case read once per condition across the sessions, reads done in order. */
export function planOf(raw: unknown): ReaderStudyPlan | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const p = raw as Record<string, unknown>;
  const design = designOf(p['design']);
  const caseIds = p['caseIds'];
  const sessions = p['sessions'];
  const done = p['done'];
  if (!design || !isString(p['id']) || !isString(p['reader']) || !isString(p['caseSet'])) return null;
  if (!isDate(p['createdAt']) || !Array.isArray(caseIds) || !caseIds.every(isString)) return null;
  if (!Array.isArray(sessions) || sessions.length !== 2 || !Array.isArray(done) || !done.every(isDate))
    return null;
  const reads: PlannedRead[][] = [];
  for (const s of sessions as unknown[]) {
    if (!Array.isArray(s)) return null;
    const list: PlannedRead[] = [];
    for (const r of s as unknown[]) {
      const x = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
      const modality = x['modality'];
      if (!isString(x['caseId']) || (modality !== 'unaided' && modality !== 'aided')) return null;
      list.push({ caseId: x['caseId'], modality });
    }
    reads.push(list);
  }
  // Each case exactly once unaided and once aided.
  const seen = reads.flat().map((r) => `${r.caseId}\u0000${r.modality}`);
  const wanted = caseIds.flatMap((c) => [`${c}\u0000unaided`, `${c}\u0000aided`]);
  if (seen.length !== wanted.length || new Set(seen).size !== seen.length) return null;
  if (!wanted.every((w) => seen.includes(w))) return null;
  if (done.length > seen.length) return null;
  return {
    id: p['id'],
    reader: p['reader'],
    caseSet: p['caseSet'],
    caseIds,
    design,
    createdAt: p['createdAt'],
    sessions: reads,
    done,
  };
}

const STUDIES: StoredList<ReaderStudyPlan> = {
  key: STUDIES_KEY,
  version: VERSION,
  field: 'studies',
  parse: planOf,
};

/** The studies kept on this device, oldest first; [] when there are none or they cannot be read. */
export function loadStudies(storage: KeyValueStore | undefined): ReaderStudyPlan[] {
  return readList(storage, STUDIES);
}

/**
 * Keep a plan (a new one, or one with a read recorded) and return the studies as stored. A full or
 * disabled storage keeps them in memory only (the caller shows what it gets back).
 */
export function saveStudy(storage: KeyValueStore | undefined, plan: ReaderStudyPlan): ReaderStudyPlan[] {
  const stored = loadStudies(storage);
  const known = stored.some((p) => p.id === plan.id);
  const studies = (known ? stored.map((p) => (p.id === plan.id ? plan : p)) : [...stored, plan]).slice(
    -MAX_PLANS,
  );
  writeList(storage, STUDIES, studies);
  return studies;
}
