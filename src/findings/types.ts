/**
 * Domain types shared by the guideline logic (Lung-RADS, Fleischner), the Brock model and the
 * differential knowledge base. Pure types plus the closed value lists that validators need.
 */
import type { Language } from '../i18n/language';

/**
 * Nodule type, as the `lucent.analysis/1` contract spells it. `calcified` means a nodule with a benign
 * calcification pattern (complete, central, popcorn or concentric rings); a nodule with any other
 * calcification is entered as `solid`.
 */
export type NoduleType = 'solid' | 'part-solid' | 'ground-glass' | 'calcified';
export const NODULE_TYPES: readonly NoduleType[] = ['solid', 'part-solid', 'ground-glass', 'calcified'];

/** Nodule margin. */
export type Margin = 'smooth' | 'lobulated' | 'spiculated';
export const MARGINS: readonly Margin[] = ['smooth', 'lobulated', 'spiculated'];

/** A margin, or the fact that nobody described it. */
export type MarginOrUnspecified = Margin | 'unspecified';

/**
 * Where a nodule stands against the prior screening CT. `stable` also covers nodules that decreased
 * in size (Lung-RADS v2022 stepped management speaks of "stable or decreased").
 */
export type NoduleStatus = 'baseline' | 'new' | 'growing' | 'stable';
export const NODULE_STATUSES: readonly NoduleStatus[] = ['baseline', 'new', 'growing', 'stable'];

/** ACR Lung-RADS v2022 assessment categories, written as the guideline writes them. */
export type LungRadsCategory = '0' | '1' | '2' | '3' | '4A' | '4B' | '4X';
export const LUNG_RADS_CATEGORIES: readonly LungRadsCategory[] = ['0', '1', '2', '3', '4A', '4B', '4X'];

/**
 * Calcification pattern. `diffuse`, `central`, `laminated` (concentric rings) and `popcorn` are the
 * benign patterns; `stippled`, `eccentric` and `amorphous` are indeterminate.
 */
export type CalcificationPattern =
  'none' | 'diffuse' | 'central' | 'laminated' | 'popcorn' | 'stippled' | 'eccentric' | 'amorphous';
export const CALCIFICATION_PATTERNS: readonly CalcificationPattern[] = [
  'none',
  'diffuse',
  'central',
  'laminated',
  'popcorn',
  'stippled',
  'eccentric',
  'amorphous',
];

/** Where a nodule is and how big, in patient millimetres (LPS): what a detector or a reader measures. */
export interface NoduleGeometry {
  readonly centerMm: readonly [number, number, number];
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly meanDiameterMm: number;
  readonly solidComponentMm: number | null;
  readonly volumeMm3: number;
}

/** A nodule as a report speaks of it: its id (F1…), type, sizes and Lung-RADS category. */
export interface ReportedNodule extends Pick<
  NoduleGeometry,
  'longAxisMm' | 'shortAxisMm' | 'meanDiameterMm' | 'solidComponentMm'
> {
  readonly id: string;
  readonly type: NoduleType;
  readonly lungRads: LungRadsCategory;
}

/** Lung side and craniocaudal zone of a nodule. */
export interface NoduleLocation {
  readonly side: 'right' | 'left';
  readonly zone: 'upper' | 'middle' | 'lower';
}

export type Sex = 'female' | 'male';

export { LANGUAGES, type Language } from '../i18n/language';

/** A text in every language Lucent supports. */
export type Localized = Readonly<Record<Language, string>>;

/**
 * A numeric interval with explicit inclusivity, so that a table row reads like the published table:
 * Lung-RADS "≥ 6 to < 8 mm" is `{ gte: 6, lt: 8 }`, Fleischner "6–8 mm" is `{ gte: 6, lte: 8 }`.
 * An empty interval matches every number.
 */
export interface Interval {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
}
