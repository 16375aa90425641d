// Seeded mutations of real DICOM files for the fuzz suite. Each case is reproducible from (seed, index):
// the same seed file, the same mutations, the same bytes.
import type { DataSet, Element } from '../../src/dicom/dataset';
import { parseDicom } from '../../src/dicom/parse';
import { mulberry32 } from '../../src/lib/random';

/** A small, fast, seedable PRNG (mulberry32) from a string seed. */
export function rng(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return mulberry32(h);
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, list: readonly T[]): T => list[int(r, list.length)];

/** Where an element sits in the file: its header and value, with the header's layout. */
interface Located {
  readonly tag: number;
  readonly vr: string;
  readonly header: number;
  readonly value: number;
  readonly length: number;
  /** Bytes of the length field (2 or 4) and where it is. */
  readonly lengthAt: number;
  readonly lengthSize: 2 | 4;
  readonly vrAt: number | null;
}

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** The top-level and nested elements of a (non-deflated) file, located in its bytes. */
export function locate(bytes: Uint8Array): Located[] {
  let parsed;
  try {
    parsed = parseDicom(bytes);
  } catch {
    return [];
  }
  if (parsed.dataset.bytes !== bytes) return []; // deflated: offsets are in the inflated copy
  const out: Located[] = [];
  const isVR = (at: number, vr: string): boolean =>
    at >= 0 && bytes[at] === vr.charCodeAt(0) && bytes[at + 1] === vr.charCodeAt(1);
  const visit = (ds: DataSet): void => {
    for (const e of ds.elements.values() as IterableIterator<Element>) {
      const vr = e.vr;
      // Explicit VR with a 4-byte length (OB, SQ…), explicit VR with a 2-byte length, or implicit VR.
      const explicitLong = LONG.has(vr) && isVR(e.offset - 8, vr);
      const explicitShort = !explicitLong && isVR(e.offset - 4, vr);
      const header = explicitLong ? 12 : 8;
      const lengthSize = explicitShort ? 2 : 4;
      out.push({
        tag: e.tag,
        vr,
        header: e.offset - header,
        value: e.offset,
        length: e.length,
        lengthAt: e.offset - lengthSize,
        lengthSize,
        vrAt: explicitLong ? e.offset - 8 : explicitShort ? e.offset - 4 : null,
      });
      for (const item of e.items ?? []) visit(item);
    }
  };
  if (parsed.meta) visit(parsed.meta);
  visit(parsed.dataset);
  return out.filter((l) => l.header >= 0);
}

function setLength(b: Uint8Array, l: Located, value: number, le: boolean): void {
  const v = new DataView(b.buffer, b.byteOffset);
  if (l.lengthSize === 2) v.setUint16(l.lengthAt, value & 0xffff, le);
  else v.setUint32(l.lengthAt, value >>> 0, le);
}

const littleEndian = (b: Uint8Array): boolean => {
  try {
    return parseDicom(b).transferSyntax.littleEndian;
  } catch {
    return true;
  }
};

const ABSURD_LENGTHS = [
  0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0xfffffff0, 1, 3, 0x10000, 0x00ffffff,
];

export interface Mutation {
  readonly name: string;
  apply(bytes: Uint8Array, r: Rand): Uint8Array;
}

const DIMENSION_TAGS = [
  0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280002, 0x00280103, 0x00280006,
];
const ABSURD_US = [0, 1, 2, 3, 7, 12, 24, 32, 33, 48, 64, 255, 256, 4096, 32768, 65535];
const ABSURD_IS = ['0', '-1', '1e9', 'abc', '999999999', '65536', '2', ' ', '4294967296', 'NaN'];

const mutations: Mutation[] = [
  {
    name: 'flip-bytes',
    apply(b, r) {
      const out = b.slice();
      const n = 1 + int(r, 8);
      const head = r() < 0.6 ? Math.min(out.length, 2048) : out.length;
      for (let i = 0; i < n; i++) out[int(r, head)] ^= 1 << int(r, 8);
      return out;
    },
  },
  {
    name: 'random-bytes',
    apply(b, r) {
      const out = b.slice();
      const at = int(r, out.length);
      for (let i = 0; i < 1 + int(r, 32) && at + i < out.length; i++) out[at + i] = int(r, 256);
      return out;
    },
  },
  {
    name: 'truncate',
    apply(b, r) {
      return b.slice(0, int(r, b.length));
    },
  },
  {
    name: 'absurd-length',
    apply(b, r) {
      const els = locate(b);
      if (els.length === 0) return b;
      const out = b.slice();
      const l = pick(r, els);
      const v = r() < 0.5 ? pick(r, ABSURD_LENGTHS) : l.length + int(r, 64) - 32;
      setLength(out, l, v, l.tag >>> 16 === 2 ? true : littleEndian(b));
      return out;
    },
  },
  {
    name: 'absurd-dimensions',
    apply(b, r) {
      const els = locate(b).filter((l) => DIMENSION_TAGS.includes(l.tag) || l.tag === 0x00280008);
      if (els.length === 0) return b;
      const out = b.slice();
      const le = littleEndian(b);
      for (let k = 0; k < 1 + int(r, 3); k++) {
        const l = pick(r, els);
        if (l.tag === 0x00280008) {
          const s = pick(r, ABSURD_IS).slice(0, l.length).padEnd(l.length, ' ');
          for (let i = 0; i < l.length; i++) out[l.value + i] = s.charCodeAt(i);
        } else if (l.length >= 2) {
          new DataView(out.buffer).setUint16(l.value, pick(r, ABSURD_US), le);
        }
      }
      return out;
    },
  },
  {
    name: 'wrong-vr',
    apply(b, r) {
      const els = locate(b).filter((l) => l.vrAt !== null);
      if (els.length === 0) return b;
      const out = b.slice();
      const l = pick(r, els);
      const vr = pick(r, ['SQ', 'UN', 'OB', 'OW', 'US', 'UL', 'FD', 'AT', 'UI', 'XX', 'ob', 'UT', 'SV']);
      out[l.vrAt!] = vr.charCodeAt(0);
      out[l.vrAt! + 1] = vr.charCodeAt(1);
      return out;
    },
  },
  {
    name: 'undefined-length',
    apply(b, r) {
      const els = locate(b).filter((l) => l.lengthSize === 4);
      if (els.length === 0) return b;
      const out = b.slice();
      setLength(out, pick(r, els), 0xffffffff, littleEndian(b));
      return out;
    },
  },
  {
    name: 'pixel-length',
    apply(b, r) {
      const px = locate(b).find((l) => l.tag === 0x7fe00010);
      if (!px) return b;
      const le = littleEndian(b);
      if (px.length < 0 || px.length === 0xffffffff) return b;
      const delta = pick(r, [-2, -1, 1, 2, 8, -px.length, 1 << 20, int(r, px.length + 1) - px.length]);
      let out = b.slice();
      setLength(out, px, Math.max(0, px.length + delta), le);
      if (r() < 0.5 && delta > 0) {
        // Make the file longer too, so that the declared length fits.
        const grown = new Uint8Array(out.length + Math.min(delta, 4096));
        grown.set(out);
        out = grown;
      }
      return out;
    },
  },
  {
    name: 'fragments',
    apply(b, r) {
      // Encapsulated pixel data: break an item tag, an item length, the offset table or the delimiter.
      const px = locate(b).find((l) => l.tag === 0x7fe00010);
      if (!px || (px.length !== -1 && px.length !== 0xffffffff)) return b;
      const out = b.slice();
      const v = new DataView(out.buffer);
      const items: number[] = [];
      for (let at = px.value; at + 8 <= out.length;) {
        items.push(at);
        const tag = v.getUint32(at, true);
        if (tag === 0xe0ddfffe) break;
        at += 8 + v.getUint32(at + 4, true);
      }
      if (items.length === 0) return b;
      const at = pick(r, items);
      switch (int(r, 5)) {
        case 0:
          v.setUint32(at + 4, pick(r, ABSURD_LENGTHS), true);
          break;
        case 1:
          v.setUint32(at, pick(r, [0xe00dfffe, 0x00100010, 0xe0ddfffe, 0]), true);
          break;
        case 2: // offset table entries pointing anywhere
          if (v.getUint32(px.value + 4, true) >= 4) v.setUint32(px.value + 8, pick(r, ABSURD_LENGTHS), true);
          else v.setUint32(px.value + 4, 4, true);
          break;
        case 3:
          return out.slice(0, Math.max(px.value, at + int(r, 16)));
        default:
          v.setUint32(at + 4, Math.max(0, v.getUint32(at + 4, true) + int(r, 16) - 8), true);
      }
      return out;
    },
  },
  {
    name: 'codestream',
    apply(b, r) {
      // Damage the compressed stream itself (JPEG markers and entropy data, RLE headers, deflate blocks).
      const px = locate(b).find((l) => l.tag === 0x7fe00010);
      const out = b.slice();
      const start = px ? px.value + 16 : Math.min(out.length - 1, 400);
      if (start >= out.length) return b;
      const span = out.length - start;
      const n = 1 + int(r, 12);
      for (let i = 0; i < n; i++) {
        const at = start + (r() < 0.5 ? int(r, Math.min(span, 64)) : int(r, span));
        out[at] = r() < 0.3 ? 0xff : int(r, 256);
      }
      return out;
    },
  },
  {
    name: 'jpeg-markers',
    apply(b, r) {
      // JPEG marker segments: frame dimensions, segment lengths, table contents.
      const markers: number[] = [];
      for (let i = 0; i + 8 < b.length; i++) {
        if (b[i] === 0xff && [0xc0, 0xc1, 0xc4, 0xdb, 0xda, 0xdd].includes(b[i + 1])) markers.push(i);
      }
      if (markers.length === 0) return b;
      const out = b.slice();
      const at = pick(r, markers);
      const v = new DataView(out.buffer);
      if ((out[at + 1] === 0xc0 || out[at + 1] === 0xc1) && r() < 0.6) {
        v.setUint16(at + 5, pick(r, [0, 1, 65535, 40000]));
        v.setUint16(at + 7, pick(r, [0, 1, 65535, 40000]));
        if (r() < 0.3) out[at + 9] = pick(r, [0, 4, 255]);
      } else if (r() < 0.5) {
        v.setUint16(at + 2, pick(r, [0, 1, 2, 3, 0xffff, v.getUint16(at + 2) + 7]));
      } else {
        for (let k = 0; k < 4; k++) out[at + 4 + int(r, 16)] = int(r, 256);
      }
      return out;
    },
  },
  {
    name: 'splice',
    apply(b, r) {
      const at = int(r, b.length);
      const from = int(r, b.length);
      const len = int(r, Math.min(512, b.length - from));
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(from, from + len), at);
      out.set(b.subarray(at), at + len);
      return out;
    },
  },
];

/** A file whose sequences nest `depth` deep (explicit VR LE, undefined or defined lengths). */
export function deepNesting(depth: number, defined: boolean): Uint8Array {
  const ts = '1.2.840.10008.1.2.1\0';
  const metaLength = 8 + ts.length;
  const body = defined ? depth * 20 : depth * 36;
  const out = new Uint8Array(132 + metaLength + body);
  const v = new DataView(out.buffer);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  v.setUint32(132, 0x00100002, true);
  out.set([0x55, 0x49], 136);
  v.setUint16(138, ts.length, true);
  for (let i = 0; i < ts.length; i++) out[140 + i] = ts.charCodeAt(i);
  const sequence = (at: number, length: number): void => {
    v.setUint32(at, 0x11150008, true); // (0008,1115) Referenced Series Sequence
    out.set([0x53, 0x51, 0, 0], at + 4);
    v.setUint32(at + 8, length, true);
  };
  const item = (at: number, tag: number, length: number): void => {
    v.setUint32(at, tag, true);
    v.setUint32(at + 4, length, true);
  };
  let at = 132 + metaLength;
  for (let i = 0; i < depth; i++, at += 20) {
    const inner = (depth - i) * 20;
    sequence(at, defined ? inner - 12 : 0xffffffff);
    item(at + 12, 0xe000fffe, defined ? inner - 20 : 0xffffffff);
  }
  if (!defined) {
    for (let i = 0; i < depth; i++, at += 16) {
      item(at, 0xe00dfffe, 0);
      item(at + 8, 0xe0ddfffe, 0);
    }
  }
  return out;
}

/** The mutated bytes of case `index` of a run with `seed`, over the given seed files. */
export function fuzzCase(
  seeds: readonly Uint8Array[],
  seed: string,
  index: number,
): { name: string; bytes: Uint8Array } {
  const r = rng(`${seed}:${index}`);
  if (r() < 0.02) {
    const depth = pick(r, [8, 23, 24, 25, 64, 500, 5000]);
    return { name: `deep-nesting-${depth}`, bytes: deepNesting(depth, r() < 0.5) };
  }
  let bytes = pick(r, seeds);
  const names: string[] = [];
  for (let k = 0; k < 1 + int(r, 3); k++) {
    const m = pick(r, mutations);
    bytes = m.apply(bytes, r);
    names.push(m.name);
  }
  return { name: names.join('+'), bytes };
}

export const MUTATIONS = mutations.map((m) => m.name);
