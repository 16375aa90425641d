/**
 * Node host: decode the frames of a CT series into a HU volume for the AI pipeline, with the shared frame
 * decoder (dicom/decode: native little/big endian, deflate, RLE, sequential JPEG; other encodings are
 * reported) and the shared volume builder (lib/volume).
 */
import { decodeFrame, frameRescale } from '../dicom/decode';
import type { InstanceInfo } from '../dicom/instance';
import { frameGeometry, type Series } from '../dicom/series';
import type { ByteSource } from '../dicom/source';
import { buildSeriesVolume, type Volume } from '../lib/volume';
import { LucentError } from '../lib/errors';

export class PixelError extends LucentError {
  constructor(message: string) {
    super('pixel-data', message);
    this.name = 'PixelError';
  }
}

/** Decode a whole image series (monochrome, axial) into a HU volume. */
export async function seriesVolume(
  series: Series,
  instance: (key: string) => { info: InstanceInfo; source: ByteSource } | undefined,
): Promise<Volume> {
  const frames = series.frames.map((f) => {
    const entry = instance(f.instanceKey);
    const image = entry?.info.image;
    if (!entry || !image || image.samplesPerPixel !== 1)
      throw new PixelError('the series has no monochrome image data');
    return { ...entry, image, frame: f.frame };
  });
  return buildSeriesVolume(
    frames.map((f) => frameGeometry(f.image, f.frame)),
    async (i) => {
      const f = frames[i];
      const { slope, intercept } = frameRescale(f.image, f.frame);
      const values = await decodeFrame(f.info, f.source, f.frame);
      return { values, rows: f.image.rows, columns: f.image.columns, slope, intercept };
    },
  );
}
