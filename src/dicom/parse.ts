/**
 * A small, strict DICOM Part 10 parser. It reads the attributes Lucent needs and locates the pixel data
 * without copying it, so that a header read of the first few kilobytes of a file is enough to place an
 * image in its series. Pure: runs the same in a browser worker and in Node.
 */
import { inflateSync } from 'fflate';
import { DicomError, NeedMoreData } from './errors';
import { DataSet, latin1, type Element } from './dataset';
import { T, formatTag, implicitVR } from './tags';
import {
  DEFLATED_LE,
  EXPLICIT_BE,
  EXPLICIT_LE,
  IMPLICIT_LE,
  transferSyntax,
  type TransferSyntaxInfo,
} from './transferSyntax';

export { DicomError, NeedMoreData, type LoadErrorCode } from './errors';
export { DataSet, type Element } from './dataset';

export interface Fragment {
  /** Offset of the fragment's bytes (after the item header) within the buffer it was parsed from. */
  readonly offset: number;
  readonly length: number;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const VALID_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV',
  'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]); // prettier-ignore
const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 24;

export interface PixelDataLocation {
  readonly tag: number;
  readonly vr: string;
  /** Offset of the value in the source the caller read (the file), or in `inline` when set. */
  readonly offset: number;
  /** Defined length for native pixel data; -1 for encapsulated. */
  readonly length: number;
  readonly encapsulated: boolean;
  /** Encapsulated fragments, when the whole pixel data element was in the buffer. The first is the BOT. */
  readonly fragments?: readonly Fragment[];
  /** For deflated files the dataset is inflated in memory; the pixel bytes live here. */
  readonly inline?: Uint8Array;
}

export interface ParsedFile {
  readonly meta: DataSet | null;
  readonly dataset: DataSet;
  readonly transferSyntax: TransferSyntaxInfo;
  /** True when the transfer syntax was guessed because the file has no meta header or no TS UID. */
  readonly transferSyntaxGuessed: boolean;
  readonly pixelData: PixelDataLocation | null;
}

export interface ParseOptions {
  /** Total size of the file the bytes came from; `bytes` may be a prefix of it. */
  readonly fileSize?: number;
  /** Parse encapsulated fragments when the bytes are there (default true). */
  readonly fragments?: boolean;
}

interface Ctx {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Size of the whole source: reads past `bytes.length` but within this need more data. */
  readonly sourceSize: number;
  /** Offset added to positions to express them in file coordinates (0 unless inflated). */
  readonly fragments: boolean;
  pixel: PixelDataLocation | null;
  charset: string | undefined;
}

function ensure(ctx: Ctx, end: number, t: number): void {
  if (end <= ctx.bytes.length) return;
  if (end > ctx.sourceSize) {
    throw new DicomError(
      'truncated',
      `The file ends inside attribute ${formatTag(t)}: it is truncated (needs ${end} bytes, has ${ctx.sourceSize}).`,
      { kind: 'attribute', tag: formatTag(t), needed: end, size: ctx.sourceSize },
    );
  }
  throw new NeedMoreData(end);
}

function isUpper(b: number | undefined): boolean {
  return b !== undefined && b >= 0x41 && b <= 0x5a;
}

interface Header {
  tag: number;
  vr: string;
  length: number;
  headerSize: number;
}

function readHeader(ctx: Ctx, pos: number, le: boolean, explicit: boolean): Header {
  ensure(ctx, pos + 8, 0);
  const v = ctx.view;
  const tag = ((v.getUint16(pos, le) << 16) | v.getUint16(pos + 2, le)) >>> 0;
  if (tag === T.Item || tag === T.ItemDelimitation || tag === T.SequenceDelimitation) {
    return { tag, vr: '', length: v.getUint32(pos + 4, le), headerSize: 8 };
  }
  const b4 = ctx.bytes[pos + 4];
  const b5 = ctx.bytes[pos + 5];
  if (explicit && isUpper(b4) && isUpper(b5)) {
    const vr = String.fromCharCode(b4, b5);
    if (VALID_VRS.has(vr)) {
      if (LONG_VRS.has(vr)) {
        ensure(ctx, pos + 12, tag);
        return { tag, vr, length: v.getUint32(pos + 8, le), headerSize: 12 };
      }
      return { tag, vr, length: v.getUint16(pos + 6, le), headerSize: 8 };
    }
  }
  // Implicit VR (or an explicit file that switches encoding mid-stream, which real files do).
  const length = v.getUint32(pos + 4, le);
  const vr = implicitVR(tag) ?? (length === UNDEFINED ? 'SQ' : 'UN');
  return { tag, vr, length, headerSize: 8 };
}

/** Parse elements from `start` until `end` (or an item delimiter when `end` is undefined). */
function parseElements(
  ctx: Ctx,
  start: number,
  end: number | undefined,
  le: boolean,
  explicit: boolean,
  depth: number,
): { elements: Map<number, Element>; next: number } {
  const elements = new Map<number, Element>();
  let pos = start;
  const limit = end ?? Number.POSITIVE_INFINITY;
  while (pos < limit) {
    if (end === undefined && pos >= ctx.sourceSize) {
      throw new DicomError('truncated', 'The file ends inside a sequence item: it is truncated.', {
        kind: 'item',
      });
    }
    if (end !== undefined && pos + 8 > end && depth === 0 && end === ctx.sourceSize) {
      // Trailing bytes too short for an element header: padding after the dataset. Ignore them.
      break;
    }
    const h = readHeader(ctx, pos, le, explicit);
    const valueStart = pos + h.headerSize;
    if (h.tag === T.ItemDelimitation) {
      return { elements, next: valueStart };
    }
    if (h.tag === T.SequenceDelimitation || h.tag === T.Item) {
      // A stray delimiter at dataset level: skip it rather than fail.
      pos = valueStart;
      continue;
    }
    if (depth === 0 && h.tag === T.PixelData) {
      pos = readPixelData(ctx, h, valueStart, le);
      if (ctx.pixel)
        elements.set(h.tag, {
          tag: h.tag,
          vr: h.vr,
          offset: valueStart,
          length: h.length === UNDEFINED ? -1 : h.length,
        });
      if (pos < 0) return { elements, next: ctx.sourceSize };
      continue;
    }
    if (h.length === UNDEFINED) {
      const sqLE = h.vr === 'UN' ? true : le;
      const sqExplicit = h.vr === 'UN' ? false : explicit;
      const { items, next } = parseSequence(ctx, valueStart, undefined, sqLE, sqExplicit, depth + 1, h.tag);
      elements.set(h.tag, { tag: h.tag, vr: 'SQ', offset: valueStart, length: -1, items });
      pos = next;
      continue;
    }
    const valueEnd = valueStart + h.length;
    if (valueEnd > ctx.sourceSize) ensure(ctx, valueEnd, h.tag);
    if (h.vr === 'SQ') {
      ensure(ctx, valueEnd, h.tag);
      const { items } = parseSequence(ctx, valueStart, valueEnd, le, explicit, depth + 1, h.tag);
      elements.set(h.tag, { tag: h.tag, vr: 'SQ', offset: valueStart, length: h.length, items });
    } else {
      if (valueEnd > ctx.bytes.length) {
        // Large values we do not need (overlays, private blobs) can stay unread at top level.
        if (depth === 0 && !isNeeded(h.tag)) {
          pos = valueEnd;
          continue;
        }
        ensure(ctx, valueEnd, h.tag);
      }
      if (depth === 0 && (h.tag === T.FloatPixelData || h.tag === T.DoubleFloatPixelData)) {
        ctx.pixel ??= { tag: h.tag, vr: h.vr, offset: valueStart, length: h.length, encapsulated: false };
      }
      const items = h.vr === 'UN' ? unknownAsSequence(ctx, valueStart, valueEnd, depth, h.tag) : null;
      if (items) {
        elements.set(h.tag, { tag: h.tag, vr: 'SQ', offset: valueStart, length: h.length, items });
        pos = valueEnd;
        continue;
      }
      elements.set(h.tag, { tag: h.tag, vr: h.vr, offset: valueStart, length: h.length });
      if (h.tag === T.SpecificCharacterSet && depth === 0) {
        ctx.charset = latin1(ctx.bytes.subarray(valueStart, valueEnd)).trim();
      }
    }
    pos = valueEnd;
  }
  return { elements, next: pos };
}

/**
 * A value of unknown VR (UN, or a tag an implicit VR file does not name) with a defined length that holds
 * sequence items is a sequence: read its items (implicit VR little endian, PS3.5 6.2.2) so that what is
 * nested in it can be seen, which de-identification needs. Anything that does not parse stays a value.
 */
function unknownAsSequence(
  ctx: Ctx,
  start: number,
  end: number,
  depth: number,
  owner: number,
): DataSet[] | null {
  const b = ctx.bytes;
  if (end - start < 8 || end > b.length) return null;
  if (b[start] !== 0xfe || b[start + 1] !== 0xff || b[start + 2] !== 0x00 || b[start + 3] !== 0xe0)
    return null;
  if (depth >= MAX_DEPTH) return null;
  try {
    return parseSequence({ ...ctx, sourceSize: end }, start, end, true, false, depth + 1, owner).items;
  } catch {
    return null;
  }
}

function isNeeded(t: number): boolean {
  const group = t >>> 16;
  return group <= 0x0030 || group === 0x3004 || group === 0x5200 || group === 0x0040 || group === 0x0042;
}

function parseSequence(
  ctx: Ctx,
  start: number,
  end: number | undefined,
  le: boolean,
  explicit: boolean,
  depth: number,
  owner: number,
): { items: DataSet[]; next: number } {
  if (depth > MAX_DEPTH) {
    throw new DicomError(
      'not-dicom',
      `Sequence ${formatTag(owner)} is nested too deeply to be valid DICOM.`,
      {
        kind: 'nested-too-deep',
        tag: formatTag(owner),
      },
    );
  }
  const items: DataSet[] = [];
  let pos = start;
  const limit = end ?? Number.POSITIVE_INFINITY;
  while (pos < limit) {
    if (end === undefined && pos >= ctx.sourceSize) {
      throw new DicomError(
        'truncated',
        `The file ends inside sequence ${formatTag(owner)}: it is truncated.`,
        { kind: 'sequence', tag: formatTag(owner) },
      );
    }
    ensure(ctx, pos + 8, owner);
    const tag = ((ctx.view.getUint16(pos, le) << 16) | ctx.view.getUint16(pos + 2, le)) >>> 0;
    const length = ctx.view.getUint32(pos + 4, le);
    pos += 8;
    if (tag === T.SequenceDelimitation) return { items, next: pos };
    if (tag !== T.Item) {
      throw new DicomError(
        'not-dicom',
        `Sequence ${formatTag(owner)} holds ${formatTag(tag)} where an item belongs.`,
        { kind: 'item-expected', tag: formatTag(owner), found: formatTag(tag) },
      );
    }
    if (length === UNDEFINED) {
      const { elements, next } = parseElements(ctx, pos, undefined, le, explicit, depth);
      items.push(new DataSet(ctx.bytes, le, elements, ctx.charset));
      pos = next;
    } else {
      ensure(ctx, pos + length, owner);
      const { elements } = parseElements(ctx, pos, pos + length, le, explicit, depth);
      items.push(new DataSet(ctx.bytes, le, elements, ctx.charset));
      pos += length;
    }
  }
  return { items, next: pos };
}

/** Returns the position after the pixel data, or -1 when parsing should stop (rest not in buffer). */
function readPixelData(ctx: Ctx, h: Header, valueStart: number, le: boolean): number {
  if (h.length !== UNDEFINED) {
    const valueEnd = valueStart + h.length;
    if (valueEnd > ctx.sourceSize) {
      throw new DicomError(
        'truncated',
        `Pixel Data declares ${h.length} bytes but the file ends ${valueEnd - ctx.sourceSize} bytes short: it is truncated.`,
        { kind: 'pixel-data', declared: h.length, missing: valueEnd - ctx.sourceSize },
      );
    }
    ctx.pixel = { tag: h.tag, vr: h.vr, offset: valueStart, length: h.length, encapsulated: false };
    return valueEnd <= ctx.bytes.length ? valueEnd : -1;
  }
  if (!ctx.fragments || ctx.bytes.length < ctx.sourceSize) {
    ctx.pixel = { tag: h.tag, vr: h.vr, offset: valueStart, length: -1, encapsulated: true };
    return -1;
  }
  const { fragments, next } = readFragments(ctx.bytes, valueStart, le);
  ctx.pixel = { tag: h.tag, vr: h.vr, offset: valueStart, length: -1, encapsulated: true, fragments };
  return next;
}

/**
 * Read the items of encapsulated pixel data starting at `start` (the value offset). The first fragment
 * returned is the Basic Offset Table (possibly empty).
 */
export function readFragments(
  bytes: Uint8Array,
  start: number,
  le = true,
): { fragments: Fragment[]; next: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fragments: Fragment[] = [];
  let pos = start;
  for (;;) {
    if (pos + 8 > bytes.length) {
      throw new DicomError('truncated', 'The file ends inside the compressed pixel data: it is truncated.', {
        kind: 'fragments',
      });
    }
    const tag = ((view.getUint16(pos, le) << 16) | view.getUint16(pos + 2, le)) >>> 0;
    const length = view.getUint32(pos + 4, le);
    pos += 8;
    if (tag === T.SequenceDelimitation) return { fragments, next: pos };
    if (tag !== T.Item || length === UNDEFINED) {
      throw new DicomError(
        'not-dicom',
        `Compressed pixel data holds ${formatTag(tag)} where a fragment belongs.`,
        { kind: 'fragment-expected', found: formatTag(tag) },
      );
    }
    if (pos + length > bytes.length) {
      throw new DicomError(
        'truncated',
        `A compressed pixel data fragment needs ${length} bytes but the file ends first: it is truncated.`,
        { kind: 'fragment', length },
      );
    }
    fragments.push({ offset: pos, length });
    pos += length;
  }
}

function sniffEncoding(bytes: Uint8Array, at: number): { explicit: boolean; littleEndian: boolean } | null {
  if (at + 8 > bytes.length) return null;
  const gLE = bytes[at] | (bytes[at + 1] << 8);
  const gBE = (bytes[at] << 8) | bytes[at + 1];
  const vrOk =
    isUpper(bytes[at + 4]) &&
    isUpper(bytes[at + 5]) &&
    VALID_VRS.has(String.fromCharCode(bytes[at + 4], bytes[at + 5]));
  const plausible = (g: number): boolean => g >= 0x0002 && g <= 0x0032 && g % 2 === 0;
  if (plausible(gLE)) return { explicit: vrOk, littleEndian: true };
  if (plausible(gBE) && vrOk) return { explicit: true, littleEndian: false };
  return null;
}

/**
 * Parse a DICOM file (or a prefix of it: see {@link ParseOptions.fileSize}). Throws {@link DicomError}
 * for files that are not usable and {@link NeedMoreData} when the prefix is too short.
 */
export function parseDicom(input: Uint8Array, options: ParseOptions = {}): ParsedFile {
  const fileSize = options.fileSize ?? input.length;
  if (fileSize === 0) throw new DicomError('empty-file', 'The file is empty (0 bytes).', { kind: 'empty' });
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const baseCtx: Ctx = {
    bytes: input,
    view,
    sourceSize: fileSize,
    fragments: options.fragments ?? true,
    pixel: null,
    charset: undefined,
  };

  let datasetStart = 0;
  let meta: DataSet | null = null;
  let tsUid: string | undefined;
  const hasPreamble =
    input.length >= 132 &&
    input[128] === 0x44 && input[129] === 0x49 && input[130] === 0x43 && input[131] === 0x4d; // prettier-ignore
  if (!hasPreamble && input.length < 132 && fileSize >= 132) throw new NeedMoreData(Math.min(fileSize, 4096));
  if (hasPreamble) {
    // File Meta Information: always explicit VR little endian, group 0002 only.
    const metaElements = new Map<number, Element>();
    let pos = 132;
    for (;;) {
      if (pos + 8 > fileSize) break;
      ensure(baseCtx, pos + 8, T.FileMetaInformationGroupLength);
      const group = view.getUint16(pos, true);
      if (group !== 0x0002) break;
      const h = readHeader(baseCtx, pos, true, true);
      const valueStart = pos + h.headerSize;
      if (h.length === UNDEFINED)
        throw new DicomError('not-dicom', 'The file meta information is malformed.', {
          kind: 'meta-malformed',
        });
      ensure(baseCtx, valueStart + h.length, h.tag);
      metaElements.set(h.tag, { tag: h.tag, vr: h.vr, offset: valueStart, length: h.length });
      pos = valueStart + h.length;
    }
    meta = new DataSet(input, true, metaElements, undefined);
    tsUid = meta.string(T.TransferSyntaxUID) || undefined;
    datasetStart = pos;
  }

  let guessed = false;
  if (!tsUid) {
    const sniff = sniffEncoding(input, datasetStart);
    if (!sniff) {
      if (input.length < Math.min(fileSize, datasetStart + 8)) throw new NeedMoreData(datasetStart + 8);
      throw new DicomError(
        'not-dicom',
        hasPreamble
          ? 'The file has a DICOM preamble but no readable dataset after it.'
          : 'This is not a DICOM file (no "DICM" marker and no recognisable DICOM attributes at the start).',
        { kind: hasPreamble ? 'preamble-only' : 'no-marker' },
      );
    }
    guessed = true;
    tsUid = sniff.littleEndian ? (sniff.explicit ? EXPLICIT_LE : IMPLICIT_LE) : EXPLICIT_BE;
  }
  const syntax = transferSyntax(tsUid);

  let ctx = baseCtx;
  let inflated: Uint8Array | undefined;
  if (syntax.uid === DEFLATED_LE) {
    if (input.length < fileSize) throw new NeedMoreData(fileSize);
    try {
      inflated = inflateSync(input.subarray(datasetStart));
    } catch {
      throw new DicomError(
        'truncated',
        'The deflated dataset cannot be inflated: the file is damaged or truncated.',
        { kind: 'deflate' },
      );
    }
    ctx = {
      ...baseCtx,
      bytes: inflated,
      view: new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength),
      sourceSize: inflated.length,
    };
    datasetStart = 0;
  }

  const { elements } = parseElements(
    ctx,
    datasetStart,
    ctx.sourceSize,
    syntax.littleEndian,
    syntax.explicitVR,
    0,
  );
  if (elements.size === 0 && !meta) {
    throw new DicomError('not-dicom', 'This is not a DICOM file (no attributes could be read).', {
      kind: 'no-attributes',
    });
  }
  const dataset = new DataSet(ctx.bytes, syntax.littleEndian, elements, ctx.charset);
  let pixel = ctx.pixel;
  if (pixel && inflated) {
    const end = pixel.length >= 0 ? pixel.offset + pixel.length : inflated.length;
    const inline = inflated.slice(pixel.offset, end);
    pixel = {
      ...pixel,
      offset: 0,
      inline,
      fragments: pixel.fragments?.map((f) => ({ offset: f.offset - pixel!.offset, length: f.length })),
    };
  }
  return { meta, dataset, transferSyntax: syntax, transferSyntaxGuessed: guessed, pixelData: pixel };
}
