// Practice mode reads a demo case's truth.json; this checks it against what the generator writes for the
// bundled demo cases (the files themselves are generated on first start, not committed).
import { describe, expect, it } from 'vitest';
import { truthFromJson } from '../../src/app/practiceMarks';
import { MIXES, requestFrom } from '../../src/practice/difficulty';
import { makeCase } from '../../src/synth/case';
import { practiceCaseOptions } from '../../src/app/practiceCase';
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

describe('a generated practice case', () => {
  it('keeps every nodule the easy mix asks for inside a full field of view', { timeout: 120_000 }, () => {
    let sampledLost = 0;
    // Seeds for which the generator's sampled field of view (a targeted one, one lung only) lost nodules.
    for (const seed of ['seed-29', 'seed-34', 'seed-45', 'seed-46']) {
      const request = requestFrom(MIXES.easy, seed);
      // The same case with the field of view the generator samples for other cases.
      const sampled = makeCase(request.seed, 0, { ...practiceCaseOptions(request), fullField: false });
      sampledLost += request.nodules.length - sampled.truth.nodules.length;
      const c = makeCase(request.seed, 0, practiceCaseOptions(request));
      expect(c.truth.nodules).toHaveLength(request.nodules.length);
    }
    expect(sampledLost).toBeGreaterThan(0);
  });
});
