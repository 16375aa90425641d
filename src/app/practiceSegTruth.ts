/**
 * The truth of an own practice case from DICOM SEGs stored with its images (no truth.json): the SEGs are
 * read (dicom/seg.ts), placed on one of the case's image series (the one on screen first), and each
 * connected component of each segment becomes a nodule (practice/segTruth.ts). This file only wires them.
 *
 * The rules, so that a case is scored only against a whole truth:
 * - A SEG that cannot be read (an attribute missing or wrong, compressed pixel data) refuses the case: it
 *   may hold part of the truth.
 * - The SEGs of one SEG series are one annotation (a reader may store each nodule in its own SEG) and are
 *   merged; of several SEG series about the case's series, the newest (content date and time) is used.
 * - Every frame that marks something must lie on a slice of the series, else the case is refused.
 * - A SEG that marks nothing is refused: an empty segmentation may just be unfinished.
 */
import type { InstanceInfo } from '../dicom/instance';
import { parseSource } from '../dicom/read';
import {
  placeSegmentation,
  readSegmentation,
  segApplies,
  type PlacedSegmentation,
  type SegReadProblem,
  type SegTarget,
  type Segmentation,
} from '../dicom/seg';
import type { Series } from '../dicom/series';
import type { ByteSource } from '../dicom/source';
import { err, ok, type Result } from '../lib/result';
import { truthFromMasks } from '../practice/segTruth';
import type { CaseProblem } from '../practice/session';
import type { TruthLesion } from '../practice/types';

export type SegRead = Result<Segmentation, SegReadProblem | { readonly code: 'seg-compressed' }>;

/** A SEG instance's segmentation from its bytes (the dataset, then its native pixel data). */
export async function readSegSource(source: ByteSource): Promise<SegRead> {
  const parsed = await parseSource(source);
  const px = parsed.pixelData;
  if (!px) return err({ code: 'seg-unreadable', attribute: 'PixelData' });
  if (px.encapsulated) return err({ code: 'seg-compressed' });
  const pixels = px.inline
    ? px.inline.subarray(px.offset, px.offset + px.length)
    : await source.read(px.offset, px.offset + px.length);
  return readSegmentation(parsed.dataset, pixels);
}

/** A series as a SEG's target: its slices in display order, with each one's SOP UID and geometry. */
export function segTarget(
  series: Series,
  instance: (key: string) => InstanceInfo | undefined,
): SegTarget & { readonly key: string } {
  let frameOfReferenceUID: string | undefined;
  const slices = series.frames.map((f) => {
    const info = instance(f.instanceKey);
    frameOfReferenceUID ??= info?.frameOfReferenceUID;
    const geometry = info?.image?.frames[f.frame];
    return {
      sopInstanceUID: info?.sopInstanceUID ?? '',
      frame: f.frame,
      ...(geometry?.position ? { position: geometry.position } : {}),
      ...(geometry?.orientation ? { orientation: geometry.orientation } : {}),
    };
  });
  return {
    key: series.key,
    seriesInstanceUID: series.seriesInstanceUID,
    ...(frameOfReferenceUID ? { frameOfReferenceUID } : {}),
    slices,
  };
}

export interface SegTruth {
  readonly truth: TruthLesion[];
  readonly seriesKey: string;
  /** The SEG's content date (YYYY-MM-DD). */
  readonly date?: string;
  readonly typesAssumed: number;
}

const when = (s: Segmentation): string => `${s.contentDate ?? ''}${s.contentTime ?? ''}`;

/**
 * The truth of a case from the SEGs read from its folder, on one of its image series (`preferred` first);
 * the problem when there is none to score against.
 */
export function truthFromSegs(
  reads: readonly SegRead[],
  targets: readonly (SegTarget & { readonly key: string })[],
  preferred: string | null,
): Result<SegTruth, CaseProblem> {
  const segs: Segmentation[] = [];
  for (const r of reads) {
    if (!r.ok) return err(r.error);
    segs.push(r.value);
  }
  const ordered = [
    ...targets.filter((t) => t.key === preferred),
    ...targets.filter((t) => t.key !== preferred),
  ];
  const target = ordered.find((t) => segs.some((s) => segApplies(s, t)));
  if (!target) return err({ code: 'seg-other-series' });
  const about = segs.filter((s) => segApplies(s, target));
  const newest = about.reduce((a, b) => (when(b) > when(a) ? b : a));
  const chosen = about.filter((s) => s.seriesInstanceUID === newest.seriesInstanceUID);
  const placed: PlacedSegmentation[] = [];
  let empty = 0;
  for (const s of chosen) {
    const p = placeSegmentation(s, target);
    if (p.ok) placed.push(p.value);
    else if (p.error.code === 'seg-empty') empty++;
    else return err(p.error);
  }
  if (placed.length === 0 || empty > 0) return err({ code: 'seg-empty' });
  const truth: TruthLesion[] = [];
  let typesAssumed = 0;
  for (const p of placed) {
    const t = truthFromMasks(p);
    truth.push(
      ...t.nodules.map(({ centerMm, diameterMm, type, solidComponentMm }) => ({
        centerMm,
        diameterMm,
        type,
        solidComponentMm,
      })),
    );
    typesAssumed += t.typesAssumed;
  }
  const d = newest.contentDate;
  const date = d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : undefined;
  return ok({ truth, seriesKey: target.key, ...(date ? { date } : {}), typesAssumed });
}
