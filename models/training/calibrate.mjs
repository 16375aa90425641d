// Record activation ranges of the fp32 model with onnxruntime-node (there is no ONNX runtime for Python
// here): run model.calib.onnx over the calibration inputs and keep each tensor's min and max.
// usage: node calibrate.mjs WORK_DIR
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const work = process.argv[2];
const meta = JSON.parse(readFileSync(join(work, 'calib', 'tensors.json'), 'utf8'));
const session = await ort.InferenceSession.create(join(work, 'model.calib.onnx'), { intraOpNumThreads: 2 });
const ranges = Object.fromEntries(meta.tensors.map((t) => [t, [Infinity, -Infinity]]));
const files = readdirSync(join(work, 'calib'))
  .filter((f) => f.endsWith('.bin'))
  .sort();
for (const f of files) {
  const buf = readFileSync(join(work, 'calib', f));
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out = await session.run({ input: new ort.Tensor('float32', data, meta.shape) }, meta.tensors);
  for (const t of meta.tensors) {
    const v = out[t].data;
    let lo = ranges[t][0];
    let hi = ranges[t][1];
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    ranges[t] = [lo, hi];
  }
}
// The model input's range is known exactly from the window.
writeFileSync(join(work, 'ranges.json'), JSON.stringify({ ranges, inputs: files.length }, null, 1));
console.log(`calibrated ${meta.tensors.length} tensors on ${files.length} inputs`);
