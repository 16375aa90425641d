import { describe, expect, it } from 'vitest';
import { analyseStudy, modelSummary } from './study';
import { STUDY_SCHEMA, type Read, type ReaderMark, type StudyFile, type TruthLesion } from './types';

const lesion = (x: number, diameterMm = 10): TruthLesion => ({
  centerMm: [x, 0, 0],
  diameterMm,
  type: 'solid',
});
const mark = (x: number, confidence: number, extra: Partial<ReaderMark> = {}): ReaderMark => ({
  id: `m${x}`,
  centerMm: [x, 0, 0],
  confidence,
  type: 'solid',
  ...extra,
});
const read = (
  reader: string,
  caseId: string,
  modality: Read['modality'],
  marks: ReaderMark[],
  seconds = 60,
): Read => ({
  reader,
  caseId,
  modality,
  marks,
  seconds,
});

// Four cases: two normal, two with one nodule each (at x = 0).
const truth: Record<string, TruthLesion[]> = { n1: [], n2: [], a1: [lesion(0)], a2: [lesion(0)] };
const truthOf = (id: string): TruthLesion[] => truth[id] ?? [];
const cases = Object.keys(truth).map((id) => ({ id, truth: truthOf(id) }));

describe('reader study', () => {
  // R1 unaided: finds a1 (rated 4), misses a2, one false positive rated 2 on n1; 60 s a case.
  // R1 with AI: finds both (4, 3), no false positive; 40 s a case.
  const r1: Read[] = [
    read('R1', 'n1', 'unaided', [mark(50, 2)]),
    read('R1', 'n2', 'unaided', []),
    read('R1', 'a1', 'unaided', [mark(0, 4)]),
    read('R1', 'a2', 'unaided', []),
    read('R1', 'n1', 'aided', [], 40),
    read('R1', 'n2', 'aided', [], 40),
    read('R1', 'a1', 'aided', [mark(0, 4)], 40),
    read('R1', 'a2', 'aided', [mark(1, 3)], 40),
  ];
  const study: StudyFile = { schema: STUDY_SCHEMA, cases, reads: r1 };

  it('per reader and modality: sensitivity, false positives per case, figures of merit, AUC, time', () => {
    const report = analyseStudy(study, truthOf);
    expect(report.fom).toBe('normal-cases');
    const unaided = report.rows.find((r) => r.reader === 'R1' && r.modality === 'unaided');
    // Lesions 4 and −∞ against normal highest false positives 2 and −∞: (1 + 0) + (1 + ½) over 4 pairs.
    expect(unaided).toMatchObject({
      cases: 4,
      lesions: 2,
      sensitivity: 0.5,
      fpPerCase: 0.25,
      secondsPerCase: 60,
    });
    expect(unaided?.wafroc).toBeCloseTo(2.5 / 4, 12);
    expect(unaided?.jafroc).toBeCloseTo(2.5 / 4, 12);
    // Case ratings: n1 2, n2 −∞; a1 4, a2 −∞: (1 + 0) + (1 + ½) over 4.
    expect(unaided?.caseAuc).toBeCloseTo(2.5 / 4, 12);
    const aided = report.rows.find((r) => r.reader === 'R1' && r.modality === 'aided');
    expect(aided).toMatchObject({ sensitivity: 1, fpPerCase: 0, wafroc: 1, caseAuc: 1, secondsPerCase: 40 });
    // One reader: no pooled row.
    expect(report.rows.some((r) => r.reader === 'pooled')).toBe(false);
  });

  it('the difference with AI, with a paired case-bootstrap interval that contains it', () => {
    const report = analyseStudy(study, truthOf);
    const d = report.differences.find((x) => x.reader === 'R1' && x.metric === 'wafroc');
    expect(d?.difference).toBeCloseTo(1 - 2.5 / 4, 12);
    expect(d?.cases).toBe(4);
    const [lo, hi] = d?.ci95 ?? [NaN, NaN];
    expect(lo).toBeLessThanOrEqual(d?.difference ?? NaN);
    expect(hi).toBeGreaterThanOrEqual(d?.difference ?? NaN);
    // With AI this reader never does worse on any case: no resample can make the difference negative.
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('identical reads both ways: difference 0 with the interval [0, 0]', () => {
    const same = r1.filter((r) => r.modality === 'unaided');
    const s: StudyFile = {
      ...study,
      reads: [...same, ...same.map((r) => ({ ...r, modality: 'aided' as const }))],
    };
    for (const d of analyseStudy(s, truthOf).differences) {
      expect(d.difference).toBe(0);
      expect(d.ci95).toEqual([0, 0]);
    }
  });

  it('two readers: a pooled row averaging them, and a pooled difference', () => {
    const r2: Read[] = ['n1', 'n2', 'a1', 'a2'].flatMap((c) => [
      read('R2', c, 'unaided', truthOf(c).length ? [mark(0, 5)] : [], 90),
      read('R2', c, 'aided', truthOf(c).length ? [mark(0, 5)] : [], 30),
    ]);
    const report = analyseStudy({ ...study, reads: [...r1, ...r2] }, truthOf);
    expect(report.readers).toEqual(['R1', 'R2']);
    const pooled = report.rows.find((r) => r.reader === 'pooled' && r.modality === 'unaided');
    expect(pooled?.sensitivity).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(pooled?.wafroc).toBeCloseTo((2.5 / 4 + 1) / 2, 12);
    expect(pooled?.secondsPerCase).toBe(75);
    const d = report.differences.find((x) => x.reader === 'pooled' && x.metric === 'sensitivity');
    expect(d?.difference).toBeCloseTo((1 - 0.5 + 0) / 2, 12);
  });

  it('counts AI findings accepted though wrong and right ones left out', () => {
    const withAi: StudyFile = {
      schema: STUDY_SCHEMA,
      cases: [
        {
          id: 'a',
          truth: [lesion(0), lesion(40)],
          ai: [
            { id: 'F1', centerMm: [0, 0, 0], score: 0.9, type: 'solid', meanDiameterMm: 9 },
            { id: 'F2', centerMm: [-60, 0, 0], score: 0.7, type: 'solid', meanDiameterMm: 5 },
            { id: 'F3', centerMm: [40, 1, 0], score: 0.6, type: 'solid', meanDiameterMm: 8 },
          ],
        },
      ],
      // Takes over F2 (wrong) by name, F3 by a mark inside it; leaves out F1 (right).
      reads: [read('R1', 'a', 'aided', [mark(-60, 3, { aiFindingId: 'F2' }), mark(41, 4)])],
    };
    const report = analyseStudy(withAi, (id) => withAi.cases.find((c) => c.id === id)?.truth ?? []);
    expect(report.ai).toEqual([
      { reader: 'R1', rightShown: 2, rightRejected: 1, wrongShown: 1, wrongAccepted: 1 },
    ]);
    expect(report.fom).toBe('all-cases');
  });

  it('the model as a row: figures of merit from every score, sensitivity at its operating point', () => {
    const row = modelSummary(
      'm',
      [
        {
          id: 'n',
          truth: [],
          findings: [{ id: 'F1', centerMm: [50, 0, 0], score: 0.3, type: 'solid', meanDiameterMm: 4 }],
        },
        {
          id: 'a',
          truth: [lesion(0)],
          findings: [{ id: 'F1', centerMm: [0, 0, 0], score: 0.4, type: 'solid', meanDiameterMm: 9 }],
        },
      ],
      0.5,
      false,
    );
    // At 0.5 the model reports nothing; ranked by score the lesion (0.4) beats the normal case's 0.3.
    expect(row).toMatchObject({
      modality: 'standalone',
      sensitivity: 0,
      fpPerCase: 0,
      wafroc: 1,
      caseAuc: 1,
    });
  });
});
