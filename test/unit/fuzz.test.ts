// The fuzz suite's bounded run in `npm test` (`npm run fuzz` runs longer): seeded mutations of real files
// through the ingest and decode paths. Every input must be read or refused with a coded error, within the
// time and memory bounds; and every crasher found so far (test/fixtures/fuzz/) must stay fixed.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir } from '../support/corpus';
import { runFuzz } from '../fuzz/runner';
import { exercise } from '../fuzz/target';

const CASES = 2000;
const SEED = process.env['LUCENT_FUZZ_SEED'] ?? 'lucent-npm-test';
const regressions = join(import.meta.dirname, '../fixtures/fuzz');

describe('fuzz: hostile and broken DICOM', () => {
  it(
    `${CASES} mutated files are read or refused with a code, each within 2 s and bounded memory`,
    { timeout: 180_000 },
    async () => {
      const report = await runFuzz({ seed: SEED, cases: CASES, corpus: corpusDir() });
      const refused = Object.values(report.refused).reduce((a, b) => a + b, 0);
      console.log(
        `fuzz: ${report.cases} cases (seed ${report.seed}), ${report.accepted} read, ${refused} refused, ${report.crashers.length} crashers, ${report.seconds} s, slowest case ${report.slowestCaseMs} ms, peak RSS ${report.peakRssMb} MB`,
      );
      expect(report.crashers.map((c) => `case ${c.index} (${c.name}): ${c.reason.split('\n')[0]}`)).toEqual(
        [],
      );
      expect(report.accepted + refused).toBe(CASES);
      // The mutations reach past the parser: some inputs are still read, others fail in the decoders.
      expect(report.accepted).toBeGreaterThan(CASES / 20);
      expect(Object.keys(report.refused)).toEqual(
        expect.arrayContaining(['truncated', 'not-dicom', 'decode-failed']),
      );
    },
  );

  const files = readdirSync(regressions).filter((f) => f.endsWith('.dcm'));
  it.each(files)('regression %s is read or refused with a code', async (name) => {
    const outcome = await exercise(new Uint8Array(readFileSync(join(regressions, name))));
    expect(outcome.refused?.code ?? 'read').toMatch(/^[a-z-]+$/);
  });
});
