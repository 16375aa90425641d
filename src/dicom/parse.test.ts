import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFile, dcmdumpValue, sourceOf } from '../../test/support/corpus';
import { parseSource, readInstance } from './read';
import { T } from './tags';

/** Image files of the pydicom corpus, one per encoding Lucent must read. */
const IMAGES = [
  'CT_small.dcm', // explicit VR little endian
  'MR_small_implicit.dcm', // implicit VR little endian
  'MR_small_bigendian.dcm', // explicit VR big endian
  'MR_small_RLE.dcm', // RLE lossless
  'JPEG-lossy.dcm', // JPEG extended
  'SC_rgb_jpeg_dcmtk.dcm', // JPEG baseline, YBR_FULL
  'SC_rgb_jpeg_gdcm.dcm', // JPEG lossless SV1
  'MR_small_jpeg_ls_lossless.dcm', // JPEG-LS
  'MR_small_jp2klossless.dcm', // JPEG 2000 lossless
  'JPEG2000.dcm', // JPEG 2000
  'SC_rgb_rle_2frame.dcm', // multi-frame RLE RGB
  'rtdose.dcm', // multi-frame implicit
  'image_dfl.dcm', // deflated
  'SC_ybr_full_422_uncompressed.dcm', // YBR_FULL_422 native
];

describe('parseDicom agrees with dcmtk on real files', () => {
  it.each(IMAGES)('%s', async (name) => {
    const path = corpusFile(name);
    const parsed = await parseSource(sourceOf(path));
    const ds = parsed.dataset;
    expect(String(ds.number(T.Rows))).toBe(dcmdumpValue(path, '0028,0010'));
    expect(String(ds.number(T.Columns))).toBe(dcmdumpValue(path, '0028,0011'));
    expect(String(ds.number(T.BitsAllocated))).toBe(dcmdumpValue(path, '0028,0100'));
    expect(ds.string(T.PhotometricInterpretation)).toBe(dcmdumpValue(path, '0028,0004'));
    expect(ds.string(T.SOPInstanceUID)).toBe(dcmdumpValue(path, '0008,0018'));
    expect(ds.string(T.SeriesInstanceUID)).toBe(dcmdumpValue(path, '0020,000e'));
    expect(parsed.pixelData).not.toBeNull();
    const r = await readInstance(sourceOf(path));
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    const image = r.info.image;
    const frames = dcmdumpValue(path, '0028,0008');
    expect(image?.numberOfFrames).toBe(frames ? Number(frames) : 1);
    const ipp = dcmdumpValue(path, '0020,0032');
    if (ipp && image?.numberOfFrames === 1) {
      expect(image.frames[0]?.position).toEqual(ipp.split('\\').map(Number));
    }
  });

  it('reads only the header of a large file', async () => {
    const path = corpusFile('CT_small.dcm');
    const small = await parseSource(sourceOf(path));
    const at = small.pixelData?.offset ?? 0;
    // Same header, with 8 MB of pixel data: the reader must not read the pixels to place the image.
    const pixels = 8 * 1024 * 1024;
    const bytes = new Uint8Array(at + pixels);
    bytes.set((await sourceOf(path).read(0, at)).subarray(0, at));
    new DataView(bytes.buffer).setUint32(at - 4, pixels, true);
    let maxRead = 0;
    const parsed = await parseSource({
      name: 'big.dcm',
      size: bytes.length,
      read: (s, e) => {
        maxRead = Math.max(maxRead, e);
        return Promise.resolve(bytes.subarray(s, e));
      },
    });
    expect(parsed.pixelData).toMatchObject({ offset: at, length: pixels, encapsulated: false });
    expect(maxRead).toBeLessThan(at + 128 * 1024);
    expect(parsed.dataset.number(T.RescaleIntercept)).toBe(Number(dcmdumpValue(path, '0028,1052')));
  });

  it('decodes person names in the declared character set', async () => {
    const path = corpusFile('CT_small.dcm');
    const r = await readInstance(sourceOf(path));
    expect(r.ok && r.info.patient.name).toBe(dcmdumpValue(path, '0010,0010'));
  });
});

describe('broken and unusual files get a specific reason', () => {
  const cases: [string, string][] = [
    ['MR_truncated.dcm', 'truncated'],
    ['rtplan_truncated.dcm', 'truncated'],
    ['README.txt', 'not-dicom'],
    ['test1.json', 'not-dicom'],
    ['badVR.dcm', 'invalid-attribute'],
    ['UN_sequence.dcm', 'invalid-attribute'],
    ['SC_rgb_rle_16bit.dcm', 'unsupported-pixel-format'],
    ['J2K_pixelrep_mismatch.dcm', 'invalid-attribute'],
    ['dicomdirtests/TINY_ALPHA/PT000000/ST000000/SE000000/IM000000', 'no-pixel-data'],
  ];
  it.each(cases)('%s → %s', async (name, code) => {
    const r = await readInstance(sourceOf(corpusFile(name), name));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.error.file).toBe(name);
    expect(r.error.message.length).toBeGreaterThan(20);
  });

  it('an empty file is reported as empty', async () => {
    const r = await readInstance({
      name: 'empty.dcm',
      size: 0,
      read: () => Promise.resolve(new Uint8Array()),
    });
    expect(!r.ok && r.error.code).toBe('empty-file');
  });

  it('lists non-image objects with their kind', async () => {
    const expectations: [string, string][] = [
      ['test-SR.dcm', 'SR'],
      ['liver_1frame.dcm', 'SEG'],
      ['rtstruct.dcm', 'RTSTRUCT'],
      ['waveform_ecg.dcm', 'ECG'],
    ];
    for (const [name, label] of expectations) {
      const r = await readInstance(sourceOf(corpusFile(name)));
      expect(r.ok && r.info.kind).toBe('non-image');
      expect(r.ok && r.info.label).toBe(label);
    }
  });
});

describe('64-bit VRs', () => {
  it('reads an Extended Offset Table (OV, 4-byte length) and the pixel data after it', async () => {
    // CT_small.dcm with (7FE0,0001) OV = [0] inserted before its Pixel Data: what a 2019+ writer adds.
    const original = new Uint8Array(readFileSync(corpusFile('CT_small.dcm')));
    const pixelTag = [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]; // (7FE0,0010) OW
    const at = original.findIndex((_, i) => pixelTag.every((b, k) => original[i + k] === b));
    const eot = [0xe0, 0x7f, 0x01, 0x00, 0x4f, 0x56, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const bytes = new Uint8Array([...original.subarray(0, at), ...eot, ...original.subarray(at)]);
    const path = join(mkdtempSync(join(tmpdir(), 'lucent-ov-')), 'ct_eot.dcm');
    writeFileSync(path, bytes);
    expect(dcmdumpValue(path, '7fe0,0001')).toBe('0'); // dcmtk reads the file the same way
    const parsed = await parseSource(sourceOf(path));
    expect(parsed.dataset.numbers(T.ExtendedOffsetTable)).toEqual([0]);
    const plain = await parseSource(sourceOf(corpusFile('CT_small.dcm')));
    expect(parsed.pixelData?.length).toBe(plain.pixelData?.length);
    expect(parsed.pixelData?.offset).toBe((plain.pixelData?.offset ?? 0) + eot.length);
  });
});
