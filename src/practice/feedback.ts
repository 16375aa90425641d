/**
 * Feedback that teaches: for each missed nodule, what and where it was and why it is easy to miss (its
 * place beside a vessel, the pleura or a fissure, its faint density, its size against the slices, the
 * noise); for each false positive, what it most probably was (lookAround.ts). The UI words each reason.
 */
import { zoneOf } from '../findings/assess';
import type { NoduleLocation } from '../findings/types';
import { lookAround, type Lookalike } from './lookAround';
import type { Volume } from '../lib/volume';
import type { ReaderMark, TruthLesion } from './types';

export type MissReason =
  | 'juxtavascular'
  | 'juxtapleural'
  | 'perifissural'
  | 'ground-glass'
  | 'part-solid'
  | 'small'
  | 'few-slices'
  | 'noise'
  | 'search';

export interface MissFeedback {
  readonly lesion: TruthLesion;
  readonly location: NoduleLocation;
  /** How many slices the nodule appears on. */
  readonly slices: number;
  /** Why it is easy to miss, the most telling first; `search` when nothing in particular. */
  readonly reasons: readonly MissReason[];
}

export interface ScanContext {
  /** The lungs' (or the scan's) z-extent, for the zone. */
  readonly lungZ: readonly [number, number];
  readonly sliceSpacingMm: number;
  /** Image noise (HU SD) when known (synthetic cases). */
  readonly noiseSigma?: number;
}

/** Noise above this (HU SD) reads as a low-dose scan. */
const NOISY = 20;

export function missFeedback(lesion: TruthLesion, scan: ScanContext): MissFeedback {
  const reasons: MissReason[] = [];
  if (lesion.location === 'juxtavascular') reasons.push('juxtavascular');
  if (lesion.location === 'juxtapleural') reasons.push('juxtapleural');
  if (lesion.location === 'perifissural') reasons.push('perifissural');
  if (lesion.type === 'ground-glass') reasons.push('ground-glass');
  if (lesion.type === 'part-solid') reasons.push('part-solid');
  const slices = Math.max(1, Math.round(lesion.diameterMm / scan.sliceSpacingMm));
  if (lesion.diameterMm < 6) reasons.push('small');
  if (slices <= 3 && lesion.diameterMm >= 6) reasons.push('few-slices');
  if ((scan.noiseSigma ?? 0) > NOISY) reasons.push('noise');
  if (reasons.length === 0) reasons.push('search');
  return {
    lesion,
    location: {
      side: lesion.centerMm[0] < 0 ? 'right' : 'left',
      zone: zoneOf(lesion.centerMm[2], scan.lungZ),
    },
    slices,
    reasons,
  };
}

export interface FalsePositiveFeedback {
  readonly mark: ReaderMark;
  /** What it most probably was; null when the image could not be read. */
  readonly lookalike: Lookalike | null;
}

export function falsePositiveFeedback(mark: ReaderMark, volume: Volume | null): FalsePositiveFeedback {
  return { mark, lookalike: volume ? lookAround(volume, mark.centerMm) : null };
}
