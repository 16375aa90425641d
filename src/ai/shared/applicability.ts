/**
 * Does a model apply to a series? A model never runs on a series it was not made for: the wrong modality,
 * body part, pixel spacing, slice thickness, too few slices, or not a regular axial volume.
 */
import type { InstanceInfo } from '../../dicom/instance';
import type { Series } from '../../dicom/series';
import type { Manifest } from '../registry/manifest';

export interface SeriesFacts {
  readonly modality: string;
  readonly bodyPartExamined?: string;
  readonly pixelSpacingMm?: number;
  readonly sliceThicknessMm?: number;
  readonly slices: number;
  readonly isVolume: boolean;
  /** Unit normal of the slices; axial means close to ±z. */
  readonly normal?: readonly [number, number, number];
}

/** The facts applicability needs, read off an assembled series (and its first instance's header). */
export function seriesFacts(s: Series, head: InstanceInfo | undefined): SeriesFacts {
  return {
    modality: s.modality,
    bodyPartExamined: s.bodyPartExamined,
    pixelSpacingMm: s.pixelSpacing?.[1],
    sliceThicknessMm: s.sliceThickness ?? head?.image?.sliceThickness,
    slices: s.frames.length,
    isVolume: s.volume.isVolume,
    normal: s.volume.isVolume ? s.volume.normal : undefined,
  };
}

export interface Skip {
  readonly code:
    | 'modality'
    | 'body-part'
    | 'pixel-spacing'
    | 'slice-thickness'
    | 'too-few-slices'
    | 'not-a-volume'
    | 'not-axial';
  readonly message: string;
}

const fmt = (v: number): string => (Math.round(v * 100) / 100).toString();

export function applicability(m: Manifest, s: SeriesFacts): Skip | null {
  const a = m.applicability;
  if (!a.modality.includes(s.modality)) {
    return {
      code: 'modality',
      message: `${m.id} is for ${a.modality.join('/')} images; this series is ${s.modality}.`,
    };
  }
  if (a.bodyPart.length > 0 && s.bodyPartExamined && !a.bodyPart.includes(s.bodyPartExamined.toUpperCase())) {
    return {
      code: 'body-part',
      message: `${m.id} is for ${a.bodyPart.join('/')}; this series is labelled ${s.bodyPartExamined}.`,
    };
  }
  if (!s.isVolume)
    return { code: 'not-a-volume', message: `${m.id} needs a regular volume of evenly spaced slices.` };
  if (s.normal && Math.abs(s.normal[2]) < 0.95)
    return { code: 'not-axial', message: `${m.id} needs axial slices.` };
  if (s.slices < a.minSlices) {
    return {
      code: 'too-few-slices',
      message: `${m.id} needs at least ${a.minSlices} slices; this series has ${s.slices}.`,
    };
  }
  const [p0, p1] = a.pixelSpacingMm;
  if (s.pixelSpacingMm === undefined || s.pixelSpacingMm < p0 || s.pixelSpacingMm > p1) {
    return {
      code: 'pixel-spacing',
      message: `${m.id} accepts pixel spacing ${fmt(p0)}–${fmt(p1)} mm; this series has ${s.pixelSpacingMm === undefined ? 'none' : `${fmt(s.pixelSpacingMm)} mm`}.`,
    };
  }
  const [t0, t1] = a.sliceThicknessMm;
  if (s.sliceThicknessMm !== undefined && (s.sliceThicknessMm < t0 || s.sliceThicknessMm > t1)) {
    return {
      code: 'slice-thickness',
      message: `${m.id} accepts slice thickness ${fmt(t0)}–${fmt(t1)} mm; this series has ${fmt(s.sliceThicknessMm)} mm.`,
    };
  }
  return null;
}
