// Hard negatives for the false-positive reduction stage: run the trained detector alone (fp32, no second
// stage) over training cases with `lucent eval`, which keeps every candidate down to score 0.05.
// usage: node mine.mjs OUT_DIR TRAIN_DATA [CASES] [--spread]  (reads OUT_DIR/model.fp32.onnx, writes
// OUT_DIR/mined.json; CASES: how many training cases to mine, default 50: the first in name order, or with
// --spread shared equally between the generators the training set mixes (case-NNNN from lucent synth,
// g2-NNNN from chestgen) and spread evenly through each, so that the second stage sees the false candidates
// of every generator, not only of the one that sorts first)
import { mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evaluate, generatorOf, ID, installModel, spreadAcrossGroups } from './modeldir.mjs';

const [out, data, cases = '50'] = process.argv.slice(2).filter((a) => a !== '--spread');
const all = readdirSync(data).filter((d) => statSync(join(data, d)).isDirectory());
const picked = process.argv.includes('--spread')
  ? spreadAcrossGroups(all, Number(cases))
  : [...all].sort().slice(0, Number(cases));
// `lucent eval` reads a folder of cases: one of links to the picked ones (the links keep the cases' names).
const chosenDir = join(out, 'mine-cases');
rmSync(chosenDir, { recursive: true, force: true });
mkdirSync(chosenDir, { recursive: true });
for (const name of picked) symlinkSync(resolve(data, name), join(chosenDir, name), 'dir');
const models = join(out, 'models-stage1');
installModel(join(models, ID), {
  file: join(out, 'model.fp32.onnx'),
  operatingPoint: 0.5,
  trainingData: 'stage 1 (mining)',
});
const report = evaluate(models, chosenDir, join(out, 'mined.json'));
const candidates = report.perCase.reduce((n, c) => n + c.detections.length, 0);
const byGroup = {};
for (const name of picked) byGroup[generatorOf(name)] = (byGroup[generatorOf(name)] ?? 0) + 1;
console.log(
  `mined ${candidates} candidates on ${report.cases} training cases (${Object.entries(byGroup)
    .map(([g, n]) => `${n} ${g}*`)
    .join(', ')}; CPM on them ${report.metrics.cpm})`,
);
