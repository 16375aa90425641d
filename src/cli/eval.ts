/**
 * `lucent eval <dataset> [--model ID] [--out FILE]`: run a model over a dataset in the truth format
 * (folders of DICOM with truth.json) and report LUNA16-style detection metrics.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  atThreshold,
  attributeAccuracy,
  bootstrap,
  froc,
  thresholdAt,
  FP_RATES,
  type CaseResult,
} from '../ai/shared/froc';
import { detectNodules } from '../ai/shared/pipeline';
import { installedModels, nodeRunner } from '../ai/node/models';
import { assembleStudies } from '../dicom/series';
import { LucentError } from '../lib/errors';
import { seriesFacts } from '../ai/shared/applicability';
import { candidateModels, chooseModel, loadPaths } from './analyze';
import { instancesOf, seriesGrid } from './pixels';

interface Truth {
  schema: string;
  nodules: {
    centerMm: [number, number, number];
    diameterMm: number;
    type: string;
    margin?: string;
  }[];
}

export interface EvalOptions {
  readonly modelId?: string;
  readonly modelsDir?: string;
  readonly limit?: number;
  readonly onProgress?: (line: string) => void;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

export async function evaluate(dataset: string, options: EvalOptions = {}): Promise<Record<string, unknown>> {
  const caseDirs = readdirSync(dataset)
    .map((d) => join(dataset, d))
    .filter(
      (d) =>
        statSync(d).isDirectory() &&
        (() => {
          try {
            statSync(join(d, 'truth.json'));
            return true;
          } catch {
            return false;
          }
        })(),
    )
    .sort()
    .slice(0, options.limit ?? Infinity);
  if (caseDirs.length === 0)
    throw new LucentError('bad-arguments', `${dataset} holds no case folders with truth.json`);
  const models = installedModels(options.modelsDir);
  const results: CaseResult[] = [];
  let modelInfo: { id: string; version: string; sha256: string; operatingPoint: number } | null = null;
  // The model's per-finding attributes (e.g. margin), scored where the truth gives them, reported or not.
  // A dataset is evaluated with one model (the first case's choice names it in the report).
  let attributes: { name: string; reported: boolean }[] = [];
  // Cases whose series the model does not apply to (outside its manifest's applicability).
  const notAnalysed: { name: string; reason: string }[] = [];
  const started = performance.now();
  let inferenceMs = 0;
  let slices = 0;
  for (const [i, dir] of caseDirs.entries()) {
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;
    if (truth.schema !== 'lucent.truth/1')
      throw new LucentError('bad-arguments', `${dir}/truth.json is not lucent.truth/1`);
    const loaded = await loadPaths([dir]);
    const series = assembleStudies(loaded.instances)
      .flatMap((s) => s.series)
      .filter((s) => s.kind === 'image')
      .sort((a, b) => b.frames.length - a.frames.length)[0];
    if (!series) throw new LucentError('bad-arguments', `${dir} holds no image series`);
    const byKey = new Map(loaded.instances.map((x) => [x.key, x]));
    const head = byKey.get(series.instanceKeys[0] ?? '')?.info;
    const choice = chooseModel(models, seriesFacts(series, head), options.modelId);
    const name = dir.split('/').pop() ?? dir;
    const caseTruth = truth.nodules.map(({ margin, ...n }) => ({
      ...n,
      ...(margin ? { attributes: { margin } } : {}),
    }));
    if (!('manifest' in choice)) {
      // No model at all is an error; a series outside the model's stated range (slice thickness, pixel
      // spacing, …) is scored as the app would treat it: not analysed, so its nodules are all missed.
      if (candidateModels(models, options.modelId).length === 0)
        throw new LucentError('bad-arguments', `${dir}: ${choice.message}`);
      notAnalysed.push({ name, reason: choice.message });
      results.push({ name, truth: caseTruth, detections: [] });
      options.onProgress?.(`${i + 1}/${caseDirs.length} ${name}: not analysed: ${choice.message}`);
      continue;
    }
    modelInfo ??= {
      id: choice.manifest.id,
      version: choice.manifest.version,
      sha256: choice.manifest.sha256,
      operatingPoint: choice.manifest.operatingPoint.score,
    };
    if (attributes.length === 0 && choice.manifest.output.decoder === 'centernet')
      attributes = choice.manifest.output.attributes.map((a) => ({
        name: a.name,
        reported: a.reported !== false,
      }));
    const grid = await seriesGrid(series, instancesOf(loaded), choice.manifest.input);
    const runner = await nodeRunner(choice);
    try {
      const r = await detectNodules(grid, choice.manifest, runner, {
        // Two-stage models: every rescored candidate (at most the manifest's maximum), so that the weight of
        // the second stage can be chosen from one run (the training pipeline does).
        minScore: choice.manifest.falsePositiveReduction ? 0 : 0.05,
        unreportedAttributes: true,
        fprRunner: runner.fpr,
      });
      inferenceMs += r.ms.inference;
      slices += r.slicesRun;
      results.push({
        name,
        truth: caseTruth,
        detections: r.nodules.map((n) => ({
          centerMm: n.centerMm,
          score: n.score,
          type: n.type,
          meanDiameterMm: n.meanDiameterMm,
          attributes: n.attributes,
          ...(n.stages ? { stages: n.stages } : {}),
        })),
      });
      options.onProgress?.(
        `${i + 1}/${caseDirs.length} ${name}: ${truth.nodules.length} nodules, ${r.nodules.filter((n) => n.score >= (modelInfo?.operatingPoint ?? 0.5)).length} findings`,
      );
    } finally {
      await runner.release();
    }
  }
  // Attribute scores among the hits at a threshold (each block below carries its own).
  const scored = (threshold: number) =>
    attributes.map((a) => {
      const acc = attributeAccuracy(results, threshold, a.name);
      return { ...acc, accuracy: r3(acc.accuracy), baseline: r3(acc.baseline), reported: a.reported };
    });
  const all = froc(results);
  const big = froc(results, (n) => n.diameterMm >= 6);
  const op = atThreshold(results, modelInfo?.operatingPoint ?? 0.5);
  const at1 = atThreshold(results, thresholdAt(results, 1));
  return {
    schema: 'lucent.eval/1',
    dataset,
    cases: results.length,
    nodules: results.reduce((n, c) => n + c.truth.length, 0),
    notAnalysed,
    model: modelInfo,
    metrics: {
      cpm: r3(all.cpm),
      cpmCi95: bootstrap(results, (cs) => froc(cs).cpm).map(r3),
      froc: Object.fromEntries(FP_RATES.map((r, i) => [String(r), r3(all.sensitivities[i] ?? NaN)])),
      sensitivity6mmAt1FpPerScan: r3(big.sensitivities[FP_RATES.indexOf(1)] ?? NaN),
      sensitivity6mmCi95: bootstrap(
        results,
        (cs) => froc(cs, (n) => n.diameterMm >= 6).sensitivities[FP_RATES.indexOf(1)] ?? NaN,
      ).map(r3),
      at1FpPerScan: { ...at1, threshold: r3(at1.threshold), attributes: scored(at1.threshold) },
      operatingPoint: { ...op, attributes: scored(op.threshold) },
      typeAccuracy: r3(op.typeAccuracy),
      diameterMaeMm: r3(op.diameterMaeMm),
    },
    timing: {
      seconds: Math.round((performance.now() - started) / 1000),
      inferenceMsPerSlice: r3(inferenceMs / Math.max(1, slices)),
    },
    perCase: results,
  };
}
