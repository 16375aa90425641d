/**
 * What a mounted viewport shows, read from its Cornerstone viewport and camera: the overlay readout
 * (slice index, position along the slice normal, window, zoom), moving it to the slice nearest a patient
 * point, where a sphere crosses the displayed image, the axial frame of an axial cell, and statistics of
 * the displayed pixels. `Viewer` finds the cell and its viewport and hands both here.
 */
import type { Types } from '@cornerstonejs/core';
import { dot, type Vec3 } from '../dicom/geometry';
import { getInstance, parseImageId } from './registry';
import type { Mounted, PixelStats, Readout } from './viewerTypes';

/** The overlay readout of a cell. */
export function readoutOf(cell: number, m: Mounted, vp: Types.IViewport): Readout {
  const props = (vp as Types.IStackViewport).getProperties?.() as
    { voiRange?: { lower: number; upper: number } } | undefined;
  const voi = props?.voiRange;
  const zoom = (vp as unknown as { getZoom?: () => number }).getZoom?.() ?? 1;
  const common = {
    cell,
    plane: m.spec.plane,
    zoom,
    windowWidth: voi ? voi.upper - voi.lower : undefined,
    windowCenter: voi ? (voi.upper + voi.lower) / 2 : undefined,
  };
  if (m.spec.plane === 'stack') {
    const stack = vp as Types.IStackViewport;
    const index = stack.getCurrentImageIdIndex();
    const ids = stack.getImageIds();
    const ref = parseImageId(ids[index] ?? '');
    const image = ref ? getInstance(ref.key)?.info.image : undefined;
    const frame = ref ? image?.frames[ref.frame] : undefined;
    const normal = m.series?.normal;
    const position = frame?.position;
    return {
      ...common,
      index,
      total: ids.length,
      frame: ref?.frame,
      instanceKey: ref?.key,
      positionMm: position ? (normal ? dot(position, normal) : position[2]) : undefined,
      thicknessMm: frame?.sliceThickness ?? image?.sliceThickness,
    };
  }
  const volumeVp = vp as Types.IVolumeViewport;
  const camera = volumeVp.getCamera();
  const view = camera.viewPlaneNormal as unknown as Vec3 | undefined;
  const focal = camera.focalPoint as unknown as Vec3 | undefined;
  // The plane of the acquired slices reads the same position as the stack (Cornerstone looks at an
  // axial plane from the other side, so its own normal would flip the sign).
  const own = m.series?.normal;
  const normal = own && view && Math.abs(dot(own, view)) > 0.99 ? own : view;
  return {
    ...common,
    index: volumeVp.getSliceIndex?.() ?? 0,
    total: volumeVp.getNumberOfSlices?.() ?? 0,
    positionMm: normal && focal ? dot(focal, normal) : undefined,
  };
}

/**
 * Show the slice nearest to a patient point in a stack cell (along the series' slice normal; patient
 * height when it has none), or move an MPR plane to it.
 */
export function jumpViewport(
  m: Mounted,
  vp: Types.IViewport,
  point: readonly [number, number, number],
): void {
  if (m.spec.plane === 'stack') {
    const stack = vp as Types.IStackViewport;
    const ids = stack.getImageIds();
    let best = 0;
    let bestD = Infinity;
    ids.forEach((id, i) => {
      const ref = parseImageId(id);
      const pos = ref ? getInstance(ref.key)?.info.image?.frames[ref.frame]?.position : undefined;
      const n = m.series?.normal;
      const d = !pos
        ? Infinity
        : n
          ? Math.abs(dot([pos[0] - point[0], pos[1] - point[1], pos[2] - point[2]], n))
          : Math.abs(pos[2] - point[2]);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    void stack.setImageIdIndex(best);
  } else {
    const camera = vp.getCamera();
    const normal = camera.viewPlaneNormal as unknown as Vec3;
    const focal = camera.focalPoint as unknown as Vec3;
    const shift = dot([point[0] - focal[0], point[1] - focal[1], point[2] - focal[2]], normal);
    const move = (v: Vec3): Types.Point3 => [
      v[0] + normal[0] * shift,
      v[1] + normal[1] * shift,
      v[2] + normal[2] * shift,
    ];
    vp.setCamera({ focalPoint: move(focal), position: move(camera.position as unknown as Vec3) });
    vp.render();
  }
}

/**
 * Where a sphere (centre, radius in mm) crosses the image shown in a cell, in canvas pixels; null when
 * the displayed slice does not cut it.
 */
export function projectSphere(
  m: Mounted,
  vp: Types.IViewport,
  center: readonly [number, number, number],
  radius: number,
): { x: number; y: number; r: number } | null {
  let offPlane: number;
  if (m.spec.plane === 'stack') {
    const stack = vp as Types.IStackViewport;
    const ref = parseImageId(stack.getCurrentImageId() ?? '');
    const pos = ref ? getInstance(ref.key)?.info.image?.frames[ref.frame]?.position : undefined;
    if (!pos) return null;
    offPlane = Math.abs(pos[2] - center[2]);
  } else {
    const camera = vp.getCamera();
    const normal = camera.viewPlaneNormal as unknown as Vec3;
    const focal = camera.focalPoint as unknown as Vec3;
    offPlane = Math.abs(dot([center[0] - focal[0], center[1] - focal[1], center[2] - focal[2]], normal));
  }
  if (offPlane > radius) return null;
  const inPlane = Math.sqrt(radius * radius - offPlane * offPlane);
  const c = vp.worldToCanvas([center[0], center[1], center[2]]);
  const e = vp.worldToCanvas([center[0] + inPlane, center[1], center[2]]);
  const f = vp.worldToCanvas([center[0], center[1] + inPlane, center[2]]);
  const r = Math.max(Math.hypot(e[0] - c[0], e[1] - c[1]), Math.hypot(f[0] - c[0], f[1] - c[1]));
  return { x: c[0], y: c[1], r };
}

/**
 * For a cell showing an axial plane: the displayed slice's z (patient mm) and the mapping of a point on
 * that slice to canvas pixels; null for other planes.
 */
export function axialFrameOf(
  m: Mounted,
  vp: Types.IViewport,
): { z: number; toCanvas(x: number, y: number): [number, number] } | null {
  let z: number;
  if (m.spec.plane === 'stack') {
    const stack = vp as Types.IStackViewport;
    const ref = parseImageId(stack.getCurrentImageId() ?? '');
    const frame = ref ? getInstance(ref.key)?.info.image?.frames[ref.frame] : undefined;
    const o = frame?.orientation;
    if (!frame?.position || !o) return null;
    // Rows along x and columns along y: an axial image.
    if (Math.abs(o[0]) < 0.99 || Math.abs(o[4]) < 0.99) return null;
    z = frame.position[2];
  } else {
    const camera = vp.getCamera();
    const normal = camera.viewPlaneNormal as unknown as Vec3;
    if (Math.abs(normal[2]) < 0.99) return null;
    z = (camera.focalPoint as unknown as Vec3)[2];
  }
  return {
    z,
    toCanvas: (x, y) => {
      const c = vp.worldToCanvas([x, y, z]);
      return [c[0], c[1]];
    },
  };
}

/** Statistics of the image shown in a stack viewport, in modality units (diagnostics and tests). */
export function pixelStatsOf(vp: Types.IStackViewport | undefined): PixelStats | undefined {
  const image = vp?.getCornerstoneImage?.();
  if (!image) return undefined;
  const data = image.getPixelData() as ArrayLike<number>;
  const components = image.numberOfComponents ?? (image.color ? 3 : 1);
  const pixels = image.rows * image.columns;
  const perChannel = Array.from({ length: Math.min(components, 3) }, (_, c) => {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < pixels; i++) {
      const raw = data[i * components + c];
      const v =
        image.preScale?.scaled || image.color ? raw : raw * (image.slope ?? 1) + (image.intercept ?? 0);
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sum2 += v * v;
    }
    const mean = sum / pixels;
    return { min, max, mean, sd: Math.sqrt(Math.max(0, sum2 / pixels - mean * mean)) };
  });
  return { rows: image.rows, columns: image.columns, components, channels: perChannel };
}
