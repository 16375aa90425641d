/**
 * The Lung-RADS input: the typed nodule description, its validation, and the parser for the
 * `lucent lungrads` JSON (`{ "nodules": [...] }`, CONTRACTS.md). Errors are values with a code and a
 * message that names the offending field; messages never echo free text from the input.
 */
import { err, ok, type Result } from '../lib/result';
import {
  INCOMPLETE_REASONS,
  PRIOR_CATEGORIES,
  type IncompleteReason,
  type PriorCategory,
} from './lungradsTable';
import {
  MARGINS,
  NODULE_STATUSES,
  NODULE_TYPES,
  type Margin,
  type NoduleStatus,
  type NoduleType,
} from './types';

/** One nodule as the reader (or a model) describes it. */
export interface LungRadsNoduleInput {
  readonly type: NoduleType;
  /** Mean of long and short axis in mm; rounded to 0.1 mm before classification. */
  readonly meanDiameterMm: number;
  /** Mean diameter of the solid component in mm; required for part-solid nodules, ignored otherwise. */
  readonly solidComponentMm?: number | null;
  readonly status: NoduleStatus;
  /**
   * Juxtapleural or perifissural nodule with the benign morphology of Lung-RADS v2022 (solid, smooth
   * margins, oval, lentiform or triangular).
   */
  readonly juxtapleural?: boolean;
  readonly margin?: Margin;
  /** Contains macroscopic fat (category 1). */
  readonly fatContaining?: boolean;
  /** Growth over multiple screening exams (solid, part-solid: 4B; GGN ≥ 30 mm: 2). */
  readonly slowGrowth?: boolean;
  /** A 4B lesion proven benign after diagnostic workup (category 2). */
  readonly provenBenign?: boolean;
  /** For a stable nodule, the category it was followed as; absent: not on short-interval follow-up. */
  readonly priorCategory?: PriorCategory;
  /** Other features the reader judges to increase the suspicion for cancer (4X for categories 3 and 4). */
  readonly suspiciousFeatures?: boolean;
}

/** A whole examination. */
export interface LungRadsCaseInput {
  readonly nodules: readonly LungRadsNoduleInput[];
  /** Set when the examination is category 0. */
  readonly incomplete?: IncompleteReason;
}

export interface LungRadsInputError {
  readonly code: 'invalid-lungrads-input';
  readonly message: string;
}

/** The largest mean diameter accepted; anything above is taken for a unit error. */
export const MAX_DIAMETER_MM = 300;

function invalid(message: string): Result<never, LungRadsInputError> {
  return err({ code: 'invalid-lungrads-input', message });
}

function isPositiveMm(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_DIAMETER_MM;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Check a typed nodule: sizes are positive millimetres, and a part-solid nodule has a solid component
 * no larger than the nodule. Returns the problem, or null.
 */
export function noduleProblem(nodule: LungRadsNoduleInput, path: string): string | null {
  if (!isPositiveMm(nodule.meanDiameterMm)) {
    return `${path}.meanDiameterMm must be a number of millimetres above 0 and at most ${MAX_DIAMETER_MM}`;
  }
  if (nodule.type !== 'part-solid') return null;
  const solid = nodule.solidComponentMm;
  if (!isPositiveMm(solid)) {
    return `${path}.solidComponentMm must be a number of millimetres above 0 for a part-solid nodule`;
  }
  if (solid > nodule.meanDiameterMm) {
    return `${path}.solidComponentMm must not exceed ${path}.meanDiameterMm`;
  }
  return null;
}

const OPTIONAL_FLAGS = [
  'juxtapleural',
  'fatContaining',
  'slowGrowth',
  'provenBenign',
  'suspiciousFeatures',
] as const;

function parseFlags(
  raw: Record<string, unknown>,
  path: string,
): Result<Record<string, boolean>, LungRadsInputError> {
  const flags: Record<string, boolean> = {};
  for (const name of OPTIONAL_FLAGS) {
    const v = raw[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') return invalid(`${path}.${name} must be true or false`);
    flags[name] = v;
  }
  return ok(flags);
}

function parseEnums(
  raw: Record<string, unknown>,
  path: string,
): Result<Pick<LungRadsNoduleInput, 'type' | 'status' | 'margin' | 'priorCategory'>, LungRadsInputError> {
  if (!oneOf(NODULE_TYPES, raw['type']))
    return invalid(`${path}.type must be one of ${NODULE_TYPES.join(', ')}`);
  if (!oneOf(NODULE_STATUSES, raw['status'])) {
    return invalid(`${path}.status must be one of ${NODULE_STATUSES.join(', ')}`);
  }
  const margin = raw['margin'] ?? undefined;
  if (margin !== undefined && !oneOf(MARGINS, margin)) {
    return invalid(`${path}.margin must be one of ${MARGINS.join(', ')}`);
  }
  const prior = raw['priorCategory'] ?? undefined;
  if (prior !== undefined && !oneOf(PRIOR_CATEGORIES, prior)) {
    return invalid(`${path}.priorCategory must be one of ${PRIOR_CATEGORIES.join(', ')}`);
  }
  return ok({ type: raw['type'], status: raw['status'], margin, priorCategory: prior });
}

function parseNodule(raw: unknown, path: string): Result<LungRadsNoduleInput, LungRadsInputError> {
  if (!isRecord(raw)) return invalid(`${path} must be an object`);
  const enums = parseEnums(raw, path);
  if (!enums.ok) return enums;
  const flags = parseFlags(raw, path);
  if (!flags.ok) return flags;
  const solid = raw['solidComponentMm'] ?? null;
  if (solid !== null && typeof solid !== 'number')
    return invalid(`${path}.solidComponentMm must be a number or null`);
  if (typeof raw['meanDiameterMm'] !== 'number') return invalid(`${path}.meanDiameterMm must be a number`);
  const nodule: LungRadsNoduleInput = {
    ...enums.value,
    ...flags.value,
    meanDiameterMm: raw['meanDiameterMm'],
    solidComponentMm: solid,
  };
  const problem = noduleProblem(nodule, path);
  return problem === null ? ok(nodule) : invalid(problem);
}

/** Parse the `lucent lungrads` input JSON (already `JSON.parse`d). */
export function parseLungRadsInput(raw: unknown): Result<LungRadsCaseInput, LungRadsInputError> {
  if (!isRecord(raw)) return invalid('input must be a JSON object with a "nodules" array');
  const list = raw['nodules'];
  if (!Array.isArray(list)) return invalid('input.nodules must be an array (it may be empty)');
  const incomplete = raw['incomplete'] ?? undefined;
  if (incomplete !== undefined && !oneOf(INCOMPLETE_REASONS, incomplete)) {
    return invalid(`input.incomplete must be one of ${INCOMPLETE_REASONS.join(', ')}`);
  }
  const nodules: LungRadsNoduleInput[] = [];
  for (const [i, item] of (list as unknown[]).entries()) {
    const parsed = parseNodule(item, `nodules[${i}]`);
    if (!parsed.ok) return parsed;
    nodules.push(parsed.value);
  }
  return ok(incomplete === undefined ? { nodules } : { nodules, incomplete });
}
