/**
 * What the practice UI may call (implemented by app/practice.ts): start a case (demo, synthetic from a
 * mix, or the user's own labelled folder), mark and answer during the read, submit, step through the
 * result, and export the history as a reader study.
 */
import type { LungRadsCategory, NoduleType } from '../../findings/types';
import type { CaseMix, Difficulty } from '../../practice/difficulty';
import type { Design } from '../../practice/protocol';
import type { Modality, Vec3 } from '../../practice/types';
import type { OpenFile } from '../context';

export interface PracticeStart {
  readonly modality: Modality;
  /** The reader's id in the history and the reader-study export (a pseudonym such as "R1"). */
  readonly reader: string;
}

export type StudyExport = 'json' | 'marks-csv' | 'truth-csv';

export interface PracticeActions {
  /** The case list and progress (dialog). */
  open(): void;
  close(): void;
  startDemo(id: string, start: PracticeStart): Promise<void>;
  startSynthetic(mix: CaseMix, difficulty: Difficulty | 'suggested', start: PracticeStart): Promise<void>;
  /** A folder with DICOM files and a `lucent.truth/1` truth.json, or a signed DICOM SR of its nodules. */
  startOwn(files: readonly OpenFile[], start: PracticeStart): Promise<void>;
  setMark(id: string, change: { readonly type?: NoduleType; readonly confidence?: number }): void;
  removeMark(id: string): void;
  answer(change: { readonly lungRads?: LungRadsCategory | null; readonly impression?: string }): void;
  submit(): void;
  /** Show a point (a nodule, a mark) on the viewport. */
  goTo(point: Vec3): void;
  /** Another case like the last one (the next demo case, or a new synthetic case from the same mix). */
  next(): Promise<void>;
  /** Leave practice (a generation in progress is cancelled). */
  end(): void;
  exportStudy(format: StudyExport): void;
  /**
   * Start a reader-study protocol for this reader over the chosen demo cases (at least MIN_STUDY_CASES of
   * them), and its first read.
   */
  startStudy(reader: string, design: Design, caseIds: readonly string[]): Promise<void>;
  /** The next read of a reader study (nothing while its washout runs). */
  continueStudy(id: string): Promise<void>;
}
