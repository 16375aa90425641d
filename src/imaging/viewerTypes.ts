/**
 * The viewer's vocabulary: layouts, planes, tool and preset names, the window presets, what a cell shows
 * (`CellSpec`, `SeriesDisplay`), the readout and pixel-statistics records it reports, the events it
 * raises, and the mounted-cell record the viewer's parts share. `viewer.ts` re-exports the public names.
 */
import type { Vec3 } from '../dicom/geometry';
import type { Failure } from '../lib/errors';

export type Layout = '1x1' | '1x3' | '2x2';
export type Plane = 'stack' | 'axial' | 'coronal' | 'sagittal';
export type ToolName = 'windowLevel' | 'zoom' | 'pan' | 'length' | 'ellipse' | 'probe';
export type PresetName = 'lung' | 'mediastinum' | 'bone' | 'brain';

/** Window presets in HU (width, centre), as commonly used for chest and head CT. */
export const PRESETS: Readonly<Record<PresetName, { width: number; center: number }>> = {
  lung: { width: 1500, center: -600 },
  mediastinum: { width: 350, center: 40 },
  bone: { width: 2000, center: 500 },
  brain: { width: 80, center: 40 },
};

export interface SeriesDisplay {
  readonly key: string;
  readonly imageIds: readonly string[];
  readonly isVolume: boolean;
  readonly normal?: Vec3;
  readonly modality: string;
}

export interface CellSpec {
  readonly plane: Plane;
  readonly seriesKey: string | null;
}

export interface Readout {
  readonly cell: number;
  readonly plane: Plane;
  readonly index: number;
  readonly total: number;
  readonly positionMm?: number;
  readonly thicknessMm?: number;
  readonly windowWidth?: number;
  readonly windowCenter?: number;
  readonly zoom: number;
  /** For stack cells: the frame number within its instance (diagnostics). */
  readonly frame?: number;
  readonly instanceKey?: string;
}

export interface ViewerEvents {
  readout(r: Readout): void;
  /** A cell's images could not be shown: why, as the interface words it (lib/errors Failure). */
  loadFailed(cell: number, failure: Failure): void;
  measurementsChanged(): void;
  /** A measurement was finished by the user (its annotation UID). */
  measurementCompleted?(uid: string): void;
  seriesCached(seriesKey: string, cached: number, total: number): void;
}

export interface PixelStats {
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
  readonly channels: readonly { min: number; max: number; mean: number; sd: number }[];
}

/** A cell as mounted: its DOM element, what it shows and the series (if any) it shows. */
export interface Mounted {
  readonly cell: number;
  readonly element: HTMLDivElement;
  readonly spec: CellSpec;
  readonly series: SeriesDisplay | undefined;
}
