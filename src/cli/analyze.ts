/** `lucent analyze`: load DICOM, run applicable models per series, print `lucent.analysis/1`. */
import { seriesFacts, type SeriesFacts, type Skip } from '../ai/shared/applicability';
import { installedModels, nodeRunner, type InstalledModel } from '../ai/node/models';
import { loadAll, type LoadedSources } from '../dicom/load';
import { listedLoadError, type LoadError } from '../dicom/read';
import { assembleStudies, imageCount } from '../dicom/series';
import { analyzeSeries, type SeriesAnalysis } from '../analysis/analyze';
import { firstApplicable } from '../analysis/chooseModel';
import type { AssessedFinding } from '../findings/assess';
import type { Language } from '../i18n/language';
import type { Draft } from '../report/draft';
import { collectSources } from './fsSource';
import { instancesOf, seriesGrid } from './pixels';

export type AnalysisFinding = AssessedFinding;

export interface AnalysisSeries {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly modality: string;
  readonly description: string | null;
  readonly kind: 'image' | 'non-image';
  readonly images: number;
  readonly instances: number;
  readonly model: { id: string; version: string; sha256: string } | null;
  readonly skipped: { code: string; message: string } | null;
  readonly findings: readonly AnalysisFinding[];
  readonly lungRads: { category: string; management: string } | null;
  readonly report: Draft | null;
  readonly classification?: {
    readonly label: string;
    readonly probabilities: Readonly<Record<string, number>>;
  };
  readonly provider?: string;
  readonly timing?: { readonly slices: number; readonly seconds: number };
}

export interface Analysis {
  readonly schema: 'lucent.analysis/1';
  readonly series: readonly AnalysisSeries[];
  /** `{file, code, message}` each: the interface's detail stays out of the JSON. */
  readonly errors: readonly Pick<LoadError, 'file' | 'code' | 'message'>[];
}

export interface AnalyzeOptions {
  readonly modelId?: string;
  readonly minScore?: number;
  readonly language?: Language;
  readonly modelsDir?: string;
  readonly onProgress?: (message: string) => void;
}

/** Loaded instances, their sources and the load errors, as `analyzeLoaded` takes them (dicom/load.ts). */
export type Loaded = LoadedSources;

export async function loadPaths(paths: readonly string[]): Promise<Loaded> {
  return loadAll(await collectSources(paths));
}

/** The models a series may be analysed with: the one named, else every detection model. */
export function candidateModels(models: readonly InstalledModel[], modelId?: string): InstalledModel[] {
  return modelId
    ? models.filter((m) => m.manifest.id === modelId)
    : models.filter((m) => m.manifest.task === 'detection');
}

/** Pick the model to run on a series, or say why none runs (analysis/chooseModel, as the browser does). */
export function chooseModel(
  models: readonly InstalledModel[],
  facts: SeriesFacts,
  modelId?: string,
): InstalledModel | Skip {
  return firstApplicable(candidateModels(models, modelId), facts, {
    code: 'modality',
    message: modelId ? `No installed model is called ${modelId}.` : 'No detection model is installed.',
    detail: {},
  });
}

export async function analyzeLoaded(loaded: Loaded, options: AnalyzeOptions = {}): Promise<Analysis> {
  const language = options.language ?? 'en';
  const models = installedModels(options.modelsDir);
  const byKey = new Map(loaded.instances.map((i) => [i.key, i]));
  const instance = instancesOf(loaded);
  const series: AnalysisSeries[] = [];
  for (const study of assembleStudies(loaded.instances)) {
    for (const s of study.series) {
      const head = byKey.get(s.instanceKeys[0] ?? '')?.info;
      const base = {
        studyInstanceUID: s.studyInstanceUID,
        seriesInstanceUID: s.seriesInstanceUID,
        modality: s.modality,
        description: s.description ?? null,
        kind: s.kind,
        images: imageCount(s),
        instances: s.instanceKeys.length,
      };
      const none = { model: null, findings: [], lungRads: null, report: null };
      if (s.kind !== 'image') {
        series.push({
          ...base,
          ...none,
          skipped: { code: 'not-an-image', message: `${s.label} objects are not images; no model applies.` },
        });
        continue;
      }
      const facts = seriesFacts(s, head);
      const choice = chooseModel(models, facts, options.modelId);
      if (!('manifest' in choice)) {
        // lucent.analysis/1 gives the code and the sentence (the detail is for the browser's words).
        series.push({ ...base, ...none, skipped: { code: choice.code, message: choice.message } });
        continue;
      }
      const m = choice.manifest;
      options.onProgress?.(`running ${m.id} on ${s.frames.length} slices`);
      const started = performance.now();
      const grid = await seriesGrid(s, instance, m.input);
      const runner = await nodeRunner(choice);
      let analysis: SeriesAnalysis;
      try {
        analysis = await analyzeSeries(
          grid,
          m,
          { model: runner, fpr: runner.fpr },
          {
            minScore: options.minScore,
            language,
            patient: { ageYears: head?.patient.ageYears, sex: head?.patient.sex },
          },
        );
      } finally {
        await runner.release();
      }
      const result = analysis.detection;
      series.push({
        ...base,
        model: { id: m.id, version: m.version, sha256: m.sha256 },
        skipped: null,
        findings: analysis.findings,
        lungRads: analysis.summary?.lungRads ?? null,
        report: analysis.summary?.report ?? null,
        ...(result.classification
          ? {
              classification: {
                label: result.classification.label,
                probabilities: result.classification.probabilities,
              },
            }
          : {}),
        provider: 'onnxruntime-node (cpu)',
        timing: { slices: result.slicesRun, seconds: Math.round((performance.now() - started) / 100) / 10 },
      });
    }
  }
  return { schema: 'lucent.analysis/1', series, errors: loaded.errors.map(listedLoadError) };
}

export async function analyzePaths(
  paths: readonly string[],
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  return analyzeLoaded(await loadPaths(paths), options);
}
