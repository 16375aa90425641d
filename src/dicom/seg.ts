/**
 * DICOM Segmentation objects (SEG, SOP class 1.2.840.10008.5.1.4.1.1.66.4): what they mark and where.
 * `readSegmentation` reads a SEG's segments (number, label, the property it codes) and its frames (the
 * segment each shows, where it lies: Plane Position, the source image it derives from, its mask: BINARY
 * bit-packed or FRACTIONAL bytes, thresholded at half the maximum fractional value); `placeSegmentation`
 * puts every frame on a slice of an image series (through its Derivation Image reference, else through
 * its position along the slice normal), or says which frames cannot be placed. Pure.
 */
import { sameOrientation } from '../lib/volume';
import { err, ok, type Result } from '../lib/result';
import type { DataSet } from './dataset';
import { cross, dot, normalize, type Vec3 } from './geometry';
import type { SliceMask, SliceMasks } from '../lib/sliceMasks';
import { tag } from './tags';

export const SEG_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';

const S = {
  SOPClassUID: tag(0x0008, 0x0016),
  ContentDate: tag(0x0008, 0x0023),
  ContentTime: tag(0x0008, 0x0033),
  SeriesInstanceUID: tag(0x0020, 0x000e),
  FrameOfReferenceUID: tag(0x0020, 0x0052),
  Rows: tag(0x0028, 0x0010),
  Columns: tag(0x0028, 0x0011),
  NumberOfFrames: tag(0x0028, 0x0008),
  BitsAllocated: tag(0x0028, 0x0100),
  SegmentationType: tag(0x0062, 0x0001),
  SegmentSequence: tag(0x0062, 0x0002),
  SegmentNumber: tag(0x0062, 0x0004),
  SegmentLabel: tag(0x0062, 0x0005),
  SegmentDescription: tag(0x0062, 0x0006),
  SegmentedPropertyTypeCodeSequence: tag(0x0062, 0x000f),
  SegmentedPropertyTypeModifierCodeSequence: tag(0x0062, 0x0011),
  MaximumFractionalValue: tag(0x0062, 0x000e),
  CodeMeaning: tag(0x0008, 0x0104),
  SharedFunctionalGroups: tag(0x5200, 0x9229),
  PerFrameFunctionalGroups: tag(0x5200, 0x9230),
  PlanePositionSequence: tag(0x0020, 0x9113),
  ImagePositionPatient: tag(0x0020, 0x0032),
  PlaneOrientationSequence: tag(0x0020, 0x9116),
  ImageOrientationPatient: tag(0x0020, 0x0037),
  PixelMeasuresSequence: tag(0x0028, 0x9110),
  PixelSpacing: tag(0x0028, 0x0030),
  DerivationImageSequence: tag(0x0008, 0x9124),
  SourceImageSequence: tag(0x0008, 0x2112),
  ReferencedSOPInstanceUID: tag(0x0008, 0x1155),
  ReferencedFrameNumber: tag(0x0008, 0x1160),
  SegmentIdentificationSequence: tag(0x0062, 0x000a),
  ReferencedSegmentNumber: tag(0x0062, 0x000b),
  ReferencedSeriesSequence: tag(0x0008, 0x1115),
} as const;

/** One segment: what the SEG says it marks (its words only; practice/ decides what they mean). */
export interface SegSegment {
  readonly number: number;
  readonly label: string;
  /** Segment Description, and the code meanings of its Segmented Property Type (with its modifiers). */
  readonly words: readonly string[];
}

/** A frame of a SEG: one segment's mask on one plane. */
export interface SegFrame {
  readonly segment: number;
  /** Image Position (Patient) of its first pixel, when the SEG gives one. */
  readonly position?: Vec3;
  /** The source images it was derived from (SOP Instance UID and 1-based frame number, when given). */
  readonly sources: readonly { readonly sopInstanceUID: string; readonly frame?: number }[];
  /** rows × columns, 1 inside the segment. */
  readonly mask: Uint8Array;
}

export interface Segmentation {
  readonly seriesInstanceUID: string;
  /** The image series the SEG says it segments (Referenced Series Sequence). */
  readonly referencedSeries: readonly string[];
  readonly frameOfReferenceUID?: string;
  /** Content date and time (YYYYMMDD, HHMMSS…), when given. */
  readonly contentDate?: string;
  readonly contentTime?: string;
  readonly type: 'BINARY' | 'FRACTIONAL';
  readonly rows: number;
  readonly columns: number;
  readonly orientation: readonly [number, number, number, number, number, number];
  /** [row spacing, column spacing] in mm. */
  readonly pixelSpacing: readonly [number, number];
  readonly segments: readonly SegSegment[];
  readonly frames: readonly SegFrame[];
}

/** Why a SEG cannot be read: the attribute (DICOM keyword) that is missing or wrong. */
export interface SegReadProblem {
  readonly code: 'seg-unreadable';
  readonly attribute: string;
}

const bad = (attribute: string): Result<never, SegReadProblem> => err({ code: 'seg-unreadable', attribute });

/** An attribute from the frame's own functional group, else the shared one. */
function functional(
  perFrame: DataSet | undefined,
  shared: DataSet | undefined,
  seq: number,
): DataSet | undefined {
  return perFrame?.sequence(seq)[0] ?? shared?.sequence(seq)[0];
}

function vec3(values: readonly number[]): Vec3 | undefined {
  const [x, y, z] = values;
  return values.length === 3 && [x, y, z].every((v) => Number.isFinite(v)) ? [x, y, z] : undefined;
}

function segmentOf(item: DataSet): SegSegment | null {
  const number = item.number(S.SegmentNumber);
  if (number === undefined) return null;
  const words: string[] = [];
  const description = item.string(S.SegmentDescription);
  if (description) words.push(description);
  for (const code of item.sequence(S.SegmentedPropertyTypeCodeSequence)) {
    const meaning = code.string(S.CodeMeaning);
    if (meaning) words.push(meaning);
    for (const m of code.sequence(S.SegmentedPropertyTypeModifierCodeSequence)) {
      const modifier = m.string(S.CodeMeaning);
      if (modifier) words.push(modifier);
    }
  }
  return { number, label: item.string(S.SegmentLabel) ?? '', words };
}

/** Frame `index`'s mask from the pixel data: bits packed across frames (BINARY), or bytes (FRACTIONAL). */
function maskOf(pixels: Uint8Array, index: number, size: number, fractional: number | null): Uint8Array {
  const mask = new Uint8Array(size);
  if (fractional === null) {
    const first = index * size;
    for (let i = 0; i < size; i++) {
      const bit = first + i;
      mask[i] = ((pixels[bit >> 3] ?? 0) >> (bit & 7)) & 1;
    }
  } else {
    const first = index * size;
    for (let i = 0; i < size; i++) mask[i] = (pixels[first + i] ?? 0) * 2 >= fractional ? 1 : 0;
  }
  return mask;
}

/**
 * A SEG's segments and frames from its dataset and its (native, uncompressed) Pixel Data bytes. Each
 * problem names the attribute; a SEG of another class is refused as `SOPClassUID`.
 */
export function readSegmentation(ds: DataSet, pixels: Uint8Array): Result<Segmentation, SegReadProblem> {
  if (ds.string(S.SOPClassUID) !== SEG_CLASS_UID) return bad('SOPClassUID');
  const type = ds.string(S.SegmentationType);
  if (type !== 'BINARY' && type !== 'FRACTIONAL') return bad('SegmentationType');
  const rows = ds.number(S.Rows);
  const columns = ds.number(S.Columns);
  if (!rows || !columns) return bad(rows ? 'Columns' : 'Rows');
  const perFrame = ds.sequence(S.PerFrameFunctionalGroups);
  const count = ds.number(S.NumberOfFrames) ?? perFrame.length;
  if (count !== perFrame.length) return bad('PerFrameFunctionalGroupsSequence');
  const fractional = type === 'FRACTIONAL' ? (ds.number(S.MaximumFractionalValue) ?? 0) : null;
  if (fractional !== null && !(fractional > 0)) return bad('MaximumFractionalValue');
  const size = rows * columns;
  const needed = fractional === null ? Math.ceil((count * size) / 8) : count * size;
  if (ds.number(S.BitsAllocated) !== (fractional === null ? 1 : 8)) return bad('BitsAllocated');
  if (pixels.length < needed) return bad('PixelData');

  const segments: SegSegment[] = [];
  for (const item of ds.sequence(S.SegmentSequence)) {
    const s = segmentOf(item);
    if (!s) return bad('SegmentNumber');
    segments.push(s);
  }
  if (segments.length === 0) return bad('SegmentSequence');

  const shared = ds.sequence(S.SharedFunctionalGroups)[0];
  let orientation: Segmentation['orientation'] | undefined;
  let pixelSpacing: [number, number] | undefined;
  const frames: SegFrame[] = [];
  for (let i = 0; i < count; i++) {
    const item = perFrame[i];
    const segment = functional(item, shared, S.SegmentIdentificationSequence)?.number(
      S.ReferencedSegmentNumber,
    );
    if (segment === undefined || !segments.some((s) => s.number === segment))
      return bad('ReferencedSegmentNumber');
    const iop = functional(item, shared, S.PlaneOrientationSequence)?.numbers(S.ImageOrientationPatient);
    if (!iop || iop.length !== 6 || iop.some((v) => !Number.isFinite(v)))
      return bad('ImageOrientationPatient');
    if (orientation && !sameOrientation(orientation, iop)) return bad('ImageOrientationPatient');
    orientation ??= iop as unknown as Segmentation['orientation'];
    const spacing = functional(item, shared, S.PixelMeasuresSequence)?.numbers(S.PixelSpacing) ?? [];
    const [sr, sc] = spacing;
    if (sr === undefined || sc === undefined || !(sr > 0) || !(sc > 0)) return bad('PixelSpacing');
    pixelSpacing ??= [sr, sc];
    const position = vec3(
      functional(item, shared, S.PlanePositionSequence)?.numbers(S.ImagePositionPatient) ?? [],
    );
    const sources = (item?.sequence(S.DerivationImageSequence) ?? [])
      .flatMap((d) => d.sequence(S.SourceImageSequence))
      .flatMap((src) => {
        const sopInstanceUID = src.string(S.ReferencedSOPInstanceUID);
        const frame = src.number(S.ReferencedFrameNumber);
        return sopInstanceUID ? [{ sopInstanceUID, ...(frame ? { frame } : {}) }] : [];
      });
    frames.push({
      segment,
      ...(position ? { position } : {}),
      sources,
      mask: maskOf(pixels, i, size, fractional),
    });
  }
  if (!orientation || !pixelSpacing) return bad('PerFrameFunctionalGroupsSequence');
  const frameOfReferenceUID = ds.string(S.FrameOfReferenceUID);
  const contentDate = ds.string(S.ContentDate);
  const contentTime = ds.string(S.ContentTime);
  return ok({
    seriesInstanceUID: ds.string(S.SeriesInstanceUID) ?? '',
    referencedSeries: ds
      .sequence(S.ReferencedSeriesSequence)
      .map((r) => r.string(S.SeriesInstanceUID) ?? '')
      .filter((uid) => uid !== ''),
    ...(frameOfReferenceUID ? { frameOfReferenceUID } : {}),
    ...(contentDate ? { contentDate } : {}),
    ...(contentTime ? { contentTime } : {}),
    type,
    rows,
    columns,
    orientation,
    pixelSpacing,
    segments,
    frames,
  });
}

/** One slice of the image series a SEG is placed on (display order). */
export interface SliceRef {
  readonly sopInstanceUID: string;
  /** 0-based frame of that instance. */
  readonly frame: number;
  readonly position?: Vec3;
  readonly orientation?: readonly number[];
}

/** The series a SEG may be placed on. */
export interface SegTarget {
  readonly seriesInstanceUID: string;
  readonly frameOfReferenceUID?: string;
  readonly slices: readonly SliceRef[];
}

/** A frame on its slice (lib/sliceMasks). */
export type PlacedFrame = SliceMask;

/** A SEG on a series: its frames on slices, in the grid the SEG's frames share. */
export type PlacedSegmentation = SliceMasks<SegSegment>;

export type PlaceProblem =
  /** Neither its referenced series, its source images nor its frame of reference are the target's. */
  | { readonly code: 'seg-other-series' }
  /** Frames that mark something but land on no slice of the series. */
  | { readonly code: 'seg-unplaced'; readonly frames: number; readonly total: number }
  /** No frame marks anything. */
  | { readonly code: 'seg-empty' };

/** Whether the SEG is about this series (by its referenced series, its sources, else its frame of reference). */
export function segApplies(seg: Segmentation, target: SegTarget): boolean {
  if (seg.referencedSeries.length > 0) return seg.referencedSeries.includes(target.seriesInstanceUID);
  const uids = new Set(target.slices.map((s) => s.sopInstanceUID));
  if (seg.frames.some((f) => f.sources.some((s) => uids.has(s.sopInstanceUID)))) return true;
  return seg.frameOfReferenceUID !== undefined && seg.frameOfReferenceUID === target.frameOfReferenceUID;
}

/**
 * Each frame that marks something on a slice of the target: the slice its source image is (instance and
 * frame), else the slice whose plane its position lies on (same orientation, within a quarter of the slice
 * spacing along the normal). A frame with neither is unplaced, and so is the whole SEG.
 */
export function placeSegmentation(
  seg: Segmentation,
  target: SegTarget,
): Result<PlacedSegmentation, PlaceProblem> {
  if (!segApplies(seg, target)) return err({ code: 'seg-other-series' });
  const marked = seg.frames.filter((f) => f.mask.some((v) => v !== 0));
  if (marked.length === 0) return err({ code: 'seg-empty' });
  const rowDirection = normalize([seg.orientation[0], seg.orientation[1], seg.orientation[2]]);
  const columnDirection = normalize([seg.orientation[3], seg.orientation[4], seg.orientation[5]]);
  const normal = normalize(cross(rowDirection, columnDirection));
  const bySop = new Map<string, number>();
  target.slices.forEach((s, i) => bySop.set(`${s.sopInstanceUID}#${s.frame}`, i));
  const along = target.slices.map((s) =>
    s.position && sameOrientation(s.orientation, seg.orientation) ? dot(s.position, normal) : NaN,
  );
  const steps = along
    .slice(1)
    .map((v, i) => Math.abs(v - along[i]))
    .filter((d) => d > 1e-6);
  const sliceSpacingMm = steps.length > 0 ? Math.min(...steps) : 1;
  const frames: PlacedFrame[] = [];
  let unplaced = 0;
  for (const f of marked) {
    let slice: number | undefined;
    for (const src of f.sources) {
      slice ??= bySop.get(`${src.sopInstanceUID}#${(src.frame ?? 1) - 1}`);
    }
    if (slice === undefined && f.position) {
      const d = dot(f.position, normal);
      let best = -1;
      along.forEach((a, i) => {
        if (
          Math.abs(a - d) <= sliceSpacingMm / 4 &&
          (best < 0 || Math.abs(a - d) < Math.abs((along[best] ?? 0) - d))
        )
          best = i;
      });
      if (best >= 0) slice = best;
    }
    const origin = f.position ?? (slice !== undefined ? target.slices[slice]?.position : undefined);
    if (slice === undefined || !origin) {
      unplaced++;
      continue;
    }
    // A frame placed by its source must also lie on that source's plane when it gives its own position.
    const plane = along[slice];
    if (f.position && plane !== undefined && Math.abs(dot(f.position, normal) - plane) > sliceSpacingMm / 4) {
      unplaced++;
      continue;
    }
    frames.push({ segment: f.segment, slice, origin, mask: f.mask });
  }
  if (unplaced > 0) return err({ code: 'seg-unplaced', frames: unplaced, total: marked.length });
  return ok({
    rows: seg.rows,
    columns: seg.columns,
    rowDirection,
    columnDirection,
    pixelSpacing: seg.pixelSpacing,
    sliceSpacingMm,
    segments: seg.segments,
    frames,
  });
}
