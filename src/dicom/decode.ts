/**
 * One frame decoder for both hosts. Lucent decodes some pixel encodings itself (native little and big
 * endian, deflated, RLE, sequential 8/12-bit JPEG, native YBR_FULL_422) and corrects the codestreams it
 * hands to a host's codecs (Cornerstone's, in the browser). Which frames it decodes itself depends on
 * the codecs the host has: the browser's decode everything but a few encodings they get wrong; the Node
 * host has none. Pure: the browser runs {@link decodeOwn} in a worker, the CLI calls {@link decodeFrame}.
 */
import { decodeRleFrame, expandYbr422, j2kSignMismatch, markJpegRgb, swapToLittleEndian } from './codestream';
import { extractFrame, nativeFrameRange } from './frames';
import type { ImageInfo, InstanceInfo } from './instance';
import { decodeJpegSequential } from './jpeg';
import { DicomError } from './parse';
import type { ByteSource } from './source';
import {
  EXPLICIT_BE,
  EXPLICIT_LE,
  JPEG2000_FAMILY,
  JPEG_BASELINE,
  JPEG_EXTENDED,
  NATIVE_LITTLE_ENDIAN,
  RLE_LOSSLESS,
  transferSyntax,
} from './transferSyntax';

/** What decoding a frame needs to know about its image: small and serialisable (a worker is sent it). */
export interface FrameFormat {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly photometricInterpretation: string;
  /** Whether the pixel data is encapsulated (compressed fragments) rather than native. */
  readonly encapsulated: boolean;
}

export function frameFormat(image: ImageInfo): FrameFormat {
  return {
    rows: image.rows,
    columns: image.columns,
    samplesPerPixel: image.samplesPerPixel,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    pixelRepresentation: image.pixelRepresentation,
    photometricInterpretation: image.photometricInterpretation,
    encapsulated: image.pixelData.encapsulated,
  };
}

/**
 * The codecs a host has besides Lucent's own: `browser` (Cornerstone's, in their workers) or `none`
 * (the Node host, which decodes only what Lucent can).
 */
export type HostCodecs = 'browser' | 'none';

/** Whether Lucent decodes this image's frames itself on a host (otherwise the host's codecs do). */
export function decodesItself(f: FrameFormat, transferSyntaxUID: string, codecs: HostCodecs): boolean {
  const ts = transferSyntaxUID;
  if (codecs === 'none') {
    if (!f.encapsulated) return NATIVE_LITTLE_ENDIAN.has(ts) || ts === EXPLICIT_BE;
    return ts === RLE_LOSSLESS || ts === JPEG_BASELINE || ts === JPEG_EXTENDED;
  }
  // The browser codecs' mistakes: a level-shift error of ~15 on 12-bit JPEG, 32-bit big endian and
  // 32-bit RLE samples, and native YBR_FULL_422 (which they do not expand).
  if (ts === JPEG_EXTENDED && f.bitsStored > 8 && f.samplesPerPixel === 1) return true;
  if (ts === EXPLICIT_BE && f.bitsAllocated > 8) return true;
  if (ts === RLE_LOSSLESS && f.bitsAllocated === 32) return true;
  return !f.encapsulated && f.photometricInterpretation === 'YBR_FULL_422' && f.bitsAllocated === 8;
}

function notDecodedByLucent(ts: string): DicomError {
  return new DicomError(
    'unsupported-transfer-syntax',
    `Lucent's own decoders do not read ${transferSyntax(ts).name} pixel data: it decodes in the browser (with the codecs for JPEG-LS, JPEG 2000 and others), not in the command line.`,
    { kind: 'command-line', transferSyntax: ts, name: transferSyntax(ts).name },
  );
}

function jpegToNative(f: FrameFormat, encoded: Uint8Array): Uint8Array {
  const d = decodeJpegSequential(encoded);
  if (f.bitsAllocated === 16) {
    const words = d.samples instanceof Uint16Array ? d.samples : new Uint16Array(d.samples);
    return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  }
  if (f.bitsAllocated === 8 && d.samples instanceof Uint8Array) return d.samples;
  throw new DicomError(
    'decode-failed',
    `The JPEG data holds ${d.precision}-bit samples but Bits Allocated (0028,0100) is ${f.bitsAllocated}.`,
    { kind: 'jpeg-precision', precision: d.precision, bitsAllocated: f.bitsAllocated },
  );
}

/**
 * Lucent's own decoding of one encoded frame: native little-endian, pixel-interleaved bytes of
 * `bitsAllocated` per sample (YBR_FULL_422 expanded to three samples per pixel). Throws
 * {@link DicomError} for an encoding it does not decode.
 */
export function decodeOwn(f: FrameFormat, transferSyntaxUID: string, encoded: Uint8Array): Uint8Array {
  const ts = transferSyntaxUID;
  let bytes: Uint8Array;
  if (!f.encapsulated) {
    if (ts === EXPLICIT_BE) bytes = swapToLittleEndian(encoded, f.bitsAllocated);
    else if (NATIVE_LITTLE_ENDIAN.has(ts)) bytes = encoded;
    else
      throw new DicomError(
        'unsupported-transfer-syntax',
        `Native pixel data under ${transferSyntax(ts).name} is not expected.`,
        { kind: 'native-unexpected', transferSyntax: ts, name: transferSyntax(ts).name },
      );
  } else if (ts === RLE_LOSSLESS) {
    bytes = decodeRleFrame(encoded, f.rows, f.columns, f.samplesPerPixel, f.bitsAllocated);
  } else if (ts === JPEG_BASELINE || ts === JPEG_EXTENDED) {
    bytes = jpegToNative(f, encoded);
  } else {
    throw notDecodedByLucent(ts);
  }
  if (!f.encapsulated && f.photometricInterpretation === 'YBR_FULL_422' && f.bitsAllocated === 8) {
    bytes = expandYbr422(bytes, f.rows, f.columns);
  }
  return bytes;
}

/**
 * The corrections a codestream needs before a host codec decodes it (real files whose codestream
 * disagrees with their header). Throws {@link DicomError} when the values could not be trusted.
 */
export function correctForCodec(f: FrameFormat, transferSyntaxUID: string, encoded: Uint8Array): Uint8Array {
  if (JPEG2000_FAMILY.has(transferSyntaxUID)) {
    const refused = j2kSignMismatch(encoded, f);
    if (refused) throw refused;
    return encoded;
  }
  if (transferSyntaxUID === JPEG_BASELINE) return markJpegRgb(encoded, f);
  return encoded;
}

/** The transfer syntax of what {@link decodeOwn} returns: native explicit little endian. */
export const DECODED_TRANSFER_SYNTAX = EXPLICIT_LE;

/**
 * The encoded bytes of one frame, read from the instance's source: only the frame's bytes for native
 * data; for encapsulated data the whole pixel data element, which `encapsulated` may supply (a host's
 * cache, so that multi-frame files are read once).
 */
export async function readEncodedFrame(
  image: ImageInfo,
  source: ByteSource,
  frame: number,
  encapsulated?: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const px = image.pixelData;
  if (px.inline) return extractFrame(image, px.inline, frame, px.encapsulated);
  if (!px.encapsulated) {
    const { start, end } = nativeFrameRange(image, frame);
    const bytes = await source.read(px.offset + start, px.offset + end);
    if (bytes.length < end - start)
      throw new DicomError('truncated', 'The pixel data ends early: the file is truncated.', {
        kind: 'frame-short',
      });
    return bytes;
  }
  const all = await (encapsulated?.() ?? source.read(px.offset, source.size));
  return extractFrame(image, all, frame, true);
}

/** Rescale slope and intercept of one frame (per-frame functional groups first, then the image's). */
export function frameRescale(image: ImageInfo, frame: number): { slope: number; intercept: number } {
  const f = image.frames[frame];
  return {
    slope: f?.rescaleSlope ?? image.rescaleSlope,
    intercept: f?.rescaleIntercept ?? image.rescaleIntercept,
  };
}

/** Stored sample values of a monochrome frame from native little-endian bytes (sign per Pixel Representation). */
export function monochromeSamples(f: FrameFormat, native: Uint8Array): Int32Array {
  if (f.samplesPerPixel !== 1) {
    throw new DicomError(
      'unsupported-pixel-format',
      `The image has ${f.samplesPerPixel} samples per pixel; only monochrome images can be analysed.`,
      { kind: 'not-monochrome', samples: f.samplesPerPixel },
    );
  }
  const n = f.rows * f.columns;
  const view = new DataView(native.buffer, native.byteOffset, native.byteLength);
  const size = f.bitsAllocated / 8;
  if (native.byteLength < n * size) {
    throw new DicomError(
      'decode-failed',
      `The frame decodes to ${native.byteLength} bytes, not the ${f.rows}×${f.columns} image its header describes.`,
      { kind: 'frame-size', bytes: native.byteLength, rows: f.rows, columns: f.columns },
    );
  }
  const out = new Int32Array(n);
  const signed = f.pixelRepresentation === 1;
  if (f.bitsAllocated === 16) {
    for (let i = 0; i < n; i++) out[i] = signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true);
  } else if (f.bitsAllocated === 8) {
    for (let i = 0; i < n; i++) out[i] = signed ? view.getInt8(i) : view.getUint8(i);
  } else if (f.bitsAllocated === 32) {
    for (let i = 0; i < n; i++) out[i] = signed ? view.getInt32(4 * i, true) : view.getUint32(4 * i, true);
  } else {
    throw new DicomError(
      'unsupported-pixel-format',
      `${f.bitsAllocated}-bit samples are not supported for analysis.`,
      { kind: 'bits', bits: f.bitsAllocated },
    );
  }
  return out;
}

/**
 * Decode one monochrome frame with Lucent's own decoders (the Node host's path): the stored values,
 * before rescaling. Throws {@link DicomError} for encodings only the browser decodes.
 */
export async function decodeFrame(
  info: InstanceInfo,
  source: ByteSource,
  frame: number,
): Promise<Int32Array> {
  const image = info.image;
  if (!image)
    throw new DicomError('no-pixel-data', `${info.label} objects hold no image to decode.`, {
      kind: 'not-an-image',
      label: info.label,
    });
  const format = frameFormat(image);
  // Refuse before reading: an encapsulated frame's read is the whole pixel data element.
  if (!decodesItself(format, info.transferSyntaxUID, 'none'))
    throw notDecodedByLucent(info.transferSyntaxUID);
  const encoded = await readEncodedFrame(image, source, frame);
  return monochromeSamples(format, decodeOwn(format, info.transferSyntaxUID, encoded));
}
