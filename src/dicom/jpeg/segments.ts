/**
 * Parsing of the marker segments that sequential DCT decoding needs (T.81 B.2): frame header, scan
 * header, DQT, DHT, DRI, and the JFIF/Adobe application markers that say how colour was coded.
 */
import { corrupt, unsupported } from './errors';
import { buildHuffmanTable, type HuffmanTable } from './huffman';

/** The bytes of one marker segment's parameters (after its two length bytes). */
export interface Segment {
  readonly data: Uint8Array;
  /** First parameter byte. */
  readonly start: number;
  /** One past the last parameter byte. */
  readonly end: number;
}

/** One component of the frame header. */
export interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
}

/** The frame header (SOF0 or SOF1). */
export interface FrameHeader {
  readonly precision: 8 | 12;
  readonly width: number;
  readonly height: number;
  readonly components: readonly FrameComponent[];
}

/** One component of a scan header: the frame component's index and its Huffman table selectors. */
export interface ScanComponent {
  readonly index: number;
  readonly td: number;
  readonly ta: number;
}

/** Huffman and quantization tables defined so far; later definitions replace earlier ones. */
export interface Tables {
  readonly quant: (Uint16Array | null)[];
  readonly dc: (HuffmanTable | null)[];
  readonly ac: (HuffmanTable | null)[];
}

/** Largest number of samples per component this decoder will allocate (16 Ki × 16 Ki). */
const MAX_SAMPLES = 1 << 28;

function need(seg: Segment, at: number, n: number, what: string): void {
  if (at + n > seg.end) throw corrupt(`the ${what} segment is shorter than its contents`);
}

function u16(data: Uint8Array, at: number): number {
  return (data[at] << 8) | data[at + 1];
}

/** Parse a frame header (B.2.2). */
export function parseFrame(seg: Segment): FrameHeader {
  const { data, start } = seg;
  need(seg, start, 6, 'frame header');
  const precision = data[start];
  const height = u16(data, start + 1);
  const width = u16(data, start + 3);
  const count = data[start + 5];
  if (precision !== 8 && precision !== 12) {
    throw unsupported(`sample precision ${precision} (sequential DCT allows 8 or 12 bits)`);
  }
  if (height === 0) throw unsupported('the image height is defined by a DNL marker');
  if (width === 0) throw corrupt('the frame header gives a width of 0');
  if (count < 1 || count > 4) throw unsupported(`${count} components (1 to 4 are supported)`);
  if (width * height > MAX_SAMPLES) throw unsupported(`a ${width}×${height} image is too large to decode`);
  need(seg, start + 6, 3 * count, 'frame header');
  const components: FrameComponent[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + 6 + 3 * i;
    const h = data[at + 1] >> 4;
    const v = data[at + 1] & 15;
    const tq = data[at + 2];
    if (h < 1 || h > 4 || v < 1 || v > 4) throw corrupt(`component ${i} has sampling factors ${h}×${v}`);
    if (tq > 3) throw corrupt(`component ${i} selects quantization table ${tq}`);
    if (components.some((c) => c.id === data[at])) throw corrupt(`component id ${data[at]} is repeated`);
    components.push({ id: data[at], h, v, tq });
  }
  return { precision, width, height, components };
}

/** Parse a DQT segment (B.2.4.1) into `quant`. Tables are kept in zig-zag order, as stored. */
export function parseQuantTables(seg: Segment, quant: (Uint16Array | null)[]): void {
  const { data } = seg;
  let at = seg.start;
  while (at < seg.end) {
    const pq = data[at] >> 4;
    const tq = data[at] & 15;
    if (pq > 1 || tq > 3) throw corrupt(`DQT defines table ${tq} with precision code ${pq}`);
    const size = pq === 0 ? 1 : 2;
    need(seg, at + 1, 64 * size, 'DQT');
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) table[k] = size === 1 ? data[at + 1 + k] : u16(data, at + 1 + 2 * k);
    quant[tq] = table;
    at += 1 + 64 * size;
  }
}

/** Parse a DHT segment (B.2.4.2) into the DC and AC table slots. */
export function parseHuffmanTables(seg: Segment, tables: Tables): void {
  const { data } = seg;
  let at = seg.start;
  while (at < seg.end) {
    need(seg, at, 17, 'DHT');
    const tc = data[at] >> 4;
    const th = data[at] & 15;
    if (tc > 1 || th > 3) throw corrupt(`DHT defines table class ${tc}, id ${th}`);
    const counts = data.subarray(at + 1, at + 17);
    const total = counts.reduce((n, c) => n + c, 0);
    if (total > 256) throw corrupt(`a Huffman table lists ${total} codes`);
    need(seg, at + 17, total, 'DHT');
    const values = data.slice(at + 17, at + 17 + total);
    if (tc === 0 && values.some((s) => s > 15)) throw corrupt('a DC Huffman table has a category above 15');
    (tc === 0 ? tables.dc : tables.ac)[th] = buildHuffmanTable(counts, values);
    at += 17 + total;
  }
}

/** Parse a DRI segment (B.2.4.4): MCUs per restart interval, 0 for none. */
export function parseRestartInterval(seg: Segment): number {
  need(seg, seg.start, 2, 'DRI');
  return u16(seg.data, seg.start);
}

/** Parse a scan header (B.2.3), resolving component ids to frame component indices. */
export function parseScan(seg: Segment, frame: FrameHeader): ScanComponent[] {
  const { data, start } = seg;
  need(seg, start, 1, 'scan header');
  const count = data[start];
  if (count < 1 || count > 4) throw corrupt(`a scan has ${count} components`);
  need(seg, start + 1, 2 * count + 3, 'scan header');
  const components: ScanComponent[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + 1 + 2 * i;
    const index = frame.components.findIndex((c) => c.id === data[at]);
    if (index < 0) throw corrupt(`a scan names component id ${data[at]}, which the frame does not have`);
    if (components.some((c) => c.index === index)) throw corrupt(`a scan names component ${index} twice`);
    const td = data[at + 1] >> 4;
    const ta = data[at + 1] & 15;
    if (td > 3 || ta > 3) throw corrupt(`a scan selects Huffman tables ${td} and ${ta}`);
    components.push({ index, td, ta });
  }
  // Ss, Se, Ah and Al have fixed values in sequential mode (0, 63, 0, 0). Some encoders write others
  // (JPEG-lossy.dcm of the pydicom corpus has Se = 0); like libjpeg, ignore them.
  return components;
}

/** The JFIF (APP0) and Adobe (APP14) markers: how a three-component image's colour was coded. */
export interface ColourMarkers {
  jfif: boolean;
  adobeTransform: number | null;
}

const JFIF = [0x4a, 0x46, 0x49, 0x46, 0x00];
const ADOBE = [0x41, 0x64, 0x6f, 0x62, 0x65];

function startsWith(seg: Segment, sig: readonly number[]): boolean {
  if (seg.end - seg.start < sig.length) return false;
  return sig.every((b, i) => seg.data[seg.start + i] === b);
}

/** Record what an APPn segment says about colour; other application data is ignored. */
export function parseApp(marker: number, seg: Segment, colour: ColourMarkers): void {
  if (marker === 0xe0 && startsWith(seg, JFIF)) colour.jfif = true;
  // The Adobe segment holds 'Adobe', version (2), flags0 (2), flags1 (2), then the transform byte.
  if (marker === 0xee && startsWith(seg, ADOBE) && seg.end - seg.start >= 12) {
    colour.adobeTransform = seg.data[seg.start + 11];
  }
}
