/**
 * Node host: decode the frames of a CT series into a HU volume for the AI pipeline. Handles the encodings
 * Lucent decodes itself (native little/big endian, deflate, RLE, sequential JPEG); others are reported.
 */
import { decodeRleFrame, swapToLittleEndian } from '../dicom/codestream';
import { extractFrame, nativeFrameRange } from '../dicom/frames';
import type { ImageInfo, InstanceInfo } from '../dicom/instance';
import { decodeJpegSequential } from '../dicom/jpeg';
import type { Series } from '../dicom/series';
import type { ByteSource } from '../dicom/source';
import { buildVolume, type SliceInput, type Volume } from '../ai/shared/volume';

const LE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99'];
const BE = '1.2.840.10008.1.2.2';
const RLE = '1.2.840.10008.1.2.5';
const JPEG = ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51'];

export class PixelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PixelError';
  }
}

async function frameSamples(
  info: InstanceInfo,
  source: ByteSource,
  frame: number,
): Promise<Int32Array | Float32Array> {
  const image = info.image as ImageInfo;
  const ts = info.transferSyntaxUID;
  const px = image.pixelData;
  let bytes: Uint8Array;
  if (!px.encapsulated) {
    const { start, end } = nativeFrameRange(image, frame);
    bytes = px.inline
      ? px.inline.subarray(start, end)
      : await source.read(px.offset + start, px.offset + end);
    if (ts === BE) bytes = swapToLittleEndian(bytes, image.bitsAllocated);
    else if (!LE.includes(ts)) throw new PixelError(`unexpected native transfer syntax ${ts}`);
  } else {
    const all = px.inline ?? (await source.read(px.offset, source.size));
    const encoded = extractFrame(image, all, frame, true);
    if (ts === RLE) bytes = decodeRleFrame(encoded, image.rows, image.columns, 1, image.bitsAllocated);
    else if (JPEG.includes(ts)) {
      const d = decodeJpegSequential(encoded);
      return Int32Array.from(d.samples);
    } else
      throw new PixelError(
        `the CLI cannot decode ${ts} pixel data (JPEG-LS, JPEG 2000 and others decode in the browser only)`,
      );
  }
  const n = image.rows * image.columns;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(n);
  const signed = image.pixelRepresentation === 1;
  if (image.bitsAllocated === 16) {
    for (let i = 0; i < n; i++) out[i] = signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true);
  } else if (image.bitsAllocated === 8) {
    for (let i = 0; i < n; i++) out[i] = signed ? view.getInt8(i) : view.getUint8(i);
  } else if (image.bitsAllocated === 32) {
    for (let i = 0; i < n; i++) out[i] = signed ? view.getInt32(4 * i, true) : view.getUint32(4 * i, true);
  } else throw new PixelError(`${image.bitsAllocated}-bit samples are not supported for analysis`);
  return out;
}

/** Decode a whole image series (monochrome, axial) into a HU volume. */
export async function seriesVolume(
  series: Series,
  instance: (key: string) => { info: InstanceInfo; source: ByteSource } | undefined,
): Promise<Volume> {
  const slices: SliceInput[] = [];
  let thickness = series.sliceThickness ?? 0;
  for (const f of series.frames) {
    const entry = instance(f.instanceKey);
    const image = entry?.info.image;
    if (!entry || !image || image.samplesPerPixel !== 1)
      throw new PixelError('the series has no monochrome image data');
    const frameInfo = image.frames[f.frame];
    const position = frameInfo?.position;
    const spacing = frameInfo?.pixelSpacing ?? image.pixelSpacing;
    if (!position || !spacing) throw new PixelError('a slice has no position or pixel spacing');
    const samples = await frameSamples(entry.info, entry.source, f.frame);
    const slope = frameInfo?.rescaleSlope ?? image.rescaleSlope;
    const intercept = frameInfo?.rescaleIntercept ?? image.rescaleIntercept;
    const hu = new Float32Array(samples.length);
    for (let i = 0; i < hu.length; i++) hu[i] = samples[i] * slope + intercept;
    thickness = thickness || (frameInfo?.sliceThickness ?? image.sliceThickness ?? 0);
    slices.push({
      position: [position[0], position[1], position[2]],
      orientation: frameInfo?.orientation,
      rows: image.rows,
      columns: image.columns,
      pixelSpacing: [spacing[0], spacing[1]],
      hu,
    });
  }
  return buildVolume(slices, thickness);
}
