/**
 * The reader-study data model, shared by practice mode (one trainee, unaided reads), the reader study
 * (several readers, each case unaided and with AI) and `lucent eval --readers`. A study file is
 * `lucent.readers/1` JSON: the cases (with their truth, and the AI findings shown in aided reads) and every
 * read (who, which case, unaided or with AI, the marks with their confidence, time).
 */
import type { LungRadsCategory, NoduleType } from '../findings/types';

export type Vec3 = readonly [number, number, number];

/** How a case was read: without AI output, or with the AI findings on screen. */
export type Modality = 'unaided' | 'aided';
export const MODALITIES: readonly Modality[] = ['unaided', 'aided'];

/** A reader's confidence that a mark is a nodule: 1 (barely suspicious) to 5 (certain). */
export const MIN_CONFIDENCE = 1;
export const MAX_CONFIDENCE = 5;

/** One mark a reader put on a case: a click at a nodule's centre, or an ellipse around it. */
export interface ReaderMark {
  readonly id: string;
  readonly centerMm: Vec3;
  /** 1–5: the rating of FROC/AFROC analysis. */
  readonly confidence: number;
  readonly type: NoduleType;
  /** Mean diameter, when the mark was an ellipse. */
  readonly diameterMm?: number;
  /** Set when the reader took this mark over from an AI finding (aided reads). */
  readonly aiFindingId?: string;
}

/**
 * A true nodule (the `lucent.truth/1` fields Lucent uses). `location` and `margin` are optional: the
 * synthetic generator writes them, other datasets may not.
 */
export interface TruthLesion {
  readonly centerMm: Vec3;
  readonly diameterMm: number;
  readonly type: NoduleType;
  readonly solidComponentMm?: number | null;
  readonly location?: string;
  readonly margin?: string;
}

/** An AI finding shown to the reader in an aided read. */
export interface AiMark {
  readonly id: string;
  readonly centerMm: Vec3;
  readonly score: number;
  readonly type: NoduleType;
  readonly meanDiameterMm: number;
}

export interface StudyCase {
  readonly id: string;
  /** Absent when the truth comes from a dataset folder (`lucent eval <dataset> --readers FILE`). */
  readonly truth?: readonly TruthLesion[];
  /** The AI findings shown in aided reads of this case. */
  readonly ai?: readonly AiMark[];
}

export interface Read {
  readonly reader: string;
  readonly caseId: string;
  readonly modality: Modality;
  readonly marks: readonly ReaderMark[];
  /** The reader's overall Lung-RADS category for the case, if given. */
  readonly lungRads?: LungRadsCategory | null;
  readonly impression?: string;
  readonly seconds: number;
  /** When the read was submitted (ISO 8601). */
  readonly at?: string;
}

export const STUDY_SCHEMA = 'lucent.readers/1';

export interface StudyFile {
  readonly schema: typeof STUDY_SCHEMA;
  readonly cases: readonly StudyCase[];
  readonly reads: readonly Read[];
}
