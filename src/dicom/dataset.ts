/**
 * A parsed dataset: the elements the parser found, over the bytes they came from, with typed accessors
 * that decode values on demand (strings in the dataset's character set, numbers from binary VRs or
 * DS/IS text). Pure.
 */
import { decoderFor } from './charset';

export interface Element {
  readonly tag: number;
  readonly vr: string;
  /** Offset of the value within `DataSet.bytes`. */
  readonly offset: number;
  /** Value length; -1 for undefined length (sequences, encapsulated pixel data). */
  readonly length: number;
  readonly items?: readonly DataSet[];
}

const TEXT_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

/** A parsed dataset: a map of elements over the bytes they came from, with typed accessors. */
export class DataSet {
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly elements: ReadonlyMap<number, Element>,
    private readonly charset: string | undefined,
  ) {}

  has(t: number): boolean {
    return this.elements.has(t);
  }

  /** Raw value bytes (a view, not a copy). */
  raw(t: number): Uint8Array | undefined {
    const e = this.elements.get(t);
    if (!e || e.length < 0) return undefined;
    return this.bytes.subarray(e.offset, e.offset + e.length);
  }

  /** The whole string value (all values joined by backslash), trailing padding removed. */
  string(t: number): string | undefined {
    const e = this.elements.get(t);
    if (!e || e.length < 0) return undefined;
    const raw = this.bytes.subarray(e.offset, e.offset + e.length);
    let text: string;
    if (TEXT_VRS.has(e.vr) || e.vr === 'UN') text = decoderFor(this.charset).decode(raw);
    else text = latin1(raw);
    return text.replace(/[\0 ]+$/, '').replace(/^ +/, '');
  }

  strings(t: number): string[] {
    const s = this.string(t);
    if (s === undefined || s === '') return [];
    return s.split('\\').map((v) => v.trim());
  }

  /** Numeric values, from binary VRs or from DS/IS strings. Unparseable strings yield NaN. */
  numbers(t: number): number[] {
    const e = this.elements.get(t);
    if (!e || e.length <= 0) return [];
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + e.offset, e.length);
    const le = this.littleEndian;
    const out: number[] = [];
    const read = (size: number, fn: (o: number) => number): number[] => {
      for (let o = 0; o + size <= e.length; o += size) out.push(fn(o));
      return out;
    };
    switch (e.vr) {
      case 'US':
      case 'OW':
        return read(2, (o) => view.getUint16(o, le));
      case 'SS':
        return read(2, (o) => view.getInt16(o, le));
      case 'UL':
      case 'OL':
        return read(4, (o) => view.getUint32(o, le));
      case 'SL':
        return read(4, (o) => view.getInt32(o, le));
      case 'FL':
      case 'OF':
        return read(4, (o) => view.getFloat32(o, le));
      case 'FD':
      case 'OD':
        return read(8, (o) => view.getFloat64(o, le));
      case 'UV':
      case 'OV':
        return read(8, (o) => Number(view.getBigUint64(o, le)));
      case 'SV':
        return read(8, (o) => Number(view.getBigInt64(o, le)));
      case 'AT':
        return read(4, (o) => ((view.getUint16(o, le) << 16) | view.getUint16(o + 2, le)) >>> 0);
      default:
        return this.strings(t).map((v) => (v === '' ? NaN : Number(v)));
    }
  }

  number(t: number, index = 0): number | undefined {
    const v = this.numbers(t)[index];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }

  sequence(t: number): readonly DataSet[] {
    return this.elements.get(t)?.items ?? [];
  }
}

/** Bytes as ISO 8859-1 text (one character per byte). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 4096)));
  }
  return s;
}
