/**
 * ACR Lung-RADS v2022 engine: turns a nodule into the facts the table looks at (mean diameter
 * rounded to 0.1 mm), finds the first matching row of `LUNG_RADS_ROWS`, applies the 4X upgrade, and
 * picks the most suspicious nodule for the examination. All clinical content lives in
 * `lungradsTable.ts`; this file holds no thresholds.
 */
import { LucentError } from '../lib/errors';
import { noduleProblem, type LungRadsNoduleInput } from './lungradsInput';
import {
  LUNG_RADS_4X,
  LUNG_RADS_GROWTH,
  LUNG_RADS_INCOMPLETE,
  LUNG_RADS_MANAGEMENT,
  LUNG_RADS_ROWS,
  NO_NODULES_ROW,
  type AssessedCategory,
  type IncompleteReason,
  type LungRadsFacts,
  type LungRadsRow,
} from './lungradsTable';
import { admits, admitsFlag, admitsMm, roundToTenthMm } from './measure';
import type { Language, LungRadsCategory } from './types';

/** The Lung-RADS result for one nodule. */
export interface LungRadsNoduleAssessment {
  readonly category: LungRadsCategory;
  /** The id of the table row that decided the base category. */
  readonly rowId: string;
  /** Document, table and row that decided the base category. */
  readonly rowSource: string;
  /** Where the table is silent, the reading Lucent chose; null for a literal row. */
  readonly interpretation: string | null;
  /** Set when suspicious features raised a category 3 or 4 nodule to 4X. */
  readonly upgrade: { readonly from: LungRadsCategory; readonly source: string } | null;
  readonly management: string;
  /** The mean diameter the table saw (rounded to 0.1 mm). */
  readonly meanDiameterMm: number;
  /** The solid component the table saw (rounded to 0.1 mm), or null. */
  readonly solidComponentMm: number | null;
}

/** The Lung-RADS result for an examination. */
export interface LungRadsCaseAssessment {
  readonly category: LungRadsCategory;
  readonly management: string;
  /** The row behind the overall category. */
  readonly source: string;
  /** Index of the nodule that decided the category (the first of equals); null without one. */
  readonly dominantIndex: number | null;
  readonly perNodule: readonly LungRadsNoduleAssessment[];
}

export interface LungRadsCaseOptions {
  readonly language?: Language;
  /** The examination is incomplete (category 0) for this reason. */
  readonly incomplete?: IncompleteReason;
}

/** Order of suspicion; the examination takes the most suspicious nodule's category. */
export const LUNG_RADS_RANK: Readonly<Record<LungRadsCategory, number>> = {
  '0': 0,
  '1': 1,
  '2': 2,
  '3': 3,
  '4A': 4,
  '4B': 5,
  '4X': 6,
};

/** The mean diameter Lung-RADS reports: each axis and their mean to 0.1 mm. */
export function lungRadsMeanDiameterMm(longAxisMm: number, shortAxisMm: number): number {
  return roundToTenthMm((roundToTenthMm(longAxisMm) + roundToTenthMm(shortAxisMm)) / 2);
}

/**
 * Lung-RADS v2022 growth: "an increase in mean diameter size of > 1.5 mm (> 2 mm³) within a 12-month
 * interval". Compared in whole tenths of a millimetre, so 1.5 mm exactly is not growth.
 */
export function isLungRadsGrowth(
  priorMeanMm: number,
  currentMeanMm: number,
  intervalMonths: number,
): boolean {
  const tenths = (mm: number): number => Math.round(roundToTenthMm(mm) * 10);
  const deltaTenths = tenths(currentMeanMm) - tenths(priorMeanMm);
  return intervalMonths <= LUNG_RADS_GROWTH.withinMonths && deltaTenths > tenths(LUNG_RADS_GROWTH.moreThanMm);
}

/** The facts the table rows look at. */
export function lungRadsFacts(input: LungRadsNoduleInput): LungRadsFacts {
  const solid = input.type === 'part-solid' ? (input.solidComponentMm ?? null) : null;
  return {
    type: input.type,
    status: input.status,
    meanDiameterMm: roundToTenthMm(input.meanDiameterMm),
    solidComponentMm: solid === null ? null : roundToTenthMm(solid),
    juxtapleural: input.juxtapleural ?? false,
    margin: input.margin ?? 'unspecified',
    fatContaining: input.fatContaining ?? false,
    slowGrowth: input.slowGrowth ?? false,
    provenBenign: input.provenBenign ?? false,
    priorCategory: input.priorCategory ?? 'none',
  };
}

/** Whether every condition of `row` holds for `facts`. */
export function rowMatches(row: LungRadsRow, facts: LungRadsFacts): boolean {
  const w = row.when;
  return (
    admits(w.types, facts.type) &&
    admits(w.statuses, facts.status) &&
    admitsMm(w.meanDiameterMm, facts.meanDiameterMm) &&
    admitsMm(w.solidComponentMm, facts.solidComponentMm) &&
    admits(w.margins, facts.margin) &&
    admits(w.priorCategories, facts.priorCategory) &&
    admitsFlag(w.juxtapleural, facts.juxtapleural) &&
    admitsFlag(w.fatContaining, facts.fatContaining) &&
    admitsFlag(w.slowGrowth, facts.slowGrowth) &&
    admitsFlag(w.provenBenign, facts.provenBenign)
  );
}

/** Every row that matches, in table order (the first one decides). */
export function matchingRows(facts: LungRadsFacts): readonly LungRadsRow[] {
  return LUNG_RADS_ROWS.filter((row) => rowMatches(row, facts));
}

function decidingRow(facts: LungRadsFacts): LungRadsRow {
  const row = LUNG_RADS_ROWS.find((r) => rowMatches(r, facts));
  if (row === undefined) {
    throw new LucentError('lungrads-no-row', 'No Lung-RADS v2022 row matches this nodule', {
      type: facts.type,
      status: facts.status,
    });
  }
  return row;
}

function shouldUpgradeTo4X(category: AssessedCategory, input: LungRadsNoduleInput): boolean {
  if (!LUNG_RADS_4X.from.includes(category)) return false;
  return (input.suspiciousFeatures ?? false) || LUNG_RADS_4X.margins.includes(input.margin ?? 'unspecified');
}

/** Management text for a category other than 0. */
export function lungRadsManagement(category: AssessedCategory, language: Language): string {
  return LUNG_RADS_MANAGEMENT[category].text[language];
}

/**
 * Lung-RADS v2022 for one nodule. Throws a {@link LucentError} (`invalid-nodule`) for impossible
 * input (non-positive sizes, a part-solid nodule without a solid component); validate untrusted input
 * with `parseLungRadsInput` first.
 */
export function assessNodule(
  input: LungRadsNoduleInput,
  language: Language = 'en',
): LungRadsNoduleAssessment {
  const problem = noduleProblem(input, 'nodule');
  if (problem !== null) throw new LucentError('invalid-nodule', problem);
  const facts = lungRadsFacts(input);
  const row = decidingRow(facts);
  const upgraded = shouldUpgradeTo4X(row.category, input);
  const category: AssessedCategory = upgraded ? '4X' : row.category;
  return {
    category,
    rowId: row.id,
    rowSource: row.source,
    interpretation: row.interpretation ?? null,
    upgrade: upgraded ? { from: row.category, source: LUNG_RADS_4X.source } : null,
    management: lungRadsManagement(category, language),
    meanDiameterMm: facts.meanDiameterMm,
    solidComponentMm: facts.solidComponentMm,
  };
}

/** Index of the most suspicious assessment (the first of equals), or null for none. */
function dominant(perNodule: readonly LungRadsNoduleAssessment[]): number | null {
  let best: number | null = null;
  for (let i = 0; i < perNodule.length; i++) {
    const rank = LUNG_RADS_RANK[perNodule[i].category];
    if (best === null || rank > LUNG_RADS_RANK[perNodule[best].category]) best = i;
  }
  return best;
}

/**
 * Lung-RADS v2022 for an examination: every nodule is assessed and the examination takes the most
 * suspicious nodule's category and management. With no nodules it is category 1. When the
 * examination is incomplete it is category 0, and the nodules are still assessed.
 */
export function assessCase(
  nodules: readonly LungRadsNoduleInput[],
  options: LungRadsCaseOptions = {},
): LungRadsCaseAssessment {
  const language = options.language ?? 'en';
  const perNodule = nodules.map((n) => assessNodule(n, language));
  const dominantIndex = dominant(perNodule);
  if (options.incomplete !== undefined) {
    const zero = LUNG_RADS_INCOMPLETE[options.incomplete];
    return { category: '0', management: zero.text[language], source: zero.source, dominantIndex, perNodule };
  }
  if (dominantIndex === null) {
    return {
      category: NO_NODULES_ROW.category,
      management: lungRadsManagement(NO_NODULES_ROW.category, language),
      source: NO_NODULES_ROW.source,
      dominantIndex,
      perNodule,
    };
  }
  const top = perNodule[dominantIndex];
  return {
    category: top.category,
    management: top.management,
    source: top.upgrade?.source ?? top.rowSource,
    dominantIndex,
    perNodule,
  };
}
