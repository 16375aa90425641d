/**
 * Frame extraction: given the bytes of a pixel data element (or the whole file), return the encoded
 * bytes of one frame, ready for a codec. Handles native frames, encapsulated fragments with or without a
 * Basic Offset Table, and the Extended Offset Table.
 */
import { DicomError, readFragments, type Fragment } from './parse';
import { nativeFrameBytes, type ImageInfo } from './instance';

const JPEG_SOI = [0xff, 0xd8];
const J2K_SOC = [0xff, 0x4f, 0xff, 0x51];
const JP2_SIG = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50];

function startsWith(bytes: Uint8Array, at: number, sig: readonly number[]): boolean {
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

/** Bytes of one native (uncompressed) frame. For 1-bit data the frames are bit-packed across the element. */
export function nativeFrameRange(image: ImageInfo, frame: number): { start: number; end: number } {
  const pixels = image.rows * image.columns * image.samplesPerPixel;
  if (image.bitsAllocated === 1) {
    const startBit = pixels * frame;
    return { start: Math.floor(startBit / 8), end: Math.ceil((startBit + pixels) / 8) };
  }
  const size = nativeFrameBytes(
    image.rows,
    image.columns,
    image.samplesPerPixel,
    image.bitsAllocated,
    image.photometricInterpretation,
  );
  return { start: size * frame, end: size * (frame + 1) };
}

function concat(bytes: Uint8Array, parts: readonly Fragment[]): Uint8Array {
  if (parts.length === 1) {
    const p = parts[0];
    return bytes.subarray(p.offset, p.offset + p.length);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(bytes.subarray(p.offset, p.offset + p.length), o);
    o += p.length;
  }
  return out;
}

/**
 * Group encapsulated fragments into frames. `fragments[0]` is the Basic Offset Table item.
 * `extendedOffsets` comes from (7FE0,0001) when present.
 */
export function framesFromFragments(
  bytes: Uint8Array,
  fragments: readonly Fragment[],
  numberOfFrames: number,
  extendedOffsets?: readonly number[],
): Fragment[][] {
  const [bot, ...data] = fragments;
  if (!bot)
    throw new DicomError('not-dicom', 'Compressed pixel data has no Basic Offset Table item.', {
      kind: 'no-offset-table',
    });
  if (data.length === 0)
    throw new DicomError('no-pixel-data', 'Compressed pixel data holds no fragments.', {
      kind: 'no-fragments',
    });
  if (numberOfFrames === 1) return [data];
  const firstItemStart = data[0].offset - 8;
  const offsetsToFrames = (offsets: readonly number[]): Fragment[][] => {
    const frames: Fragment[][] = offsets.map(() => []);
    for (const f of data) {
      const rel = f.offset - 8 - firstItemStart;
      let k = offsets.length - 1;
      while (k > 0 && rel < offsets[k]) k--;
      frames[k]?.push(f);
    }
    return frames;
  };
  if (extendedOffsets && extendedOffsets.length === numberOfFrames) return offsetsToFrames(extendedOffsets);
  if (bot.length >= 4 * numberOfFrames) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + bot.offset, bot.length);
    const offsets: number[] = [];
    for (let i = 0; i < numberOfFrames; i++) offsets.push(view.getUint32(i * 4, true));
    return offsetsToFrames(offsets);
  }
  if (data.length === numberOfFrames) return data.map((f) => [f]);
  // No offset table: a new frame starts at each fragment that begins with a codestream marker.
  const frames: Fragment[][] = [];
  for (const f of data) {
    const starts =
      startsWith(bytes, f.offset, JPEG_SOI) ||
      startsWith(bytes, f.offset, J2K_SOC) ||
      startsWith(bytes, f.offset, JP2_SIG);
    if (starts || frames.length === 0) frames.push([f]);
    else frames[frames.length - 1]?.push(f);
  }
  if (frames.length !== numberOfFrames) {
    throw new DicomError(
      'invalid-attribute',
      `Compressed pixel data holds ${frames.length} frames but Number of Frames says ${numberOfFrames}.`,
      { kind: 'frame-count-mismatch', found: frames.length, declared: numberOfFrames },
    );
  }
  return frames;
}

/**
 * The encoded bytes of frame `frame`, from `bytes` which hold the pixel data element's value starting at
 * offset 0 (for encapsulated data: from the first item tag up to the sequence delimiter or the file end).
 */
export function extractFrame(
  image: ImageInfo,
  bytes: Uint8Array,
  frame: number,
  encapsulated: boolean,
  extendedOffsets?: readonly number[],
): Uint8Array {
  if (frame < 0 || frame >= image.numberOfFrames) {
    throw new DicomError(
      'invalid-attribute',
      `Frame ${frame + 1} does not exist (the image has ${image.numberOfFrames}).`,
      { kind: 'no-such-frame', frame: frame + 1, frames: image.numberOfFrames },
    );
  }
  if (!encapsulated) {
    const { start, end } = nativeFrameRange(image, frame);
    if (end > bytes.length) {
      throw new DicomError(
        'truncated',
        `Frame ${frame + 1} lies beyond the end of the pixel data: it is truncated.`,
        { kind: 'frame-beyond', frame: frame + 1 },
      );
    }
    return bytes.subarray(start, end);
  }
  const { fragments } = readFragments(bytes, 0);
  const frames = framesFromFragments(bytes, fragments, image.numberOfFrames, extendedOffsets);
  const parts = frames[frame];
  if (!parts || parts.length === 0) {
    throw new DicomError('no-pixel-data', `Frame ${frame + 1} has no compressed data.`, {
      kind: 'frame-empty',
      frame: frame + 1,
    });
  }
  return concat(bytes, parts);
}
