import { describe, expect, it } from 'vitest';
import { corpusFile, sourceOf } from '../../test/support/corpus';
import { pydicomPixels } from '../../test/support/pydicomPixels';
import {
  decodeFrame,
  decodeOwn,
  decodesItself,
  frameFormat,
  monochromeSamples,
  readEncodedFrame,
  type FrameFormat,
} from './decode';
import type { InstanceInfo } from './instance';
import { DicomError } from './parse';
import { readInstance } from './read';
import type { ByteSource } from './source';
import { EXPLICIT_BE, EXPLICIT_LE, JPEG2000, JPEG_EXTENDED, RLE_LOSSLESS } from './transferSyntax';

async function open(name: string): Promise<{ info: InstanceInfo; source: ByteSource }> {
  const source = sourceOf(corpusFile(name));
  const r = await readInstance(source);
  if (!r.ok || !r.info.image) throw new Error(`not an image: ${name}`);
  return { info: r.info, source };
}

/** Every frame of a file through Lucent's decoder, as one array of stored values. */
async function allFrames(name: string): Promise<Int32Array> {
  const { info, source } = await open(name);
  const frames = info.image?.numberOfFrames ?? 0;
  const parts: Int32Array[] = [];
  for (let k = 0; k < frames; k++) parts.push(await decodeFrame(info, source, k));
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('the shared frame decoder', () => {
  // Lossless encodings: every stored value equals what pydicom decodes, frame by frame.
  it.each([
    'MR_small.dcm', // explicit little endian
    'MR_small_implicit.dcm',
    'MR_small_bigendian.dcm', // 16-bit big endian
    'MR_small_expb.dcm',
    'MR_small_RLE.dcm',
    'MR_small_padded.dcm',
    'CT_small.dcm', // signed
    'rtdose.dcm', // 32-bit, 15 frames
    'rtdose_expb.dcm', // 32-bit big endian
    'rtdose_rle.dcm', // 32-bit RLE
    'image_dfl.dcm', // deflated dataset
  ])('decodes %s exactly as pydicom does', async (name) => {
    const ref = pydicomPixels(corpusFile(name));
    const mine = await allFrames(name);
    expect(mine.length).toBe(ref.values.length);
    expect(Buffer.from(mine.buffer).equals(Buffer.from(ref.values.buffer))).toBe(true);
  });

  it('decodes 12-bit JPEG Extended within a grey level or two of pydicom (lossy: IDCTs differ)', async () => {
    for (const name of ['JPGExtended.dcm', 'JPEG-lossy.dcm']) {
      const ref = pydicomPixels(corpusFile(name));
      const mine = await allFrames(name);
      expect(mine.length).toBe(ref.values.length);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < mine.length; i++) {
        const d = Math.abs(mine[i] - ref.values[i]);
        worst = Math.max(worst, d);
        sum += d;
      }
      expect(sum / mine.length).toBeLessThan(0.5);
      expect(worst).toBeLessThanOrEqual(2);
    }
  });

  it('expands native YBR_FULL_422 to three samples per pixel', async () => {
    const { info, source } = await open('SC_ybr_full_422_uncompressed.dcm');
    const image = info.image!;
    const encoded = await readEncodedFrame(image, source, 0);
    const out = decodeOwn(frameFormat(image), info.transferSyntaxUID, encoded);
    expect(encoded.length).toBe(image.rows * image.columns * 2);
    expect(out.length).toBe(image.rows * image.columns * 3);
    // Y1 Y2 Cb Cr → (Y1 Cb Cr) (Y2 Cb Cr)
    expect([...out.subarray(0, 6)]).toEqual([
      encoded[0],
      encoded[2],
      encoded[3],
      encoded[1],
      encoded[2],
      encoded[3],
    ]);
  });

  it('refuses, with a reason, what only the browser codecs decode', async () => {
    const { info, source } = await open('JPEG2000.dcm');
    const err = await decodeFrame(info, source, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DicomError);
    expect((err as DicomError).code).toBe('unsupported-transfer-syntax');
    expect((err as DicomError).message).toMatch(/JPEG 2000.*decodes in the browser/);
  });

  it('refuses colour for analysis and odd sample sizes', () => {
    const rgb: FrameFormat = { ...mono(8), samplesPerPixel: 3 };
    expect(() => monochromeSamples(rgb, new Uint8Array(48))).toThrow(/only monochrome/);
    expect(() => monochromeSamples(mono(1), new Uint8Array(2))).toThrow(/1-bit samples/);
    expect(() => monochromeSamples(mono(16), new Uint8Array(4))).toThrow(/decodes to 4 bytes/);
  });

  it('decodes itself in the browser only what the browser codecs get wrong', () => {
    const native = mono(16);
    const rle = { ...mono(16), encapsulated: true };
    // The browser: 12-bit JPEG, big endian over 8 bits, 32-bit RLE, native YBR_FULL_422.
    expect(decodesItself({ ...rle, bitsStored: 12 }, JPEG_EXTENDED, 'browser')).toBe(true);
    expect(decodesItself({ ...rle, bitsStored: 8, bitsAllocated: 8 }, JPEG_EXTENDED, 'browser')).toBe(false);
    expect(decodesItself(native, EXPLICIT_BE, 'browser')).toBe(true);
    expect(decodesItself(mono(8), EXPLICIT_BE, 'browser')).toBe(false);
    expect(decodesItself(rle, RLE_LOSSLESS, 'browser')).toBe(false);
    expect(decodesItself({ ...rle, bitsAllocated: 32 }, RLE_LOSSLESS, 'browser')).toBe(true);
    expect(decodesItself(native, EXPLICIT_LE, 'browser')).toBe(false);
    const ybr = { ...mono(8), samplesPerPixel: 3, photometricInterpretation: 'YBR_FULL_422' };
    expect(decodesItself(ybr, EXPLICIT_LE, 'browser')).toBe(true);
    // Node: everything Lucent can decode, nothing else.
    expect(decodesItself(native, EXPLICIT_LE, 'none')).toBe(true);
    expect(decodesItself(rle, RLE_LOSSLESS, 'none')).toBe(true);
    expect(decodesItself(rle, JPEG2000, 'none')).toBe(false);
  });
});

function mono(bitsAllocated: number): FrameFormat {
  return {
    rows: 2,
    columns: 2,
    samplesPerPixel: 1,
    bitsAllocated,
    bitsStored: bitsAllocated,
    pixelRepresentation: 0,
    photometricInterpretation: 'MONOCHROME2',
    encapsulated: false,
  };
}
