/**
 * De-identify DICOM Part 10 files: the Basic Application Level Confidentiality Profile (PS3.15 E.1-1) with
 * consistent UID replacement, optional date retention or shifting, and refusal of images likely to carry
 * burned-in identifying text. Bytes in, bytes out; pure (browser and Node alike).
 *
 * One {@link Deidentifier} is one run: it holds a random salt, so the same original UID always becomes
 * the same new UID (under 2.25) within the run and differently in another run. Pixel data (native or
 * encapsulated) and every attribute the profile keeps, geometry included, are copied byte for byte; the
 * output keeps the input's transfer syntax (a file without File Meta gets one, with the syntax guessed).
 */
import { LucentError } from '../../lib/errors';
import { toHex } from '../../lib/hash';
import { sha256 } from '../../lib/sha256';
import { type DataSet, type Element, latin1 } from '../dataset';
import { IMPLEMENTATION_CLASS_UID } from '../../lib/fileMeta';
import { DicomError, parseDicom, readFragments, type LoadErrorCode } from '../parse';
import { T } from '../tags';
import { DEFLATED_LE } from '../transferSyntax';
import { actionFor, CONTENT_SEQUENCE, effectiveVR, isSafePrivate, type ActionOptions } from './profile';
import { cleanValue, dummyValue, identifiersOf, shiftValues } from './values';
import { textValue, writeDataset, writeFileHeader, type Encoding, type OutElement } from './writer';

export interface DeidentifyOptions {
  /** Dates and times: removed by the profile (default), kept as they are, or shifted by whole days. */
  readonly dates?: 'remove' | 'keep' | { readonly shiftDays: number };
  /** Keep UIDs (Retain UIDs Option); by default every instance UID is replaced. */
  readonly keepUids?: boolean;
  /** De-identify images likely to show identifying text in their pixels instead of refusing them. */
  readonly allowBurnedIn?: boolean;
  /** The run's secret salt (at least 16 bytes); random when not given. Never written anywhere. */
  readonly salt?: Uint8Array;
  /**
   * A structured report's content tree: 'basic' (default) keeps it, de-identified item by item, every free
   * text replaced by a dummy; 'clean' (the Clean Structured Content Option) keeps free text, cleaned of the
   * identifiers in the file's own header (see cleanText in values.ts); 'remove' removes it (no content item
   * is left).
   */
  readonly structuredContent?: 'basic' | 'clean' | 'remove';
}

export type DeidentifyErrorCode = 'burned-in-annotation' | 'unsupported-object' | LoadErrorCode;

/** A file Lucent will not de-identify, with the reason. Messages carry no patient data. */
export class DeidentifyError extends LucentError {
  declare readonly code: DeidentifyErrorCode;
  constructor(code: DeidentifyErrorCode, message: string) {
    super(code, message);
    this.name = 'DeidentifyError';
  }
}

export interface DeidentifiedFile {
  /** The de-identified Part 10 file. */
  readonly bytes: Uint8Array;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly sopClassUID: string;
}

export interface Deidentifier {
  /** The replacement for an original UID in this run. */
  uid(original: string): string;
  /** De-identify one Part 10 file; throws {@link DeidentifyError} or {@link DicomError}. */
  file(bytes: Uint8Array): DeidentifiedFile;
}

/** Lucent's implementation class (the same root the synthetic writer uses) and version in File Meta. */
const IMPLEMENTATION_VERSION = 'LUCENT_DEID_1';

const BURNED_IN_SOP_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.1', // Multi-frame Single Bit SC
  '1.2.840.10008.5.1.4.1.1.7.2', // Multi-frame Grayscale Byte SC
  '1.2.840.10008.5.1.4.1.1.7.3', // Multi-frame Grayscale Word SC
  '1.2.840.10008.5.1.4.1.1.7.4', // Multi-frame True Color SC
  '1.2.840.10008.5.1.4.1.1.6.1', // Ultrasound
  '1.2.840.10008.5.1.4.1.1.6.2', // Enhanced US Volume
  '1.2.840.10008.5.1.4.1.1.3.1', // Ultrasound Multi-frame
  '1.2.840.10008.5.1.4.1.1.6', // Ultrasound (retired)
  '1.2.840.10008.5.1.4.1.1.3', // Ultrasound Multi-frame (retired)
]);
const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

const CODE_MEANINGS: Readonly<Record<string, string>> = {
  '113100': 'Basic Application Confidentiality Profile',
  '113106': 'Retain Longitudinal Temporal Information Full Dates Option',
  '113107': 'Retain Longitudinal Temporal Information Modified Dates Option',
  '113110': 'Retain UIDs Option',
  '113111': 'Retain Safe Private Option',
  '113104': 'Clean Structured Content Option',
};

const BURNED_IN_ANNOTATION = 0x00280301;
const PATIENT_IDENTITY_REMOVED = 0x00120062;
const DEIDENTIFICATION_METHOD = 0x00120063;
const DEIDENTIFICATION_METHOD_CODE_SEQUENCE = 0x00120064;
const LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303;
const ADDED = new Set([
  PATIENT_IDENTITY_REMOVED,
  DEIDENTIFICATION_METHOD,
  DEIDENTIFICATION_METHOD_CODE_SEQUENCE,
  LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED,
]);

interface Run {
  readonly options: ActionOptions;
  /** The file's own identifiers, for cleaning free text (longest first). */
  readonly identifiers: readonly string[];
  /** How the file's text is written (Specific Character Set). */
  readonly charset: string | undefined;
  readonly shiftDays: number;
  readonly uid: (original: string) => string;
  readonly pseudonym: (original: string) => string;
  keptPrivate: boolean;
}

function privateCreators(ds: DataSet): Map<number, string> {
  const creators = new Map<number, string>();
  for (const e of ds.elements.values()) {
    const group = e.tag >>> 16;
    const element = e.tag & 0xffff;
    if (group % 2 === 1 && element >= 0x10 && element <= 0xff) {
      creators.set((group << 8) | element, ds.string(e.tag) ?? '');
    }
  }
  return creators;
}

function copyValue(ds: DataSet, e: Element, vr: string): OutElement {
  return { tag: e.tag, vr, value: ds.raw(e.tag) ?? new Uint8Array(0) };
}

/** The profile applied to one dataset (recursively to its sequences). */
function processDataset(ds: DataSet, run: Run, topLevel: boolean): OutElement[] {
  const out: OutElement[] = [];
  const creators = privateCreators(ds);
  const keptBlocks = new Set<number>();
  for (const e of ds.elements.values()) {
    const group = e.tag >>> 16;
    const element = e.tag & 0xffff;
    if (group % 2 === 1 && group > 0x0008 && group < 0xffff && element >= 0x1000 && !e.items) {
      const block = (group << 8) | (element >> 8);
      const creator = creators.get(block);
      if (creator !== undefined && isSafePrivate(creator, e.tag)) {
        out.push(copyValue(ds, e, e.vr));
        keptBlocks.add(block);
      }
      continue;
    }
    if (topLevel && ADDED.has(e.tag)) continue;
    const processed = processElement(ds, e, run, topLevel);
    if (processed) out.push(processed);
  }
  for (const block of keptBlocks) {
    const tag = (((block >> 8) << 16) | (block & 0xff)) >>> 0;
    const creator = ds.elements.get(tag);
    if (creator) out.push(copyValue(ds, creator, 'LO'));
  }
  if (keptBlocks.size > 0) run.keptPrivate = true;
  return out;
}

function processElement(ds: DataSet, e: Element, run: Run, topLevel: boolean): OutElement | null {
  const isSequence = e.items !== undefined;
  const readVR = isSequence ? 'SQ' : e.vr;
  const uidValue = readVR === 'UI' ? ds.string(e.tag) : undefined;
  const { action, row } = actionFor(e.tag, readVR, run.options, uidValue);
  const vr = effectiveVR(readVR, row);
  const raw = (): Uint8Array => ds.raw(e.tag) ?? new Uint8Array(0);
  const text = (): string => latin1(raw()).replace(/[\0 ]+$/, '');
  switch (action) {
    case 'remove':
      return null;
    case 'keep':
      if (topLevel && e.tag === T.PixelData && e.length < 0) {
        const { next } = readFragments(ds.bytes, e.offset, ds.littleEndian);
        return { tag: e.tag, vr: e.vr, encapsulated: ds.bytes.subarray(e.offset, next) };
      }
      if (isSequence) return recurse(e, run);
      return copyValue(ds, e, vr);
    case 'recurse':
      return isSequence ? recurse(e, run) : copyValue(ds, e, vr);
    case 'empty':
      return isSequence ? { tag: e.tag, vr: 'SQ', items: [] } : { tag: e.tag, vr, value: new Uint8Array(0) };
    case 'dummy':
      if (isSequence) return { tag: e.tag, vr: 'SQ', items: [] };
      if (vr === 'UI') return uidElement(e.tag, text(), run);
      return { tag: e.tag, vr, value: dummyValue(vr, raw()) };
    case 'pseudonym': {
      return { tag: e.tag, vr, value: textValue(run.pseudonym(text().trim()), vr) };
    }
    case 'uid':
      if (isSequence) return recurse(e, run);
      return uidElement(e.tag, text(), run);
    case 'shift': {
      const shifted = shiftValues(text(), vr, run.shiftDays);
      return { tag: e.tag, vr, value: textValue(shifted ?? '', vr) };
    }
    case 'clean': {
      const value = cleanValue(raw(), run.charset, run.identifiers);
      return value ? { tag: e.tag, vr, value } : { tag: e.tag, vr, value: dummyValue(vr, raw()) };
    }
  }
}

function recurse(e: Element, run: Run): OutElement {
  return { tag: e.tag, vr: 'SQ', items: (e.items ?? []).map((item) => processDataset(item, run, false)) };
}

function uidElement(tag: number, text: string, run: Run): OutElement {
  const values = text.split('\\').map((v) => v.replace(/[\0 ]/g, ''));
  const mapped = values.map((v) => (v === '' ? '' : run.uid(v)));
  return { tag, vr: 'UI', value: textValue(mapped.join('\\'), 'UI') };
}

function codeItem(code: string): OutElement[] {
  return [
    { tag: 0x00080100, vr: 'SH', value: textValue(code, 'SH') },
    { tag: 0x00080102, vr: 'SH', value: textValue('DCM', 'SH') },
    { tag: 0x00080104, vr: 'LO', value: textValue(CODE_MEANINGS[code] ?? code, 'LO') },
  ];
}

function methodElements(codes: readonly string[], dates: ActionOptions['dates']): OutElement[] {
  const methods = codes.map((c) => (CODE_MEANINGS[c] ?? c).replace(/ Option$/, ''));
  methods[0] = `${methods[0]} (Lucent)`;
  const temporal = dates === 'keep' ? 'UNMODIFIED' : dates === 'shift' ? 'MODIFIED' : 'REMOVED';
  return [
    { tag: PATIENT_IDENTITY_REMOVED, vr: 'CS', value: textValue('YES', 'CS') },
    { tag: DEIDENTIFICATION_METHOD, vr: 'LO', value: textValue(methods.join('\\'), 'LO') },
    { tag: DEIDENTIFICATION_METHOD_CODE_SEQUENCE, vr: 'SQ', items: codes.map(codeItem) },
    { tag: LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, vr: 'CS', value: textValue(temporal, 'CS') },
  ];
}

/** Start a de-identification run. Reuse it for every file that must share UID replacements. */
export function createDeidentifier(options: DeidentifyOptions = {}): Deidentifier {
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(32));
  if (salt.length < 16) throw new LucentError('bad-arguments', 'A de-identification salt needs 16 bytes.');
  const dates = options.dates ?? 'remove';
  const shiftDays = typeof dates === 'object' ? dates.shiftDays : 0;
  if (!Number.isInteger(shiftDays) || Math.abs(shiftDays) > 36_500) {
    throw new LucentError('bad-arguments', 'A date shift is a whole number of days, at most 100 years.');
  }
  const actionOptions: ActionOptions = {
    dates: typeof dates === 'object' ? 'shift' : dates,
    keepUids: options.keepUids ?? false,
    structuredContent: options.structuredContent ?? 'basic',
  };
  const encoder = new TextEncoder();
  const digest = (kind: string, value: string): Uint8Array => {
    const v = encoder.encode(`${kind}\0${value}`);
    const input = new Uint8Array(salt.length + v.length);
    input.set(salt);
    input.set(v, salt.length);
    return sha256(input);
  };
  const uids = new Map<string, string>();
  const uid = (original: string): string => {
    const key = original.replace(/[\0 ]/g, '');
    let mapped = uids.get(key);
    if (mapped === undefined) {
      // A UUID (RFC 9562 version 8, from SHA-256 of salt and UID) as a 2.25 integer (PS3.5 B.2).
      const b = digest('uid', key).slice(0, 16);
      b[6] = (b[6] & 0x0f) | 0x80;
      b[8] = (b[8] & 0x3f) | 0x80;
      mapped = `2.25.${BigInt(`0x${toHex(b)}`).toString()}`;
      uids.set(key, mapped);
    }
    return mapped;
  };
  const pseudonym = (original: string): string =>
    `ANON${toHex(digest('patient', original).slice(0, 6)).toUpperCase()}`;

  const file = (bytes: Uint8Array): DeidentifiedFile => {
    const parsed = parseDicom(bytes);
    const ds = parsed.dataset;
    const sopClassUID = ds.string(T.SOPClassUID) || parsed.meta?.string(T.MediaStorageSOPClassUID) || '';
    const sopInstanceUID = ds.string(T.SOPInstanceUID) ?? '';
    if (sopClassUID === MEDIA_STORAGE_DIRECTORY || ds.has(T.DirectoryRecordSequence)) {
      throw new DeidentifyError(
        'unsupported-object',
        'A DICOMDIR is not de-identified: its file references would not hold for the new files. De-identify the images and make a new DICOMDIR.',
      );
    }
    if (!sopClassUID || !sopInstanceUID) {
      throw new DicomError('invalid-attribute', 'The file has no SOP Class UID or SOP Instance UID.', {
        kind: 'no-sop',
      });
    }
    if (!options.allowBurnedIn) {
      if ((ds.string(BURNED_IN_ANNOTATION) ?? '').toUpperCase() === 'YES') {
        throw new DeidentifyError(
          'burned-in-annotation',
          'Burned In Annotation is YES: the pixels show text that may identify the patient. Pass --allow-burned-in only if you have checked the pixels.',
        );
      }
      if (BURNED_IN_SOP_CLASSES.has(sopClassUID)) {
        throw new DeidentifyError(
          'burned-in-annotation',
          'Secondary captures and ultrasound images often show identifying text in their pixels. Pass --allow-burned-in only if you have checked the pixels.',
        );
      }
    }
    const charset = ds.string(T.SpecificCharacterSet);
    const identifiers = actionOptions.structuredContent === 'clean' ? identifiersOf(ds, charset) : [];
    const run: Run = {
      options: actionOptions,
      identifiers,
      charset,
      shiftDays,
      uid,
      pseudonym,
      keptPrivate: false,
    };
    const elements = processDataset(ds, run, true);
    const codes = ['113100'];
    if (actionOptions.dates === 'keep') codes.push('113106');
    if (actionOptions.dates === 'shift') codes.push('113107');
    if (actionOptions.keepUids) codes.push('113110');
    if (run.keptPrivate) codes.push('113111');
    if (actionOptions.structuredContent === 'clean' && ds.has(CONTENT_SEQUENCE)) codes.push('113104');
    elements.push(...methodElements(codes, actionOptions.dates));
    const syntax = parsed.transferSyntax;
    const enc: Encoding = { explicitVR: syntax.explicitVR, littleEndian: syntax.littleEndian };
    const newSop = actionOptions.keepUids ? sopInstanceUID : uid(sopInstanceUID);
    const head = writeFileHeader({
      sopClassUID,
      sopInstanceUID: newSop,
      transferSyntaxUID: syntax.uid,
      implementationClassUID: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION,
    });
    const body = writeDataset(elements, enc, syntax.uid === DEFLATED_LE);
    const out = new Uint8Array(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    const mapped = (t: number): string => {
      const v = ds.string(t) ?? '';
      return v === '' || actionOptions.keepUids ? v : uid(v);
    };
    return {
      bytes: out,
      studyInstanceUID: mapped(T.StudyInstanceUID),
      seriesInstanceUID: mapped(T.SeriesInstanceUID),
      sopInstanceUID: newSop,
      sopClassUID,
    };
  };

  return { uid, file };
}
