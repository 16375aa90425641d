/**
 * The score of one practice read against the case's truth: lesion sensitivity, false positives, type
 * accuracy among the nodules found, agreement of the overall Lung-RADS category, time; and the same
 * matching for the AI findings when the model ran on the case, so truth, AI and reader sit side by side.
 */
import { assessCase } from '../findings/lungrads';
import type { LungRadsNoduleInput } from '../findings/lungradsInput';
import type { LungRadsCategory, Margin } from '../findings/types';
import { matchMarks, type Matching } from './match';
import type { AiMark, ReaderMark, TruthLesion } from './types';

const MARGINS: readonly string[] = ['smooth', 'lobulated', 'spiculated'];

/**
 * The Lung-RADS v2022 category the truth gives the case (a baseline screening CT): each true nodule as
 * its type, mean diameter, solid component and margin describe it. A juxtapleural or perifissural solid
 * nodule with smooth margins counts with the benign morphology of v2022 (category 2 under 10 mm).
 */
export function truthLungRads(lesions: readonly TruthLesion[]): LungRadsCategory {
  const nodules: LungRadsNoduleInput[] = lesions.map((l) => ({
    type: l.type,
    meanDiameterMm: l.diameterMm,
    solidComponentMm:
      l.type === 'part-solid' ? Math.min(l.diameterMm, Math.max(0.1, l.solidComponentMm ?? 0.1)) : null,
    status: 'baseline',
    juxtapleural:
      l.type === 'solid' &&
      l.margin === 'smooth' &&
      (l.location === 'juxtapleural' || l.location === 'perifissural'),
    ...(l.margin && MARGINS.includes(l.margin) ? { margin: l.margin as Margin } : {}),
  }));
  return assessCase(nodules).category;
}

export interface PracticeScore {
  readonly lesions: number;
  readonly matching: Matching;
  /** Nodules found / nodules; NaN for a case without nodules. */
  readonly sensitivity: number;
  readonly falsePositives: number;
  /** Share of the found nodules whose type the reader named right; NaN when none was found. */
  readonly typeAccuracy: number;
  readonly lungRads: {
    readonly given: LungRadsCategory | null;
    readonly truth: LungRadsCategory;
    readonly agree: boolean;
  };
  readonly seconds: number;
  /** The AI's findings on the same case, matched by the same rule; null when the model did not run. */
  readonly ai: Matching | null;
}

export interface PracticeRead {
  readonly truth: readonly TruthLesion[];
  readonly marks: readonly ReaderMark[];
  readonly lungRads: LungRadsCategory | null;
  readonly seconds: number;
  /** AI findings at the model's operating point, if it ran on the case. */
  readonly ai?: readonly AiMark[] | null;
  /** The case's category as its signed report gives it; otherwise the truth's nodules decide it. */
  readonly truthLungRads?: LungRadsCategory;
}

export function scorePractice(read: PracticeRead): PracticeScore {
  const matching = matchMarks(read.truth, read.marks);
  const found = matching.hits.length;
  const truthCategory = read.truthLungRads ?? truthLungRads(read.truth);
  const ai = read.ai
    ? matchMarks(
        read.truth,
        read.ai.map((f) => ({
          id: f.id,
          centerMm: f.centerMm,
          confidence: f.score,
          type: f.type,
          diameterMm: f.meanDiameterMm,
        })),
      )
    : null;
  return {
    lesions: read.truth.length,
    matching,
    sensitivity: read.truth.length ? found / read.truth.length : NaN,
    falsePositives: matching.falsePositives.length,
    typeAccuracy: found ? matching.hits.filter((h) => h.typeRight).length / found : NaN,
    lungRads: { given: read.lungRads, truth: truthCategory, agree: read.lungRads === truthCategory },
    seconds: read.seconds,
    ai,
  };
}
