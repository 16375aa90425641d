/**
 * The Basic Application Level Confidentiality Profile as data (Table E.1-1 in `table.ts`) and the one
 * function that decides what happens to an attribute: {@link actionFor}. Pure.
 *
 * Where the table offers a choice (X/Z, X/D, Z/D, X/Z/D), the standard leaves it to IOD conformance
 * (Type 1, 2 or 3). Lucent does not look the type up per IOD; it takes the choice that keeps any IOD
 * conformant and never carries the original value:
 * - X/Z → Z (present and empty: fine for Type 2 and 3);
 * - X/D, Z/D, X/Z/D → D (a dummy value: fine for Type 1 too), except on sequences, where X/D → X and
 *   X/Z/D, Z/D → Z (an empty sequence), since a dummy item would still be made of the original's codes;
 * - X/Z/U* → the sequence is kept and its items de-identified (their UIDs replaced), so references hold;
 * - D on a sequence: its items are de-identified recursively, except the code sequences that name a
 *   person or a device (Person Identification Code, Flow Identifier), which are emptied.
 */
import { TABLE_E1_1 } from './table';

export type ProfileCode = 'X' | 'Z' | 'D' | 'U' | 'X/Z' | 'X/D' | 'Z/D' | 'X/Z/D' | 'X/Z/U*';

export interface ProfileRow {
  readonly tag: number;
  readonly code: ProfileCode;
  readonly vr: string;
  readonly keyword: string;
  /** Retained (Full Dates) or shifted (Modified Dates) by Retain Longitudinal Temporal Information. */
  readonly temporal: boolean;
  /** Retained by the Retain UIDs Option. */
  readonly uidOption: boolean;
}

const CODES = new Set<string>(['X', 'Z', 'D', 'U', 'X/Z', 'X/D', 'Z/D', 'X/Z/D', 'X/Z/U*']);

function parseTable(text: string): Map<number, ProfileRow> {
  const rows = new Map<number, ProfileRow>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [hex, code, vr, keyword, flags = ''] = line.trim().split(' ');
    if (!/^[0-9A-F]{8}$/.test(hex) || !CODES.has(code) || !vr || !keyword) {
      throw new Error(`Table E.1-1 row is malformed: "${line}"`);
    }
    const tag = parseInt(hex, 16) >>> 0;
    if (rows.has(tag)) throw new Error(`Table E.1-1 lists ${hex} twice`);
    rows.set(tag, {
      tag,
      code: code as ProfileCode,
      vr,
      keyword,
      temporal: flags.includes('L'),
      uidOption: flags.includes('R'),
    });
  }
  return rows;
}

/** Table E.1-1 by tag. */
export const PROFILE: ReadonlyMap<number, ProfileRow> = parseTable(TABLE_E1_1);

/**
 * Attributes Lucent treats more strictly than the table: free text inside SR content items and graphic
 * annotations, which the Basic Profile leaves to the Clean Structured Content / Clean Graphics options.
 * A dummy keeps the item valid (both are Type 1 in their items).
 */
const STRICTER: ReadonlyMap<number, ProfileRow> = new Map(
  [
    { tag: 0x0040a160, code: 'D', vr: 'UT', keyword: 'TextValue' },
    { tag: 0x00700006, code: 'D', vr: 'ST', keyword: 'UnformattedTextValue' },
  ].map((r) => [r.tag, { ...r, code: r.code as ProfileCode, temporal: false, uidOption: false }]),
);

/** The row that governs an attribute: Table E.1-1's, or one of Lucent's stricter rows. */
export function rowFor(tag: number): ProfileRow | undefined {
  return PROFILE.get(tag) ?? STRICTER.get(tag);
}

/** Pure-D sequences emptied rather than walked: their items are codes that identify a person or device. */
const EMPTIED_D_SEQUENCES = new Set([0x00401101, 0x00340001]);

export const PATIENT_ID = 0x00100020;

/**
 * Private attributes kept under the Retain Safe Private Option (a few rows of PS3.15 Table E.3.10-1:
 * numeric acquisition parameters, needed to read diffusion and Philips scaled images, that carry no
 * identity). Keyed by private creator, group and element byte; everything else private is removed.
 */
export const SAFE_PRIVATE: readonly { creator: string; group: number; element: number; name: string }[] = [
  { creator: 'SIEMENS MR HEADER', group: 0x0019, element: 0x0c, name: 'B_value' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, element: 0x0d, name: 'DiffusionDirectionality' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, element: 0x0e, name: 'DiffusionGradientDirection' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, element: 0x27, name: 'B_matrix' },
  { creator: 'Philips MR Imaging DD 001', group: 0x2005, element: 0x0d, name: 'ScaleIntercept' },
  { creator: 'Philips MR Imaging DD 001', group: 0x2005, element: 0x0e, name: 'ScaleSlope' },
  { creator: 'GEMS_PARM_01', group: 0x0043, element: 0x39, name: 'SlopInt6to9' },
];

export function isSafePrivate(creator: string, tag: number): boolean {
  const group = tag >>> 16;
  const element = tag & 0xff;
  return SAFE_PRIVATE.some((s) => s.creator === creator && s.group === group && s.element === element);
}

/** UIDs that name a kind of thing (a SOP class, a transfer syntax, a coding scheme), never an instance. */
export const CLASS_UIDS: ReadonlySet<number> = new Set([
  0x00020002, 0x00020010, 0x00020012, 0x00041510, 0x00041512, 0x00080016, 0x0008001a, 0x0008001b, 0x00080062,
  0x0008010c, 0x0008010d, 0x00080117, 0x00080118, 0x00081150, 0x0008115a, 0x00081199, 0x04000010, 0x04000510,
  0x00400e02, 0x00721201, 0x0040a170,
]);

export type Action =
  'keep' | 'remove' | 'empty' | 'dummy' | 'uid' | 'recurse' | 'shift' | 'pseudonym' | 'clean';

export interface ActionOptions {
  readonly dates: 'remove' | 'keep' | 'shift';
  readonly keepUids: boolean;
  /**
   * The SR content tree (Content Sequence, `D` in the profile). 'basic': kept, every item de-identified by
   * its own rows (names, dates, UIDs; Text Value `D`, so every free text becomes a dummy). 'clean' (Clean
   * Structured Content Option): the same, but free text is cleaned of the file's identifiers instead.
   * 'remove': removed (the profile's X for Content Sequence), so no content item is left; the document
   * stays a valid SR (its Content Sequence is required only when the root has children).
   */
  readonly structuredContent: 'basic' | 'clean' | 'remove';
}

export const CONTENT_SEQUENCE = 0x0040a730;
export const TEXT_VALUE = 0x0040a160;

export interface Decision {
  readonly action: Action;
  /** The row that decided it, when the table (or Lucent's stricter rows) did. */
  readonly row?: ProfileRow;
}

const isRepeatingGroup = (group: number, base: number): boolean =>
  group >= base && group <= base + 0x1e && group % 2 === 0;

function sequenceAction(row: ProfileRow): Action {
  switch (row.code) {
    case 'X':
    case 'X/D':
      return 'remove';
    case 'Z':
    case 'X/Z':
    case 'Z/D':
    case 'X/Z/D':
      return 'empty';
    case 'D':
      return EMPTIED_D_SEQUENCES.has(row.tag) ? 'empty' : 'recurse';
    case 'U':
    case 'X/Z/U*':
      return 'recurse';
  }
}

function valueAction(row: ProfileRow): Action {
  switch (row.code) {
    case 'X':
      return 'remove';
    case 'Z':
    case 'X/Z':
      return 'empty';
    case 'D':
    case 'X/D':
    case 'Z/D':
    case 'X/Z/D':
      return row.tag === PATIENT_ID ? 'pseudonym' : 'dummy';
    case 'U':
    case 'X/Z/U*':
      return 'uid';
  }
}

/**
 * What to do with one standard (even-group) attribute, given its VR as read (`UN` when an implicit VR
 * file does not say). Private and repeating-group attributes are decided here too, except for the safe
 * private list, which needs the private creator (see {@link isSafePrivate}).
 */
export function actionFor(tag: number, vr: string, options: ActionOptions, uidValue?: string): Decision {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (group === 0x0000 || group === 0x0002 || element === 0x0000) return { action: 'remove' };
  if (group % 2 === 1) return { action: 'remove' };
  // Curve Data (50xx) and Overlay Data/Comments (60xx) are X; the rest of an overlay group goes with them
  // so that no incomplete Overlay Plane module remains.
  if (isRepeatingGroup(group, 0x5000) || isRepeatingGroup(group, 0x6000)) return { action: 'remove' };
  const row = rowFor(tag);
  if (tag === CONTENT_SEQUENCE && options.structuredContent === 'remove') return { action: 'remove', row };
  if (tag === TEXT_VALUE && options.structuredContent === 'clean') return { action: 'clean', row };
  if (!row) {
    if (vr === 'SQ') return { action: 'recurse' };
    if (vr === 'UI' && !options.keepUids && !CLASS_UIDS.has(tag)) {
      // An instance UID the table does not list: replace it unless it is one of DICOM's own.
      if (uidValue !== undefined && !uidValue.startsWith('1.2.840.10008.')) return { action: 'uid' };
    }
    return { action: 'keep' };
  }
  const isSequence = vr === 'SQ' || row.vr === 'SQ';
  if (row.temporal && options.dates === 'keep') return { action: isSequence ? 'recurse' : 'keep', row };
  if (row.temporal && options.dates === 'shift') {
    const kind = effectiveVR(vr, row);
    return { action: isSequence ? 'recurse' : kind === 'DA' || kind === 'DT' ? 'shift' : 'keep', row };
  }
  if (row.uidOption && options.keepUids) return { action: isSequence ? 'recurse' : 'keep', row };
  return { action: isSequence ? sequenceAction(row) : valueAction(row), row };
}

/** The VR to act on: the one read from the file, or the table's when the file did not say (UN). */
export function effectiveVR(vr: string, row: ProfileRow | undefined): string {
  return vr === 'UN' && row ? row.vr : vr;
}
