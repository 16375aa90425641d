/**
 * Node host: decode the frames of a CT series into a HU volume for the AI pipeline, with the shared frame
 * decoder (dicom/decode: native little/big endian, deflate, RLE, sequential JPEG; other encodings are
 * reported) and the shared volume builder (lib/volume), or straight onto a model's grid as the browser does.
 */
import { decodeFrame, frameRescale } from '../dicom/decode';
import type { InstanceInfo } from '../dicom/instance';
import { frameGeometry, type Series } from '../dicom/series';
import type { LoadedSources } from '../dicom/load';
import type { ByteSource } from '../dicom/source';
import { buildSeriesVolume, type SliceGeometry, type SliceValues, type Volume } from '../lib/volume';
import type { InputSpec } from '../ai/registry/manifest';
import { streamModelGrid } from '../ai/shared/modelGrid';
import type { Grid } from '../ai/shared/preprocess';
import { LucentError } from '../lib/errors';

export class PixelError extends LucentError {
  constructor(message: string) {
    super('pixel-data', message);
    this.name = 'PixelError';
  }
}

type InstanceOf = (key: string) => { info: InstanceInfo; source: ByteSource } | undefined;

/** What `seriesVolume` and `seriesGrid` read a series' frames through, over what `loadAll` loaded. */
export function instancesOf(loaded: LoadedSources): InstanceOf {
  const byKey = new Map(loaded.instances.map((i) => [i.key, i]));
  return (key) => {
    const inst = byKey.get(key);
    const source = loaded.sources.get(key);
    return inst && source ? { info: inst.info, source } : undefined;
  };
}

/** A series' slice geometry (headers only) and a reader that decodes slice i when asked. */
function seriesSlices(
  series: Series,
  instance: InstanceOf,
): { geometry: SliceGeometry[]; readSlice: (i: number) => Promise<SliceValues> } {
  const frames = series.frames.map((f) => {
    const entry = instance(f.instanceKey);
    const image = entry?.info.image;
    if (!entry || !image || image.samplesPerPixel !== 1)
      throw new PixelError('the series has no monochrome image data');
    return { ...entry, image, frame: f.frame };
  });
  return {
    geometry: frames.map((f) => frameGeometry(f.image, f.frame)),
    readSlice: async (i) => {
      const f = frames[i];
      const { slope, intercept } = frameRescale(f.image, f.frame);
      const values = await decodeFrame(f.info, f.source, f.frame);
      return { values, rows: f.image.rows, columns: f.image.columns, slope, intercept };
    },
  };
}

/** Decode a whole image series (monochrome, axial) into a HU volume. */
export async function seriesVolume(series: Series, instance: InstanceOf): Promise<Volume> {
  const { geometry, readSlice } = seriesSlices(series, instance);
  return buildSeriesVolume(geometry, readSlice);
}

/**
 * Decode a series straight onto a model's grid, one slice at a time, as the browser's inference worker
 * does: the full-resolution volume is never held.
 */
export async function seriesGrid(series: Series, instance: InstanceOf, spec: InputSpec): Promise<Grid> {
  const { geometry, readSlice } = seriesSlices(series, instance);
  return (await streamModelGrid(geometry, readSlice, spec)).grid;
}
