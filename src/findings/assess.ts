/**
 * From model detections to findings a radiologist reviews: Lung-RADS per nodule, differential
 * suggestions (with age and sex when the DICOM has them), and the lung zone. Shared by the CLI and the
 * browser so both report the same categories.
 */
import { suggestDifferentials } from './differentials';
import { assessCase, assessNodule } from './lungrads';
import type {
  Language,
  LungRadsCategory,
  Margin,
  NoduleGeometry,
  NoduleLocation,
  NoduleType,
  Sex,
} from './types';

export interface DetectionLike extends NoduleGeometry {
  readonly type: string;
  readonly score: number;
  readonly margin?: string;
}

export interface AssessedFinding extends NoduleGeometry {
  readonly id: string;
  readonly type: NoduleType;
  readonly score: number;
  readonly margin?: Margin;
  readonly location: NoduleLocation;
  readonly lungRads: LungRadsCategory;
  readonly differentials: readonly {
    readonly label: string;
    readonly rationale: string;
    readonly reference: string;
  }[];
}

export interface PatientContext {
  readonly ageYears?: number;
  readonly sex?: string;
}

const TYPES: readonly NoduleType[] = ['solid', 'part-solid', 'ground-glass', 'calcified'];
const MARGINS: readonly Margin[] = ['smooth', 'lobulated', 'spiculated'];

/** Lung zone by height within the lungs' z-extent: upper, middle or lower third. */
export function zoneOf(z: number, lungZ: readonly [number, number]): 'upper' | 'middle' | 'lower' {
  const t = (z - lungZ[0]) / Math.max(1, lungZ[1] - lungZ[0]);
  return t > 2 / 3 ? 'upper' : t > 1 / 3 ? 'middle' : 'lower';
}

/**
 * The solid component Lung-RADS is given: a part-solid nodule whose solid part is not measured yet (the
 * reader has just changed its type) counts as the smallest solid part, never larger than the nodule.
 */
function solidForLungRads(type: NoduleType, meanDiameterMm: number, solidMm: number | null): number | null {
  return type === 'part-solid' ? Math.min(meanDiameterMm, Math.max(0.1, solidMm ?? 0.1)) : null;
}

export function assessDetections(
  detections: readonly DetectionLike[],
  patient: PatientContext,
  lungZ: readonly [number, number],
  language: Language = 'en',
): AssessedFinding[] {
  return detections.map((d, i) => {
    const type = TYPES.includes(d.type as NoduleType) ? (d.type as NoduleType) : 'solid';
    const margin = MARGINS.includes(d.margin as Margin) ? (d.margin as Margin) : undefined;
    // A model's solid component is measured on the image, its diameter predicted: the two can disagree
    // slightly, and a solid part is never larger than its nodule.
    const solid = solidForLungRads(type, d.meanDiameterMm, d.solidComponentMm ?? null);
    const judged = judgeNodule(
      { type, meanDiameterMm: d.meanDiameterMm, solidComponentMm: solid, margin },
      patient,
      language,
    );
    return {
      id: `F${i + 1}`,
      type,
      score: d.score,
      centerMm: d.centerMm,
      longAxisMm: d.longAxisMm,
      shortAxisMm: d.shortAxisMm,
      meanDiameterMm: d.meanDiameterMm,
      solidComponentMm: solid,
      volumeMm3: d.volumeMm3,
      margin,
      location: { side: d.centerMm[0] < 0 ? 'right' : 'left', zone: zoneOf(d.centerMm[2], lungZ) },
      ...judged,
    };
  });
}

export interface NoduleFacts {
  readonly type: NoduleType;
  readonly meanDiameterMm: number;
  readonly solidComponentMm: number | null;
  readonly margin?: Margin;
}

/** Lung-RADS category (baseline) and differential suggestions for one nodule. */
export function judgeNodule(
  n: NoduleFacts,
  patient: PatientContext,
  language: Language = 'en',
): Pick<AssessedFinding, 'lungRads' | 'differentials'> {
  const sex: Sex | null = patient.sex === 'M' ? 'male' : patient.sex === 'F' ? 'female' : null;
  const solid = solidForLungRads(n.type, n.meanDiameterMm, n.solidComponentMm);
  const lr = assessNodule(
    {
      type: n.type,
      meanDiameterMm: n.meanDiameterMm,
      solidComponentMm: solid,
      status: 'baseline',
      margin: n.margin,
    },
    language,
  );
  const dd = suggestDifferentials(
    {
      type: n.type,
      meanDiameterMm: n.meanDiameterMm,
      margin: n.margin,
      context: { ageYears: patient.ageYears ?? null, sex },
    },
    language,
    3,
  );
  return {
    lungRads: lr.category,
    differentials: dd.suggestions.map((s) => ({
      label: s.label,
      rationale: s.rationale,
      reference: s.reference,
    })),
  };
}

/** The examination's category: the most suspicious of the nodules given (all baseline). */
export function caseCategory(
  findings: readonly {
    type: NoduleType;
    meanDiameterMm: number;
    solidComponentMm: number | null;
    margin?: Margin;
  }[],
  language: Language = 'en',
): { category: LungRadsCategory; management: string } {
  const r = assessCase(
    findings.map((f) => ({
      type: f.type,
      meanDiameterMm: f.meanDiameterMm,
      solidComponentMm: solidForLungRads(f.type, f.meanDiameterMm, f.solidComponentMm),
      status: 'baseline' as const,
      margin: f.margin,
    })),
    { language },
  );
  return { category: r.category, management: r.management };
}
