import { describe, expect, it } from 'vitest';
import { MARK_COLUMNS, marksCsv, parseStudy, truthCsv } from './studyFile';
import { STUDY_SCHEMA, type TruthLesion } from './types';

const truth: Record<string, TruthLesion[]> = {
  'case,1': [
    { centerMm: [0, 0, 0], diameterMm: 10, type: 'solid' },
    { centerMm: [30, 0, 0], diameterMm: 8, type: 'part-solid', solidComponentMm: 4 },
  ],
  normal: [],
};
const truthOf = (id: string): TruthLesion[] => truth[id] ?? [];

const study = {
  schema: STUDY_SCHEMA,
  cases: Object.entries(truth).map(([id, t]) => ({ id, truth: t })),
  reads: [
    {
      reader: 'R1',
      caseId: 'case,1',
      modality: 'unaided',
      seconds: 75,
      lungRads: '4A',
      marks: [
        { id: 'a', centerMm: [30, 1, 0], confidence: 4, type: 'part-solid', diameterMm: 8.2 },
        { id: 'b', centerMm: [31, 0, 0], confidence: 2, type: 'solid' },
        { id: 'c', centerMm: [-50, 0, 0], confidence: 1, type: 'solid' },
      ],
    },
    { reader: 'R1', caseId: 'normal', modality: 'aided', seconds: 20, marks: [] },
  ],
};

describe('study file', () => {
  it('parses a valid file', () => {
    const r = parseStudy(JSON.parse(JSON.stringify(study)));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.reads[0]?.marks.map((m) => m.id)).toEqual(['a', 'b', 'c']);
      expect(r.value.reads[0]?.lungRads).toBe('4A');
      expect(r.value.cases[0]?.truth?.[1]?.solidComponentMm).toBe(4);
    }
  });

  it('names the field that is wrong', () => {
    const bad = (change: (s: typeof study) => unknown): string => {
      const copy = JSON.parse(JSON.stringify(study)) as typeof study;
      const r = parseStudy(change(copy) ?? copy);
      return r.ok ? 'ok' : r.error;
    };
    expect(bad((s) => ({ ...s, schema: 'x' }))).toBe('schema must be "lucent.readers/1"');
    expect(
      bad((s) => {
        (s.reads[0]?.marks[1] as Record<string, unknown>)['confidence'] = 'high';
      }),
    ).toBe('reads[0].marks[1].confidence must be a number');
    expect(
      bad((s) => {
        (s.reads[1] as Record<string, unknown>)['modality'] = 'with-ai';
      }),
    ).toBe('reads[1].modality must be one of unaided, aided');
    expect(
      bad((s) => {
        (s.cases[0]?.truth[0] as unknown as Record<string, unknown>)['type'] = 'nodule';
      }),
    ).toBe('cases[0].truth[0].type must be one of solid, part-solid, ground-glass, calcified');
    expect(bad((s) => ({ ...s, cases: [s.cases[0], s.cases[0]] }))).toBe('case "case,1" is listed twice');
    expect(bad((s) => ({ ...s, reads: [] }))).toBe('reads is empty: there is nothing to score');
    expect(
      bad((s) => {
        (s.reads[0]?.marks[0] as Record<string, unknown>)['centerMm'] = [1, 2];
      }),
    ).toBe('reads[0].marks[0].centerMm must be [x, y, z] in millimetres');
  });

  it('exports one CSV row per mark: lesion localisation, non-lesion, ignored duplicate', () => {
    const r = parseStudy(study);
    if (!r.ok) throw new Error(r.error);
    const lines = marksCsv(r.value, truthOf).trim().split('\n');
    expect(lines[0]).toBe(MARK_COLUMNS.join(','));
    expect(lines.length).toBe(1 + 3);
    // The comma in the case id is quoted.
    expect(lines[1]).toBe('R1,unaided,"case,1",a,4,LL,2,0.5,30,1,0,part-solid,8.2,,75');
    expect(lines[2]).toBe('R1,unaided,"case,1",b,2,DUP,0,0,31,0,0,solid,,,75');
    expect(lines[3]).toBe('R1,unaided,"case,1",c,1,NL,0,0,-50,0,0,solid,,,75');
  });

  it('exports the truth table: a row per lesion with equal weights, lesion 0 for a normal case', () => {
    expect(truthCsv(['case,1', 'normal'], truthOf).trim().split('\n')).toEqual([
      'CaseID,LesionID,Weight,Type,DiameterMm,X,Y,Z',
      '"case,1",1,0.5,solid,10,0,0,0',
      '"case,1",2,0.5,part-solid,8,30,0,0',
      'normal,0,0,,,,,',
    ]);
  });
});
