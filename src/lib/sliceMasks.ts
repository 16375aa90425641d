/**
 * Segment masks placed on the slices of a series: what dicom/seg.ts makes of a DICOM SEG, and what
 * practice/segTruth.ts reads nodules from. Defined here so that neither folder imports the other.
 */
export type Vec3 = readonly [number, number, number];

/** One segment's mask on one slice: only frames that mark something are kept. */
export interface SliceMask {
  readonly segment: number;
  /** Index into the series' slices. */
  readonly slice: number;
  /** Patient position of the mask's first pixel. */
  readonly origin: Vec3;
  readonly mask: Uint8Array;
}

/** The masks of a segmentation on a series, in the pixel grid its frames share; `S` describes a segment. */
export interface SliceMasks<S> {
  readonly rows: number;
  readonly columns: number;
  /** Patient direction of increasing column index, and of increasing row index. */
  readonly rowDirection: Vec3;
  readonly columnDirection: Vec3;
  /** [row spacing, column spacing] (mm). */
  readonly pixelSpacing: readonly [number, number];
  /** Distance between adjacent slices of the series (mm). */
  readonly sliceSpacingMm: number;
  readonly segments: readonly S[];
  readonly frames: readonly SliceMask[];
}
