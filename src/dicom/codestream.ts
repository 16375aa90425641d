/**
 * Small, well-defined corrections to encoded frames before they reach a codec, for real-world files whose
 * codestream disagrees with their DICOM header. Each returns the input unchanged when no fix applies.
 */
import type { ImageInfo } from './instance';
import { DicomError } from './parse';

/** Sign and precision of the first component in a JPEG 2000 codestream's SIZ segment. */
export function j2kSampleFormat(frame: Uint8Array): { signed: boolean; precision: number } | null {
  // The SIZ marker (FF51) follows SOC (FF4F) in a raw codestream, or sits inside a JP2 header box.
  for (let i = 0; i + 41 < Math.min(frame.length, 4096); i++) {
    if (frame[i] === 0xff && frame[i + 1] === 0x51) {
      const ssiz = frame[i + 40];
      return { signed: (ssiz & 0x80) !== 0, precision: (ssiz & 0x7f) + 1 };
    }
  }
  return null;
}

/**
 * A JPEG 2000 codestream that stores unsigned samples while the DICOM header says signed (Pixel
 * Representation 1) at the same precision is an encoder error: decoders disagree on how to read it and the
 * browser codec's level shift gives values offset by half the range. Returns the refusal (an
 * `invalid-attribute` {@link DicomError}), or null when the header and codestream agree.
 */
export function j2kSignMismatch(
  frame: Uint8Array,
  image: Pick<ImageInfo, 'pixelRepresentation'>,
): DicomError | null {
  if (image.pixelRepresentation !== 1) return null;
  const f = j2kSampleFormat(frame);
  if (!f || f.signed) return null;
  return new DicomError(
    'invalid-attribute',
    `The JPEG 2000 data holds unsigned ${f.precision}-bit samples but the DICOM header says they are signed (Pixel Representation 1): the pixel values cannot be trusted, so the image is not displayed.`,
    { kind: 'j2k-sign', precision: f.precision },
  );
}

const APP14_ADOBE_NO_TRANSFORM = new Uint8Array([
  0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

/**
 * A three-component JPEG whose DICOM header says RGB must be decoded without a colour transform. libjpeg
 * assumes YCbCr when there is neither a JFIF nor an Adobe marker (or follows an Adobe marker that says
 * YCbCr): insert, or correct, an Adobe APP14 marker that says "no transform". The DICOM header wins, as
 * in GDCM and pydicom.
 */
export function markJpegRgb(
  frame: Uint8Array,
  image: Pick<ImageInfo, 'photometricInterpretation' | 'samplesPerPixel'>,
): Uint8Array {
  if (image.photometricInterpretation !== 'RGB' || image.samplesPerPixel !== 3) return frame;
  if (frame[0] !== 0xff || frame[1] !== 0xd8) return frame;
  let i = 2;
  while (i + 4 <= frame.length && frame[i] === 0xff) {
    const marker = frame[i + 1];
    const length = (frame[i + 2] << 8) | frame[i + 3];
    // A valid Adobe segment carries 12 data bytes; shorter ones are ignored by libjpeg.
    if (marker === 0xee && length >= 14 && frame[i + 4] === 0x41) {
      // The DICOM header is authoritative: make the transform flag say "none".
      const at = i + 15;
      if (frame[at] === 0) return frame;
      const out = frame.slice();
      out[at] = 0;
      return out;
    }
    if (marker === 0xe0 && frame[i + 4] === 0x4a && frame[i + 5] === 0x46) return frame; // JFIF: YCbCr by definition
    if (marker === 0xda || marker === 0xd9) break; // start of scan: no marker found before it
    if ((marker >= 0xc0 && marker <= 0xc3) || (marker >= 0xc5 && marker <= 0xcb)) {
      const ncomp = frame[i + 9];
      // Component ids 'R','G','B' already tell libjpeg the data is RGB.
      if (ncomp === 3 && frame[i + 10] === 0x52 && frame[i + 13] === 0x47 && frame[i + 16] === 0x42)
        return frame;
    }
    i += 2 + length;
  }
  const out = new Uint8Array(frame.length + APP14_ADOBE_NO_TRANSFORM.length);
  out.set(frame.subarray(0, 2), 0);
  out.set(APP14_ADOBE_NO_TRANSFORM, 2);
  out.set(frame.subarray(2), 2 + APP14_ADOBE_NO_TRANSFORM.length);
  return out;
}

/**
 * Native YBR_FULL_422 stores Y1 Y2 Cb Cr for each pair of pixels. Expand it to YBR_FULL (Y Cb Cr per pixel)
 * by repeating each chroma pair, which is how PS3.3 C.7.6.3.1.2 defines the subsampling.
 */
export function expandYbr422(frame: Uint8Array, rows: number, columns: number): Uint8Array {
  const out = new Uint8Array(rows * columns * 3);
  let src = 0;
  let dst = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c += 2) {
      const y1 = frame[src];
      const y2 = frame[src + 1];
      const cb = frame[src + 2];
      const cr = frame[src + 3];
      src += 4;
      out[dst++] = y1;
      out[dst++] = cb;
      out[dst++] = cr;
      if (c + 1 < columns) {
        out[dst++] = y2;
        out[dst++] = cb;
        out[dst++] = cr;
      }
    }
  }
  return out;
}

/** Native big-endian samples to little-endian (16- and 32-bit words; 8-bit data is unchanged). */
export function swapToLittleEndian(bytes: Uint8Array, bitsAllocated: number): Uint8Array {
  const size = bitsAllocated / 8;
  if (size !== 2 && size !== 4) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let b = 0; b < size; b++) out[i + b] = bytes[i + size - 1 - b];
  }
  return out;
}

/** The largest frame Lucent decodes (decoded bytes): well above any real image, far below a tab's memory. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Refuse a frame whose header describes more decoded bytes than {@link MAX_FRAME_BYTES}. */
export function checkFrameSize(
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: number,
): void {
  const bytes = rows * columns * samplesPerPixel * Math.ceil(bitsAllocated / 8);
  if (!(bytes <= MAX_FRAME_BYTES)) {
    throw new DicomError(
      'unsupported-pixel-format',
      `A ${rows}×${columns} frame of ${samplesPerPixel} × ${bitsAllocated}-bit samples would decode to ${Math.round(bytes / 2 ** 20)} MB, more than Lucent decodes (${MAX_FRAME_BYTES / 2 ** 20} MB).`,
      {
        kind: 'frame-too-large',
        rows,
        columns,
        samples: samplesPerPixel,
        bits: bitsAllocated,
        mb: Math.round(bytes / 2 ** 20),
        limitMb: MAX_FRAME_BYTES / 2 ** 20,
      },
    );
  }
}

/**
 * Decode one DICOM RLE Lossless frame (PS3.5 Annex G) into native little-endian, pixel-interleaved bytes.
 * Segments hold one byte plane each, most significant byte first, one sample after another.
 */
export function decodeRleFrame(
  frame: Uint8Array,
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: number,
): Uint8Array {
  const fail = (why: string): DicomError =>
    new DicomError('decode-failed', `The RLE compressed frame cannot be decoded: ${why}.`);
  if (frame.length < 64) throw fail(`it is ${frame.length} bytes, shorter than the 64-byte RLE header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || segments !== samplesPerPixel * bytesPerSample || segments > 15) {
    throw fail(
      `its header lists ${segments} segments where ${samplesPerPixel} samples of ${bitsAllocated} bits need ${samplesPerPixel * bytesPerSample}`,
    );
  }
  checkFrameSize(rows, columns, samplesPerPixel, bitsAllocated);
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * samplesPerPixel * bytesPerSample);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || end < start || end > frame.length) {
      throw fail(`segment ${s + 1} lies at bytes ${start}–${end} of a ${frame.length}-byte frame`);
    }
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample); // MSB segment first
    const stride = samplesPerPixel * bytesPerSample;
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (frame[i++] << 24) >> 24; // signed header byte
      if (n >= 0) {
        for (let k = 0; k <= n && written < pixels; k++) {
          out[o] = frame[i++];
          o += stride;
          written++;
        }
      } else if (n !== -128) {
        const value = frame[i++];
        for (let k = 0; k < 1 - n && written < pixels; k++) {
          out[o] = value;
          o += stride;
          written++;
        }
      }
    }
    if (written < pixels) throw fail(`segment ${s + 1} ends after ${written} of ${pixels} pixels`);
  }
  return out;
}
