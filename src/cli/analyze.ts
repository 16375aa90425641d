/** `lucent analyze`: load DICOM, run applicable models per series, print `lucent.analysis/1`. */
import { loadSources } from '../dicom/load';
import type { LoadError } from '../dicom/read';
import { assembleStudies, imageCount, type LoadedInstance, type Series } from '../dicom/series';
import { collectSources } from './fsSource';

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
  readonly findings: readonly unknown[];
  readonly lungRads: { category: string; management: string } | null;
  readonly report: { language: string; findings: string; impression: string } | null;
}

export interface Analysis {
  readonly schema: 'lucent.analysis/1';
  readonly series: readonly AnalysisSeries[];
  readonly errors: readonly LoadError[];
}

function skippedReason(series: Series): { code: string; message: string } {
  if (series.kind !== 'image') {
    return { code: 'not-an-image', message: `${series.label} objects are not images; no model applies.` };
  }
  return { code: 'no-applicable-model', message: 'No installed model applies to this series.' };
}

export async function analyzePaths(paths: readonly string[]): Promise<Analysis> {
  const errors: LoadError[] = [];
  const sources = await collectSources(paths);
  const instances: LoadedInstance[] = [];
  await loadSources(
    sources.map((source, i) => ({ source, key: String(i) })),
    (event) => {
      if (event.type === 'instance') instances.push(event.instance);
      else errors.push(event.error);
    },
  );
  const series: AnalysisSeries[] = assembleStudies(instances).flatMap((study) =>
    study.series.map((s) => ({
      studyInstanceUID: s.studyInstanceUID,
      seriesInstanceUID: s.seriesInstanceUID,
      modality: s.modality,
      description: s.description ?? null,
      kind: s.kind,
      images: imageCount(s),
      instances: s.instanceKeys.length,
      model: null,
      skipped: skippedReason(s),
      findings: [],
      lungRads: null,
      report: null,
    })),
  );
  errors.sort((a, b) => a.file.localeCompare(b.file));
  return { schema: 'lucent.analysis/1', series, errors };
}
