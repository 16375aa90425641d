/**
 * The values de-identification writes in place of the originals: dates shifted by whole days, dummy
 * values of each VR, and free text cleaned of the identifiers in the file's own header (the Clean
 * Structured Content Option). Pure; `deidentify.ts` decides which element gets which.
 */
import { decoderFor } from '../charset';
import type { DataSet } from '../dataset';
import { textValue, utf8TextValue } from './writer';

const DUMMY_TEXT = 'ANONYMIZED';
const DAY_MS = 86_400_000;

function shiftDate(value: string, days: number): string | null {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const check = new Date(t);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  const s = new Date(t + days * DAY_MS);
  const year = s.getUTCFullYear();
  if (year < 1 || year > 9999) return null;
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${p(year, 4)}${p(s.getUTCMonth() + 1, 2)}${p(s.getUTCDate(), 2)}`;
}

/** Shift every value of a DA or DT element; null when any value cannot be shifted exactly. */
export function shiftValues(text: string, vr: string, days: number): string | null {
  const values = text.split('\\').map((v) => v.trim());
  const out: string[] = [];
  for (const v of values) {
    if (v === '') {
      out.push('');
      continue;
    }
    if (vr === 'DA') {
      const s = shiftDate(v, days);
      if (s === null) return null;
      out.push(s);
    } else {
      const m = /^(\d{8})(\d{0,6}(?:\.\d{1,6})?(?:[+-]\d{4})?)$/.exec(v);
      const s = m ? shiftDate(m[1], days) : null;
      if (!m || s === null) return null;
      out.push(s + m[2]);
    }
  }
  return out.join('\\');
}

/** A value of the given VR that says nothing (the profile's D action); binary VRs keep their length. */
export function dummyValue(vr: string, original: Uint8Array): Uint8Array {
  const zeros = (n: number): Uint8Array => new Uint8Array(n);
  switch (vr) {
    case 'DA':
      return textValue('19000101', vr);
    case 'TM':
      return textValue('000000', vr);
    case 'DT':
      return textValue('19000101000000', vr);
    case 'DS':
    case 'IS':
      return textValue('0', vr);
    case 'AS':
      return textValue('000Y', vr);
    case 'UR':
      return textValue('urn:none', vr);
    case 'US':
    case 'SS':
      return zeros(2);
    case 'UL':
    case 'SL':
    case 'FL':
    case 'AT':
      return zeros(4);
    case 'FD':
    case 'SV':
    case 'UV':
      return zeros(8);
    case 'OB':
    case 'OW':
    case 'OD':
    case 'OF':
    case 'OL':
    case 'OV':
    case 'UN':
      return zeros(Math.max(2, original.length + (original.length % 2)));
    default:
      return textValue(DUMMY_TEXT, vr);
  }
}

const REMOVED = '[removed]';

/**
 * Free text with every occurrence of an identifier replaced by "[removed]": case-insensitive, whole words
 * for Latin-script identifiers (so "LI" does not cut "linear"), anywhere for others (Chinese names have no
 * spaces). Text the header does not know (a name typed only in the report) is not found: see the README.
 */
export function cleanText(text: string, identifiers: readonly string[]): string {
  let out = text;
  for (const id of identifiers) {
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const latin = /^[\p{Script=Latin}\p{N}\s.'-]+$/u.test(id);
    const pattern = latin ? `(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])` : escaped;
    out = out.replace(new RegExp(pattern, 'giu'), REMOVED);
  }
  return out;
}

/**
 * A text value in the file's character set, cleaned (see {@link cleanText}) and re-encoded; null when
 * its character set cannot be re-encoded.
 */
export function cleanValue(
  raw: Uint8Array,
  charset: string | undefined,
  identifiers: readonly string[],
): Uint8Array | null {
  const decoder = decoderFor(charset);
  const label = decoder.encoding;
  if (label !== 'utf-8' && label !== 'windows-1252') return null;
  const text = decoder.decode(raw).replace(/[\0 ]+$/, '');
  const cleaned = cleanText(text, identifiers);
  if (label === 'utf-8') return utf8TextValue(cleaned);
  // windows-1252: every character came from one byte; anything outside Latin-1 is not written.
  if ([...cleaned].some((c) => c.charCodeAt(0) > 0xff)) return null;
  return textValue(cleaned, 'UT');
}

/** Header attributes whose values identify the patient or the people and places of the study. */
const IDENTIFYING = [
  0x00100010, // Patient's Name
  0x00100020, // Patient ID
  0x00101000, // Other Patient IDs
  0x00101001, // Other Patient Names
  0x00101005, // Patient's Birth Name
  0x00101060, // Patient's Mother's Birth Name
  0x00101040, // Patient's Address
  0x00102154, // Patient's Telephone Numbers
  0x00101090, // Medical Record Locator
  0x00080050, // Accession Number
  0x00080080, // Institution Name
  0x00080090, // Referring Physician's Name
  0x00081050, // Performing Physician's Name
  0x00081060, // Name of Physician(s) Reading Study
  0x00081070, // Operators' Name
  0x00321032, // Requesting Physician
  0x0040a075, // Verifying Observer Name
  0x0040a123, // Person Name (an SR's observers)
  0x00200010, // Study ID
];
const PERSON_NAMES = new Set([
  0x00100010, 0x00101001, 0x00101005, 0x00101060, 0x00080090, 0x00081050, 0x00081060, 0x00081070, 0x00321032,
  0x0040a075, 0x0040a123,
]);

/**
 * The strings to clean from free text: each identifying value, each part of a person's name (family,
 * given, middle; each representation), and the birth date as it is commonly written. Parts shorter than
 * two characters (initials would cut every word) and numbers shorter than five digits are left alone.
 */
export function identifiersOf(ds: DataSet, charset: string | undefined): string[] {
  const decoder = decoderFor(charset);
  const found = new Set<string>();
  const add = (s: string): void => {
    const v = s.replace(/[\0]/g, '').trim();
    // A number shorter than five digits (a study ID "12") would cut measurements out of the text.
    const digits = /^[\d\s./-]+$/.test(v);
    if ([...v].length >= 2 && (!digits || v.replace(/\D/g, '').length >= 5)) found.add(v);
  };
  const visit = (set: DataSet): void => {
    for (const e of set.elements.values()) {
      if (e.items) {
        for (const item of e.items) visit(item);
        continue;
      }
      if (!IDENTIFYING.includes(e.tag)) continue;
      const text = decoder.decode(set.raw(e.tag) ?? new Uint8Array(0));
      for (const value of text.split('\\')) {
        add(value);
        if (PERSON_NAMES.has(e.tag)) {
          for (const group of value.split('=')) {
            add(group.replace(/\^+/g, ' '));
            add(group.replace(/\^+/g, '')); // as Chinese, Japanese and Korean names are written
            for (const part of group.split(/[\^\s,]+/)) add(part);
          }
        }
      }
    }
  };
  visit(ds);
  const birth = /^(\d{4})(\d{2})(\d{2})$/.exec((ds.string(0x00100030) ?? '').trim());
  if (birth) {
    const [, y, m, d] = birth;
    for (const f of [
      `${y}${m}${d}`,
      `${y}-${m}-${d}`,
      `${y}/${m}/${d}`,
      `${y}.${m}.${d}`,
      `${d}/${m}/${y}`,
      `${m}/${d}/${y}`,
      `${d}.${m}.${y}`,
    ])
      found.add(f);
  }
  return [...found].sort((a, b) => b.length - a.length);
}
