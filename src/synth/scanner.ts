/**
 * The scanner protocol a series is rendered with (matrix, spacing, kernel, dose, patient position,
 * artefacts) and the slice grid it defines: where each pixel lies in patient coordinates. Also the two
 * small pixel helpers the renderer's parts share (`clamp01`, `bounds`).
 */
export type Kernel = 'soft' | 'standard' | 'sharp' | 'lung';
export type PatientPosition = 'HFS' | 'FFS' | 'HFP' | 'FFP';

export interface Scanner {
  readonly matrix: number;
  readonly pixelSpacing: number;
  readonly sliceThickness: number;
  readonly sliceSpacing: number;
  /** Patient-space (x, y) of the image centre (the scanner's isocentre, unless a targeted view). */
  readonly fovCenter: readonly [number, number];
  /** Reconstruction kernel MTF: a Gaussian blur (pixels) and edge enhancement
   * img + sharpen·(img − blur(img, sharpenSigmaPx)), which overshoots at edges. */
  readonly blurSigmaPx: number;
  readonly sharpen: number;
  readonly sharpenSigmaPx: number;
  /** Noise SD (HU) at the centre of the body at mid-chest; its texture follows the kernel. */
  readonly noiseSigma: number;
  readonly kvp: number;
  readonly mA: number;
  readonly kernel: Kernel;
  readonly manufacturer: string;
  readonly lowDose: boolean;
  readonly patientPosition: PatientPosition;
  /** DICOM ImageOrientationPatient the slices are written with. */
  readonly imageOrientation: readonly [number, number, number, number, number, number];
  readonly contrast: boolean;
  /** Per-case HU calibration: written HU = true HU × (1 + gain) + offset. */
  readonly calibrationOffset: number;
  readonly calibrationGain: number;
  /** Streak artefacts through dense bone (HU amplitude, 0 none) and cardiac motion blur (mm, 0 none). */
  readonly streaks: number;
  readonly motion: number;
  /** Pixels outside the reconstruction circle are set to -1024. */
  readonly reconCircle: boolean;
}

export interface SliceGrid {
  readonly size: number;
  readonly spacing: number;
  /** Patient (x, y) of the centre of pixel (0, 0), in the renderer's own orientation (+x, +y). */
  readonly x0: number;
  readonly y0: number;
}

export function gridOf(s: Pick<Scanner, 'matrix' | 'pixelSpacing' | 'fovCenter'>): SliceGrid {
  const half = ((s.matrix - 1) * s.pixelSpacing) / 2;
  return { size: s.matrix, spacing: s.pixelSpacing, x0: s.fovCenter[0] - half, y0: s.fovCenter[1] - half };
}

export const clamp01 = (t: number): number => (t < 0 ? 0 : t > 1 ? 1 : t);

/**
 * The pixel box (i0, i1, j0, j1) of a rectangle centred at (cx, cy) with half-extents ex, ey; null when
 * it lies off the grid.
 */
export function bounds(
  g: SliceGrid,
  cx: number,
  cy: number,
  ex: number,
  ey: number,
): [number, number, number, number] | null {
  const px = g.spacing;
  const i0 = Math.max(0, Math.floor((cx - ex - g.x0) / px));
  const i1 = Math.min(g.size - 1, Math.ceil((cx + ex - g.x0) / px));
  const j0 = Math.max(0, Math.floor((cy - ey - g.y0) / px));
  const j1 = Math.min(g.size - 1, Math.ceil((cy + ey - g.y0) / px));
  return i0 > i1 || j0 > j1 ? null : [i0, i1, j0, j1];
}
