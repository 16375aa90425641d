import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../../test/support/corpus';
import { latin1, type DataSet } from '../dataset';
import { describeInstance } from '../instance';
import { parseDicom, readFragments, type ParsedFile } from '../parse';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE } from '../transferSyntax';
import { createDeidentifier, DeidentifyError, shiftValues } from './index';
import { CLASS_UIDS, rowFor } from './profile';
import { textValue, writeDataset, writeFileHeader, type OutElement } from './writer';

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(corpusFile(name)));

/** Every element of a dataset by path ("00081140[0].00081155"), sequences included. */
function flatten(
  ds: DataSet,
  prefix = '',
): Map<string, { tag: number; vr: string; raw?: Uint8Array; items?: number }> {
  const out = new Map<string, { tag: number; vr: string; raw?: Uint8Array; items?: number }>();
  for (const e of ds.elements.values()) {
    const key = `${prefix}${e.tag.toString(16).padStart(8, '0').toUpperCase()}`;
    if (e.items) {
      out.set(key, { tag: e.tag, vr: 'SQ', items: e.items.length });
      e.items.forEach((item, i) => {
        for (const [k, v] of flatten(item, `${key}[${i}].`)) out.set(k, v);
      });
    } else {
      out.set(key, { tag: e.tag, vr: e.vr, raw: ds.raw(e.tag) });
    }
  }
  return out;
}

const text = (raw: Uint8Array | undefined): string => (raw ? latin1(raw).replace(/[\0 ]+$/, '') : '');
const isNewUid = (v: string): boolean => v.split('\\').every((u) => /^2\.25\.[1-9]\d{0,38}$/.test(u));

/** Pixel data bytes: the native value, or every fragment of encapsulated data. */
function pixelBytes(file: ParsedFile): Uint8Array {
  const p = file.pixelData!;
  const bytes = file.dataset.bytes;
  if (!p.encapsulated) return (p.inline ?? bytes).subarray(p.offset, p.offset + p.length);
  const { fragments, next } = readFragments(bytes, p.offset, true);
  return bytes.subarray(fragments[0].offset - 8, next);
}

/**
 * Checks one de-identified dataset against Table E.1-1, attribute by attribute, from the table's own codes
 * and the combination rule the README documents (X/Z → Z; D-combinations → D on values, Z or X on
 * sequences), walking kept sequences item by item. Returns the number of attributes checked.
 */
function checkAgainstProfile(input: DataSet, output: DataSet, uid: (u: string) => string, path = ''): number {
  let checked = 0;
  for (const e of input.elements.values()) {
    const group = e.tag >>> 16;
    const got = output.elements.get(e.tag);
    const row = rowFor(e.tag);
    const where = `${path}${e.tag.toString(16).padStart(8, '0')} (${row?.keyword ?? 'not in the table'})`;
    const sq = e.items !== undefined;
    const raw = (ds: DataSet): string => text(ds.raw(e.tag));
    checked++;
    if (group % 2 === 1 || (group >= 0x6000 && group <= 0x601e) || (e.tag & 0xffff) === 0) {
      expect(got, where).toBeUndefined();
      continue;
    }
    if ([0x00120062, 0x00120063, 0x00120064, 0x00280303].includes(e.tag)) continue;
    let walk = false;
    if (!row) {
      if (sq) walk = true;
      else if (e.vr === 'UI' && !raw(input).startsWith('1.2.840.10008.') && !CLASS_UIDS.has(e.tag))
        expect(isNewUid(raw(output)), where).toBe(true);
      else expect(output.raw(e.tag), where).toEqual(input.raw(e.tag));
    } else {
      switch (row.code) {
        case 'X':
          expect(got, where).toBeUndefined();
          break;
        case 'Z':
        case 'X/Z':
          if (sq) expect(got?.items?.length, where).toBe(0);
          else expect(got?.length, where).toBe(0);
          break;
        case 'X/D':
          if (sq) expect(got, where).toBeUndefined();
          else expect(raw(output).length, where).toBeGreaterThan(0);
          break;
        case 'Z/D':
        case 'X/Z/D':
        case 'D':
          if (sq && row.code !== 'D') expect(got?.items?.length, where).toBe(0);
          else if (sq) walk = (got?.items?.length ?? 0) > 0;
          else {
            expect(raw(output).length, where).toBeGreaterThan(0);
            if (raw(input).length > 2) expect(raw(output), where).not.toBe(raw(input));
          }
          break;
        case 'U':
        case 'X/Z/U*':
          if (sq) walk = true;
          else expect(raw(output), where).toBe(raw(input) ? uid(raw(input)) : '');
          break;
      }
    }
    if (walk) {
      const items = output.sequence(e.tag);
      expect(items.length, where).toBe(e.items?.length);
      e.items?.forEach((item, i) => {
        checked += checkAgainstProfile(item, items[i], uid, `${where}[${i}].`);
      });
    }
  }
  return checked;
}

describe('de-identification of real files (pydicom corpus)', () => {
  const files = [
    'CT_small.dcm',
    'MR_small.dcm',
    'MR_small_implicit.dcm',
    'MR_small_bigendian.dcm',
    'rtplan.dcm',
    'test-SR.dcm',
    'reportsi.dcm',
    'rtdose.dcm',
    'JPEG2000.dcm',
    'MR_small_RLE.dcm',
    'ExplVR_BigEndNoMeta.dcm',
    'image_dfl.dcm',
  ];
  it.each(files)('%s: every attribute follows Table E.1-1; pixels and geometry are byte for byte', (name) => {
    const deid = createDeidentifier({ allowBurnedIn: true });
    const bytes = read(name);
    const input = parseDicom(bytes);
    const result = deid.file(bytes);
    const output = parseDicom(result.bytes);
    expect(checkAgainstProfile(input.dataset, output.dataset, (u) => deid.uid(u))).toBeGreaterThan(10);
    expect(output.transferSyntax.uid).toBe(input.transferSyntax.uid);
    expect(output.dataset.string(0x00120062)).toBe('YES');
    if (input.pixelData) expect(pixelBytes(output)).toEqual(pixelBytes(input));
    const a = describeInstance(input);
    const b = describeInstance(output);
    expect({ ...b.image, pixelData: null }).toEqual({ ...a.image, pixelData: null });
    expect(b.sopClassUID).toBe(a.sopClassUID);
    expect(b.studyInstanceUID).toBe(deid.uid(a.studyInstanceUID));
  });

  it('leaves no name, ID, date of birth, institution or original UID anywhere in the output bytes', () => {
    for (const name of ['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'test-SR.dcm', 'reportsi.dcm']) {
      const bytes = read(name);
      const ds = parseDicom(bytes).dataset;
      const identifying = [
        0x00100010, 0x00100020, 0x00100030, 0x00080080, 0x00080090, 0x00081070, 0x00080050, 0x00081010,
        0x00200010, 0x0020000d, 0x0020000e, 0x00080018,
      ]
        .map((t) => ds.string(t) ?? '')
        .filter((v) => v.length >= 3 && !(ds.string(0x00080070) ?? '').includes(v)); // a manufacturer's name is kept
      expect(identifying.length, name).toBeGreaterThan(2);
      const out = latin1(createDeidentifier().file(bytes).bytes);
      for (const v of identifying) expect(out.includes(v), `${name}: ${v}`).toBe(false);
    }
  });

  it('refuses secondary captures and Burned In Annotation = YES unless allowed', () => {
    const sc = read('SC_rgb_rle.dcm');
    expect(() => createDeidentifier().file(sc)).toThrow(DeidentifyError);
    try {
      createDeidentifier().file(sc);
    } catch (e) {
      expect((e as DeidentifyError).code).toBe('burned-in-annotation');
    }
    expect(createDeidentifier({ allowBurnedIn: true }).file(sc).bytes.length).toBeGreaterThan(0);
    const marked = synthetic({ extra: [{ tag: 0x00280301, vr: 'CS', value: textValue('YES', 'CS') }] });
    expect(() => createDeidentifier().file(marked)).toThrow(/Burned In Annotation/);
  });

  it('refuses a DICOMDIR and reports unreadable files with the parser’s codes', () => {
    const dir = new Uint8Array(readFileSync(corpusFile('dicomdirtests/DICOMDIR')));
    expect(() => createDeidentifier().file(dir)).toThrow(
      expect.objectContaining({ code: 'unsupported-object' }),
    );
    expect(() => createDeidentifier().file(read('MR_truncated.dcm'))).toThrow(
      expect.objectContaining({ code: 'truncated' }),
    );
  });
});

/** A small CT-like file with what the corpus lacks: deep sequences, private and safe private data, overlays. */
function synthetic(o: { syntax?: string; extra?: OutElement[] } = {}): Uint8Array {
  const syntax = o.syntax ?? EXPLICIT_LE;
  const le = syntax !== EXPLICIT_BE;
  const explicit = syntax !== IMPLICIT_LE;
  const t = (tag: number, vr: string, v: string): OutElement => ({ tag, vr, value: textValue(v, vr) });
  const us = (tag: number, v: number): OutElement => {
    const value = new Uint8Array(2);
    new DataView(value.buffer).setUint16(0, v, le);
    return { tag, vr: 'US', value };
  };
  const nestedPerson: OutElement[] = [
    t(0x00100010, 'PN', 'DOE^JANE'),
    t(0x00080080, 'LO', 'ST ELSEWHERE HOSPITAL'),
    { tag: 0x00400275, vr: 'SQ', items: [[t(0x00400007, 'LO', 'SECRET PROCEDURE')]] },
    {
      tag: 0x00081140,
      vr: 'SQ',
      items: [[t(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'), t(0x00081155, 'UI', '1.2.3.4.5.6.7')]],
    },
  ];
  const elements: OutElement[] = [
    t(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    t(0x00080018, 'UI', '1.2.3.4.5.6.7'),
    t(0x00080020, 'DA', '20240229'),
    t(0x00080030, 'TM', '101500'),
    t(0x0008002a, 'DT', '20240229235959.5+0100'),
    t(0x00080060, 'CS', 'CT'),
    t(0x00100010, 'PN', 'DOE^JANE'),
    t(0x00100020, 'LO', 'MRN-123456'),
    t(0x00100030, 'DA', '19600101'),
    t(0x0020000d, 'UI', '1.2.3.4.1'),
    t(0x0020000e, 'UI', '1.2.3.4.1.2'),
    t(0x00200052, 'UI', '1.2.3.4.1.3'),
    t(0x00200032, 'DS', '-100\\-100\\50'),
    t(0x00200037, 'DS', '1\\0\\0\\0\\1\\0'),
    t(0x00280030, 'DS', '0.5\\0.5'),
    // A sequence the table does not name, nesting identifying attributes two levels down.
    {
      tag: 0x00189346,
      vr: 'SQ',
      items: [nestedPerson, [{ tag: 0x00189346, vr: 'SQ', items: [nestedPerson] }]],
    },
    // Private data: a block with a name, and a safe block (Siemens diffusion b-value).
    t(0x00090010, 'LO', 'ACME PRIVATE'),
    t(0x00091001, 'LO', 'DOE^JANE'),
    t(0x00190010, 'LO', 'SIEMENS MR HEADER'),
    t(0x0019100c, 'IS', '1000'),
    t(0x00191012, 'LO', 'DOE^JANE'),
    // An overlay group.
    us(0x60000010, 2),
    us(0x60000011, 2),
    { tag: 0x60003000, vr: 'OW', value: new Uint8Array(2) },
    us(0x00280002, 1),
    t(0x00280004, 'CS', 'MONOCHROME2'),
    us(0x00280010, 2),
    us(0x00280011, 2),
    us(0x00280100, 16),
    us(0x00280101, 16),
    us(0x00280102, 15),
    us(0x00280103, 1),
    ...(o.extra ?? []),
    { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
  ];
  const head = writeFileHeader({
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    sopInstanceUID: '1.2.3.4.5.6.7',
    transferSyntaxUID: syntax,
    implementationClassUID: '1.2.3',
    implementationVersionName: 'TEST',
  });
  const body = writeDataset(elements, { explicitVR: explicit, littleEndian: le }, false);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

describe('de-identification rules (synthetic files)', () => {
  it.each([EXPLICIT_LE, IMPLICIT_LE, EXPLICIT_BE])(
    'walks nested sequences, drops private data but the safe list, in %s',
    (syntax) => {
      const deid = createDeidentifier();
      const bytes = synthetic({ syntax });
      const out = parseDicom(deid.file(bytes).bytes);
      const all = flatten(out.dataset);
      const values = [...all.values()].map((e) => text(e.raw));
      expect(
        values.some(
          (v) =>
            v.includes('DOE') || v.includes('ELSEWHERE') || v.includes('SECRET') || v.includes('MRN-123456'),
        ),
      ).toBe(false);
      // The unnamed sequence keeps both items, the nested one too; the reference inside is remapped.
      expect(all.get('00189346')?.items).toBe(2);
      expect(all.get('00189346[1].00189346')?.items).toBe(1);
      expect(all.has('00189346[0].00400275')).toBe(false);
      expect(text(all.get('00189346[1].00189346[0].00081140[0].00081155')?.raw)).toBe(
        deid.uid('1.2.3.4.5.6.7'),
      );
      expect(text(all.get('00189346[0].00081140[0].00081150')?.raw)).toBe('1.2.840.10008.5.1.4.1.1.2');
      // Safe private kept with its creator; everything else private and the overlay group gone.
      expect(text(all.get('0019100C')?.raw)).toBe('1000');
      expect(text(all.get('00190010')?.raw)).toBe('SIEMENS MR HEADER');
      expect([...all.keys()].filter((k) => /^(0009|60)/.test(k) || k === '00191012')).toEqual([]);
      const codes = out.dataset.sequence(0x00120064).map((item) => item.string(0x00080100));
      expect(codes).toEqual(['113100', '113111']);
      // Geometry untouched.
      expect(out.dataset.string(0x00200032)).toBe('-100\\-100\\50');
      expect(out.dataset.string(0x00280030)).toBe('0.5\\0.5');
    },
  );

  it('keeps UIDs consistent within a run and unrelated across runs', () => {
    const a = createDeidentifier();
    const b = createDeidentifier();
    const first = a.file(synthetic());
    const again = a.file(synthetic());
    expect(again.studyInstanceUID).toBe(first.studyInstanceUID);
    expect(first.sopInstanceUID).toBe(a.uid('1.2.3.4.5.6.7'));
    expect(b.file(synthetic()).studyInstanceUID).not.toBe(first.studyInstanceUID);
    const salt = new Uint8Array(32).fill(7);
    expect(createDeidentifier({ salt }).uid('1.2.3')).toBe(createDeidentifier({ salt }).uid('1.2.3'));
    for (const u of [first.studyInstanceUID, first.seriesInstanceUID, first.sopInstanceUID]) {
      expect(isNewUid(u)).toBe(true);
      expect(u.length).toBeLessThanOrEqual(64);
      // UUID version 8, RFC 4122 variant, in the integer's bits.
      const n = BigInt(u.slice(5));
      expect(Number((n >> 76n) & 0xfn)).toBe(8);
      expect(Number((n >> 62n) & 0x3n)).toBe(2);
    }
    const kept = createDeidentifier({ keepUids: true }).file(synthetic());
    expect(kept.studyInstanceUID).toBe('1.2.3.4.1');
  });

  it('removes dates, keeps them, or shifts every DA and DT by the same days', () => {
    const dated = (d: ReturnType<typeof createDeidentifier>): DataSet =>
      parseDicom(d.file(synthetic()).bytes).dataset;
    const removed = dated(createDeidentifier());
    expect(removed.string(0x00080020)).toBe('');
    expect(removed.string(0x00280303)).toBe('REMOVED');
    const kept = dated(createDeidentifier({ dates: 'keep' }));
    expect(kept.string(0x00080020)).toBe('20240229');
    expect(kept.string(0x00280303)).toBe('UNMODIFIED');
    expect(kept.sequence(0x00120064).map((i) => i.string(0x00080100))).toContain('113106');
    const shifted = dated(createDeidentifier({ dates: { shiftDays: 1 } }));
    expect(shifted.string(0x00080020)).toBe('20240301');
    expect(shifted.string(0x0008002a)).toBe('20240301235959.5+0100');
    expect(shifted.string(0x00080030)).toBe('101500');
    expect(shifted.string(0x00100030)).toBe(''); // birth date is not temporal information: Z
    expect(shifted.string(0x00280303)).toBe('MODIFIED');
    expect(shifted.sequence(0x00120064).map((i) => i.string(0x00080100))).toContain('113107');
    // The shift itself is never written.
    expect(shifted.string(0x00120063)).not.toMatch(/\d/);
    expect(shiftValues('20231231\\19000101', 'DA', -365)).toBe('20221231\\18990101');
    expect(shiftValues('2023', 'DT', 3)).toBeNull();
    expect(shiftValues('20230230', 'DA', 3)).toBeNull();
  });

  it('pseudonymises Patient ID consistently within a run', () => {
    const d = createDeidentifier();
    const id = (): string | undefined => parseDicom(d.file(synthetic()).bytes).dataset.string(0x00100020);
    expect(id()).toMatch(/^ANON[0-9A-F]{12}$/);
    expect(id()).toBe(id());
  });
});
