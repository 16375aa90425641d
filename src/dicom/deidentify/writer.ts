/**
 * Serialise a dataset tree back to DICOM Part 10 bytes, in the transfer syntax it came in (explicit or
 * implicit VR, little or big endian, deflated or not). Values are written as given: the caller keeps
 * binary values in the source's byte order and pads nothing itself. Sequences and items are written with
 * undefined lengths; encapsulated pixel data is copied as it was (its items and delimiter). Pure.
 */
import { deflateSync } from 'fflate';

export type OutElement =
  | { readonly tag: number; readonly vr: string; readonly value: Uint8Array }
  | { readonly tag: number; readonly vr: 'SQ'; readonly items: readonly OutElement[][] }
  /** Encapsulated pixel data: the bytes after the element header, through the sequence delimiter. */
  | { readonly tag: number; readonly vr: string; readonly encapsulated: Uint8Array };

export interface Encoding {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

class Sink {
  private chunks: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function header(tag: number, vr: string | null, length: number, enc: Encoding): Uint8Array {
  const le = enc.littleEndian;
  const long = vr !== null && LONG_VRS.has(vr);
  const out = new Uint8Array(vr === null ? 8 : long ? 12 : 8);
  const v = new DataView(out.buffer);
  v.setUint16(0, tag >>> 16, le);
  v.setUint16(2, tag & 0xffff, le);
  if (vr === null) {
    v.setUint32(4, length, le);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) v.setUint32(8, length, le);
    else v.setUint16(6, length, le);
  }
  return out;
}

const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;

function writeElements(elements: readonly OutElement[], sink: Sink, enc: Encoding): void {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (const e of sorted) {
    if ('items' in e) {
      sink.push(header(e.tag, enc.explicitVR ? 'SQ' : null, UNDEFINED, enc));
      for (const item of e.items) {
        sink.push(header(ITEM, null, UNDEFINED, enc));
        writeElements(item, sink, enc);
        sink.push(header(ITEM_DELIMITATION, null, 0, enc));
      }
      sink.push(header(SEQUENCE_DELIMITATION, null, 0, enc));
    } else if ('encapsulated' in e) {
      // Encapsulated pixel data exists only in explicit VR little endian transfer syntaxes.
      sink.push(header(e.tag, 'OB', UNDEFINED, enc));
      sink.push(e.encapsulated);
    } else {
      let vr = e.vr;
      // A value too long for a short-length VR (only possible for UN read from an implicit element).
      if (enc.explicitVR && !LONG_VRS.has(vr) && e.value.length > 0xffff) vr = 'UN';
      sink.push(header(e.tag, enc.explicitVR ? vr : null, e.value.length, enc));
      sink.push(e.value);
    }
  }
}

/** The dataset alone (no preamble, no meta), deflated when the transfer syntax says so. */
export function writeDataset(elements: readonly OutElement[], enc: Encoding, deflate: boolean): Uint8Array {
  const sink = new Sink();
  writeElements(elements, sink, enc);
  const bytes = sink.bytes();
  return deflate ? deflateSync(bytes, { level: 6 }) : bytes;
}

const ascii = (text: string, pad: string): Uint8Array => {
  const s = text.length % 2 === 1 ? text + pad : text;
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
};

/** A text value, padded to even length as its VR requires (NUL for UI, space otherwise). */
export function textValue(text: string, vr: string): Uint8Array {
  return ascii(text, vr === 'UI' ? '\0' : ' ');
}

/** A text value in UTF-8 (Specific Character Set ISO_IR 192), padded with a space to even length. */
export function utf8TextValue(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = 0x20;
  return padded;
}

export interface MetaInfo {
  readonly sopClassUID: string;
  readonly sopInstanceUID: string;
  readonly transferSyntaxUID: string;
  readonly implementationClassUID: string;
  readonly implementationVersionName: string;
}

/** Preamble, "DICM" and a fresh File Meta Information group (explicit VR little endian). */
export function writeFileHeader(meta: MetaInfo): Uint8Array {
  const enc: Encoding = { explicitVR: true, littleEndian: true };
  const body: OutElement[] = [
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: textValue(meta.sopClassUID, 'UI') },
    { tag: 0x00020003, vr: 'UI', value: textValue(meta.sopInstanceUID, 'UI') },
    { tag: 0x00020010, vr: 'UI', value: textValue(meta.transferSyntaxUID, 'UI') },
    { tag: 0x00020012, vr: 'UI', value: textValue(meta.implementationClassUID, 'UI') },
    { tag: 0x00020013, vr: 'SH', value: textValue(meta.implementationVersionName, 'SH') },
  ];
  const sink = new Sink();
  writeElements(body, sink, enc);
  const group = sink.bytes();
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, group.length, true);
  const out = new Sink();
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.push(preamble);
  out.push(header(0x00020000, 'UL', 4, enc));
  out.push(length);
  out.push(group);
  return out.bytes();
}
