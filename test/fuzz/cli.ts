// `npm run fuzz -- [--cases N] [--seed S] [--from I] [--save]`: a longer fuzz run than `npm test`'s.
// Prints the report as JSON; --save keeps each crasher under test/fixtures/fuzz/ as a regression file.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpusDir } from '../support/corpus';
import { runFuzz } from './runner';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '20000' },
    seed: { type: 'string', default: String(Date.now()) },
    from: { type: 'string', default: '0' },
    save: { type: 'boolean', default: false },
  },
});
const report = await runFuzz({
  seed: values.seed,
  cases: Number(values.cases),
  from: Number(values.from),
  corpus: corpusDir(),
});
const dir = join(import.meta.dirname, '../fixtures/fuzz');
const crashers = report.crashers.map((c) => {
  const file = `${c.name.replace(/[^a-z0-9+-]/gi, '_')}-${createHash('sha256').update(c.bytes).digest('hex').slice(0, 10)}.dcm`;
  if (values.save) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), c.bytes);
  }
  return { index: c.index, mutations: c.name, reason: c.reason.split('\n').slice(0, 4).join(' | '), file };
});
console.log(JSON.stringify({ ...report, crashers }, null, 2));
process.exitCode = crashers.length > 0 ? 1 : 0;
