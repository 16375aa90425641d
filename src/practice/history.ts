/**
 * A trainee's practice history on this device: every submitted read with the case's truth, so that
 * progress, weaknesses and a reader-study export can be computed from it later. The one module that knows
 * how it is stored: one versioned key in a key–value storage (localStorage in the browser), validated on
 * load (an entry that does not parse is dropped, not trusted), the newest MAX_ENTRIES kept. Nothing in it
 * identifies a patient: cases are demo or synthetic ones, or the user's own under an opaque id.
 */
import type { LungRadsCategory } from '../findings/types';
import { parseStudy } from './studyFile';
import {
  STUDY_SCHEMA,
  type AiMark,
  type Read,
  type StudyCase,
  type StudyFile,
  type TruthLesion,
} from './types';
import { readList, writeList, type KeyValueStore, type StoredList } from './stored';

export type CaseSource = 'demo' | 'synthetic' | 'own';

export interface PracticeEntry {
  readonly read: Read & { readonly at: string };
  /** What the case was (a demo case's name, "Synthetic · hard", …): shown in the history. */
  readonly label: string;
  readonly source: CaseSource;
  readonly truth: readonly TruthLesion[];
  /** The AI findings at the operating point when the model ran on the case (null: it did not). */
  readonly ai: readonly AiMark[] | null;
  /** The Lung-RADS category the truth gives the case. */
  readonly truthLungRads: LungRadsCategory;
}

/** Where the history lives: `getItem`/`setItem` of the Web Storage API. */
export type HistoryStorage = KeyValueStore;

export const HISTORY_KEY = 'lucent.practice';
const VERSION = 1;
export const MAX_ENTRIES = 500;
const SOURCES: readonly CaseSource[] = ['demo', 'synthetic', 'own'];

function entryOf(raw: unknown): PracticeEntry | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Record<string, unknown>;
  const source = SOURCES.find((s) => s === e['source']);
  if (!source || typeof e['label'] !== 'string' || typeof e['truthLungRads'] !== 'string') return null;
  // The read, its truth and the AI findings are checked by the study file's own parser.
  const parsed = parseStudy({
    schema: STUDY_SCHEMA,
    cases: [{ id: 'x', truth: e['truth'], ...(Array.isArray(e['ai']) ? { ai: e['ai'] } : {}) }],
    reads: [{ ...(e['read'] as object), caseId: 'x' }],
  });
  if (!parsed.ok) return null;
  const read = parsed.value.reads[0];
  const c = parsed.value.cases[0];
  const at = (e['read'] as { at?: unknown }).at;
  const rawCase = (e['read'] as { caseId?: unknown }).caseId;
  if (!read || !c || typeof at !== 'string' || typeof rawCase !== 'string' || Number.isNaN(Date.parse(at)))
    return null;
  return {
    read: { ...read, caseId: rawCase, at },
    label: e['label'],
    source,
    truth: c.truth ?? [],
    ai: c.ai ?? null,
    truthLungRads: e['truthLungRads'] as LungRadsCategory,
  };
}

const HISTORY: StoredList<PracticeEntry> = {
  key: HISTORY_KEY,
  version: VERSION,
  field: 'entries',
  parse: entryOf,
};

/** The stored history, oldest first; [] when there is none or it cannot be read. */
export function loadHistory(storage: HistoryStorage | undefined): PracticeEntry[] {
  return readList(storage, HISTORY);
}

/**
 * Add an entry and write the history back; returns the history as stored. A full or disabled storage
 * keeps the history in memory only (the caller shows what it gets back).
 */
export function appendHistory(storage: HistoryStorage | undefined, entry: PracticeEntry): PracticeEntry[] {
  const entries = [...loadHistory(storage), entry].slice(-MAX_ENTRIES);
  writeList(storage, HISTORY, entries);
  return entries;
}

/**
 * The history as a reader study (`lucent.readers/1`): every read, each case once with its truth and the AI
 * findings shown in its aided reads. `lucent eval --readers` scores it as it is.
 */
export function studyFromHistory(history: readonly PracticeEntry[]): StudyFile {
  const cases = new Map<string, StudyCase>();
  for (const e of history) {
    const known = cases.get(e.read.caseId);
    const ai = e.ai ?? known?.ai;
    cases.set(e.read.caseId, { id: e.read.caseId, truth: e.truth, ...(ai ? { ai } : {}) });
  }
  return { schema: STUDY_SCHEMA, cases: [...cases.values()], reads: history.map((e) => e.read) };
}
