/**
 * The practice session the app holds while a trainee reads a case: what case, how far it is, the marks
 * and answers so far, and the result once submitted. Plain data for the store; the rules live in the
 * other modules of this folder.
 */
import type { LungRadsCategory } from '../findings/types';
import type { Failure } from '../lib/errors';
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

/**
 * Where an own case's truth came from, as the UI names it (never a file name: one may hold a patient's).
 * A DICOM SR counts only when signed (verified); its date is the report's content date. A DICOM SEG's
 * nodules are its segments' connected components (practice/segTruth.ts).
 */
export type TruthSource =
  | { readonly kind: 'truth-json' }
  | {
      readonly kind: 'sr';
      readonly date?: string;
      /** Nodules whose composition the SR does not code (solid assumed, as for a stored report). */
      readonly typesAssumed: number;
    }
  | {
      readonly kind: 'seg';
      /** The SEG's content date (YYYY-MM-DD). */
      readonly date?: string;
      readonly nodules: number;
      /** Nodules whose segment names no composition (solid assumed). */
      readonly typesAssumed: number;
    };

/** Why an own case has no truth to score against; the UI words each (see app/practiceSrTruth.ts). */
export type CaseProblem =
  /** No truth.json, no DICOM SEG and no readable TID 1500 SR in the folder. */
  | { readonly code: 'no-truth' }
  /** Only unsigned SRs (AI results, drafts): not truth. */
  | { readonly code: 'sr-unsigned' }
  /** Signed SRs, none about an image series of the folder. */
  | { readonly code: 'sr-other-series' }
  /** A signed SR about the series with no nodule in it that does not say there are none. */
  | { readonly code: 'sr-no-nodules' }
  /** Some of the signed SR's nodules have no size or no place on the series (tracking ids). */
  | { readonly code: 'sr-unplaced'; readonly labels: readonly string[] }
  /** A DICOM SEG that cannot be read: the attribute (DICOM keyword) missing or wrong. */
  | { readonly code: 'seg-unreadable'; readonly attribute: string }
  /** A SEG whose pixel data is compressed (encapsulated): not read. */
  | { readonly code: 'seg-compressed' }
  /** SEGs, none about an image series of the folder. */
  | { readonly code: 'seg-other-series' }
  /** A SEG about the series whose frames mark nothing. */
  | { readonly code: 'seg-empty' }
  /** Frames of the SEG that mark something but lie on no slice of the series. */
  | { readonly code: 'seg-unplaced'; readonly frames: number; readonly total: number };

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
  /** Why the case could not start (worded by the UI: ui/failureText). */
  readonly error: Failure | null;
  /** Set instead of `error` when an own case's truth is missing or unusable (worded by the UI). */
  readonly problem?: CaseProblem;
  /** Where an own case's truth came from. */
  readonly truthSource?: TruthSource;
  /** The reader-study protocol this read belongs to (practice/protocol.ts), when it is one of its reads. */
  readonly studyId?: string;
  /** The case's Lung-RADS category as its signed report gives it (scored instead of the truth's own). */
  readonly truthLungRads?: LungRadsCategory;
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
