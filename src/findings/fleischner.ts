/**
 * Fleischner Society 2017 engine: rounds the size to whole millimetres as the guideline says, finds
 * the one matching row of `FLEISCHNER_ROWS`, and says whether the guideline applies at all. All
 * clinical content lives in `fleischnerTable.ts`.
 */
import { LucentError } from '../lib/errors';
import {
  FLEISCHNER_AGE_UNKNOWN,
  FLEISCHNER_EXCLUSIONS,
  FLEISCHNER_ROWS,
  type FleischnerContext,
  type FleischnerExclusionCode,
  type FleischnerMultiplicity,
  type FleischnerNoduleType,
  type FleischnerRisk,
  type FleischnerRow,
} from './fleischnerTable';
import { admits, inInterval, roundToWholeMm } from './measure';
import type { Language } from './types';

export interface FleischnerInput {
  readonly multiplicity: FleischnerMultiplicity;
  /** For multiple nodules, the type of the most suspicious one. */
  readonly type: FleischnerNoduleType;
  /**
   * Average of long and short axes in mm, unrounded (for multiple nodules, the most suspicious one's);
   * rounded to the nearest millimetre here.
   */
  readonly meanDiameterMm: number;
  readonly risk: FleischnerRisk;
}

export interface FleischnerRecommendation {
  /** The size the table saw, in whole millimetres. */
  readonly sizeMm: number;
  readonly rowId: string;
  readonly recommendation: string;
  readonly comment: string | null;
  readonly source: string;
}

export interface FleischnerApplicability {
  readonly applies: boolean;
  readonly exclusions: readonly {
    readonly code: FleischnerExclusionCode;
    readonly reason: string;
    readonly source: string;
  }[];
  /** Points to confirm when the guideline may apply. */
  readonly caveats: readonly string[];
}

/** Fleischner's size: the average of long and short axes, rounded to the nearest millimetre. */
export function fleischnerSizeMm(longAxisMm: number, shortAxisMm: number): number {
  return roundToWholeMm((longAxisMm + shortAxisMm) / 2);
}

/** Every row matching the input (exactly one for valid input). */
export function fleischnerMatches(input: FleischnerInput): readonly FleischnerRow[] {
  const sizeMm = roundToWholeMm(input.meanDiameterMm);
  return FLEISCHNER_ROWS.filter(
    (row) =>
      row.multiplicity === input.multiplicity &&
      admits(row.types, input.type) &&
      admits(row.risks, input.risk) &&
      inInterval(sizeMm, row.sizeMm),
  );
}

/**
 * The Fleischner 2017 recommendation for an incidental nodule. Check {@link fleischnerApplies} first:
 * this function does not know the clinical context. Throws a {@link LucentError} for a size that is
 * not a positive number.
 */
export function fleischnerRecommendation(
  input: FleischnerInput,
  language: Language = 'en',
): FleischnerRecommendation {
  if (!Number.isFinite(input.meanDiameterMm) || input.meanDiameterMm <= 0) {
    throw new LucentError('invalid-nodule', 'meanDiameterMm must be a positive number of millimetres');
  }
  const rows = fleischnerMatches(input);
  if (rows.length !== 1) {
    throw new LucentError('fleischner-table', `Expected one Fleischner row, found ${rows.length}`);
  }
  const row = rows[0];
  return {
    sizeMm: roundToWholeMm(input.meanDiameterMm),
    rowId: row.id,
    recommendation: row.recommendation[language],
    comment: row.comment?.[language] ?? null,
    source: row.source,
  };
}

/** Whether the Fleischner 2017 guideline applies in this context, and if not, why. */
export function fleischnerApplies(
  context: FleischnerContext,
  language: Language = 'en',
): FleischnerApplicability {
  const exclusions = FLEISCHNER_EXCLUSIONS.filter((e) => e.excludes(context)).map((e) => ({
    code: e.code,
    reason: e.reason[language],
    source: e.source,
  }));
  const caveats = context.ageYears === null ? [FLEISCHNER_AGE_UNKNOWN[language]] : [];
  return { applies: exclusions.length === 0, exclusions, caveats };
}
