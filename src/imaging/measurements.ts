/**
 * Measurements drawn with Cornerstone's annotation tools, as plain records for the UI: length in mm,
 * ellipse ROI statistics (mean/SD in modality units, area in mm²), probe values. Includes each shape's
 * geometry in image pixel coordinates (origin at the top-left corner of the first pixel).
 */
import { cache, utilities as csUtils, getRenderingEngines } from '@cornerstonejs/core';
import { annotation } from '@cornerstonejs/tools';
import { parseImageId } from './registry';

export type MeasurementKind = 'length' | 'ellipse' | 'probe';

export interface Measurement {
  readonly uid: string;
  readonly kind: MeasurementKind;
  readonly frame?: number;
  readonly instanceKey?: string;
  readonly lengthMm?: number;
  readonly mean?: number;
  readonly sd?: number;
  readonly min?: number;
  readonly max?: number;
  readonly areaMm2?: number;
  readonly value?: number;
  readonly unit?: string;
  /** Image pixel coordinates of the shape's defining points: ellipse (top, bottom, left, right), probe point, line ends. */
  readonly imagePoints?: readonly (readonly [number, number])[];
  /** The same points in patient coordinates (LPS, mm). */
  readonly worldPoints?: readonly (readonly [number, number, number])[];
}

const KIND: Record<string, MeasurementKind> = {
  Length: 'length',
  EllipticalROI: 'ellipse',
  Probe: 'probe',
};

interface Stats {
  length?: number;
  mean?: number;
  stdDev?: number;
  min?: number;
  max?: number;
  area?: number;
  value?: number | number[];
  modalityUnit?: string;
  unit?: string;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function listMeasurements(): Measurement[] {
  const all = annotation.state.getAllAnnotations() as unknown as {
    annotationUID?: string;
    metadata: { toolName: string; referencedImageId?: string };
    data: { handles?: { points?: number[][] }; cachedStats?: Record<string, Stats> };
  }[];
  const out: Measurement[] = [];
  for (const a of all) {
    const kind = KIND[a.metadata.toolName];
    if (!kind || !a.annotationUID) continue;
    // Several targets may hold stats (the referenced image, the volume); use one that is filled in.
    const candidates = Object.values(a.data.cachedStats ?? {});
    const stats =
      candidates.find((c) => [c.length, c.mean, c.value].some((v) => v !== undefined && v !== null)) ??
      candidates[0] ??
      {};
    const imageId = a.metadata.referencedImageId;
    const ref = imageId ? parseImageId(imageId) : undefined;
    let imagePoints: [number, number][] | undefined;
    if (imageId && a.data.handles?.points) {
      try {
        imagePoints = a.data.handles.points.map((p) => {
          const xy = csUtils.worldToImageCoords(imageId, p as [number, number, number]);
          return [xy?.[0] ?? NaN, xy?.[1] ?? NaN];
        });
      } catch {
        imagePoints = undefined;
      }
    }
    let value = Array.isArray(stats.value) ? stats.value[0] : stats.value;
    if (kind === 'probe' && (value === undefined || value === null) && imageId && imagePoints?.[0]) {
      value = pixelValue(imageId, imagePoints[0]);
    }
    out.push({
      uid: a.annotationUID,
      kind,
      frame: ref?.frame,
      instanceKey: ref?.key,
      lengthMm: num(stats.length),
      mean: num(stats.mean),
      sd: num(stats.stdDev),
      min: num(stats.min),
      max: num(stats.max),
      areaMm2: num(stats.area),
      value: num(value),
      unit: stats.modalityUnit ?? stats.unit,
      imagePoints,
      worldPoints: a.data.handles?.points
        ?.filter((p) => p.length === 3 && p.every(Number.isFinite))
        .map((p) => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0] as const),
    });
  }
  return out;
}

/**
 * The modality value of the pixel under an image point, read from the decoded image. Cornerstone's probe
 * leaves its value empty on stack images other than the first (it indexes a 2D image with the stack
 * position), so Lucent reads the pixel itself.
 */
function pixelValue(imageId: string, point: readonly [number, number]): number | undefined {
  const image = cache.getImage(imageId);
  if (!image) return undefined;
  const x = Math.floor(point[0]);
  const y = Math.floor(point[1]);
  if (x < 0 || y < 0 || x >= image.columns || y >= image.rows || image.color) return undefined;
  const raw = (image.getPixelData() as ArrayLike<number>)[y * image.columns + x];
  if (raw === undefined) return undefined;
  return image.preScale?.scaled ? raw : raw * (image.slope ?? 1) + (image.intercept ?? 0);
}

export function removeMeasurement(uid: string): void {
  annotation.state.removeAnnotation(uid);
  for (const engine of getRenderingEngines() ?? []) engine.render();
}
