// The reader-study protocol (protocol.ts): scheduling of both designs, the washout, a reader who resumes
// (the plan stored and loaded back), reads out of order refused, stored plans validated, and the results.
import { describe, expect, it } from 'vitest';
import type { PracticeEntry } from './history';
import {
  loadStudies,
  nextStep,
  planOf,
  planStudy,
  progressOf,
  MIN_STUDY_CASES,
  recordRead,
  saveStudy,
  STUDIES_KEY,
  studyCases,
  studyResults,
  type Design,
  type ReaderStudyPlan,
} from './protocol';

const CASES = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
const T0 = new Date('2026-12-01T09:00:00Z');
const minutes = (d: Date, m: number): Date => new Date(d.getTime() + m * 60_000);
const days = (d: Date, n: number): Date => new Date(d.getTime() + n * 86_400_000);

function plan(design: Design, reader = 'R1'): ReaderStudyPlan {
  return planStudy({ id: 's1', reader, caseSet: 'demo', caseIds: CASES, design, now: T0 });
}

/** Read every read the protocol offers until it stops (a washout or the end), one minute apart. */
function readAll(p: ReaderStudyPlan, from: Date): { plan: ReaderStudyPlan; at: Date } {
  let at = from;
  for (;;) {
    const next = nextStep(p, at);
    if (next.kind !== 'read') return { plan: p, at };
    const recorded = recordRead(p, { ...next.read, reader: p.reader }, at);
    if (!recorded) throw new Error('the offered read was refused');
    p = recorded;
    at = minutes(at, 1);
  }
}

class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, v);
  }
}

describe('reader-study protocol: sequential design', () => {
  it('reads every case unaided, then every case with AI once the washout is over', () => {
    const p = plan({ kind: 'sequential', washoutDays: 28 });
    const [s1, s2] = p.sessions;
    expect(s1?.every((r) => r.modality === 'unaided')).toBe(true);
    expect(s2?.every((r) => r.modality === 'aided')).toBe(true);
    expect([...(s1 ?? [])].map((r) => r.caseId).sort()).toEqual(CASES);
    expect([...(s2 ?? [])].map((r) => r.caseId).sort()).toEqual(CASES);

    const first = readAll(p, T0);
    expect(progressOf(first.plan)).toEqual([
      { done: 7, total: 7 },
      { done: 0, total: 7 },
    ]);
    // The washout runs from the last read of session 1 (T0 + 6 min), 28 days.
    const last = minutes(T0, 6);
    const wait = nextStep(first.plan, days(last, 27));
    expect(wait).toEqual({ kind: 'washout', session: 1, opensAt: days(last, 28).toISOString() });
    // A read with AI before then is not taken into the study.
    const early = first.plan.sessions[1]?.[0];
    if (!early) throw new Error('no session 2');
    expect(recordRead(first.plan, { ...early, reader: 'R1' }, days(last, 27))).toBeNull();
    const open = nextStep(first.plan, days(last, 28));
    expect(open).toEqual({ kind: 'read', session: 1, index: 0, read: early });
    const second = readAll(first.plan, days(last, 28));
    expect(nextStep(second.plan, second.at)).toEqual({ kind: 'done' });
    expect(second.plan.done).toHaveLength(14);
  });

  it('shuffles the order per reader, the same for a reader every time', () => {
    const a = plan({ kind: 'sequential', washoutDays: 0 }, 'R1');
    const again = plan({ kind: 'sequential', washoutDays: 0 }, 'R1');
    const b = plan({ kind: 'sequential', washoutDays: 0 }, 'R2');
    expect(again.sessions).toEqual(a.sessions);
    expect(b.sessions[0]?.map((r) => r.caseId)).not.toEqual(a.sessions[0]?.map((r) => r.caseId));
    // The two sessions are not read in the same order (a remembered order would help the second read).
    expect(a.sessions[1]?.map((r) => r.caseId)).not.toEqual(a.sessions[0]?.map((r) => r.caseId));
  });
});

describe('reader-study protocol: crossed design', () => {
  it('reads half the cases with AI in session 1 and the other half with AI in session 2', () => {
    const p = plan({ kind: 'crossed', washoutDays: 0 });
    const [s1, s2] = p.sessions;
    if (!s1 || !s2) throw new Error('two sessions');
    expect(s1).toHaveLength(7);
    expect(s2).toHaveLength(7);
    const aided1 = s1.filter((r) => r.modality === 'aided').map((r) => r.caseId);
    const aided2 = s2.filter((r) => r.modality === 'aided').map((r) => r.caseId);
    expect(aided1).toHaveLength(4);
    expect(aided2).toHaveLength(3);
    expect([...aided1, ...aided2].sort()).toEqual(CASES);
    // Every case once per session, in the other condition in session 2.
    for (const c of CASES) {
      const m1 = s1.find((r) => r.caseId === c)?.modality;
      const m2 = s2.find((r) => r.caseId === c)?.modality;
      expect(m1 && m2 && m1 !== m2).toBe(true);
    }
    // With no washout, session 2 follows at once: both read through in one sitting.
    const all = readAll(p, T0);
    expect(all.plan.done).toHaveLength(14);
    expect(nextStep(all.plan, all.at)).toEqual({ kind: 'done' });
  });

  it('assigns the halves differently to different readers (counterbalanced over readers)', () => {
    const halves = ['R1', 'R2', 'R3', 'R4'].map((r) =>
      plan({ kind: 'crossed', washoutDays: 7 }, r)
        .sessions[0]?.filter((x) => x.modality === 'aided')
        .map((x) => x.caseId)
        .sort()
        .join(),
    );
    expect(new Set(halves).size).toBeGreaterThan(1);
  });
});

describe('reader-study protocol: a study over a subset of the case set', () => {
  it("keeps the chosen cases in the set's order, each once, and refuses fewer than two", () => {
    expect(MIN_STUDY_CASES).toBe(2);
    expect(studyCases(CASES, ['c5', 'c2', 'c2'])).toEqual(['c2', 'c5']);
    // A case the set does not hold is not planned.
    expect(studyCases(CASES, new Set(['c3', 'elsewhere', 'c1']))).toEqual(['c1', 'c3']);
    expect(studyCases(CASES, ['c3', 'elsewhere'])).toBeNull();
    expect(studyCases(CASES, [])).toBeNull();
    expect(studyCases(CASES, CASES)).toEqual(CASES);
  });

  it('schedules only the chosen cases, once per condition, in both designs; the plan stores and loads', () => {
    const cases = studyCases(CASES, ['c6', 'c2']);
    if (!cases) throw new Error('two cases are a study');
    const storage = new MemoryStorage();
    for (const kind of ['sequential', 'crossed'] as const) {
      const p = planStudy({
        id: `sub-${kind}`,
        reader: 'R1',
        caseSet: 'demo',
        caseIds: cases,
        design: { kind, washoutDays: 1 },
        now: T0,
      });
      expect(p.caseIds).toEqual(['c2', 'c6']);
      const [s1, s2] = p.sessions;
      if (!s1 || !s2) throw new Error('two sessions');
      expect(s1.map((r) => r.caseId).sort()).toEqual(['c2', 'c6']);
      expect(s2.map((r) => r.caseId).sort()).toEqual(['c2', 'c6']);
      const aided = [...s1, ...s2].filter((r) => r.modality === 'aided').map((r) => r.caseId);
      expect(aided.sort()).toEqual(['c2', 'c6']);
      if (kind === 'crossed') {
        // One case with AI in each session.
        expect(s1.filter((r) => r.modality === 'aided')).toHaveLength(1);
        expect(s2.filter((r) => r.modality === 'aided')).toHaveLength(1);
      }
      // Two reads, a day's washout, two reads: done.
      const first = readAll(p, T0);
      expect(first.plan.done).toHaveLength(2);
      expect(nextStep(first.plan, first.at)).toMatchObject({ kind: 'washout', session: 1 });
      const second = readAll(first.plan, days(first.at, 1));
      expect(nextStep(second.plan, second.at)).toEqual({ kind: 'done' });
      expect(second.plan.done).toHaveLength(4);
      saveStudy(storage, second.plan);
    }
    expect(loadStudies(storage).map((p) => p.caseIds)).toEqual([
      ['c2', 'c6'],
      ['c2', 'c6'],
    ]);
  });
});

describe('reader-study protocol: a reader who resumes', () => {
  it('continues where they left off after the plan was stored and loaded back', () => {
    const storage = new MemoryStorage();
    let p = plan({ kind: 'crossed', washoutDays: 14 });
    saveStudy(storage, p);
    // Three reads today, the app closed, the plan loaded back tomorrow.
    for (let i = 0; i < 3; i++) {
      const next = nextStep(p, minutes(T0, i));
      if (next.kind !== 'read') throw new Error('a read was expected');
      p = recordRead(p, { ...next.read, reader: 'R1' }, minutes(T0, i)) ?? p;
      saveStudy(storage, p);
    }
    const [back] = loadStudies(storage);
    if (!back) throw new Error('the plan was not kept');
    expect(back).toEqual(p);
    const resumed = nextStep(back, days(T0, 1));
    expect(resumed).toEqual({ kind: 'read', session: 0, index: 3, read: p.sessions[0]?.[3] });
    // Another case than the one scheduled, the other condition, or another reader: not recorded.
    const expected = p.sessions[0]?.[3];
    const other = p.sessions[0]?.[4];
    if (!expected || !other) throw new Error('reads');
    expect(recordRead(back, { ...other, reader: 'R1' }, days(T0, 1))).toBeNull();
    const flipped = expected.modality === 'aided' ? 'unaided' : 'aided';
    expect(recordRead(back, { ...expected, modality: flipped, reader: 'R1' }, days(T0, 1))).toBeNull();
    expect(recordRead(back, { ...expected, reader: 'R2' }, days(T0, 1))).toBeNull();
    expect(recordRead(back, { ...expected, reader: 'R1' }, days(T0, 1))?.done).toHaveLength(4);
    // Finishing session 1 a week later: the washout counts from that last read, not from the start.
    const rest = readAll(back, days(T0, 7));
    expect(nextStep(rest.plan, days(T0, 20))).toMatchObject({ kind: 'washout', session: 1 });
    expect(nextStep(rest.plan, days(rest.at, 14))).toMatchObject({ kind: 'read', session: 1 });
  });

  it('drops a stored plan that does not hold together, and a store of another version', () => {
    const good = plan({ kind: 'sequential', washoutDays: 28 });
    expect(planOf(JSON.parse(JSON.stringify(good)))).toEqual(good);
    const s1 = good.sessions[0] ?? [];
    const twice = { ...good, sessions: [s1, s1] };
    expect(planOf(twice)).toBeNull();
    expect(planOf({ ...good, design: { kind: 'sequential', washoutDays: -1 } })).toBeNull();
    expect(planOf({ ...good, done: ['not a date'] })).toBeNull();
    const storage = new MemoryStorage();
    storage.setItem(STUDIES_KEY, JSON.stringify({ version: 1, studies: [good, twice, 'x'] }));
    expect(loadStudies(storage)).toEqual([good]);
    storage.setItem(STUDIES_KEY, JSON.stringify({ version: 2, studies: [good] }));
    expect(loadStudies(storage)).toEqual([]);
  });
});

describe('reader-study protocol: results', () => {
  it('analyses only the protocol reads of the history: with AI the reader finds the nodule', () => {
    const truth = [{ centerMm: [0, 0, 0] as const, diameterMm: 8, type: 'solid' as const }];
    let p = planStudy({
      id: 's2',
      reader: 'R1',
      caseSet: 'demo',
      caseIds: ['a', 'b'],
      design: { kind: 'sequential', washoutDays: 0 },
      now: T0,
    });
    const history: PracticeEntry[] = [];
    const entry = (caseId: string, modality: 'unaided' | 'aided', at: Date, hit: boolean): PracticeEntry => ({
      read: {
        reader: 'R1',
        caseId,
        modality,
        marks: hit ? [{ id: 'm', centerMm: [0, 0, 1], confidence: 4, type: 'solid' }] : [],
        seconds: 30,
        at: at.toISOString(),
      },
      label: caseId,
      source: 'demo',
      truth,
      ai: null,
      truthLungRads: '2',
    });
    // A practice read of the same case outside the protocol is left out.
    history.push(entry('a', 'aided', minutes(T0, -5), true));
    expect(studyResults([p], history)).toBeNull();
    for (let i = 0; i < 4; i++) {
      const at = minutes(T0, i);
      const next = nextStep(p, at);
      if (next.kind !== 'read') throw new Error('read expected');
      history.push(entry(next.read.caseId, next.read.modality, at, next.read.modality === 'aided'));
      p = recordRead(p, { ...next.read, reader: 'R1' }, at) ?? p;
    }
    const report = studyResults([p], history);
    if (!report) throw new Error('no results');
    const row = (m: string): number | undefined =>
      report.rows.find((r) => r.reader === 'R1' && r.modality === m)?.sensitivity;
    expect(row('unaided')).toBe(0);
    expect(row('aided')).toBe(1);
    const diff = report.differences.find((d) => d.reader === 'R1' && d.metric === 'sensitivity');
    expect(diff?.difference).toBe(1);
    expect(diff?.cases).toBe(2);
  });
});
