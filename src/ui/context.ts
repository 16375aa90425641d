/**
 * What the UI may call. `app/` implements these actions (wiring workers, Cornerstone and the store);
 * components reach them through React context and never touch workers or Cornerstone directly.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StudyHit, StudyQuery } from '../dicom/dicomweb';
import type { Language } from '../i18n';
import type { CellSpec, Layout, PresetName, ToolName } from '../imaging/viewer';
import type { FindingEdit, FindingSort } from '../findings/review';
import type { NoduleType } from '../findings/types';
import type { AppState, AppStore, ReviewContext } from '../store';
import type { PracticeActions } from './practice/actions';
import type { ReportActions } from './report/actions';
import type { LlmModelActions } from './report/llmModel';

export interface OpenFile {
  readonly file: Blob;
  /** Relative path within a dropped or picked folder, or the file name. */
  readonly name: string;
}

/** A report draft the language model is writing (app/llmDraft.ts); its text streams to `onText`. */
export interface LlmDraftStream {
  readonly done: Promise<{
    readonly text: string;
    readonly stopped: 'end' | 'length' | 'cancelled';
    readonly tokens: number;
    readonly ms: number;
    /** Sentences the grounding check found grounded, of all sentences. */
    readonly grounded: number;
    readonly sentences: number;
  }>;
  cancel(): void;
}

export interface Actions {
  openFiles(files: readonly OpenFile[]): void;
  /** Read again the files whose reader (a background worker) stopped before reading them. */
  retryLostFiles(): void;
  /** Remove everything stored on this device (storage, caches, IndexedDB), then reload the page. */
  clearLocalData(): Promise<void>;
  searchPacs(url: string, query: StudyQuery, signal?: AbortSignal): Promise<StudyHit[]>;
  openPacsStudy(url: string, study: StudyHit): Promise<void>;
  openDemo(id: string): Promise<void>;
  selectSeries(key: string): void;
  setLayout(layout: Layout): void;
  setTool(tool: ToolName): void;
  applyPreset(preset: PresetName | null): void;
  reset(): void;
  scroll(delta: number): void;
  toggleCine(): void;
  setActiveCell(cell: number): void;
  mountViewports(cells: readonly { element: HTMLDivElement; spec: CellSpec }[]): void;
  resizeViewports(): void;
  removeMeasurement(uid: string): void;
  setLanguage(language: Language): void;
  runAi(): void;
  cancelAi(): void;
  selectFinding(id: string): void;
  stepFinding(delta: number): void;
  setFindingStatus(id: string, status: 'accepted' | 'rejected' | 'pending'): void;
  toggleAiMarks(): void;
  editFinding(id: string, edit: FindingEdit): void;
  startRemeasure(id: string): void;
  finishRemeasure(): void;
  addFindingFromMeasurement(uid: string, type: NoduleType): void;
  setFindingSort(sort: FindingSort): void;
  setReviewContext(change: Partial<ReviewContext>): void;
  exportAudit(): void;
  /**
   * Download every instance of the series on screen as one ZIP of DICOM files: de-identified (PS3.15 Basic
   * Profile, one run per export), or as they are when `keepIdentifiers` (app/seriesExport.ts).
   */
  exportSeries(keepIdentifiers: boolean): void;
  cancelSeriesExport(): void;
  /** Draft the report with the chosen language model, streaming; null when no finding counts. */
  draftWithLlm(onText: (text: string) => void): LlmDraftStream | null;
  /** Which language model drafts: the demo model or a folder the user picked (app/llmDraft.ts). */
  readonly llm: LlmModelActions;
  loadModelFolder(files: readonly OpenFile[]): Promise<void>;
  selectModel(dir: string | null): void;
  toggleHeatmap(): void;
  setHeatmapOpacity(opacity: number): void;
  evidenceImage(cell: number): { href: string; x: number; y: number; width: number; height: number } | null;
  projectToCell(
    cell: number,
    centerMm: readonly [number, number, number],
    radiusMm: number,
  ): { x: number; y: number; r: number } | null;
  renderThumbnail(canvas: HTMLCanvasElement, seriesKey: string): Promise<void>;
  /** Practice mode and the reader study (app/practice.ts). */
  readonly practice: PracticeActions;
  /** The report: editing, the language model's slot, sign-off and export (app/report.ts). */
  readonly report: ReportActions;
}

export interface AppContextValue {
  readonly store: AppStore;
  readonly actions: Actions;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('AppContext is missing');
  return v;
}

export function useAppState<T>(selector: (s: AppState) => T): T {
  const { store } = useApp();
  return useStore(store, selector);
}

export function useActions(): Actions {
  return useApp().actions;
}
