// The demo language model's recipe, one command (`npm run train:report-model`, about 15 minutes on two
// cores): corpus → tokenizer → token ids → training and ONNX export → the model folder with its
// manifest (SHA-256 of every file). The evaluation (free against constrained decoding) is
// `npm run eval:report-model`, run after this.
//
// Needs Debian's python3-torch and python3-onnx. With libopenblas0-pthread installed the Python steps use
// OpenBLAS (about 8× faster than the reference BLAS Debian's torch otherwise gets) without changing the
// system's BLAS choice.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modelDir = resolve(here, '..');
const root = resolve(modelDir, '../..');
const work = resolve(root, '.cache/report-demo');
const staged = join(work, 'model');
const python = '/usr/bin/python3';
const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

/** The files of the model folder, in the transformers.js layout. */
export const MODEL_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
];

function run(cmd, args, extraEnv = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return (Date.now() - t0) / 1000;
}

const pyEnv = existsSync(join(openblas, 'libblas.so.3'))
  ? {
      LD_LIBRARY_PATH: [openblas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      OPENBLAS_NUM_THREADS: '2',
    }
  : {};
if (!pyEnv.LD_LIBRARY_PATH)
  console.log('note: libopenblas0-pthread is not installed; training will be much slower');

// REPORT_MODEL_REUSE=1 keeps the corpus, tokenizer and token ids of the previous run (.cache/report-demo)
// and only trains again: the steps before training are deterministic, and slow on a busy machine.
const reuse = process.env.REPORT_MODEL_REUSE === '1' && existsSync(join(work, 'tokens.bin'));
const seconds = {};
if (!reuse) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  seconds.corpus = run(process.execPath, ['--import', 'tsx', join(here, 'corpus.mjs'), work], {
    REPORT_MODEL_SAMPLES: process.env.REPORT_MODEL_SAMPLES ?? '4000',
  });
  seconds.tokenizer = run(python, [join(here, 'tokenizer.py'), work, staged, '1024'], pyEnv);
  seconds.encode = run(process.execPath, [join(here, 'encode.mjs'), work, staged]);
}
seconds.train = run(python, [join(here, 'train.py'), work, staged], pyEnv);

const files = {};
for (const f of MODEL_FILES) {
  const from = join(staged, f);
  const to = join(modelDir, f);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  files[f] = {
    bytes: statSync(to).size,
    sha256: createHash('sha256').update(readFileSync(to)).digest('hex'),
  };
}
const log = JSON.parse(readFileSync(join(work, 'train_log.json'), 'utf8'));
const manifest = {
  schema: 'lucent.llm/1',
  id: 'report-demo',
  name: 'Lucent report demo model',
  version: '1.0.0',
  format: 'transformers.js',
  dtype: 'fp32',
  demo: true,
  languages: ['en', 'zh-CN'],
  parameters: log.parameters,
  training: {
    recipe: 'models/report-demo/recipe/pipeline.mjs',
    steps: log.steps,
    batchTokens: log.batchTokens,
    finalLoss: log.log.at(-1).loss,
    seconds,
  },
  files,
};
writeFileSync(join(modelDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(
  `report-demo: ${Object.values(files).reduce((s, f) => s + f.bytes, 0) / 1e6} MB written to ${modelDir}`,
);
