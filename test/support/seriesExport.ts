// Checks of a de-identified series export (a ZIP of DICOM files) against the files it was made from,
// shared by the unit test of the export core and the end-to-end test of the app's Export series.
import { unzipSync } from 'fflate';
import { expect } from 'vitest';
import { latin1, type DataSet } from '../../src/dicom/dataset';
import { parseDicom, readFragments, type ParsedFile } from '../../src/dicom/parse';

/** The ZIP's entries in name order. */
export function unzipSeries(zip: Uint8Array): { name: string; bytes: Uint8Array }[] {
  return Object.entries(unzipSync(zip))
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Where the pixel data's value lies in the file: [start, end) (native value, or every fragment). */
function pixelRange(file: ParsedFile): [number, number] | null {
  const p = file.pixelData;
  if (!p || p.inline) return null;
  if (!p.encapsulated) return [p.offset, p.offset + p.length];
  const { fragments, next } = readFragments(file.dataset.bytes, p.offset, file.dataset.littleEndian);
  return [fragments[0].offset - 8, next];
}

/** The pixel data's bytes (for a deflated file, as inflated). */
export function pixelBytes(file: ParsedFile): Uint8Array | null {
  const p = file.pixelData;
  if (!p) return null;
  if (p.inline) return p.inline.subarray(p.offset, p.offset + p.length);
  const range = pixelRange(file);
  return range ? file.dataset.bytes.subarray(range[0], range[1]) : null;
}

/** A file's bytes without its pixel data, as Latin-1 text (where header values are searched). */
function headerText(bytes: Uint8Array): string {
  const range = pixelRange(parseDicom(bytes));
  if (!range) return latin1(bytes);
  return latin1(bytes.subarray(0, range[0])) + '\u0000' + latin1(bytes.subarray(range[1]));
}

const IDENTIFYING = [
  0x00100010, // Patient's Name
  0x00100020, // Patient ID
  0x00100030, // Patient's Birth Date
  0x00101000, // Other Patient IDs
  0x00080080, // Institution Name
  0x00080081, // Institution Address
  0x00080090, // Referring Physician's Name
  0x00081050, // Performing Physician's Name
  0x00081070, // Operators' Name
  0x00080050, // Accession Number
];
const UIDS = {
  study: 0x0020000d,
  series: 0x0020000e,
  frameOfReference: 0x00200052,
  sop: 0x00080018,
} as const;

/**
 * The identifying values of a file: names (whole and each part), IDs, birth date, institution, accession
 * number; at least 3 characters, and not the manufacturer's name (which the profile keeps).
 */
export function identifiersOf(ds: DataSet): string[] {
  const manufacturer = ds.string(0x00080070) ?? '';
  const out = new Set<string>();
  for (const tag of IDENTIFYING) {
    const v = (ds.string(tag) ?? '').trim();
    for (const part of [v, ...v.split(/[\^=\\]/)]) {
      const p = part.trim();
      if (p.length >= 3 && !manufacturer.includes(p)) out.add(p);
    }
  }
  return [...out];
}

/**
 * Checks `outputs` (the exported files, in order) against `inputs` (the files they were made from, in the
 * same order): each parses; Patient Identity Removed is YES; no identifier or original UID of any input
 * is left in an output's header, and no identifier of 8 characters or more anywhere in its bytes; study,
 * series, frame-of-reference and SOP Instance UIDs are new (2.25) and replaced one to one (the same
 * input UID always became the same output UID, and different ones stay different); the pixel data is
 * byte for byte the input's. Returns the UID maps (input → output).
 */
export function checkDeidentifiedExport(
  inputs: readonly Uint8Array[],
  outputs: readonly Uint8Array[],
): Record<keyof typeof UIDS, Map<string, string>> {
  expect(outputs.length).toBe(inputs.length);
  const parsedInputs = inputs.map((b) => parseDicom(b));
  const identifiers = [...new Set(parsedInputs.flatMap((p) => identifiersOf(p.dataset)))];
  const originalUids = new Set(
    parsedInputs.flatMap((p) => Object.values(UIDS).map((t) => p.dataset.string(t) ?? '')),
  );
  originalUids.delete('');
  expect(identifiers.length).toBeGreaterThan(0);
  const maps = {
    study: new Map<string, string>(),
    series: new Map<string, string>(),
    frameOfReference: new Map<string, string>(),
    sop: new Map<string, string>(),
  };
  outputs.forEach((bytes, i) => {
    const input = parsedInputs[i];
    const output = parseDicom(bytes);
    const where = `file ${i + 1}`;
    expect(output.dataset.string(0x00120062), where).toBe('YES');
    const header = headerText(bytes);
    const whole = latin1(bytes);
    for (const v of identifiers) {
      expect(header.includes(v), `${where}: ${v}`).toBe(false);
      if (v.length >= 8) expect(whole.includes(v), `${where}: ${v}`).toBe(false);
    }
    for (const u of originalUids) expect(header.includes(u), `${where}: ${u}`).toBe(false);
    for (const [key, tag] of Object.entries(UIDS) as [keyof typeof UIDS, number][]) {
      const from = input.dataset.string(tag) ?? '';
      const to = output.dataset.string(tag) ?? '';
      if (from === '') continue;
      expect(to, `${where}: ${key}`).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
      const before = maps[key].get(from);
      if (before !== undefined) expect(to, `${where}: ${key} mapped twice`).toBe(before);
      maps[key].set(from, to);
    }
    expect(output.meta?.string(0x00020003), where).toBe(output.dataset.string(UIDS.sop));
    const a = pixelBytes(input);
    const b = pixelBytes(output);
    if (a) expect(b && Buffer.from(b).equals(Buffer.from(a)), `${where}: pixel data`).toBe(true);
    else expect(b, where).toBeNull();
  });
  // One to one: different input UIDs stay different.
  for (const m of Object.values(maps)) expect(new Set(m.values()).size).toBe(m.size);
  return maps;
}
