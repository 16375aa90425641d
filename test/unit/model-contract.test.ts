/**
 * A model folder that lies about its files' inputs and outputs is refused before any image is run. Real
 * onnxruntime-node sessions over the committed models: they keep their manifests' promises, and manifests
 * that promise other slices, classes, names or patch sizes than the files have are refused with the reason.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, ModelError, nodeRunner } from '../../src/ai/node/models';
import { classifierContractProblems, modelContractProblems } from '../../src/ai/registry/contract';
import type { CenterNetOutput, FalsePositiveReduction, Manifest } from '../../src/ai/registry/manifest';

const models = resolve(import.meta.dirname, '../../models');
const nodule = loadManifest(join(models, 'lung-nodule-ct')).manifest;
const fprSpec = nodule.falsePositiveReduction as FalsePositiveReduction;
const centerNet = nodule.output as CenterNetOutput;

let detector: ort.InferenceSession;
let classifier: ort.InferenceSession;
beforeAll(async () => {
  detector = await ort.InferenceSession.create(join(models, 'lung-nodule-ct', nodule.file));
  classifier = await ort.InferenceSession.create(join(models, 'lung-nodule-ct', fprSpec.file));
});
afterAll(async () => {
  await detector.release();
  await classifier.release();
});

describe('model contract', () => {
  it('the committed models and the plug-in examples keep their manifests’ promises', async () => {
    expect(modelContractProblems(nodule, detector)).toEqual([]);
    expect(classifierContractProblems(fprSpec, classifier)).toEqual([]);
    for (const name of ['yolo-detector', 'classifier']) {
      const m = loadManifest(join(models, 'examples', name)).manifest;
      const s = await ort.InferenceSession.create(join(models, 'examples', name, m.file));
      expect(modelContractProblems(m, s), name).toEqual([]);
      await s.release();
    }
  });

  it('names each broken promise: slices, classes, an output name, the patch', () => {
    const lying: Manifest = {
      ...nodule,
      input: { ...nodule.input, slices: 3 },
      output: {
        ...centerNet,
        heatmap: 'heatmaps',
        classes: { ...centerNet.classes, labels: ['solid', 'part-solid', 'ground-glass'] },
      },
    };
    const problems = modelContractProblems(lying, detector);
    expect(problems).toHaveLength(3);
    expect(problems).toContainEqual(
      expect.stringMatching(/input "input" has 5 channels \(slices\), the manifest says 3/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/no output named "heatmaps" \(it has "heatmap", /));
    expect(problems).toContainEqual(
      expect.stringMatching(/output "type" has 4 classes, the manifest says 3/),
    );

    const patch = classifierContractProblems({ ...fprSpec, patch: [13, 31, 31], scales: [1, 2] }, classifier);
    expect(patch).toEqual([
      'input "patch" has 1 channels (scales), the manifest says 2',
      'input "patch" has 15 slices, the manifest says 13',
    ]);
    // A detector's file given as the classifier: wrong rank, wrong names.
    expect(classifierContractProblems(fprSpec, detector)).toContainEqual(
      expect.stringMatching(/no input named "patch"/),
    );
  });

  describe('a model folder whose manifest lies (right checksums, wrong shapes)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'lucent-lying-model-'));
      for (const f of [nodule.file, fprSpec.file])
        copyFileSync(join(models, 'lung-nodule-ct', f), join(dir, f));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const install = (m: unknown): void => writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const original = JSON.parse(readFileSync(join(models, 'lung-nodule-ct', 'manifest.json'), 'utf8')) as {
      input: object;
      falsePositiveReduction: object;
    };

    it('is refused by the Node host with code shape-mismatch and the reason', async () => {
      install({ ...original, input: { ...original.input, slices: 7 } });
      const error = await nodeRunner(loadManifest(dir)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).code).toBe('shape-mismatch');
      expect((error as ModelError).message).toMatch(
        /lung-nodule-ct: model\.onnx does not match its manifest: input "input" has 5 channels \(slices\), the manifest says 7/,
      );
    });

    it('refuses a second stage whose patch differs from the file’s', async () => {
      install({
        ...original,
        falsePositiveReduction: { ...original.falsePositiveReduction, patch: [15, 29, 29] },
      });
      await expect(nodeRunner(loadManifest(dir))).rejects.toThrow(
        /fpr\.onnx does not match its manifest: input "patch" has 31 rows, the manifest says 29; input "patch" has 31 columns, the manifest says 29/,
      );
    });

    it('runs when the manifest tells the truth', async () => {
      install(original);
      const runner = await nodeRunner(loadManifest(dir));
      await runner.release();
    });
  });
});
