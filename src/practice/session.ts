/**
 * The practice session the app holds while a trainee reads a case: what case, how far it is, the marks
 * and answers so far, and the result once submitted. Plain data for the store; the rules live in the
 * other modules of this folder.
 */
import type { LungRadsCategory } from '../findings/types';
import type { CaseRequest, Difficulty } from './difficulty';
import type { FalsePositiveFeedback, MissFeedback, ScanContext } from './feedback';
import type { CaseSource } from './history';
import type { PracticeScore } from './score';
import type { Modality, ReaderMark, TruthLesion } from './types';

/** How the trainee chose the case: a demo case, a synthetic one from a mix, or their own folder. */
export type PracticeChoice =
  | { readonly kind: 'demo'; readonly id: string }
  | {
      readonly kind: 'synthetic';
      readonly request: CaseRequest;
      readonly difficulty: Difficulty | 'suggested';
    }
  | { readonly kind: 'own'; readonly label: string };

export interface PracticeResult {
  readonly score: PracticeScore;
  readonly misses: readonly MissFeedback[];
  /** The z-extent the zones of the feedback refer to (the lungs', else the scan's). */
  readonly lungZ: readonly [number, number];
  /** Filled in once the image around each false positive has been read (null until then). */
  readonly falsePositives: readonly FalsePositiveFeedback[] | null;
}

export interface PracticeSession {
  readonly phase: 'preparing' | 'reading' | 'result';
  readonly choice: PracticeChoice;
  /** What the history calls the case. */
  readonly label: string;
  readonly source: CaseSource;
  readonly caseId: string;
  readonly modality: Modality;
  readonly reader: string;
  /** Hidden from the trainee until the result. */
  readonly truth: readonly TruthLesion[];
  /** Generating a synthetic case, then loading the images. */
  readonly progress: {
    readonly stage: 'generating' | 'loading';
    readonly done: number;
    readonly total: number;
  } | null;
  /** When the first image was on screen (ms since the epoch); the timer runs from here. */
  readonly startedAt: number | null;
  readonly scan: Partial<Pick<ScanContext, 'noiseSigma'>>;
  readonly marks: readonly ReaderMark[];
  readonly lungRads: LungRadsCategory | null;
  readonly impression: string;
  readonly seconds: number | null;
  readonly result: PracticeResult | null;
  readonly error: string | null;
}

/** What a session is before the trainee has done anything: no marks, no answers, no result. */
export function newSession(
  head: Pick<
    PracticeSession,
    | 'phase'
    | 'choice'
    | 'label'
    | 'source'
    | 'caseId'
    | 'modality'
    | 'reader'
    | 'truth'
    | 'progress'
    | 'startedAt'
  >,
): PracticeSession {
  return {
    ...head,
    scan: {},
    marks: [],
    lungRads: null,
    impression: '',
    seconds: null,
    result: null,
    error: null,
  };
}

/** AI output stays off the screen during an unaided practice read (findings, marks, heatmap, report). */
export function aiHidden(p: PracticeSession | null): boolean {
  return p !== null && p.modality === 'unaided' && p.phase !== 'result';
}
