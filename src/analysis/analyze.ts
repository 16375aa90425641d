/**
 * The one analysis of a series, the same in both hosts (the browser's inference worker and the `lucent`
 * CLI): model → findings → Lung-RADS → report draft. Hosts bring a volume (src/lib/volume.ts) or the
 * model grid they streamed the slices into (ai/shared/modelGrid.ts), and runners for their onnxruntime; everything after that happens here, so the two cannot drift.
 *
 * The operating point is applied in one place, here: findings are returned down to `minScore` (default:
 * the operating point; the CLI lowers it for FROC analysis), and the case's category and report draft
 * come only from findings at or above the operating point.
 */
import type { Manifest } from '../ai/registry/manifest';
import { detectNodules, type DetectOptions, type DetectResult, type Runner } from '../ai/shared/pipeline';
import type { SeriesSource } from '../ai/shared/modelGrid';
import { assessDetections, type AssessedFinding, type PatientContext } from '../findings/assess';
import type { Language } from '../i18n/language';
import { summarise, type CaseSummary } from './summary';

export interface Runners {
  /** The model. */
  readonly model: Runner;
  /** Its false-positive reduction classifier, when the manifest names one. */
  readonly fpr?: Runner;
}

export interface AnalyzeSeriesOptions extends Pick<
  DetectOptions,
  'signal' | 'onProgress' | 'evidence' | 'batchDelayMs' | 'unreportedAttributes'
> {
  /** Return findings down to this score (default: the model's operating point). */
  readonly minScore?: number;
  readonly language: Language;
  /** Age and sex from the DICOM, for differentials (in memory only). */
  readonly patient: PatientContext;
}

export interface SeriesAnalysis {
  /** What the model found, before assessment (with its timings and evidence map). */
  readonly detection: DetectResult;
  /** The lungs' z-extent (patient mm) the model saw: zones of findings are thirds of it. */
  readonly lungZ: readonly [number, number];
  /** Findings down to `minScore`, assessed (Lung-RADS, differentials, location), ids F1… by score. */
  readonly findings: readonly AssessedFinding[];
  /** The case from the findings at or above the operating point (null for classifiers). */
  readonly summary: CaseSummary | null;
}

export async function analyzeSeries(
  source: SeriesSource,
  manifest: Manifest,
  runners: Runners,
  options: AnalyzeSeriesOptions,
): Promise<SeriesAnalysis> {
  const operatingPoint = manifest.operatingPoint.score;
  const detection = await detectNodules(source, manifest, runners.model, {
    minScore: options.minScore ?? operatingPoint,
    fprRunner: runners.fpr,
    signal: options.signal,
    onProgress: options.onProgress,
    evidence: options.evidence,
    batchDelayMs: options.batchDelayMs,
    unreportedAttributes: options.unreportedAttributes,
  });
  const spacing = manifest.input.sliceSpacingMm;
  const lungZ: [number, number] = [
    source.origin[2] + detection.box.z0 * spacing,
    source.origin[2] + detection.box.z1 * spacing,
  ];
  const findings = assessDetections(
    detection.nodules.map((n) => ({ ...n, margin: n.attributes['margin'] })),
    options.patient,
    lungZ,
    options.language,
  );
  const summary =
    manifest.output.decoder === 'classifier'
      ? null
      : summarise(
          findings.filter((f) => f.score >= operatingPoint),
          options.language,
        );
  return { detection, lungZ, findings, summary };
}
