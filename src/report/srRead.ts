/**
 * Reading a TID 1500 Imaging Measurement Report back: the SR's identity and verification, what it refers
 * to (frame of reference, image library), and one entry per measurement group (TID 1501): tracking
 * identifier and UID, the finding, sizes, composition, Lung-RADS, score, algorithm, laterality and where
 * the finding is (a SCOORD3D point in a frame of reference, or a SCOORD on a referenced image).
 *
 * Lucent's own SRs (`sr.ts`) come back field for field; SRs of other tools are read as far as they go: a
 * group with only a diameter and a point is still a finding, and a group without any location says so
 * (`location: null`) instead of being left out. A well-formed SR that is not TID 1500, or a file that is
 * not an SR, is an error value with the reason; nothing here throws.
 *
 * The input is a parsed dataset as `dicom/parse` produces it, through the structural {@link SrDataset}
 * (report/ does not import dicom/). Pure: runs in the browser and in Node.
 */
import { messageOf } from '../lib/errors';
import { err, ok, type Result } from '../lib/result';
import {
  LUNG_RADS_CATEGORIES,
  NODULE_TYPES,
  type LungRadsCategory,
  type NoduleType,
} from '../findings/types';
import { CODES, compositionCode, lungRadsCode, type Code } from './srCodes';
import {
  childrenOf,
  codeValueOf,
  findAll,
  findNamed,
  isNum,
  LENGTH,
  LENGTH_UNITS,
  MEASUREMENT_GROUP_TEMPLATE,
  nameOf,
  nonEmpty,
  numericValue,
  plainNumber,
  same,
  SR_CLASS_PREFIX,
  TAG,
  textOf,
  uidOf,
  valueTypeOf,
  VOLUME_UNITS,
  type CodedValue,
  type SrDataset,
} from './srItems';

export type { CodedValue, SrDataset } from './srItems';

type Vec3 = readonly [number, number, number];

/** Where a measurement group puts its finding. */
export type GroupLocation =
  | {
      /** A point in patient coordinates (mm): a SCOORD3D POINT, or the centroid of another SCOORD3D. */
      readonly kind: 'patient';
      readonly pointMm: Vec3;
      readonly frameOfReferenceUID?: string;
      readonly graphicType: string;
    }
  | {
      /** A point on a referenced image: (column, row) in SCOORD image coordinates (TLHC of the image = 0,0). */
      readonly kind: 'image';
      readonly sopInstanceUID: string;
      /** 1-based frame number, when the SR names one. */
      readonly frame?: number;
      readonly point: readonly [number, number];
      readonly graphicType: string;
    };

/** One measurement group (TID 1501) as read. Absent items stay absent; sizes are in mm and mm³. */
export interface SrMeasurementGroup {
  /** 1-based position among the report's measurement groups. */
  readonly index: number;
  readonly trackingId?: string;
  readonly trackingUid?: string;
  /** The Finding (121071), e.g. SCT 27925004 Nodule. */
  readonly finding?: CodedValue;
  readonly meanDiameterMm?: number;
  readonly longAxisMm?: number;
  readonly shortAxisMm?: number;
  readonly volumeMm3?: number;
  readonly solidComponentMm?: number;
  /** Lucent's composition code, as a nodule type. */
  readonly type?: NoduleType;
  readonly lungRads?: LungRadsCategory;
  readonly score?: number;
  readonly algorithm?: { readonly name: string; readonly version?: string };
  readonly laterality?: 'right' | 'left';
  /** Where the finding is; null when the group has no spatial coordinates at all. */
  readonly location: GroupLocation | null;
}

export interface SrVerifier {
  readonly name: string;
  /** VerificationDateTime as written (DT, e.g. 20261203101530). */
  readonly at?: string;
  readonly organization?: string;
}

/** A TID 1500 report as read. */
export interface StoredReport {
  readonly sopInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly studyInstanceUID: string;
  readonly instanceNumber?: number;
  readonly manufacturer?: string;
  /** VERIFIED only when the SR says so; anything else (absent included) is UNVERIFIED. */
  readonly verification: 'VERIFIED' | 'UNVERIFIED';
  readonly verifiers: readonly SrVerifier[];
  readonly completion?: string;
  readonly preliminary?: string;
  /** Content Date (DA) and Time (TM) as written. */
  readonly contentDate?: string;
  readonly contentTime?: string;
  /** Language of content (its code value, e.g. en-US, zh-CN). */
  readonly language?: string;
  /** The frame of reference the report's coordinates and image library refer to. */
  readonly frameOfReferenceUID?: string;
  /** SOP instances of the image library and of the current requested procedure evidence. */
  readonly referencedInstances: readonly { readonly sopClassUID?: string; readonly sopInstanceUID: string }[];
  readonly groups: readonly SrMeasurementGroup[];
  /** The examination's Lung-RADS category, management and comment (Qualitative Evaluations). */
  readonly caseLungRads?: LungRadsCategory;
  readonly management?: string;
  readonly comment?: string;
  /**
   * The number of nodules the report states (Lucent's Qualitative Evaluations item, written even when it
   * is 0); absent when the report does not say. A report with no measurement groups states "no nodules"
   * only through this.
   */
  readonly noduleCount?: number;
}

export interface SrReadProblem {
  readonly code: 'not-sr' | 'not-tid1500' | 'unreadable';
  readonly message: string;
}

function compositionOf(c: CodedValue | undefined): NoduleType | undefined {
  return NODULE_TYPES.find((t) => same(c, compositionCode(t)));
}

function lungRadsOf(c: CodedValue | undefined): LungRadsCategory | undefined {
  return LUNG_RADS_CATEGORIES.find((k) => same(c, lungRadsCode(k)));
}

/**
 * A single-precision value (GraphicData is FL) as the shortest decimal that is the same float32: the SR's
 * 20.12 reads back as 20.12, not as 20.1199998856. Values that are not float32 stay as they are.
 */
function float32Decimal(v: number): number {
  if (Math.fround(v) !== v) return v;
  for (let digits = 1; digits <= 9; digits++) {
    const d = Number(v.toPrecision(digits));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

function mean(points: readonly (readonly number[])[], dims: number): number[] {
  return Array.from({ length: dims }, (_, k) => points.reduce((s, p) => s + (p[k] ?? 0), 0) / points.length);
}

/** The point a graphic stands for: a POINT itself, a CIRCLE's centre, otherwise the centroid. */
function pointOf(graphicType: string, data: readonly number[], dims: number): number[] | undefined {
  const points: number[][] = [];
  for (let i = 0; i + dims <= data.length; i += dims)
    points.push(data.slice(i, i + dims).map(float32Decimal));
  if (points.length === 0 || !points.every((p) => p.every(Number.isFinite))) return undefined;
  if (graphicType === 'POINT' || graphicType === 'CIRCLE') return points[0];
  // A closed polygon repeats its first point at the end: leave the repeat out of the centroid.
  const last = points[points.length - 1];
  const first = points[0];
  const closed =
    points.length > 2 && first !== undefined && last !== undefined && first.every((v, k) => v === last[k]);
  return mean(closed ? points.slice(0, -1) : points, dims);
}

function patientLocation(item: SrDataset): GroupLocation | null {
  const graphicType = item.string(TAG.graphicType) ?? '';
  const p = pointOf(graphicType, item.numbers(TAG.graphicData), 3);
  if (!p) return null;
  const frameOfReferenceUID = nonEmpty(item.string(TAG.referencedFrameOfReferenceUID));
  return {
    kind: 'patient',
    pointMm: [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0],
    ...(frameOfReferenceUID ? { frameOfReferenceUID } : {}),
    graphicType,
  };
}

function imageLocation(item: SrDataset): GroupLocation | null {
  const graphicType = item.string(TAG.graphicType) ?? '';
  const p = pointOf(graphicType, item.numbers(TAG.graphicData), 2);
  // The image a SCOORD was drawn on: its SELECTED FROM child (an IMAGE item).
  const image = childrenOf(item).find((c) => c.sequence(TAG.referencedSopSequence).length > 0);
  const ref = image?.sequence(TAG.referencedSopSequence)[0];
  const sopInstanceUID = nonEmpty(ref?.string(TAG.referencedSopInstanceUID));
  if (!p || !ref || !sopInstanceUID) return null;
  const frame = ref.numbers(TAG.referencedFrameNumber)[0];
  return {
    kind: 'image',
    sopInstanceUID,
    ...(frame !== undefined && Number.isFinite(frame) ? { frame } : {}),
    point: [p[0] ?? 0, p[1] ?? 0],
    graphicType,
  };
}

/**
 * Where a group's finding is: the centre (111010) or another SCOORD3D under its diameter first, then any
 * SCOORD3D in the group, then a SCOORD on one of its images.
 */
function locationOf(group: SrDataset, diameter: SrDataset | undefined): GroupLocation | null {
  const scoord3d = (root: SrDataset): SrDataset[] =>
    findAll(root, (i) => valueTypeOf(i) === 'SCOORD3D').sort(
      (a, b) => Number(same(nameOf(b), CODES.center)) - Number(same(nameOf(a), CODES.center)),
    );
  for (const item of [...(diameter ? scoord3d(diameter) : []), ...scoord3d(group)]) {
    const location = patientLocation(item);
    if (location) return location;
  }
  for (const item of findAll(group, (i) => valueTypeOf(i) === 'SCOORD')) {
    const location = imageLocation(item);
    if (location) return location;
  }
  return null;
}

function readGroup(group: SrDataset, index: number): SrMeasurementGroup {
  const nums = findAll(group, (i) => valueTypeOf(i) === 'NUM');
  const num = (code: Code): SrDataset | undefined => nums.find((i) => isNum(i, code));
  const mm = (code: Code): number | undefined => {
    const item = num(code);
    return item ? numericValue(item, LENGTH_UNITS) : undefined;
  };
  // A diameter is the mean diameter unless the SR derives it otherwise (Lucent writes Derivation = Mean).
  const diameter = nums.find((i) => {
    if (!isNum(i, CODES.diameter)) return false;
    const derivation = codeValueOf(i, CODES.derivation);
    return derivation === undefined || same(derivation, CODES.mean);
  });
  const meanDiameterMm = diameter ? numericValue(diameter, LENGTH_UNITS) : undefined;
  const longAxisMm = mm(CODES.longAxis) ?? mm(LENGTH);
  const shortAxisMm = mm(CODES.shortAxis);
  const volumeItem = num(CODES.volume);
  const volumeMm3 = volumeItem ? numericValue(volumeItem, VOLUME_UNITS) : undefined;
  const solidComponentMm = mm(CODES.solidComponent);
  const type = compositionOf(codeValueOf(group, CODES.composition));
  const lungRads = lungRadsOf(codeValueOf(group, CODES.lungRads));
  const score = plainNumber(num(CODES.score));
  const algorithmName = textOf(group, CODES.algorithmName);
  const algorithmVersion = textOf(group, CODES.algorithmVersion);
  const side = codeValueOf(group, CODES.laterality);
  const laterality = same(side, CODES.right) ? 'right' : same(side, CODES.left) ? 'left' : undefined;
  const trackingId = textOf(group, CODES.trackingIdentifier);
  const trackingUid = uidOf(group, CODES.trackingUid);
  const finding = codeValueOf(group, CODES.finding);
  return {
    index,
    ...(trackingId !== undefined ? { trackingId } : {}),
    ...(trackingUid !== undefined ? { trackingUid } : {}),
    ...(finding !== undefined ? { finding } : {}),
    ...(meanDiameterMm !== undefined ? { meanDiameterMm } : {}),
    ...(longAxisMm !== undefined ? { longAxisMm } : {}),
    ...(shortAxisMm !== undefined ? { shortAxisMm } : {}),
    ...(volumeMm3 !== undefined ? { volumeMm3 } : {}),
    ...(solidComponentMm !== undefined ? { solidComponentMm } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(lungRads !== undefined ? { lungRads } : {}),
    ...(score !== undefined ? { score } : {}),
    ...(algorithmName !== undefined
      ? { algorithm: { name: algorithmName, ...(algorithmVersion ? { version: algorithmVersion } : {}) } }
      : {}),
    ...(laterality !== undefined ? { laterality } : {}),
    location: locationOf(group, diameter),
  };
}

function isMeasurementGroup(item: SrDataset): boolean {
  if (valueTypeOf(item) !== 'CONTAINER') return false;
  if (same(nameOf(item), CODES.measurementGroup)) return true;
  return item
    .sequence(TAG.contentTemplateSequence)
    .some((t) => t.string(TAG.templateIdentifier) === MEASUREMENT_GROUP_TEMPLATE);
}

function referencedInstances(
  ds: SrDataset,
  library: SrDataset | undefined,
): StoredReport['referencedInstances'] {
  const out = new Map<string, { sopClassUID?: string; sopInstanceUID: string }>();
  const add = (ref: SrDataset): void => {
    const sopInstanceUID = nonEmpty(ref.string(TAG.referencedSopInstanceUID));
    const sopClassUID = nonEmpty(ref.string(TAG.referencedSopClassUID));
    if (sopInstanceUID && !out.has(sopInstanceUID))
      out.set(sopInstanceUID, { ...(sopClassUID ? { sopClassUID } : {}), sopInstanceUID });
  };
  if (library) {
    for (const image of findAll(library, (i) => valueTypeOf(i) === 'IMAGE'))
      for (const ref of image.sequence(TAG.referencedSopSequence)) add(ref);
  }
  for (const study of ds.sequence(TAG.currentRequestedProcedureEvidenceSequence))
    for (const series of study.sequence(TAG.referencedSeriesSequence))
      for (const ref of series.sequence(TAG.referencedSopSequence)) add(ref);
  return [...out.values()];
}

function isTid1500(ds: SrDataset): boolean {
  return (
    same(nameOf(ds), CODES.imagingMeasurementReport) ||
    ds.sequence(TAG.contentTemplateSequence).some((t) => t.string(TAG.templateIdentifier) === '1500')
  );
}

function readReport(ds: SrDataset): Result<StoredReport, SrReadProblem> {
  const sopClassUID = ds.string(TAG.sopClassUID) ?? '';
  if (!sopClassUID.startsWith(SR_CLASS_PREFIX) && childrenOf(ds).length === 0) {
    return err({
      code: 'not-sr',
      message: `This is not a structured report (SOP Class ${sopClassUID || 'missing'}).`,
    });
  }
  if (!isTid1500(ds)) {
    const title = nameOf(ds);
    return err({
      code: 'not-tid1500',
      message: `This structured report is not an Imaging Measurement Report (TID 1500); its title is "${title?.meaning || title?.value || 'none'}".`,
    });
  }
  const library = findNamed(ds, CODES.imageLibrary);
  const groups = findAll(ds, isMeasurementGroup).map((g, i) => readGroup(g, i + 1));
  const libraryFrame = library ? uidOf(library, CODES.frameOfReferenceUid) : undefined;
  const pointFrame = groups
    .map((g) => (g.location?.kind === 'patient' ? g.location.frameOfReferenceUID : undefined))
    .find((f) => f !== undefined);
  const frameOfReferenceUID = libraryFrame ?? pointFrame;
  const evaluations = findNamed(ds, CODES.qualitativeEvaluations);
  const caseLungRads = evaluations ? lungRadsOf(codeValueOf(evaluations, CODES.lungRads)) : undefined;
  const management = evaluations ? textOf(evaluations, CODES.management) : undefined;
  const comment = evaluations ? textOf(evaluations, CODES.comment) : undefined;
  const countItem = evaluations ? findAll(evaluations, (i) => isNum(i, CODES.noduleCount))[0] : undefined;
  const count = plainNumber(countItem);
  const noduleCount = count !== undefined && Number.isInteger(count) && count >= 0 ? count : undefined;
  const instanceNumber = ds.numbers(TAG.instanceNumber)[0];
  const language = codeValueOf(ds, CODES.languageOfContent)?.value;
  const verifiers = ds.sequence(TAG.verifyingObserverSequence).map((v) => {
    const at = nonEmpty(v.string(TAG.verificationDateTime));
    const organization = nonEmpty(v.string(TAG.verifyingOrganization));
    return {
      name: v.string(TAG.verifyingObserverName) ?? '',
      ...(at ? { at } : {}),
      ...(organization ? { organization } : {}),
    };
  });
  const text = (tag: number): string | undefined => nonEmpty(ds.string(tag));
  const manufacturer = text(TAG.manufacturer);
  const completion = text(TAG.completionFlag);
  const preliminary = text(TAG.preliminaryFlag);
  const contentDate = text(TAG.contentDate);
  const contentTime = text(TAG.contentTime);
  return ok({
    sopInstanceUID: ds.string(TAG.sopInstanceUID) ?? '',
    seriesInstanceUID: ds.string(TAG.seriesInstanceUID) ?? '',
    studyInstanceUID: ds.string(TAG.studyInstanceUID) ?? '',
    ...(instanceNumber !== undefined && Number.isFinite(instanceNumber) ? { instanceNumber } : {}),
    ...(manufacturer ? { manufacturer } : {}),
    verification: ds.string(TAG.verificationFlag) === 'VERIFIED' ? 'VERIFIED' : 'UNVERIFIED',
    verifiers,
    ...(completion ? { completion } : {}),
    ...(preliminary ? { preliminary } : {}),
    ...(contentDate ? { contentDate } : {}),
    ...(contentTime ? { contentTime } : {}),
    ...(language ? { language } : {}),
    ...(frameOfReferenceUID ? { frameOfReferenceUID } : {}),
    referencedInstances: referencedInstances(ds, library),
    groups,
    ...(caseLungRads ? { caseLungRads } : {}),
    ...(management ? { management } : {}),
    ...(comment ? { comment } : {}),
    ...(noduleCount !== undefined ? { noduleCount } : {}),
  });
}

/**
 * Read a TID 1500 Imaging Measurement Report. An error value (never an exception) when the dataset is
 * not an SR, is an SR of another kind, or cannot be read.
 */
export function readStoredReport(ds: SrDataset): Result<StoredReport, SrReadProblem> {
  try {
    return readReport(ds);
  } catch (e) {
    return err({
      code: 'unreadable',
      message: `The structured report could not be read: ${messageOf(e)}`,
    });
  }
}
