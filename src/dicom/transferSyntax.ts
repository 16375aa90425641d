/** Transfer syntaxes: how the dataset is encoded, and whether Lucent can decode its pixel data. */
export interface TransferSyntaxInfo {
  readonly uid: string;
  readonly name: string;
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  readonly deflated: boolean;
  readonly encapsulated: boolean;
  /** Whether the browser's Cornerstone codecs decode this pixel encoding. */
  readonly decodable: boolean;
}

const ts = (
  uid: string,
  name: string,
  options: Partial<Omit<TransferSyntaxInfo, 'uid' | 'name'>> = {},
): TransferSyntaxInfo => ({
  uid,
  name,
  explicitVR: options.explicitVR ?? true,
  littleEndian: options.littleEndian ?? true,
  deflated: options.deflated ?? false,
  encapsulated: options.encapsulated ?? true,
  decodable: options.decodable ?? true,
});

export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
export const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
export const JPEG_SPECTRAL_SELECTION = '1.2.840.10008.1.2.4.53';
export const JPEG_FULL_PROGRESSION = '1.2.840.10008.1.2.4.55';
export const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.57';
export const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
export const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
export const JPEG_LS_NEAR_LOSSLESS = '1.2.840.10008.1.2.4.81';
export const JPEG2000_LOSSLESS = '1.2.840.10008.1.2.4.90';
export const JPEG2000 = '1.2.840.10008.1.2.4.91';
export const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';
export const HTJ2K_LOSSLESS_RPCL = '1.2.840.10008.1.2.4.202';
export const HTJ2K = '1.2.840.10008.1.2.4.203';

/** Native (uncompressed) little-endian encodings: the pixel bytes are the samples. */
export const NATIVE_LITTLE_ENDIAN: ReadonlySet<string> = new Set([IMPLICIT_LE, EXPLICIT_LE, DEFLATED_LE]);
/** JPEG 2000 and High-Throughput JPEG 2000 codestreams. */
export const JPEG2000_FAMILY: ReadonlySet<string> = new Set([
  JPEG2000_LOSSLESS,
  JPEG2000,
  HTJ2K_LOSSLESS,
  HTJ2K_LOSSLESS_RPCL,
  HTJ2K,
]);
/** Lossy by definition of the transfer syntax (Lossy Image Compression may say so for others too). */
export const LOSSY: ReadonlySet<string> = new Set([JPEG_BASELINE, JPEG_EXTENDED, JPEG2000]);

const table: readonly TransferSyntaxInfo[] = [
  ts(IMPLICIT_LE, 'Implicit VR Little Endian', { explicitVR: false, encapsulated: false }),
  ts(EXPLICIT_LE, 'Explicit VR Little Endian', { encapsulated: false }),
  ts(DEFLATED_LE, 'Deflated Explicit VR Little Endian', { deflated: true, encapsulated: false }),
  ts(EXPLICIT_BE, 'Explicit VR Big Endian', { littleEndian: false, encapsulated: false }),
  ts(RLE_LOSSLESS, 'RLE Lossless'),
  ts(JPEG_BASELINE, 'JPEG Baseline (Process 1)'),
  ts(JPEG_EXTENDED, 'JPEG Extended (Process 2 & 4)'),
  ts(JPEG_LOSSLESS, 'JPEG Lossless (Process 14)'),
  ts(JPEG_LOSSLESS_SV1, 'JPEG Lossless (Process 14, SV1)'),
  ts(JPEG_LS_LOSSLESS, 'JPEG-LS Lossless'),
  ts(JPEG_LS_NEAR_LOSSLESS, 'JPEG-LS Near-Lossless'),
  ts(JPEG2000_LOSSLESS, 'JPEG 2000 Lossless'),
  ts(JPEG2000, 'JPEG 2000'),
  ts(HTJ2K_LOSSLESS, 'HTJ2K Lossless'),
  ts(HTJ2K_LOSSLESS_RPCL, 'HTJ2K Lossless RPCL'),
  ts(HTJ2K, 'HTJ2K'),
  ts('1.2.840.10008.1.2.4.52', 'JPEG Extended (Process 3 & 5, retired)', { decodable: false }),
  ts(JPEG_SPECTRAL_SELECTION, 'JPEG Spectral Selection (retired)'),
  ts(JPEG_FULL_PROGRESSION, 'JPEG Full Progression (retired)'),
  ts('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Lossless', { decodable: false }),
  ts('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component', { decodable: false }),
  ts('1.2.840.10008.1.2.4.94', 'JPIP Referenced', { decodable: false }),
  ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile', { decodable: false }),
  ts('1.2.840.10008.1.2.4.101', 'MPEG2 High Profile', { decodable: false }),
  ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264', { decodable: false }),
  ts('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD', { decodable: false }),
  ts('1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 2D', { decodable: false }),
  ts('1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 3D', { decodable: false }),
  ts('1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo', { decodable: false }),
  ts('1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main', { decodable: false }),
  ts('1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10', { decodable: false }),
  ts('1.2.840.10008.1.2.4.110', 'JPEG XL Lossless'),
  ts('1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression'),
  ts('1.2.840.10008.1.2.4.112', 'JPEG XL'),
];

const byUid = new Map(table.map((t) => [t.uid, t]));

/**
 * Look up a transfer syntax. Unknown UIDs are treated as encapsulated explicit little endian (as the
 * standard requires for all compressed syntaxes) and not decodable.
 */
export function transferSyntax(uid: string): TransferSyntaxInfo {
  return byUid.get(uid) ?? ts(uid, `Unknown (${uid})`, { decodable: false });
}

export function isKnownTransferSyntax(uid: string): boolean {
  return byUid.has(uid);
}
