/**
 * The content items of a DICOM SR as srRead.ts reads them: the tags, coded concepts (legacy SNOMED-RT
 * codes given as their SNOMED CT equivalents), tree search by concept name, and NUM values in mm or mm³.
 * Pure; no dicom/ import (a parsed dataset is seen through {@link SrDataset}).
 */
import type { Code } from './srCodes';

/** The accessors of a parsed dataset this reader uses (`dicom/dataset` DataSet has them). */
export interface SrDataset {
  string(tag: number): string | undefined;
  numbers(tag: number): number[];
  sequence(tag: number): readonly SrDataset[];
}

/** A coded concept as the SR wrote it (legacy SNOMED "SRT" codes are given as their SCT equivalents). */
export interface CodedValue {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
}

/** Tags (group << 16 | element). */
export const TAG = {
  sopClassUID: 0x00080016,
  sopInstanceUID: 0x00080018,
  contentDate: 0x00080023,
  contentTime: 0x00080033,
  manufacturer: 0x00080070,
  codeValue: 0x00080100,
  codingSchemeDesignator: 0x00080102,
  codeMeaning: 0x00080104,
  longCodeValue: 0x00080119,
  urnCodeValue: 0x00080120,
  referencedSeriesSequence: 0x00081115,
  referencedSopClassUID: 0x00081150,
  referencedSopInstanceUID: 0x00081155,
  referencedFrameNumber: 0x00081160,
  referencedSopSequence: 0x00081199,
  studyInstanceUID: 0x0020000d,
  seriesInstanceUID: 0x0020000e,
  instanceNumber: 0x00200013,
  measurementUnitsCodeSequence: 0x004008ea,
  relationshipType: 0x0040a010,
  verifyingOrganization: 0x0040a027,
  verificationDateTime: 0x0040a030,
  valueType: 0x0040a040,
  conceptNameCodeSequence: 0x0040a043,
  verifyingObserverSequence: 0x0040a073,
  verifyingObserverName: 0x0040a075,
  uid: 0x0040a124,
  textValue: 0x0040a160,
  floatingPointValue: 0x0040a161,
  conceptCodeSequence: 0x0040a168,
  measuredValueSequence: 0x0040a300,
  numericValue: 0x0040a30a,
  currentRequestedProcedureEvidenceSequence: 0x0040a375,
  completionFlag: 0x0040a491,
  verificationFlag: 0x0040a493,
  preliminaryFlag: 0x0040a496,
  contentTemplateSequence: 0x0040a504,
  contentSequence: 0x0040a730,
  templateIdentifier: 0x0040db00,
  graphicData: 0x00700022,
  graphicType: 0x00700023,
  referencedFrameOfReferenceUID: 0x30060024,
} as const;

export const SR_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.88.';
export const MEASUREMENT_GROUP_TEMPLATE = '1501';

/** Legacy SNOMED-RT codes (scheme SRT) of the concepts read here, as their SNOMED CT codes. */
export const SRT_TO_SCT: Readonly<Record<string, string>> = {
  'G-A101': '7771000', // Left
  'G-A100': '24028007', // Right
  'M-03010': '27925004', // Nodule
  'T-28000': '39607008', // Lung
  'G-A185': '103339001', // Long Axis
  'G-A186': '103340004', // Short Axis
  'G-D705': '118565006', // Volume
  'G-C171': '272741003', // Laterality
  'G-C0E3': '363698007', // Finding Site
  'R-00317': '373098007', // Mean
  'G-D7FE': '410668003', // Length
  'M-02550': '81827009', // Diameter
};

/** SCT 410668003 Length: a length measurement (other tools' ruler), read as a long axis. */
export const LENGTH: Code = { CodeValue: '410668003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Length' };

/** Length units (UCUM) in mm, volume units in mm³. */
export const LENGTH_UNITS: Readonly<Record<string, number>> = { mm: 1, cm: 10, m: 1000, um: 0.001 };
export const VOLUME_UNITS: Readonly<Record<string, number>> = {
  mm3: 1,
  cm3: 1000,
  ml: 1000,
  mL: 1000,
  l: 1e6,
  L: 1e6,
};

export function codeIn(ds: SrDataset, tag: number): CodedValue | undefined {
  const c = ds.sequence(tag)[0];
  if (!c) return undefined;
  const raw = c.string(TAG.codeValue) ?? c.string(TAG.longCodeValue) ?? c.string(TAG.urnCodeValue) ?? '';
  const scheme = c.string(TAG.codingSchemeDesignator) ?? '';
  const meaning = c.string(TAG.codeMeaning) ?? '';
  const sct = scheme === 'SRT' ? SRT_TO_SCT[raw] : undefined;
  return sct ? { value: sct, scheme: 'SCT', meaning } : { value: raw, scheme, meaning };
}

export const same = (c: CodedValue | undefined, code: Code): boolean =>
  c !== undefined && c.value === code.CodeValue && c.scheme === code.CodingSchemeDesignator;

export const nameOf = (item: SrDataset): CodedValue | undefined => codeIn(item, TAG.conceptNameCodeSequence);
export const childrenOf = (item: SrDataset): readonly SrDataset[] => item.sequence(TAG.contentSequence);
export const valueTypeOf = (item: SrDataset): string => item.string(TAG.valueType) ?? '';
export const nonEmpty = (s: string | undefined): string | undefined =>
  s === undefined || s === '' ? undefined : s;

/** Items under `root` (depth first, root excluded) that satisfy `match`; matched items are not entered. */
export function findAll(root: SrDataset, match: (item: SrDataset) => boolean): SrDataset[] {
  const out: SrDataset[] = [];
  const walk = (item: SrDataset, depth: number): void => {
    if (depth > 64) return; // a malformed, self-similar tree: stop rather than recurse without end
    for (const child of childrenOf(item)) {
      if (match(child)) out.push(child);
      else walk(child, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

/** The first item under `root` (at any depth) with this concept name. */
export function findNamed(root: SrDataset, code: Code): SrDataset | undefined {
  return findAll(root, (i) => same(nameOf(i), code))[0];
}

export function textOf(root: SrDataset, code: Code): string | undefined {
  const item = findNamed(root, code);
  return item ? nonEmpty(item.string(TAG.textValue)?.trim()) : undefined;
}

export function uidOf(root: SrDataset, code: Code): string | undefined {
  const item = findNamed(root, code);
  return item ? nonEmpty(item.string(TAG.uid)) : undefined;
}

export function codeValueOf(root: SrDataset, code: Code): CodedValue | undefined {
  const item = findNamed(root, code);
  return item ? codeIn(item, TAG.conceptCodeSequence) : undefined;
}

/** A NUM item's value in the given kind of unit (mm or mm³); undefined for another unit or no value. */
export function numericValue(item: SrDataset, units: Readonly<Record<string, number>>): number | undefined {
  const mv = item.sequence(TAG.measuredValueSequence)[0];
  if (!mv) return undefined;
  const unit = codeIn(mv, TAG.measurementUnitsCodeSequence);
  const factor = unit && unit.scheme.startsWith('UCUM') ? units[unit.value] : undefined;
  const value = mv.numbers(TAG.floatingPointValue)[0] ?? mv.numbers(TAG.numericValue)[0];
  if (factor === undefined || value === undefined || !Number.isFinite(value)) return undefined;
  return value * factor;
}

/** A unitless NUM value (the AI score). */
export function plainNumber(item: SrDataset | undefined): number | undefined {
  const mv = item?.sequence(TAG.measuredValueSequence)[0];
  const value = mv ? (mv.numbers(TAG.floatingPointValue)[0] ?? mv.numbers(TAG.numericValue)[0]) : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

export function isNum(item: SrDataset, code: Code): boolean {
  return valueTypeOf(item) === 'NUM' && same(nameOf(item), code);
}
