import { describe, expect, it } from 'vitest';
import { requestFrom, MIXES, slabAround } from './difficulty';
import {
  appendHistory,
  HISTORY_KEY,
  loadHistory,
  MAX_ENTRIES,
  studyFromHistory,
  type PracticeEntry,
} from './history';
import { parseStudy } from './studyFile';
import { sessions, suggestNext, weaknesses } from './progress';
import type { ReaderMark, TruthLesion } from './types';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
}

const gg: TruthLesion = {
  centerMm: [0, 0, 0],
  diameterMm: 5,
  type: 'ground-glass',
  location: 'juxtavascular',
};
const big: TruthLesion = {
  centerMm: [50, 0, 0],
  diameterMm: 12,
  type: 'solid',
  location: 'intraparenchymal',
};
const hitBig: ReaderMark = { id: 'h', centerMm: [50, 1, 0], confidence: 3, type: 'solid' };
const fp: ReaderMark = { id: 'f', centerMm: [-60, 0, 0], confidence: 3, type: 'solid' };

function entry(
  at: string,
  marks: ReaderMark[],
  truth: TruthLesion[] = [gg, big],
  seconds = 60,
): PracticeEntry {
  return {
    read: { reader: 'me', caseId: 'demo-x', modality: 'unaided', marks, seconds, at, lungRads: '2' },
    label: 'Demo',
    source: 'demo',
    truth,
    ai: null,
    truthLungRads: '2',
  };
}

describe('practice history on the device', () => {
  it('stores, reloads, and drops what does not validate', () => {
    const s = new MemoryStorage();
    expect(loadHistory(s)).toEqual([]);
    appendHistory(s, entry('2026-01-05T10:00:00Z', [hitBig]));
    appendHistory(s, entry('2026-01-05T10:02:00Z', [fp]));
    const back = loadHistory(s);
    expect(back.map((e) => e.read.marks[0]?.id)).toEqual(['h', 'f']);
    expect(back[0]?.truth).toEqual([gg, big].map((l) => ({ ...l, solidComponentMm: null })));
    // A tampered entry (a mark without a centre) is dropped, the rest kept.
    const raw = JSON.parse(s.getItem(HISTORY_KEY) ?? '') as { entries: { read: { marks: unknown[] } }[] };
    raw.entries[0]?.read.marks.splice(0, 1, { id: 'x', confidence: 3 });
    s.setItem(HISTORY_KEY, JSON.stringify(raw));
    expect(loadHistory(s).map((e) => e.read.marks[0]?.id)).toEqual(['f']);
    // Another version, or no JSON at all: nothing is trusted.
    s.setItem(HISTORY_KEY, JSON.stringify({ version: 99, entries: raw.entries }));
    expect(loadHistory(s)).toEqual([]);
    s.setItem(HISTORY_KEY, '{not json');
    expect(loadHistory(s)).toEqual([]);
  });

  it(`keeps the newest ${MAX_ENTRIES}`, () => {
    const s = new MemoryStorage();
    const e = entry('2026-01-05T10:00:00Z', [], []);
    s.setItem(
      HISTORY_KEY,
      JSON.stringify({ version: 1, entries: Array.from({ length: MAX_ENTRIES }, () => e) }),
    );
    const after = appendHistory(s, entry('2026-02-01T10:00:00Z', [hitBig]));
    expect(after.length).toBe(MAX_ENTRIES);
    expect(loadHistory(s).at(-1)?.read.at).toBe('2026-02-01T10:00:00Z');
  });
});

describe('progress', () => {
  const history = [
    // Session 1 (two reads within the hour): 1 of 4 nodules, 2 false positives in 2 cases.
    entry('2026-01-05T10:00:00Z', [hitBig, fp], [gg, big], 80),
    entry('2026-01-05T10:30:00Z', [fp], [gg, big], 100),
    // Session 2, a week later: 2 of 2, no false positives.
    entry(
      '2026-01-12T09:00:00Z',
      [hitBig, { ...hitBig, id: 'g', centerMm: [0, 0, 0], type: 'solid' }],
      [gg, big],
      50,
    ),
  ];

  it('sensitivity and false positives per session, oldest first', () => {
    expect(sessions(history)).toEqual([
      {
        at: '2026-01-05T10:00:00Z',
        cases: 2,
        lesions: 4,
        found: 1,
        sensitivity: 0.25,
        fpPerCase: 1,
        secondsPerCase: 90,
      },
      {
        at: '2026-01-12T09:00:00Z',
        cases: 1,
        lesions: 2,
        found: 2,
        sensitivity: 1,
        fpPerCase: 0,
        secondsPerCase: 50,
      },
    ]);
  });

  it('weaknesses by type, size and place; the type named right among the found', () => {
    const w = weaknesses(history);
    expect(w.byType['ground-glass']).toEqual({ seen: 3, found: 1 });
    expect(w.byType.solid).toEqual({ seen: 3, found: 2 });
    expect(w.bySize.under6).toEqual({ seen: 3, found: 1 });
    expect(w.bySize.over10).toEqual({ seen: 3, found: 2 });
    expect(w.byPlacement.juxtavascular).toEqual({ seen: 3, found: 1 });
    // The ground-glass nodule found in session 2 was called solid.
    expect(w.typeNamed).toEqual({ seen: 3, found: 2 });
  });

  it('suggests cases full of the weakest kind (ties: type first), the medium mix without history', () => {
    const s = suggestNext(history);
    expect(s.focus).toEqual({ kind: 'type', value: 'ground-glass' });
    expect(s.sensitivity).toBeCloseTo(1 / 3, 12);
    expect(s.mix.types).toEqual(['ground-glass']);
    const req = requestFrom(s.mix, 'seed-1');
    expect(req.nodules.length).toBeGreaterThanOrEqual(2);
    expect(req.nodules.every((n) => n.type === 'ground-glass')).toBe(true);
    expect(suggestNext([]).focus).toBeNull();
    expect(suggestNext([]).mix).toBe(MIXES.medium);
  });

  it('a case request is the same for the same seed, within the mix', () => {
    expect(requestFrom(MIXES.hard, 'a')).toEqual(requestFrom(MIXES.hard, 'a'));
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const r = requestFrom(MIXES.hard, seed);
      expect(r.nodules.length).toBeLessThanOrEqual(3);
      for (const n of r.nodules) {
        expect(n.diameterMm).toBeGreaterThanOrEqual(4);
        expect(n.diameterMm).toBeLessThanOrEqual(7);
        expect(['juxtavascular', 'juxtapleural', 'perifissural']).toContain(n.placement);
      }
    }
  });
});

describe('the slab generated for a practice case', () => {
  it('holds the nodules with a margin, the window with the most of them when they spread', () => {
    expect(slabAround([{ z: 0, r: 5 }], [-150, 150])).toEqual([-17, 17]);
    // Three nodules: two within 90 mm of each other, one far above; the window takes the two.
    expect(
      slabAround(
        [
          { z: 100, r: 3 },
          { z: -40, r: 4 },
          { z: 10, r: 5 },
        ],
        [-150, 150],
      ),
    ).toEqual([-56, 27]);
    // None: 60 mm around the middle of the lungs; never beyond the lungs.
    expect(slabAround([], [-100, 140])).toEqual([-10, 50]);
    expect(slabAround([{ z: 135, r: 5 }], [-100, 140])).toEqual([118, 140]);
  });
});

describe('the history as a reader study', () => {
  it('holds each case once with its truth and the AI shown in its aided read, and every read', () => {
    const unaided = entry('2026-01-05T10:00:00Z', [hitBig]);
    const ai = [
      { id: 'F1', centerMm: [0, 0, 0] as const, score: 0.9, type: 'solid' as const, meanDiameterMm: 5 },
    ];
    const aided: PracticeEntry = {
      ...entry('2026-01-12T10:00:00Z', [hitBig, fp]),
      read: { ...entry('2026-01-12T10:00:00Z', [hitBig, fp]).read, modality: 'aided' },
      ai,
    };
    const other = {
      ...entry('2026-01-12T10:05:00Z', []),
      read: { ...unaided.read, caseId: 'demo-y', marks: [] },
    };
    const study = studyFromHistory([unaided, aided, other]);
    expect(study.cases.map((c) => c.id)).toEqual(['demo-x', 'demo-y']);
    expect(study.cases[0]?.ai).toEqual(ai);
    expect(study.cases[1]?.ai).toBeUndefined();
    expect(study.reads.map((r) => [r.caseId, r.modality, r.marks.length])).toEqual([
      ['demo-x', 'unaided', 1],
      ['demo-x', 'aided', 2],
      ['demo-y', 'unaided', 0],
    ]);
    // What `lucent eval --readers` reads: the export parses back as it is.
    const parsed = parseStudy(JSON.parse(JSON.stringify(study)));
    expect(parsed.ok).toBe(true);
  });
});
