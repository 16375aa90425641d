/**
 * The study file (`lucent.readers/1`): parsing with a specific message for each problem, and export as
 * CSV for RJafroc-style analysis: one row per mark (its reader, modality, case, rating and, for a lesion
 * localisation, the lesion it found), and a truth table (one row per lesion, or a lesion 0 row for a normal
 * case, with equal weights), the two tables RJafroc's data files hold.
 */
import { LUNG_RADS_CATEGORIES, NODULE_TYPES, type NoduleType } from '../findings/types';
import { LucentError } from '../lib/errors';
import { err, ok, type Result } from '../lib/result';
import { matchMarks } from './match';
import {
  MODALITIES,
  STUDY_SCHEMA,
  type AiMark,
  type Read,
  type ReaderMark,
  type StudyCase,
  type StudyFile,
  type TruthLesion,
  type Vec3,
} from './types';

type Raw = Record<string, unknown>;

/** The first thing wrong in a study file; `parseStudy` returns its message. */
class Problem extends LucentError {
  constructor(message: string) {
    super('bad-study-file', message);
    this.name = 'Problem';
  }
}

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function record(v: unknown, path: string): Raw {
  if (!isRecord(v)) throw new Problem(`${path} must be an object`);
  return v;
}

function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new Problem(`${path} must be a list`);
  return v;
}

function text(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new Problem(`${path} must be a non-empty string`);
  return v;
}

function finite(v: unknown, path: string, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw new Problem(`${path} must be a number${min > -Infinity ? ` of at least ${min}` : ''}`);
  return v;
}

function point(v: unknown, path: string): Vec3 {
  const a = list(v, path);
  if (a.length !== 3) throw new Problem(`${path} must be [x, y, z] in millimetres`);
  return [finite(a[0], `${path}[0]`), finite(a[1], `${path}[1]`), finite(a[2], `${path}[2]`)];
}

function noduleType(v: unknown, path: string): NoduleType {
  const t = NODULE_TYPES.find((x) => x === v);
  if (!t) throw new Problem(`${path} must be one of ${NODULE_TYPES.join(', ')}`);
  return t;
}

function lesion(v: unknown, path: string): TruthLesion {
  const r = record(v, path);
  const solid = r['solidComponentMm'];
  return {
    centerMm: point(r['centerMm'], `${path}.centerMm`),
    diameterMm: finite(r['diameterMm'], `${path}.diameterMm`, 0),
    type: noduleType(r['type'], `${path}.type`),
    solidComponentMm: typeof solid === 'number' ? solid : null,
    ...(typeof r['location'] === 'string' ? { location: r['location'] } : {}),
    ...(typeof r['margin'] === 'string' ? { margin: r['margin'] } : {}),
  };
}

function aiMark(v: unknown, path: string): AiMark {
  const r = record(v, path);
  return {
    id: text(r['id'], `${path}.id`),
    centerMm: point(r['centerMm'], `${path}.centerMm`),
    score: finite(r['score'], `${path}.score`),
    type: noduleType(r['type'], `${path}.type`),
    meanDiameterMm: finite(r['meanDiameterMm'], `${path}.meanDiameterMm`, 0),
  };
}

function mark(v: unknown, path: string): ReaderMark {
  const r = record(v, path);
  const diameter = r['diameterMm'];
  const ai = r['aiFindingId'];
  return {
    id: text(r['id'], `${path}.id`),
    centerMm: point(r['centerMm'], `${path}.centerMm`),
    confidence: finite(r['confidence'], `${path}.confidence`),
    type: noduleType(r['type'] ?? 'solid', `${path}.type`),
    ...(diameter !== undefined ? { diameterMm: finite(diameter, `${path}.diameterMm`, 0) } : {}),
    ...(ai !== undefined ? { aiFindingId: text(ai, `${path}.aiFindingId`) } : {}),
  };
}

function read(v: unknown, path: string): Read {
  const r = record(v, path);
  const modality = MODALITIES.find((m) => m === r['modality']);
  if (!modality) throw new Problem(`${path}.modality must be one of ${MODALITIES.join(', ')}`);
  const lungRads = r['lungRads'];
  const category = LUNG_RADS_CATEGORIES.find((c) => c === lungRads);
  if (lungRads !== undefined && lungRads !== null && !category)
    throw new Problem(`${path}.lungRads must be one of ${LUNG_RADS_CATEGORIES.join(', ')} or null`);
  return {
    reader: text(r['reader'], `${path}.reader`),
    caseId: text(r['caseId'], `${path}.caseId`),
    modality,
    marks: list(r['marks'], `${path}.marks`).map((m, i) => mark(m, `${path}.marks[${i}]`)),
    lungRads: category ?? null,
    ...(typeof r['impression'] === 'string' ? { impression: r['impression'] } : {}),
    seconds: finite(r['seconds'] ?? 0, `${path}.seconds`, 0),
    ...(typeof r['at'] === 'string' ? { at: r['at'] } : {}),
  };
}

function studyCase(v: unknown, path: string): StudyCase {
  const r = record(v, path);
  return {
    id: text(r['id'], `${path}.id`),
    ...(r['truth'] !== undefined
      ? { truth: list(r['truth'], `${path}.truth`).map((l, i) => lesion(l, `${path}.truth[${i}]`)) }
      : {}),
    ...(r['ai'] !== undefined
      ? { ai: list(r['ai'], `${path}.ai`).map((f, i) => aiMark(f, `${path}.ai[${i}]`)) }
      : {}),
  };
}

/** Parse a study file (already `JSON.parse`d); the error names the first field that is wrong. */
export function parseStudy(raw: unknown): Result<StudyFile, string> {
  try {
    const r = record(raw, 'the study file');
    if (r['schema'] !== STUDY_SCHEMA) throw new Problem(`schema must be "${STUDY_SCHEMA}"`);
    const cases = list(r['cases'] ?? [], 'cases').map((c, i) => studyCase(c, `cases[${i}]`));
    const ids = new Set<string>();
    for (const c of cases) {
      if (ids.has(c.id)) throw new Problem(`case "${c.id}" is listed twice`);
      ids.add(c.id);
    }
    const reads = list(r['reads'], 'reads').map((x, i) => read(x, `reads[${i}]`));
    if (reads.length === 0) throw new Problem('reads is empty: there is nothing to score');
    return ok({ schema: STUDY_SCHEMA, cases, reads });
  } catch (e) {
    if (e instanceof Problem) return err(e.message);
    throw e;
  }
}

const cell = (v: string | number): string => {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : '') : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const row = (values: readonly (string | number)[]): string => values.map(cell).join(',');

export const MARK_COLUMNS = [
  'ReaderID',
  'ModalityID',
  'CaseID',
  'MarkID',
  'Rating',
  'Kind',
  'LesionID',
  'Weight',
  'X',
  'Y',
  'Z',
  'Type',
  'DiameterMm',
  'AiFindingID',
  'Seconds',
] as const;

/**
 * One row per mark. `Kind` is LL (the mark found lesion `LesionID`, 1-based within the case), NL (it found
 * none) or DUP (a further mark inside a lesion another mark took: ignored by the LUNA16 rule).
 */
export function marksCsv(study: StudyFile, truthOf: (caseId: string) => readonly TruthLesion[]): string {
  const lines = [MARK_COLUMNS.join(',')];
  for (const r of study.reads) {
    const truth = truthOf(r.caseId);
    const m = matchMarks(truth, r.marks);
    const lesionOf = new Map(m.hits.map((h) => [h.mark, h.lesion]));
    const duplicates = new Set(m.duplicates);
    for (const k of r.marks) {
      const l = lesionOf.get(k);
      const kind = l !== undefined ? 'LL' : duplicates.has(k) ? 'DUP' : 'NL';
      lines.push(
        row([
          r.reader,
          r.modality,
          r.caseId,
          k.id,
          k.confidence,
          kind,
          l !== undefined ? l + 1 : 0,
          l !== undefined ? 1 / truth.length : 0,
          ...k.centerMm,
          k.type,
          k.diameterMm ?? '',
          k.aiFindingId ?? '',
          r.seconds,
        ]),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** RJafroc's truth table: one row per lesion (equal weights), a LesionID 0 row for each normal case. */
export function truthCsv(
  caseIds: readonly string[],
  truthOf: (caseId: string) => readonly TruthLesion[],
): string {
  const lines = [row(['CaseID', 'LesionID', 'Weight', 'Type', 'DiameterMm', 'X', 'Y', 'Z'])];
  for (const id of caseIds) {
    const truth = truthOf(id);
    if (truth.length === 0) lines.push(row([id, 0, 0, '', '', '', '', '']));
    truth.forEach((l, i) =>
      lines.push(row([id, i + 1, 1 / truth.length, l.type, l.diameterMm, ...l.centerMm])),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function studyOf(cases: readonly StudyCase[], reads: readonly Read[]): StudyFile {
  return { schema: STUDY_SCHEMA, cases, reads };
}
