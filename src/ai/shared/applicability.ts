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

/**
 * Why a model does not run on a series. `no-model` is a host's own case (no candidate model at all); the
 * others come from {@link applicability}.
 */
export const SKIP_CODES = [
  'no-model',
  'modality',
  'body-part',
  'pixel-spacing',
  'slice-thickness',
  'too-few-slices',
  'not-a-volume',
  'not-axial',
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export interface Skip {
  readonly code: SkipCode;
  /** One English sentence (the CLI prints it). */
  readonly message: string;
  /**
   * The values the sentence names, for the UI to word in its language: `model` (the model's id), the
   * accepted range (`min`, `max`) or values (`expected`), the series' value (`actual`, `slices`), and
   * `kind: 'missing'` when the series has no pixel spacing.
   */
  readonly detail: Readonly<Record<string, string | number>>;
}

const round = (v: number): number => Math.round(v * 100) / 100;
const fmt = (v: number): string => round(v).toString();

export function applicability(m: Manifest, s: SeriesFacts): Skip | null {
  const a = m.applicability;
  const model = m.id;
  if (!a.modality.includes(s.modality)) {
    const expected = a.modality.join('/');
    return {
      code: 'modality',
      message: `${m.id} is for ${expected} images; this series is ${s.modality}.`,
      detail: { model, expected, actual: s.modality },
    };
  }
  if (a.bodyPart.length > 0 && s.bodyPartExamined && !a.bodyPart.includes(s.bodyPartExamined.toUpperCase())) {
    const expected = a.bodyPart.join('/');
    return {
      code: 'body-part',
      message: `${m.id} is for ${expected}; this series is labelled ${s.bodyPartExamined}.`,
      detail: { model, expected, actual: s.bodyPartExamined },
    };
  }
  if (!s.isVolume)
    return {
      code: 'not-a-volume',
      message: `${m.id} needs a regular volume of evenly spaced slices.`,
      detail: { model },
    };
  if (s.normal && Math.abs(s.normal[2]) < 0.95)
    return { code: 'not-axial', message: `${m.id} needs axial slices.`, detail: { model } };
  if (s.slices < a.minSlices) {
    return {
      code: 'too-few-slices',
      message: `${m.id} needs at least ${a.minSlices} slices; this series has ${s.slices}.`,
      detail: { model, min: a.minSlices, slices: s.slices },
    };
  }
  const [p0, p1] = a.pixelSpacingMm;
  if (s.pixelSpacingMm === undefined || s.pixelSpacingMm < p0 || s.pixelSpacingMm > p1) {
    const range = { model, min: round(p0), max: round(p1) };
    return {
      code: 'pixel-spacing',
      message: `${m.id} accepts pixel spacing ${fmt(p0)}–${fmt(p1)} mm; this series has ${s.pixelSpacingMm === undefined ? 'none' : `${fmt(s.pixelSpacingMm)} mm`}.`,
      detail:
        s.pixelSpacingMm === undefined
          ? { ...range, kind: 'missing' }
          : { ...range, actual: round(s.pixelSpacingMm) },
    };
  }
  const [t0, t1] = a.sliceThicknessMm;
  if (s.sliceThicknessMm !== undefined && (s.sliceThicknessMm < t0 || s.sliceThicknessMm > t1)) {
    return {
      code: 'slice-thickness',
      message: `${m.id} accepts slice thickness ${fmt(t0)}–${fmt(t1)} mm; this series has ${fmt(s.sliceThicknessMm)} mm.`,
      detail: { model, min: round(t0), max: round(t1), actual: round(s.sliceThicknessMm) },
    };
  }
  return null;
}
