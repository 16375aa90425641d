/**
 * Series assembly: instances → studies → series (display sets), with frames ordered along the slice
 * normal (InstanceNumber as the fallback) and a verdict on whether the series forms a regular volume.
 * Also the slice geometry the rest of Lucent asks of a series: a frame's geometry for volume building,
 * the slice nearest a point, the z-extent.
 */
import { sameOrientation, sliceNormal, VolumeError, type SliceGeometry } from '../lib/volume';
import { dot, norm, sub, type Vec3 } from './geometry';
import { type ImageInfo, type InstanceInfo, type PatientInfo } from './instance';

/** One loaded instance, identified by a key the host chose (never patient data). */
export interface LoadedInstance {
  readonly key: string;
  readonly fileName: string;
  readonly info: InstanceInfo;
}

export interface FrameRef {
  readonly instanceKey: string;
  readonly frame: number;
  readonly position?: Vec3;
}

export type VolumeVerdict =
  | { readonly isVolume: true; readonly normal: Vec3; readonly spacingMm: number }
  | {
      readonly isVolume: false;
      readonly reason:
        | 'too-few-slices'
        | 'no-geometry'
        | 'mixed-orientation'
        | 'mixed-size'
        | 'irregular-spacing'
        | 'duplicate-positions'
        | 'color'
        | 'not-image';
    };

export interface Series {
  /** Unique key of this display set: the Series Instance UID, plus `#n` when one series was split. */
  readonly key: string;
  readonly seriesInstanceUID: string;
  readonly studyInstanceUID: string;
  readonly modality: string;
  readonly kind: 'image' | 'non-image';
  readonly label: string;
  readonly description?: string;
  readonly seriesNumber?: number;
  readonly bodyPartExamined?: string;
  readonly instanceKeys: readonly string[];
  /** Image frames in display order (empty for non-image series). */
  readonly frames: readonly FrameRef[];
  readonly volume: VolumeVerdict;
  readonly rows?: number;
  readonly columns?: number;
  readonly pixelSpacing?: readonly [number, number];
  readonly sliceThickness?: number;
}

export interface Study {
  readonly studyInstanceUID: string;
  readonly description?: string;
  readonly date?: string;
  readonly accessionNumber?: string;
  readonly patient: PatientInfo;
  readonly series: readonly Series[];
}

interface Entry {
  readonly inst: LoadedInstance;
  readonly frame: number;
  readonly position?: Vec3;
  readonly orientation?: readonly number[];
}

function entriesOf(inst: LoadedInstance): Entry[] {
  const image = inst.info.image;
  if (!image) return [];
  return image.frames.map((f, frame) => ({ inst, frame, position: f.position, orientation: f.orientation }));
}

function compareNumbers(a: number | undefined, b: number | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}

/** Order frames along the slice normal, keeping the scanner's direction (InstanceNumber) where known. */
export function orderFrames(entries: readonly Entry[]): { ordered: Entry[]; normal?: Vec3 } {
  const byNumber = [...entries].sort(
    (a, b) =>
      compareNumbers(a.inst.info.instanceNumber, b.inst.info.instanceNumber) ||
      a.frame - b.frame ||
      a.inst.fileName.localeCompare(b.inst.fileName),
  );
  const first = entries[0];
  const geometric =
    first?.orientation !== undefined &&
    entries.every((e) => e.position !== undefined && sameOrientation(e.orientation, first.orientation));
  if (!geometric || !first?.orientation) return { ordered: byNumber };
  const normal = sliceNormal(first.orientation);
  const along = (e: Entry): number => dot(e.position as Vec3, normal);
  const ordered = [...byNumber].sort((a, b) => along(a) - along(b));
  // Keep the acquisition direction: if InstanceNumber runs against the normal, reverse.
  const firstByNumber = byNumber[0];
  const lastByNumber = byNumber[byNumber.length - 1];
  if (firstByNumber && lastByNumber && along(firstByNumber) > along(lastByNumber)) ordered.reverse();
  return { ordered, normal };
}

function volumeVerdict(ordered: readonly Entry[], normal: Vec3 | undefined): VolumeVerdict {
  const first = ordered[0];
  if (!first?.inst.info.image) return { isVolume: false, reason: 'not-image' };
  if (first.inst.info.image.samplesPerPixel !== 1) return { isVolume: false, reason: 'color' };
  if (ordered.length < 3) return { isVolume: false, reason: 'too-few-slices' };
  if (!normal || ordered.some((e) => !e.position)) return { isVolume: false, reason: 'no-geometry' };
  const { rows, columns } = first.inst.info.image;
  if (ordered.some((e) => e.inst.info.image?.rows !== rows || e.inst.info.image?.columns !== columns)) {
    return { isVolume: false, reason: 'mixed-size' };
  }
  const gaps: number[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const d = sub(ordered[i].position as Vec3, ordered[i - 1].position as Vec3);
    const along = Math.abs(dot(d, normal));
    // Frames offset within the plane (gantry tilt, scouts) do not stack into a volume.
    if (norm(d) - along > 0.05 * Math.max(along, 1)) return { isVolume: false, reason: 'irregular-spacing' };
    gaps.push(along);
  }
  if (gaps.some((g) => g < 1e-3)) return { isVolume: false, reason: 'duplicate-positions' };
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  if (gaps.some((g) => Math.abs(g - mean) > Math.max(0.01, 0.1 * mean))) {
    return { isVolume: false, reason: 'irregular-spacing' };
  }
  return { isVolume: true, normal, spacingMm: mean };
}

/** Key that splits a series into display sets of the same size and orientation. */
function stackKey(e: Entry): string {
  const image = e.inst.info.image;
  const o = e.orientation?.map((v) => v.toFixed(2)).join(',') ?? '-';
  const cine = image && image.numberOfFrames > 1 && image.frames.every((f) => f.position === undefined);
  return `${image?.rows}x${image?.columns}|${o}${cine ? `|cine:${e.inst.key}` : ''}`;
}

function buildSeries(instances: readonly LoadedInstance[]): Series[] {
  const head = instances[0];
  if (!head) return [];
  const info = head.info;
  const base = {
    seriesInstanceUID: info.seriesInstanceUID,
    studyInstanceUID: info.studyInstanceUID,
    modality: info.modality,
    description: info.seriesDescription,
    seriesNumber: info.seriesNumber,
    bodyPartExamined: info.bodyPartExamined,
  };
  const images = instances.filter((i) => i.info.kind === 'image');
  const others = instances.filter((i) => i.info.kind !== 'image');
  const out: Series[] = [];
  const groups = new Map<string, Entry[]>();
  for (const inst of images) {
    for (const e of entriesOf(inst)) {
      const k = stackKey(e);
      const list = groups.get(k);
      if (list) list.push(e);
      else groups.set(k, [e]);
    }
  }
  const sortedGroups = [...groups.values()].sort((a, b) => b.length - a.length);
  sortedGroups.forEach((entries, index) => {
    const { ordered, normal } = orderFrames(entries);
    const first = ordered[0]?.inst.info;
    const keys = [...new Set(ordered.map((e) => e.inst.key))];
    out.push({
      ...base,
      key: index === 0 ? info.seriesInstanceUID : `${info.seriesInstanceUID}#${index + 1}`,
      kind: 'image',
      label: first?.modality ?? info.modality,
      instanceKeys: keys,
      frames: ordered.map((e) => ({ instanceKey: e.inst.key, frame: e.frame, position: e.position })),
      volume: volumeVerdict(ordered, normal),
      rows: first?.image?.rows,
      columns: first?.image?.columns,
      pixelSpacing: first?.image?.pixelSpacing,
      sliceThickness: first?.image?.sliceThickness,
    });
  });
  if (others.length > 0) {
    const labels = [...new Set(others.map((o) => o.info.label))];
    out.push({
      ...base,
      key: out.length === 0 ? info.seriesInstanceUID : `${info.seriesInstanceUID}#objects`,
      kind: 'non-image',
      label: labels.join('/'),
      modality: others[0]?.info.modality ?? info.modality,
      instanceKeys: others.map((o) => o.key),
      frames: [],
      volume: { isVolume: false, reason: 'not-image' },
    });
  }
  return out;
}

/** Group instances into studies and series. Studies sort by date, series by number then description. */
export function assembleStudies(instances: readonly LoadedInstance[]): Study[] {
  const studies = new Map<string, Map<string, LoadedInstance[]>>();
  for (const inst of instances) {
    const { studyInstanceUID, seriesInstanceUID } = inst.info;
    let study = studies.get(studyInstanceUID);
    if (!study) {
      study = new Map();
      studies.set(studyInstanceUID, study);
    }
    const list = study.get(seriesInstanceUID);
    if (list) list.push(inst);
    else study.set(seriesInstanceUID, [inst]);
  }
  const out: Study[] = [];
  for (const [studyInstanceUID, seriesMap] of studies) {
    const all = [...seriesMap.values()];
    const headInfo = all[0]?.[0]?.info;
    const series = all
      .flatMap(buildSeries)
      .sort(
        (a, b) =>
          (a.kind === b.kind ? 0 : a.kind === 'image' ? -1 : 1) ||
          compareNumbers(a.seriesNumber, b.seriesNumber) ||
          (a.description ?? '').localeCompare(b.description ?? '') ||
          a.key.localeCompare(b.key),
      );
    out.push({
      studyInstanceUID,
      description: headInfo?.studyDescription,
      date: headInfo?.studyDate,
      accessionNumber: headInfo?.accessionNumber,
      patient: headInfo?.patient ?? {},
      series,
    });
  }
  return out.sort(
    (a, b) =>
      (a.date ?? '').localeCompare(b.date ?? '') || a.studyInstanceUID.localeCompare(b.studyInstanceUID),
  );
}

/** Image count shown for a series: frames for images, instances for non-image objects. */
export function imageCount(series: Series): number {
  return series.kind === 'image' ? series.frames.length : series.instanceKeys.length;
}

/**
 * The geometry of one frame of an image, as volume building needs it (per-frame functional groups
 * first, then the image's attributes). Throws {@link VolumeError} when the frame has no position or
 * pixel spacing.
 */
export function frameGeometry(image: ImageInfo, frame: number): SliceGeometry {
  const f = image.frames[frame];
  const position = f?.position;
  const pixelSpacing = f?.pixelSpacing ?? image.pixelSpacing;
  if (!position || !pixelSpacing) {
    throw new VolumeError('no-geometry', 'A slice of this series has no position or pixel spacing.');
  }
  return {
    position,
    orientation: f.orientation,
    rows: image.rows,
    columns: image.columns,
    pixelSpacing,
    sliceThickness: f.sliceThickness ?? image.sliceThickness,
  };
}

/**
 * The 1-based slice number (display order) of the frame nearest a patient point (mm), measured along the
 * series' slice normal (patient z when the series is not a volume); undefined when no frame has a position.
 */
export function sliceNumberNearest(series: Series, point: Vec3): number | undefined {
  const n: Vec3 = series.volume.isVolume ? series.volume.normal : [0, 0, 1];
  let best: number | undefined;
  let bestD = Infinity;
  series.frames.forEach((f, i) => {
    if (!f.position) return;
    const d = Math.abs(dot(sub(point, f.position), n));
    if (d < bestD) {
      bestD = d;
      best = i + 1;
    }
  });
  return best;
}

/** [lowest, highest] patient z (mm) of a series' frames; null when no frame has a position. */
export function seriesExtentZ(series: Series): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const f of series.frames) {
    if (!f.position) continue;
    lo = Math.min(lo, f.position[2]);
    hi = Math.max(hi, f.position[2]);
  }
  return lo <= hi ? [lo, hi] : null;
}

/** What a report about one series copies from it (see {@link seriesProvenance}). */
export interface SeriesProvenance {
  readonly patient: { name?: string; id?: string; birthDate?: string; sex?: string };
  readonly study: { date?: string; time?: string; accessionNumber?: string; description?: string };
  readonly frameOfReferenceUID?: string;
  readonly instances: readonly { readonly sopClassUID: string; readonly sopInstanceUID: string }[];
}

/**
 * What a report about one series copies from it (the DICOM SR's patient, study, frame of reference and
 * image library): the header of its first instance and every instance's SOP class and instance UID.
 */
export function seriesProvenance(instances: readonly LoadedInstance[], seriesUID: string): SeriesProvenance {
  return provenanceOf(instances.map((i) => i.info).filter((i) => i.seriesInstanceUID === seriesUID));
}

/** {@link seriesProvenance} of the instances of one series, in order. */
export function provenanceOf(mine: readonly InstanceInfo[]): SeriesProvenance {
  const head = mine[0];
  return {
    patient: {
      name: head?.patient.name,
      id: head?.patient.id,
      birthDate: head?.patient.birthDate,
      sex: head?.patient.sex,
    },
    study: {
      date: head?.studyDate,
      time: head?.studyTime,
      accessionNumber: head?.accessionNumber,
      description: head?.studyDescription,
    },
    frameOfReferenceUID: head?.frameOfReferenceUID,
    instances: mine.map((i) => ({ sopClassUID: i.sopClassUID, sopInstanceUID: i.sopInstanceUID })),
  };
}
