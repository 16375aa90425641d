/**
 * `lucent eval [<dataset>] --readers FILE [--model ID|none] [--csv DIR]`: score people's marks (a
 * `lucent.readers/1` study file) with the rules the model is scored by (LUNA16 hits, figures of merit,
 * the case bootstrap), and put the model and the readers in one table. The truth comes from the dataset's
 * truth.json files when a dataset is given, otherwise from the study file itself. With a dataset the model
 * is run too (unless `--model none`), and its row is computed on the study's cases.
 */
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult } from '../ai/shared/froc';
import { NODULE_TYPES } from '../findings/types';
import { LucentError, messageOf } from '../lib/errors';
import { analyseStudy, modelSummary, type StudyReport, type Summary } from '../practice/study';
import { marksCsv, parseStudy, truthCsv } from '../practice/studyFile';
import type { AiMark, StudyFile, TruthLesion } from '../practice/types';
import { evaluate, type EvalOptions } from './eval';

export interface ReadersOptions extends EvalOptions {
  /** `none`: do not run a model. */
  readonly modelId?: string;
  /** Write marks.csv and truth.csv (RJafroc-style tables) into this folder. */
  readonly csvDir?: string;
}

function readStudy(file: string): StudyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LucentError('bad-arguments', `${file}: not a readable JSON file (${messageOf(e)})`);
  }
  const parsed = parseStudy(raw);
  if (!parsed.ok) throw new LucentError('bad-arguments', `${file}: ${parsed.error}`);
  return parsed.value;
}

function datasetTruth(dataset: string, caseId: string): TruthLesion[] {
  const path = join(dataset, caseId, 'truth.json');
  let truth: { schema?: unknown; nodules?: unknown };
  try {
    truth = JSON.parse(readFileSync(path, 'utf8')) as typeof truth;
  } catch {
    throw new LucentError('bad-arguments', `case "${caseId}" has no readable ${path}`);
  }
  if (truth.schema !== 'lucent.truth/1' || !Array.isArray(truth.nodules))
    throw new LucentError('bad-arguments', `${path} is not lucent.truth/1`);
  const parsed = parseStudy({
    schema: 'lucent.readers/1',
    cases: [{ id: caseId, truth: truth.nodules }],
    reads: [{ reader: '-', caseId, modality: 'unaided', marks: [] }],
  });
  if (!parsed.ok)
    throw new LucentError('bad-arguments', `${path}: ${parsed.error.replace(/^cases\[0\]\./, '')}`);
  return [...(parsed.value.cases[0]?.truth ?? [])];
}

const r3 = (v: number | null): number | null =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;

function rounded(s: Summary): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? r3(v) : v]));
}

function roundedReport(report: StudyReport): Record<string, unknown> {
  return {
    ...report,
    rows: report.rows.map(rounded),
    differences: report.differences.map((d) => ({
      ...d,
      unaided: r3(d.unaided),
      aided: r3(d.aided),
      difference: r3(d.difference),
      ci95: d.ci95.map(r3),
    })),
  };
}

/** The model's findings per case, from `evaluate`'s per-case results. */
function modelCases(perCase: unknown, ids: ReadonlySet<string>, truthOf: (id: string) => TruthLesion[]) {
  const list = Array.isArray(perCase) ? (perCase as CaseResult[]) : [];
  return list
    .filter((c) => ids.has(c.name))
    .map((c) => ({
      id: c.name,
      truth: truthOf(c.name),
      findings: c.detections.map((d, i): AiMark => ({
        id: `F${i + 1}`,
        centerMm: d.centerMm,
        score: d.score,
        type: NODULE_TYPES.find((t) => t === d.type) ?? 'solid',
        meanDiameterMm: d.meanDiameterMm,
      })),
    }));
}

export async function evaluateReaders(
  file: string,
  dataset: string | undefined,
  options: ReadersOptions = {},
): Promise<Record<string, unknown>> {
  const study = readStudy(file);
  if (dataset !== undefined && !statSync(dataset, { throwIfNoEntry: false })?.isDirectory())
    throw new LucentError('bad-arguments', `${dataset} is not a folder`);
  const cache = new Map<string, TruthLesion[]>();
  const truthOf = (id: string): TruthLesion[] => {
    const known = cache.get(id);
    if (known) return known;
    const inFile = study.cases.find((c) => c.id === id)?.truth;
    const truth = dataset !== undefined ? datasetTruth(dataset, id) : inFile ? [...inFile] : null;
    if (!truth)
      throw new LucentError(
        'bad-arguments',
        `case "${id}" has no truth: give the dataset folder, or the case's truth in ${file}`,
      );
    cache.set(id, truth);
    return truth;
  };
  const ids = new Set(study.reads.map((r) => r.caseId));
  for (const id of ids) truthOf(id);
  const report = analyseStudy(study, truthOf);
  let evalReport: Record<string, unknown> | null = null;
  let modelRow: Summary | null = null;
  if (dataset !== undefined && options.modelId !== 'none') {
    evalReport = await evaluate(dataset, options);
    const model = evalReport['model'] as { id: string; operatingPoint: number } | null;
    const cases = modelCases(evalReport['perCase'], ids, truthOf);
    if (model && cases.length > 0)
      modelRow = modelSummary(model.id, cases, model.operatingPoint, report.fom === 'all-cases');
  }
  if (options.csvDir) {
    mkdirSync(options.csvDir, { recursive: true });
    writeFileSync(join(options.csvDir, 'marks.csv'), marksCsv(study, truthOf));
    writeFileSync(join(options.csvDir, 'truth.csv'), truthCsv([...ids], truthOf));
  }
  const readers = {
    file,
    ...roundedReport(report),
    table: [...(modelRow ? [modelRow] : []), ...report.rows].map(rounded),
  };
  return evalReport
    ? { ...evalReport, readers }
    : { schema: 'lucent.eval/1', dataset: dataset ?? null, model: null, readers };
}

/** The table as text lines for stderr: who, how, and the main numbers. */
export function tableLines(result: Record<string, unknown>): string[] {
  const table = (result['readers'] as { table?: Record<string, unknown>[] } | undefined)?.table ?? [];
  const f = (v: unknown): string => (typeof v === 'number' ? v.toFixed(3) : '–');
  return [
    'reader      reading     cases  sensitivity  FP/case  wAFROC  JAFROC  AUC',
    ...table.map(
      (r) =>
        `${String(r['reader']).padEnd(12)}${String(r['modality']).padEnd(12)}${String(r['cases']).padStart(5)}  ${f(r['sensitivity']).padStart(11)}  ${f(r['fpPerCase']).padStart(7)}  ${f(r['wafroc']).padStart(6)}  ${f(r['jafroc']).padStart(6)}  ${f(r['caseAuc'])}`,
    ),
  ];
}
