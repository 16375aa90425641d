/**
 * Which mark found which nodule: the LUNA16 rule exactly as `lucent eval` applies it to the model
 * (ai/shared/froc.ts): a mark hits a nodule when its centre lies within the nodule's radius; each nodule
 * counts once, taken by the most confident mark inside it (the first of equals); further marks inside a
 * nodule are ignored, not counted as false positives. People and the model are scored by one rule.
 */
import { atThreshold, type CaseResult, type Detection, type TruthNodule } from '../ai/shared/froc';
import type { ReaderMark, TruthLesion, Vec3 } from './types';

function truthNodule(l: TruthLesion): TruthNodule {
  return { centerMm: [...l.centerMm], diameterMm: l.diameterMm, type: l.type };
}

function detection(m: ReaderMark): Detection {
  return {
    centerMm: [...m.centerMm],
    score: m.confidence,
    type: m.type,
    meanDiameterMm: m.diameterMm ?? 0,
  };
}

/** Whether a point counts as a hit on a nodule, decided by froc.ts itself (one nodule, one detection). */
export function inside(point: Vec3, lesion: TruthLesion): boolean {
  const one: CaseResult = {
    name: '',
    truth: [truthNodule(lesion)],
    detections: [{ centerMm: [...point], score: 1, type: lesion.type, meanDiameterMm: 0 }],
  };
  return atThreshold([one], 1).hits === 1;
}

export interface Hit {
  readonly lesion: number;
  readonly mark: ReaderMark;
  readonly typeRight: boolean;
}

export interface Matching {
  readonly hits: readonly Hit[];
  /** Indices of the nodules no mark found. */
  readonly misses: readonly number[];
  /** Marks inside no nodule. */
  readonly falsePositives: readonly ReaderMark[];
  /** Marks inside a nodule that another (more confident, or earlier) mark took: ignored. */
  readonly duplicates: readonly ReaderMark[];
}

export function matchMarks(lesions: readonly TruthLesion[], marks: readonly ReaderMark[]): Matching {
  const hits: Hit[] = [];
  const misses: number[] = [];
  const used = new Set<ReaderMark>();
  lesions.forEach((lesion, i) => {
    let best: ReaderMark | null = null;
    for (const m of marks) {
      if (inside(m.centerMm, lesion) && (!best || m.confidence > best.confidence)) best = m;
    }
    if (best) {
      used.add(best);
      hits.push({ lesion: i, mark: best, typeRight: best.type === lesion.type });
    } else misses.push(i);
  });
  const falsePositives: ReaderMark[] = [];
  const duplicates: ReaderMark[] = [];
  for (const m of marks) {
    if (used.has(m)) continue;
    if (lesions.some((l) => inside(m.centerMm, l))) duplicates.push(m);
    else falsePositives.push(m);
  }
  return { hits, misses, falsePositives, duplicates };
}

/** A read as froc.ts sees a model's output on a case: the marks are detections, confidence the score. */
export function caseResult(
  name: string,
  lesions: readonly TruthLesion[],
  marks: readonly ReaderMark[],
): CaseResult {
  return { name, truth: lesions.map(truthNodule), detections: marks.map(detection) };
}
