// Hard negatives for the false-positive reduction stage: run the trained detector alone (fp32, no second
// stage) over the training cases with `lucent eval`, which keeps every candidate down to score 0.05.
// usage: node mine.mjs OUT_DIR TRAIN_DATA [CASES]  (reads OUT_DIR/model.fp32.onnx, writes OUT_DIR/mined.json;
// CASES: the first so many training cases, default 50)
import { join } from 'node:path';
import { evaluate, ID, installModel } from './modeldir.mjs';

const [out, data, cases = '50'] = process.argv.slice(2);
const models = join(out, 'models-stage1');
installModel(join(models, ID), {
  file: join(out, 'model.fp32.onnx'),
  operatingPoint: 0.5,
  trainingData: 'stage 1 (mining)',
});
const report = evaluate(models, data, join(out, 'mined.json'), Number(cases));
const candidates = report.perCase.reduce((n, c) => n + c.detections.length, 0);
console.log(
  `mined ${candidates} candidates on ${report.cases} training cases (CPM on them ${report.metrics.cpm})`,
);
