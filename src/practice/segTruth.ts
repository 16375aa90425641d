/**
 * The truth of an own practice case from a segmentation (a DICOM SEG placed on the case's series by
 * dicom/seg.ts): each connected 3D component of each segment is one nodule. Its centre is the mean of its
 * voxel centres (patient mm); its diameter is measured as Lung-RADS and the model measure a nodule: the
 * mean of the long and short axis (second moments) on the slice where it is largest; its type is what the
 * segment's label, description or coded property names (solid, part-solid, ground-glass, calcified), and
 * solid when it names none (counted in `typesAssumed`, as for a DICOM SR). Voxels touching by a face, an
 * edge or a corner (26-connectivity) on adjacent slices belong to one nodule. Pure.
 */
import { momentsAxes } from '../ai/shared/detect';
import { lungRadsMeanDiameterMm } from '../findings/lungrads';
import type { NoduleType } from '../findings/types';
import type { TruthLesion, Vec3 } from './types';
import type { SliceMasks as SharedSliceMasks } from '../lib/sliceMasks';

/** One segment of the segmentation: its number and the words it is described by. */
export interface MaskSegment {
  readonly number: number;
  readonly label: string;
  readonly words: readonly string[];
}

/** The masks of a segmentation on the slices of a series (dicom/seg.ts `PlacedSegmentation`). */
export type SliceMasks = SharedSliceMasks<MaskSegment>;

export interface SegNodule extends TruthLesion {
  readonly segment: number;
  readonly volumeMm3: number;
}

export interface MaskTruth {
  readonly nodules: readonly SegNodule[];
  /** Nodules whose segment names no composition (solid assumed). */
  readonly typesAssumed: number;
}

/** The nodule type a segment's words name, if any ("Part-solid nodule", "GGO", "calcified granuloma"…). */
export function typeFromWords(words: readonly string[]): NoduleType | null {
  const text = words.join(' ').toLowerCase();
  if (/part[-\s]?solid|sub[-\s]?solid|semi[-\s]?solid|mixed|部分实性|混合/.test(text)) return 'part-solid';
  if (/ground[-\s]?glass|\bgg[on]\b|non[-\s]?solid|磨玻璃/.test(text)) return 'ground-glass';
  if (/calcif|钙化/.test(text)) return 'calcified';
  if (/\bsolid\b|实性/.test(text)) return 'solid';
  return null;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const r2 = (v: number): number => Math.round(v * 100) / 100;

interface Voxel {
  readonly slice: number;
  readonly row: number;
  readonly column: number;
  readonly origin: Vec3;
}

/** The connected components of one segment's frames (26-connectivity, adjacent slices only). */
function components(m: SliceMasks, segment: number): Voxel[][] {
  const { rows, columns, rowDirection: u, pixelSpacing } = m;
  const [, colSpacing] = pixelSpacing;
  const frames = m.frames.filter((f) => f.segment === segment);
  // Frames on one slice (a SEG may split a segment's slice into several frames) are merged.
  const bySlice = new Map<number, { origin: Vec3; mask: Uint8Array; seen: Uint8Array }>();
  for (const f of frames) {
    const known = bySlice.get(f.slice);
    if (known) f.mask.forEach((v, i) => (known.mask[i] = known.mask[i] || v));
    else
      bySlice.set(f.slice, { origin: f.origin, mask: f.mask.slice(), seen: new Uint8Array(rows * columns) });
  }
  // In-plane shift (columns, rows) of a slice's grid against another's, from their origins.
  const v = m.columnDirection;
  const shift = (a: Vec3, b: Vec3): [number, number] => {
    const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    return [
      Math.round((d[0] * u[0] + d[1] * u[1] + d[2] * u[2]) / colSpacing),
      Math.round((d[0] * v[0] + d[1] * v[1] + d[2] * v[2]) / pixelSpacing[0]),
    ];
  };
  const out: Voxel[][] = [];
  for (const [slice, start] of [...bySlice.entries()].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < rows * columns; i++) {
      if (!start.mask[i] || start.seen[i]) continue;
      const component: Voxel[] = [];
      const stack: [number, number][] = [[slice, i]];
      start.seen[i] = 1;
      while (stack.length > 0) {
        const [k, idx] = stack.pop() as [number, number];
        const here = bySlice.get(k);
        if (!here) continue;
        const row = Math.floor(idx / columns);
        const column = idx % columns;
        component.push({ slice: k, row, column, origin: here.origin });
        for (let dk = -1; dk <= 1; dk++) {
          const there = bySlice.get(k + dk);
          if (!there) continue;
          // The neighbour slice's pixel under this one: its grid may be shifted.
          const [sc, sr] = dk === 0 ? [0, 0] : shift(there.origin, here.origin);
          for (let dr = -1; dr <= 1; dr++) {
            for (let dc = -1; dc <= 1; dc++) {
              const r = row + dr + sr;
              const c = column + dc + sc;
              if (r < 0 || c < 0 || r >= rows || c >= columns) continue;
              const j = r * columns + c;
              if (there.mask[j] && !there.seen[j]) {
                there.seen[j] = 1;
                stack.push([k + dk, j]);
              }
            }
          }
        }
      }
      out.push(component);
    }
  }
  return out;
}

function noduleOf(m: SliceMasks, voxels: readonly Voxel[], segment: number, type: NoduleType): SegNodule {
  const [rowSpacing, colSpacing] = m.pixelSpacing;
  const u = m.rowDirection;
  const v = m.columnDirection;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  const perSlice = new Map<number, [number, number][]>();
  for (const x of voxels) {
    const a = x.column * colSpacing;
    const b = x.row * rowSpacing;
    cx += x.origin[0] + u[0] * a + v[0] * b;
    cy += x.origin[1] + u[1] * a + v[1] * b;
    cz += x.origin[2] + u[2] * a + v[2] * b;
    const points = perSlice.get(x.slice) ?? [];
    points.push([a, b]);
    perSlice.set(x.slice, points);
  }
  const widest = [...perSlice.values()].reduce((a, b) => (b.length > a.length ? b : a));
  // momentsAxes takes square pixels: anisotropic ones are measured at their mean size.
  const axes = momentsAxes(widest, Math.sqrt(rowSpacing * colSpacing));
  const n = voxels.length;
  return {
    segment,
    centerMm: [r2(cx / n), r2(cy / n), r2(cz / n)],
    diameterMm: lungRadsMeanDiameterMm(axes.long, axes.short),
    type,
    solidComponentMm: null,
    volumeMm3: r1(n * rowSpacing * colSpacing * m.sliceSpacingMm),
  };
}

/** Every connected component of every segment as a nodule, in segment order then along the slices. */
export function truthFromMasks(m: SliceMasks): MaskTruth {
  const nodules: SegNodule[] = [];
  let typesAssumed = 0;
  for (const s of [...m.segments].sort((a, b) => a.number - b.number)) {
    const named = typeFromWords([s.label, ...s.words]);
    for (const c of components(m, s.number)) {
      nodules.push(noduleOf(m, c, s.number, named ?? 'solid'));
      if (!named) typesAssumed++;
    }
  }
  return { nodules, typesAssumed };
}
