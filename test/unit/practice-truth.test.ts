// Practice mode reads a demo case's truth.json; this checks it against what the generator writes for the
// bundled demo cases (the files themselves are generated on first start, not committed).
import { describe, expect, it } from 'vitest';
import { truthFromJson } from '../../src/app/practiceMarks';
import { makeCase } from '../../src/synth/case';
import { DEMO_CASES, DEMO_SEED } from '../../src/synth/demo';

/** A demo case's truth.json as written to disk (the JSON round trip drops nothing practice mode reads). */
function demoTruth(id: string): { nodules: { centerMm: number[]; type: string }[] } {
  const demo = DEMO_CASES.find((d) => d.id === id);
  if (!demo) throw new Error(`no demo case ${id}`);
  const truth = makeCase(DEMO_SEED, demo.index, demo.options).truth;
  return JSON.parse(JSON.stringify(truth)) as { nodules: { centerMm: number[]; type: string }[] };
}

describe('the truth of a bundled practice case', () => {
  it('lists every nodule of a demo case with its centre and type, and none for the normal case', () => {
    const raw = demoTruth('demo-solid');
    expect(raw.nodules.length).toBeGreaterThan(0);
    const truth = truthFromJson(raw);
    if (typeof truth === 'string') throw new Error(truth);
    expect(truth.map((l) => l.centerMm)).toEqual(raw.nodules.map((n) => n.centerMm));
    expect(truth.map((l) => l.type)).toEqual(raw.nodules.map((n) => n.type));
    expect(truthFromJson(demoTruth('demo-normal'))).toEqual([]);
  });
});
