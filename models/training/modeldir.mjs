// A model folder as Lucent loads it (manifest.json + the ONNX files it names), and `lucent eval` over a
// dataset with it: shared by the mining, calibration and finalisation steps of the training pipeline.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const ID = 'lung-nodule-ct';
/** Bump when the weights change: reviews and audit trails record which version made each finding. */
export const VERSION = '2.27.0';
/**
 * How the engine crops the detector's input (the manifest's `input.crop`): 'lungs', the lungs' box over the
 * whole series, or 'lungs-per-batch', each batch of slices on the part of that box its own lungs need
 * (about 60% of the pixels; README, "Each batch of slices cropped to its own lungs"). Every step that
 * evaluates (mining, settings, the test sets) runs the engine with this mode. The recipe uses the crops
 * since 2026-12-07; the committed 2.27.0 files were chosen and measured with them (2.23.0's, before, with
 * 'lungs').
 */
export const CROP = 'lungs-per-batch';
/** The second stage's candidates: detector score at least this, at most this many per series. */
export const FPR_CANDIDATE_SCORE = 0.05;
/**
 * Candidate budgets the second stage may get (chosen on the development set by finalize.mjs). Each
 * candidate costs a 3D patch inference: in Node, 256 candidates made an evaluation of the independent set
 * 2.8× slower than 48 (75 s against 27 s a case) without raising its CPM, so the largest is 96.
 */
export const FPR_BUDGETS = [32, 48, 64, 96];
/** The detector's input slices: set in one place, common.py, which the Python steps import. */
export const SLICES = Number(/^SLICES = (\d+)$/m.exec(readFileSync(join(here, 'common.py'), 'utf8'))?.[1]);
if (!Number.isInteger(SLICES) || SLICES < 1) throw new Error('common.py: no SLICES = N line');

export const sha = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');
export const size = (p) => readFileSync(p).length;

/**
 * The manifest of lung-nodule-ct for a detector file and, optionally, a false-positive reduction file
 * (`fpr`: { file, weight, patch, scales, maxCandidates }).
 */
export function manifest({
  file,
  fpr,
  operatingPoint,
  metrics = [],
  quantization,
  reportMargin = true,
  trainingData,
}) {
  return {
    schema: 'lucent.model/1',
    id: ID,
    version: VERSION,
    name: 'Lung nodule detector (chest CT, 2.5D CenterNet + 3D false-positive reduction)',
    file: 'model.onnx',
    sha256: sha(file),
    bytes: size(file),
    task: 'detection',
    intendedUse:
      'Research and education only. Detects and characterises lung nodules on chest CT to demonstrate on-device AI. Not a medical device; not for clinical use.',
    trainingData,
    applicability: {
      modality: ['CT'],
      bodyPart: ['CHEST', 'LUNG', 'THORAX'],
      pixelSpacingMm: [0.4, 1.0],
      sliceThicknessMm: [0.5, 3.0],
      minSlices: 20,
    },
    input: {
      name: 'input',
      layout: 'NCHW',
      dtype: 'float32',
      slices: SLICES,
      sliceSpacingMm: 1.5,
      pixelSpacingMm: 1.0,
      window: { lower: -1100, upper: 500 },
      normalize: { offset: 300, scale: 800 },
      multipleOf: 16,
      crop: CROP,
    },
    output: {
      decoder: 'centernet',
      stride: 4,
      heatmap: 'heatmap',
      size: 'size',
      offset: 'offset',
      classes: { output: 'type', labels: ['solid', 'part-solid', 'ground-glass', 'calcified'] },
      attributes: [
        {
          name: 'margin',
          output: 'margin',
          labels: ['smooth', 'lobulated', 'spiculated'],
          ...(reportMargin ? {} : { reported: false }),
        },
      ],
    },
    labels: {
      solid: 'solid',
      'part-solid': 'part-solid',
      'ground-glass': 'ground-glass',
      calcified: 'calcified',
    },
    operatingPoint: { score: operatingPoint },
    ...(fpr
      ? {
          falsePositiveReduction: {
            file: 'fpr.onnx',
            sha256: sha(fpr.file),
            bytes: size(fpr.file),
            input: 'patch',
            patch: fpr.patch,
            ...(fpr.scales ? { scales: fpr.scales } : {}),
            output: 'probability',
            candidateScore: FPR_CANDIDATE_SCORE,
            maxCandidates: fpr.maxCandidates,
            weight: fpr.weight,
          },
        }
      : {}),
    metrics,
    card: 'MODEL_CARD.md',
    ...(quantization ? { quantization } : {}),
  };
}

/** Write a model folder: the ONNX files under the names the manifest gives, and the manifest. */
export function installModel(dir, options) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(options.file, join(dir, 'model.onnx'));
  if (options.fpr) copyFileSync(options.fpr.file, join(dir, 'fpr.onnx'));
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest(options), null, 2)}\n`);
  return dir;
}

/** `lucent eval DATA` with the models in `modelsDir`; returns the report. */
export function evaluate(modelsDir, data, out) {
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/lucent.mjs'), 'eval', data, '--models', modelsDir, '--out', out],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`lucent eval failed on ${basename(data)}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** The generator a training case comes from, by its name less the number: `case-` (lucent synth), `g2-`
 * (chestgen). */
export const generatorOf = (name) => name.replace(/\d+$/, '');

/** Up to `count` names, an equal share from each generator (a generator with fewer cases than its share
 * gives the rest to the others), spread evenly through each. */
export function spreadAcrossGroups(names, count) {
  const groups = new Map();
  for (const name of [...names].sort()) {
    if (!groups.has(generatorOf(name))) groups.set(generatorOf(name), []);
    groups.get(generatorOf(name)).push(name);
  }
  const lists = [...groups.values()].sort((a, b) => a.length - b.length);
  const chosen = [];
  let left = Math.min(count, names.length);
  lists.forEach((list, g) => {
    const share = Math.min(list.length, Math.ceil(left / (lists.length - g)));
    for (let i = 0; i < share; i++) chosen.push(list[Math.floor((i * list.length) / share)]);
    left -= share;
  });
  return chosen.sort();
}
