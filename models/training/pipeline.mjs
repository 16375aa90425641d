#!/usr/bin/env node
// `npm run train:nodules`: regenerate the synthetic data, train, export, calibrate, quantize, evaluate,
// and rewrite models/lung-nodule-ct (model.onnx, manifest.json, MODEL_CARD.md). One command, no network.
// Options: --minutes M (training time, default 24), --train-cases N (80), --eval-cases N (40),
//          --skip-data (reuse .work/data), --skip-train (reuse the trained checkpoint)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const work = join(here, '.work');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const flag = (name) => process.argv.includes(`--${name}`);
const minutes = arg('minutes', '24');
const trainCases = arg('train-cases', '80');
const evalCases = arg('eval-cases', '40');
const PYTHON = '/usr/bin/python3';
const started = Date.now();

function step(name, cmd, args, options = {}) {
  const t = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: here, ...options });
  if (r.status !== 0) {
    console.error(`✖ ${name} failed`);
    process.exit(1);
  }
  console.log(`✔ ${name} (${Math.round((Date.now() - t) / 1000)} s)`);
}
const lucent = (args) => [join(root, 'bin/lucent.mjs'), ...args];

mkdirSync(work, { recursive: true });
if (!flag('skip-data')) {
  rmSync(join(work, 'data'), { recursive: true, force: true });
  step(
    'training data',
    process.execPath,
    lucent([
      'synth',
      '--out',
      join(work, 'data/train'),
      '--cases',
      trainCases,
      '--seed',
      'train-v1',
      '--profile',
      'training',
    ]),
  );
  step(
    'held-out data (seeds never used in training)',
    process.execPath,
    lucent(['synth', '--out', join(work, 'data/eval'), '--cases', evalCases, '--seed', 'heldout-v1']),
  );
}
if (!flag('skip-train')) {
  rmSync(join(work, 'cache'), { recursive: true, force: true });
  step('resample to the model grid', PYTHON, ['prepare.py', join(work, 'data/train'), join(work, 'cache')]);
  step(`train (${minutes} min)`, PYTHON, [
    'train.py',
    join(work, 'cache'),
    join(work, 'out'),
    '--minutes',
    minutes,
  ]);
}
step('calibration inputs', PYTHON, ['calib.py', join(work, 'cache'), join(work, 'out')]);
step('activation ranges (onnxruntime-node)', process.execPath, ['calibrate.mjs', join(work, 'out')]);
step('int8 QDQ quantization', PYTHON, ['quantize.py', join(work, 'out')]);
step('evaluate int8 and fp32 on the held-out set', process.execPath, [
  'finalize.mjs',
  join(work, 'out'),
  join(work, 'data/eval'),
  join(root, 'models/lung-nodule-ct'),
]);
console.log(`\nDone in ${Math.round((Date.now() - started) / 60000)} min.`);
if (!existsSync(join(root, 'models/lung-nodule-ct/model.onnx'))) process.exit(1);
