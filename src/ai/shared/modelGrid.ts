/**
 * The series on the model's grid, from a whole volume or straight from the slices as a host reads them.
 * Streaming is how the browser's inference worker builds it: the page sends the decoded slices one by
 * one, each is reoriented and resampled on arrival, and the full-resolution volume never exists there
 * (for a 1,000-slice 512² CT that is 524 MB the tab does not hold twice).
 */
import type { InputSpec } from '../registry/manifest';
import {
  planVolume,
  streamSeriesPlanes,
  type SeriesVolumeOptions,
  type SliceGeometry,
  type SliceValues,
} from '../../lib/volume';
import { TooLargeError } from './errors';
import { GridResampler, gridBytes, resampleToGrid, type Grid, type SourceGeometry } from './preprocess';
import type { Volume } from './volume';

/**
 * The most memory one analysis may take for its grid (int16, 375 million voxels), refused before anything
 * is read: the same series are refused as when the grid was float32 and this was 1.5 GB.
 */
export const MAX_GRID_BYTES = 0.75e9;

type GridSpec = Pick<InputSpec, 'pixelSpacingMm' | 'sliceSpacingMm'>;

/** Refuse a series whose grid would not fit, with the size it would need. */
export function checkGridSize(source: SourceGeometry, spec: GridSpec): void {
  const bytes = gridBytes(source, spec.pixelSpacingMm, spec.sliceSpacingMm);
  if (!(bytes <= MAX_GRID_BYTES)) {
    const neededMb = Math.round(bytes / 1e6);
    const limitMb = MAX_GRID_BYTES / 1e6;
    throw new TooLargeError(
      `Resampling this series to ${spec.pixelSpacingMm} mm pixels would need ${neededMb.toLocaleString('en')} MB, more than the ${limitMb} MB an analysis may use.`,
      { pixelSpacingMm: spec.pixelSpacingMm, neededMb, limitMb },
    );
  }
}

/** A source the engine accepts: a whole volume, or a grid already made for this model. */
export type SeriesSource = Volume | Grid;

export const isGrid = (s: SeriesSource): s is Grid => 'nx' in s;

/** The model grid of a source: a volume is resampled; a grid must already have the model's spacing. */
export function modelGrid(source: SeriesSource, spec: GridSpec): Grid {
  if (!isGrid(source)) {
    checkGridSize(source, spec);
    return resampleToGrid(source, spec.pixelSpacingMm, spec.sliceSpacingMm);
  }
  const [sx, sy, sz] = source.spacing;
  if (sx !== spec.pixelSpacingMm || sy !== spec.pixelSpacingMm || sz !== spec.sliceSpacingMm)
    throw new Error(
      `The grid is at ${sx} × ${sy} × ${sz} mm; the model takes ${spec.pixelSpacingMm} × ${spec.pixelSpacingMm} × ${spec.sliceSpacingMm} mm.`,
    );
  return source;
}

/**
 * Read a series slice by slice (`readSlice(i)`, i indexing `geometry`, asked for in ascending z) into
 * the model grid, holding one canonical plane and the one before it besides the grid. Refuses a series
 * too large for its grid before the first slice is read. Same values as resampling the whole volume.
 */
export async function streamModelGrid(
  geometry: readonly SliceGeometry[],
  readSlice: (index: number) => Promise<SliceValues> | SliceValues,
  spec: GridSpec,
  options: SeriesVolumeOptions = {},
): Promise<{ grid: Grid; sliceThickness: number }> {
  const plan = planVolume(geometry);
  const source = { ...plan, slices: geometry.length };
  checkGridSize(source, spec);
  const resampler = new GridResampler(source, spec.pixelSpacingMm, spec.sliceSpacingMm);
  const sliceThickness = await streamSeriesPlanes(plan, geometry, readSlice, resampler, options);
  return { grid: resampler.grid(), sliceThickness };
}
