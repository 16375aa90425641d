/**
 * The Brock (PanCan) malignancy probability for a lung nodule: the full logistic model with
 * spiculation of McWilliams A, Tammemagi MC, Mayo JR, et al. Probability of cancer in pulmonary
 * nodules detected on first screening CT. N Engl J Med 2013;369(10):910–919 (Supplementary Appendix,
 * full model 2b, with spiculation).
 *
 *   logit = −6.7892
 *         + 0.0287 × (age − 62)
 *         + 0.6011 × female
 *         + 0.2961 × family history of lung cancer
 *         + 0.2953 × emphysema
 *         − 5.3854 × ((size / 10)^−0.5 − 1.58113883)
 *         + 0.377 × part-solid − 0.1276 × non-solid (ground glass)   (solid: 0)
 *         + 0.6581 × upper lobe
 *         − 0.0824 × (nodule count − 4)
 *         + 0.7729 × spiculation
 *   probability = 1 / (1 + e^−logit)
 *
 * Size is the nodule's longest diameter in mm, as measured in PanCan; the transform centres it at
 * 4 mm (1.58113883 = (4/10)^−0.5). Age is centred at 62 years and the nodule count at 4. The model
 * was developed on screening participants aged 50–75; outside that range it is an extrapolation.
 */
import { err, ok, type Result } from '../lib/result';
import type { Language, Localized, NoduleType, Sex } from './types';

export const BROCK_SOURCE =
  'McWilliams et al., N Engl J Med 2013;369:910–919, Supplementary Appendix: full model with spiculation';

/** The published coefficients and centring constants. */
export const BROCK_COEFFICIENTS = {
  intercept: -6.7892,
  agePerYear: 0.0287,
  ageCentreYears: 62,
  female: 0.6011,
  familyHistory: 0.2961,
  emphysema: 0.2953,
  size: -5.3854,
  /** (4 / 10)^−0.5: the size transform at 4 mm. */
  sizeCentre: 1.58113883,
  partSolid: 0.377,
  nonSolid: -0.1276,
  upperLobe: 0.6581,
  perNodule: -0.0824,
  noduleCountCentre: 4,
  spiculation: 0.7729,
} as const;

/** The nodule types the Brock model scores: every type but `calcified` (benign, not scored). */
export type BrockNoduleType = Exclude<NoduleType, 'calcified'>;

export interface BrockInput {
  readonly ageYears: number;
  readonly sex: Sex;
  readonly familyHistoryOfLungCancer: boolean;
  /** Emphysema visible on the CT. */
  readonly emphysema: boolean;
  /** Longest diameter of the nodule in mm. */
  readonly noduleSizeMm: number;
  readonly noduleType: BrockNoduleType;
  readonly upperLobe: boolean;
  /** Number of nodules on the scan (at least 1). */
  readonly noduleCount: number;
  readonly spiculation: boolean;
}

export type BrockTermName =
  | 'intercept'
  | 'age'
  | 'sex'
  | 'familyHistory'
  | 'emphysema'
  | 'size'
  | 'type'
  | 'upperLobe'
  | 'noduleCount'
  | 'spiculation';

/** One additive term of the logit, for showing the model with its inputs. */
export interface BrockTerm {
  readonly name: BrockTermName;
  readonly contribution: number;
}

export interface BrockResult {
  /** Probability of malignancy, 0–1. */
  readonly probability: number;
  readonly logit: number;
  readonly terms: readonly BrockTerm[];
  /** The inputs used. */
  readonly inputs: BrockInput;
  /** Inputs outside the population the model was developed on. */
  readonly warnings: readonly string[];
  readonly source: string;
}

export interface BrockInputError {
  readonly code: 'invalid-brock-input';
  readonly message: string;
}

const TYPE_COEFFICIENT: Readonly<Record<BrockNoduleType, number>> = {
  solid: 0,
  'part-solid': BROCK_COEFFICIENTS.partSolid,
  'ground-glass': BROCK_COEFFICIENTS.nonSolid,
};

/** PanCan enrolled people aged 50 to 75. */
const AGE_OUTSIDE_COHORT: Localized = {
  en: 'Age is outside 50–75 years, the range of the PanCan cohort the model was developed on.',
  'zh-CN': '年龄不在50–75岁之间（建立该模型的PanCan队列的年龄范围），结果为外推估计。',
};

/** The size transform: (size / 10)^−0.5 − 1.58113883. */
export function brockSizeTransform(sizeMm: number): number {
  return (sizeMm / 10) ** -0.5 - BROCK_COEFFICIENTS.sizeCentre;
}

function inputProblem(input: BrockInput): string | null {
  if (!Number.isFinite(input.ageYears) || input.ageYears <= 0 || input.ageYears > 120) {
    return 'ageYears must be a number of years above 0 and at most 120';
  }
  if (!Number.isFinite(input.noduleSizeMm) || input.noduleSizeMm <= 0 || input.noduleSizeMm > 300) {
    return 'noduleSizeMm must be a number of millimetres above 0 and at most 300';
  }
  if (!Number.isInteger(input.noduleCount) || input.noduleCount < 1) {
    return 'noduleCount must be a whole number of at least 1';
  }
  return null;
}

function flag(value: boolean, coefficient: number): number {
  return value ? coefficient : 0;
}

function brockTerms(input: BrockInput): BrockTerm[] {
  const c = BROCK_COEFFICIENTS;
  return [
    { name: 'intercept', contribution: c.intercept },
    { name: 'age', contribution: c.agePerYear * (input.ageYears - c.ageCentreYears) },
    { name: 'sex', contribution: flag(input.sex === 'female', c.female) },
    { name: 'familyHistory', contribution: flag(input.familyHistoryOfLungCancer, c.familyHistory) },
    { name: 'emphysema', contribution: flag(input.emphysema, c.emphysema) },
    { name: 'size', contribution: c.size * brockSizeTransform(input.noduleSizeMm) },
    { name: 'type', contribution: TYPE_COEFFICIENT[input.noduleType] },
    { name: 'upperLobe', contribution: flag(input.upperLobe, c.upperLobe) },
    { name: 'noduleCount', contribution: c.perNodule * (input.noduleCount - c.noduleCountCentre) },
    { name: 'spiculation', contribution: flag(input.spiculation, c.spiculation) },
  ];
}

/** The Brock full model with spiculation: probability of malignancy with the terms that made it. */
export function brockProbability(
  input: BrockInput,
  language: Language = 'en',
): Result<BrockResult, BrockInputError> {
  const problem = inputProblem(input);
  if (problem !== null) return err({ code: 'invalid-brock-input', message: problem });
  const terms = brockTerms(input);
  const logit = terms.reduce((sum, t) => sum + t.contribution, 0);
  const warnings = input.ageYears < 50 || input.ageYears > 75 ? [AGE_OUTSIDE_COHORT[language]] : [];
  return ok({
    probability: 1 / (1 + Math.exp(-logit)),
    logit,
    terms,
    inputs: input,
    warnings,
    source: BROCK_SOURCE,
  });
}
