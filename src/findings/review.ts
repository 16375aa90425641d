/**
 * The radiologist's side of a finding: edits (re-measure, re-type, margin, solid component) that
 * re-derive the Lung-RADS category and differentials, findings added by hand, ordering, the case-level
 * Fleischner and Brock views, and the exportable audit trail. Pure functions; records are immutable.
 */
import { err, ok, type Result } from '../lib/result';
import { judgeNodule, zoneOf, type PatientContext } from './assess';
import { brockProbability, type BrockResult } from './brock';
import {
  fleischnerApplies,
  fleischnerRecommendation,
  fleischnerSizeMm,
  type FleischnerApplicability,
  type FleischnerRecommendation,
} from './fleischner';
import type { FleischnerContext, FleischnerRisk } from './fleischnerTable';
import { LUNG_RADS_RANK } from './lungrads';
import { roundToTenthMm } from './measure';
import type { AuditEntry, Author, FindingRecord } from './record';
import type { Language, Margin, NoduleGeometry, NoduleType } from './types';

export interface ReviewError {
  readonly code: 'invalid-size' | 'solid-larger' | 'no-outline' | 'missing-input' | 'not-applicable';
  readonly message: string;
}

export interface FindingEdit {
  readonly longAxisMm?: number;
  readonly shortAxisMm?: number;
  /** Part-solid only; null clears it. */
  readonly solidComponentMm?: number | null;
  readonly type?: NoduleType;
  readonly margin?: Margin | null;
}

const USER: Author = { kind: 'user' };
const MAX_MM = 300;

/** A size a reader may give: finite, above 0 and at most MAX_MM millimetres (absent counts as valid). */
export function validMm(v: number | undefined | null): boolean {
  return v === undefined || v === null || (Number.isFinite(v) && v > 0 && v <= MAX_MM);
}

function mm(v: number): string {
  return `${roundToTenthMm(v)} mm`;
}

/**
 * Apply a radiologist's edit: sizes are normalised (long ≥ short, mean to 0.1 mm), the volume follows
 * the new size, and the category and differentials are derived again. Every changed field leaves an
 * audit entry.
 */
export function editFinding(
  f: FindingRecord,
  edit: FindingEdit,
  patient: PatientContext,
  language: Language,
  at: string,
): Result<FindingRecord, ReviewError> {
  if (!validMm(edit.longAxisMm) || !validMm(edit.shortAxisMm) || !validMm(edit.solidComponentMm)) {
    return err({
      code: 'invalid-size',
      message: `Sizes must be numbers of millimetres above 0 and at most ${MAX_MM}.`,
    });
  }
  const history: AuditEntry[] = [...f.history];
  let long: number;
  let short: number;
  if (edit.longAxisMm !== undefined && edit.shortAxisMm !== undefined) {
    // Two new axes: whichever is longer is the long axis.
    long = Math.max(edit.longAxisMm, edit.shortAxisMm);
    short = Math.min(edit.longAxisMm, edit.shortAxisMm);
  } else if (edit.longAxisMm !== undefined) {
    // A shorter long axis takes the short axis down with it, never the other way round.
    long = edit.longAxisMm;
    short = Math.min(f.shortAxisMm, long);
  } else if (edit.shortAxisMm !== undefined) {
    short = edit.shortAxisMm;
    long = Math.max(f.longAxisMm, short);
  } else {
    long = f.longAxisMm;
    short = f.shortAxisMm;
  }
  const mean = roundToTenthMm((long + short) / 2);
  const type = edit.type ?? f.type;
  let solid = edit.solidComponentMm === undefined ? f.solidComponentMm : edit.solidComponentMm;
  if (type !== 'part-solid') solid = null;
  if (solid !== null && solid > long) {
    return err({
      code: 'solid-larger',
      message: 'The solid component cannot be larger than the nodule.',
    });
  }
  const margin = edit.margin === undefined ? f.margin : (edit.margin ?? undefined);
  if (long !== f.longAxisMm || short !== f.shortAxisMm) {
    history.push({
      at,
      by: USER,
      action: 'remeasured',
      detail: `${mm(f.longAxisMm)} × ${mm(f.shortAxisMm)} → ${mm(long)} × ${mm(short)} (mean ${mm(f.meanDiameterMm)} → ${mm(mean)})`,
    });
  }
  if (type !== f.type) history.push({ at, by: USER, action: 'retyped', detail: `${f.type} → ${type}` });
  if (solid !== f.solidComponentMm && type === 'part-solid') {
    history.push({
      at,
      by: USER,
      action: 'edited',
      detail: `solid component ${f.solidComponentMm === null ? '—' : mm(f.solidComponentMm)} → ${solid === null ? '—' : mm(solid)}`,
    });
  }
  if (margin !== f.margin) {
    history.push({
      at,
      by: USER,
      action: 'edited',
      detail: `margin ${f.margin ?? '—'} → ${margin ?? '—'}`,
    });
  }
  if (history.length === f.history.length) return ok(f);
  const scale = f.meanDiameterMm > 0 ? mean / f.meanDiameterMm : 1;
  const volume = f.volumeMm3 > 0 ? f.volumeMm3 * scale ** 3 : (Math.PI / 6) * long * short * short;
  const judged = judgeNodule(
    { type, meanDiameterMm: mean, solidComponentMm: solid, margin },
    patient,
    language,
  );
  return ok({
    ...f,
    type,
    longAxisMm: roundToTenthMm(long),
    shortAxisMm: roundToTenthMm(short),
    meanDiameterMm: mean,
    solidComponentMm: solid,
    volumeMm3: Math.round(volume * 10) / 10,
    margin,
    ...judged,
    history,
  });
}

/** Re-derive category and differentials (for example after the report language changed). */
export function rejudge(f: FindingRecord, patient: PatientContext, language: Language): FindingRecord {
  return { ...f, ...judgeNodule(f, patient, language) };
}

export interface ManualFindingInput {
  readonly id: string;
  readonly seriesKey: string;
  readonly centerMm: readonly [number, number, number];
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly type: NoduleType;
  /** The lungs' z-extent in patient mm, for the zone; the series extent when the lungs are unknown. */
  readonly lungZ: readonly [number, number];
}

/** A nodule the model missed, drawn by the radiologist (an ellipse on the nodule's widest slice). */
export function manualFinding(
  input: ManualFindingInput,
  patient: PatientContext,
  language: Language,
  at: string,
): Result<FindingRecord, ReviewError> {
  if (!validMm(input.longAxisMm) || !validMm(input.shortAxisMm) || !input.centerMm.every(Number.isFinite)) {
    return err({ code: 'no-outline', message: 'The drawn outline has no usable size or position.' });
  }
  const long = Math.max(input.longAxisMm, input.shortAxisMm);
  const short = Math.min(input.longAxisMm, input.shortAxisMm);
  const mean = roundToTenthMm((long + short) / 2);
  const judged = judgeNodule(
    { type: input.type, meanDiameterMm: mean, solidComponentMm: null },
    patient,
    language,
  );
  return ok({
    id: input.id,
    seriesKey: input.seriesKey,
    source: USER,
    status: 'accepted',
    type: input.type,
    score: null,
    centerMm: input.centerMm,
    longAxisMm: roundToTenthMm(long),
    shortAxisMm: roundToTenthMm(short),
    meanDiameterMm: mean,
    solidComponentMm: null,
    // An ellipsoid whose third axis equals the short axis.
    volumeMm3: Math.round((Math.PI / 6) * long * short * short * 10) / 10,
    location: {
      side: input.centerMm[0] < 0 ? 'right' : 'left',
      zone: zoneOf(input.centerMm[2], input.lungZ),
    },
    ...judged,
    history: [{ at, by: USER, action: 'created', detail: `drawn by hand, ${mm(long)} × ${mm(short)}` }],
  });
}

/** The next free finding id (F1, F2, …), never reusing one. */
export function nextFindingId(findings: readonly FindingRecord[]): string {
  let max = 0;
  for (const f of findings) {
    const n = /^F(\d+)$/.exec(f.id);
    if (n) max = Math.max(max, Number(n[1]));
  }
  return `F${max + 1}`;
}

export type FindingSort = 'category' | 'score' | 'size' | 'id';

function idNumber(id: string): number {
  const n = /(\d+)$/.exec(id);
  return n ? Number(n[1]) : 0;
}

/** Most suspicious first for `category` (ties by size), highest score first for `score`. */
export function sortFindings(findings: readonly FindingRecord[], by: FindingSort): FindingRecord[] {
  const out = [...findings];
  const byId = (a: FindingRecord, b: FindingRecord): number => idNumber(a.id) - idNumber(b.id);
  switch (by) {
    case 'category':
      return out.sort(
        (a, b) =>
          LUNG_RADS_RANK[b.lungRads] - LUNG_RADS_RANK[a.lungRads] ||
          b.meanDiameterMm - a.meanDiameterMm ||
          byId(a, b),
      );
    case 'score':
      return out.sort((a, b) => (b.score ?? 2) - (a.score ?? 2) || byId(a, b));
    case 'size':
      return out.sort((a, b) => b.meanDiameterMm - a.meanDiameterMm || byId(a, b));
    case 'id':
      return out.sort(byId);
  }
}

/** The most suspicious of the findings: highest Lung-RADS rank, then the largest. */
export function mostSuspicious(findings: readonly FindingRecord[]): FindingRecord | null {
  return sortFindings(findings, 'category')[0] ?? null;
}

export interface FleischnerCaseView {
  readonly applicability: FleischnerApplicability;
  /** Null when no nodule needs a Fleischner recommendation (none, or all calcified). */
  readonly recommendation: FleischnerRecommendation | null;
  readonly guideFindingId: string | null;
  readonly multiplicity: 'single' | 'multiple' | null;
}

/**
 * Fleischner 2017 for the findings kept (not rejected): calcified nodules are benign and left out;
 * with several nodules the most suspicious one guides the recommendation, as the guideline says.
 */
export function fleischnerForCase(
  findings: readonly FindingRecord[],
  risk: FleischnerRisk,
  context: FleischnerContext,
  language: Language,
): FleischnerCaseView {
  const applicability = fleischnerApplies(context, language);
  const candidates = findings.filter((f) => f.status !== 'rejected' && f.type !== 'calcified');
  const guide = mostSuspicious(candidates);
  if (!guide || guide.type === 'calcified') {
    return { applicability, recommendation: null, guideFindingId: null, multiplicity: null };
  }
  const multiplicity = candidates.length > 1 ? 'multiple' : 'single';
  const recommendation = fleischnerRecommendation(
    {
      multiplicity,
      type: guide.type,
      meanDiameterMm: fleischnerSizeMm(guide.longAxisMm, guide.shortAxisMm),
      risk,
    },
    language,
  );
  return { applicability, recommendation, guideFindingId: guide.id, multiplicity };
}

export interface BrockUserInputs {
  readonly emphysema: boolean;
  readonly familyHistory: boolean;
}

/**
 * The Brock (PanCan) probability for one finding. Age and sex come from the DICOM; without them the
 * model cannot be computed and the error says which is missing. Upper lobe is approximated by the
 * upper third of the lungs' height (the findings carry no lobe segmentation).
 */
export function brockForFinding(
  f: FindingRecord,
  findings: readonly FindingRecord[],
  patient: PatientContext,
  user: BrockUserInputs,
  language: Language,
): Result<BrockResult, ReviewError> {
  if (f.type === 'calcified') {
    return err({
      code: 'not-applicable',
      message: 'Brock does not apply to calcified (benign) nodules.',
    });
  }
  const missing = [
    patient.ageYears === undefined ? 'age' : null,
    patient.sex !== 'M' && patient.sex !== 'F' ? 'sex' : null,
  ].filter((x): x is string => x !== null);
  if (missing.length > 0) {
    return err({
      code: 'missing-input',
      message: `The DICOM does not record the patient's ${missing.join(' and ')}.`,
    });
  }
  const r = brockProbability(
    {
      ageYears: patient.ageYears ?? 0,
      sex: patient.sex === 'F' ? 'female' : 'male',
      familyHistoryOfLungCancer: user.familyHistory,
      emphysema: user.emphysema,
      noduleSizeMm: f.longAxisMm,
      noduleType: f.type,
      upperLobe: f.location?.zone === 'upper',
      noduleCount: Math.max(1, findings.filter((x) => x.status !== 'rejected').length),
      spiculation: f.margin === 'spiculated',
    },
    language,
  );
  return r.ok ? ok(r.value) : err({ code: 'missing-input', message: r.error.message });
}

export interface AuditExport {
  readonly schema: 'lucent.audit/1';
  readonly exportedAt: string;
  /** No patient or study identifiers are written: findings are located by position only. */
  readonly deidentified: true;
  readonly caseLungRads: string | null;
  readonly findings: readonly (NoduleGeometry & {
    readonly id: string;
    readonly source: Author;
    readonly status: FindingRecord['status'];
    readonly type: NoduleType;
    readonly score: number | null;
    readonly margin: Margin | null;
    readonly lungRads: string;
    readonly history: readonly AuditEntry[];
  })[];
}

/** The review's audit trail as JSON-ready data: who proposed each finding, and every change, with time. */
export function auditExport(
  findings: readonly FindingRecord[],
  caseLungRads: string | null,
  exportedAt: string,
): AuditExport {
  return {
    schema: 'lucent.audit/1',
    exportedAt,
    deidentified: true,
    caseLungRads,
    findings: sortFindings(findings, 'id').map((f) => ({
      id: f.id,
      source: f.source,
      status: f.status,
      type: f.type,
      score: f.score,
      centerMm: f.centerMm,
      longAxisMm: f.longAxisMm,
      shortAxisMm: f.shortAxisMm,
      meanDiameterMm: f.meanDiameterMm,
      solidComponentMm: f.solidComponentMm,
      volumeMm3: f.volumeMm3,
      margin: f.margin ?? null,
      lungRads: f.lungRads,
      history: f.history,
    })),
  };
}
