/**
 * The app store: zustand slices holding IDs, status and small records only. Pixel data, Cornerstone
 * viewports and worker handles live in `imaging/` and `app/`. No React here.
 */
import type { StorageProblem } from './persist';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LoadError } from '../dicom/read';
import type { Study } from '../dicom/series';
import type { Manifest } from '../ai/registry/manifest';
import type { FleischnerRisk } from '../findings/fleischnerTable';
import type { FindingRecord } from '../findings/record';
import type { FindingSort } from '../findings/review';
import type { Language, MessageKey } from '../i18n';
import type { Failure, Problem } from '../lib/errors';
import type { Measurement } from '../imaging/measurements';
import type { Layout, PresetName, Readout, ToolName } from '../imaging/viewer';
import type { PracticeEntry } from '../practice/history';
import type { PracticeSession } from '../practice/session';
import type { ReaderStudyPlan } from '../practice/protocol';
import type { Confirmation, SignOffBlock, SignedReport } from '../report/signoff';
import type { ReportDraft } from '../report/structured';

export interface StudySlice {
  studies: readonly Study[];
  loadErrors: readonly LoadError[];
  loading: { done: number; total: number } | null;
  /** Counts for the status line after a load completes. */
  lastLoad: { images: number; series: number; errors: number } | null;
  activeSeriesKey: string | null;
  retrieving: { done: number; total: number; source: 'pacs' | 'demo' } | null;
  /** The last Export series (app/seriesExport.ts): progress, then what was written and left out. */
  seriesExport: SeriesExportStatus | null;
}

/** An export of the series on screen as a ZIP of DICOM files (de-identified unless chosen otherwise). */
export type SeriesExportStatus =
  | { readonly state: 'working'; readonly done: number; readonly total: number; readonly identified: boolean }
  | {
      readonly state: 'done';
      readonly written: number;
      readonly identified: boolean;
      /** Files not in the ZIP: the name the file was opened under (shown on this screen only) and why. */
      readonly leftOut: readonly { readonly file: string; readonly code: string }[];
    }
  | { readonly state: 'cancelled' }
  | { readonly state: 'failed'; readonly reason: 'worker' | 'timeout' };

export interface ViewerSlice {
  layout: Layout;
  tool: ToolName;
  preset: PresetName | null;
  /** The active cell's window no longer is the chosen preset's (the reader dragged it). */
  windowOffPreset: boolean;
  overlay: boolean;
  cine: boolean;
  activeCell: number;
  /** Series shown per cell in the 2×2 layout. */
  gridSeries: readonly (string | null)[];
  readouts: Readonly<Record<number, Readout>>;
  cached: Readonly<Record<string, { cached: number; total: number }>>;
  measurements: readonly Measurement[];
  /** Why the viewer could not start or show the cells (worded by the UI). */
  viewerError: Failure | null;
  cellErrors: Readonly<Record<number, Failure>>;
  cpuRendering: boolean;
}

export interface AiState {
  readonly status:
    | 'idle'
    | 'preparing'
    | 'loading-model'
    | 'starting-runtime'
    | 'running'
    | 'done'
    | 'error'
    | 'cancelled'
    | 'not-applicable';
  readonly done: number;
  readonly total: number;
  readonly startedAt: number;
  readonly provider?: 'webgpu' | 'wasm-threaded' | 'wasm';
  readonly threads?: number;
  /** Why the backend runs with fewer threads than it could (a server without the isolation headers). */
  readonly note?: Problem;
  readonly seconds?: number;
  readonly model?: { readonly id: string; readonly version: string; readonly quantization?: string };
  /**
   * Why the run failed (status `error`: a code of ai/browser/protocol RUN_PROBLEM_CODES) or did not run
   * (status `not-applicable`: ai/shared/applicability SKIP_CODES), with its detail; the UI words it.
   */
  readonly problem?: Problem;
  readonly found?: number;
  /** For classification models: the label over the series and its probability. */
  readonly classification?: { readonly label: string; readonly probability: number };
}

export interface ReviewContext {
  /** Fleischner risk, chosen by the radiologist. */
  fleischnerRisk: FleischnerRisk;
  knownCancer: boolean;
  immunocompromised: boolean;
  screening: boolean;
  /** Brock inputs the DICOM does not hold. */
  emphysema: boolean;
  familyHistory: boolean;
}

export interface FindingsSlice {
  findings: readonly FindingRecord[];
  selectedFinding: string | null;
  findingSort: FindingSort;
  /** The finding being re-measured with the length tool, if any. */
  remeasuring: string | null;
  /** Whether the current findings came back from this device's saved review. */
  restored: boolean;
  /** The series the findings belong to (the one the model ran on, or whose review came back). */
  reviewSeriesKey: string | null;
  showAiMarks: boolean;
  /** Whether the model's evidence map from the last run is available (it is not saved). */
  evidenceAvailable: boolean;
  showHeatmap: boolean;
  heatmapOpacity: number;
  ai: AiState;
  /** The overall Lung-RADS assessment of the reviewed findings. */
  caseLungRads: { category: string; management: string } | null;
  report: { findings: string; impression: string } | null;
  /** Age and sex of the series' patient from the DICOM (in memory only, for Brock and differentials). */
  patient: { ageYears?: number; sex?: string };
  /** The lungs' z-extent (patient mm) found by the model, for zones of hand-drawn findings. */
  lungZ: readonly [number, number] | null;
  reviewContext: ReviewContext;
  /** A review action the app refused, with the reason (shown next to the findings). */
  reviewError: MessageKey | null;
  /** The stored report (DICOM SR) whose findings were brought back onto a series (app/storedReports.ts). */
  storedReport: StoredReportNote | null;
}

/** What the Findings panel says of a stored report it shows (in memory only, never persisted). */
export interface StoredReportNote {
  readonly seriesKey: string;
  readonly verified: boolean;
  /** Content date (YYYY-MM-DD), when the report gives one. */
  readonly date?: string;
  /** The verifying observer's name (a signed report). */
  readonly reader?: string;
  /** Measurement groups that could not be placed on the series: their tracking ids (or #n). */
  readonly unplaced: readonly string[];
}

export interface DemoCaseSummary {
  readonly id: string;
  readonly label: string;
  /** The case's true nodules (synthetic ground truth), shown beside its name. */
  readonly nodules: readonly { readonly type: string; readonly diameterMm: number }[];
  readonly files: readonly string[];
}

/**
 * The demo set while the dev server is still generating it on a first start: how many cases are ready,
 * and whether generation failed or stopped reporting.
 */
export interface DemoProgress {
  readonly state: 'generating' | 'failed' | 'stalled';
  readonly ready: number;
  readonly total: number;
}

export interface InstalledModelSummary {
  /** Folder under the app's `models/`, or `folder:<id>@<version>` for a model the user picked. */
  readonly dir: string;
  readonly manifest: Manifest;
  readonly origin?: 'app' | 'folder';
}

export interface SessionSlice {
  /** Models served with the app, then those the user loaded from a folder (null until known). */
  models: readonly InstalledModelSummary[] | null;
  /** The model Run AI uses (`dir`), or null for the first detection model that applies. */
  selectedModel: string | null;
  /** Why the last model folder was refused. */
  modelFolderError: { key: MessageKey; params: Record<string, string> } | null;
  modelCardOpen: boolean;
  /** Demo cases served with the app (null until known, [] when the build has none). */
  demoCases: readonly DemoCaseSummary[] | null;
  /** Set while the demo set is being generated (a first `npm start`); null once complete or absent. */
  demoProgress: DemoProgress | null;
  language: Language;
  pacsUrl: string;
  helpOpen: boolean;
  /** Why the reader's work could not be kept on this device (quota full, storage blocked), if so. */
  storageProblem: StorageProblem | null;
  pacsOpen: boolean;
}

/** Practice mode (app/practice.ts): the case list, the read in progress, the history on this device. */
export interface PracticeSlice {
  practiceOpen: boolean;
  practice: PracticeSession | null;
  practiceHistory: readonly PracticeEntry[];
  /** The reader-study protocols kept on this device (practice/protocol.ts). */
  readerStudies: readonly ReaderStudyPlan[];
}

export const initialPractice = (): PracticeSlice => ({
  practiceOpen: false,
  practice: null,
  practiceHistory: [],
  readerStudies: [],
});

/** The report (app/report.ts): the draft as data, the text in the editor, sign-off and export. */
export interface ReportSlice {
  reportDraft: ReportDraft | null;
  /** The text in the editor: the draft rendered, or as the reader typed it. */
  reportText: string;
  reportReader: string;
  reportConfirmations: readonly Confirmation[];
  signedReport: SignedReport | null;
  /** An addendum being written to the signed report (null when none is open). */
  addendumText: string | null;
  /** What stood in the way of the last sign-off attempt. */
  reportBlocks: readonly SignOffBlock[];
  /** The last export or store to PACS (`failure`: why it failed, worded by the UI). */
  reportExport: {
    readonly state: 'working' | 'exported' | 'stored' | 'failed';
    readonly detail?: string;
    readonly failure?: Failure;
  } | null;
}

export const initialReport = (): ReportSlice => ({
  reportDraft: null,
  reportText: '',
  reportReader: '',
  reportConfirmations: [],
  signedReport: null,
  addendumText: null,
  reportBlocks: [],
  reportExport: null,
});

export type AppState = StudySlice & ViewerSlice & SessionSlice & FindingsSlice & PracticeSlice & ReportSlice;

export const initialStudy = (): StudySlice => ({
  studies: [],
  loadErrors: [],
  loading: null,
  lastLoad: null,
  activeSeriesKey: null,
  retrieving: null,
  seriesExport: null,
});

export const initialViewer = (): ViewerSlice => ({
  layout: '1x1',
  tool: 'windowLevel',
  preset: null,
  windowOffPreset: false,
  overlay: true,
  cine: false,
  activeCell: 0,
  gridSeries: [null, null, null, null],
  readouts: {},
  cached: {},
  measurements: [],
  viewerError: null,
  cellErrors: {},
  cpuRendering: false,
});

export const initialReviewContext = (): ReviewContext => ({
  fleischnerRisk: 'low',
  knownCancer: false,
  immunocompromised: false,
  screening: false,
  emphysema: false,
  familyHistory: false,
});

export const initialFindings = (): FindingsSlice => ({
  findings: [],
  selectedFinding: null,
  findingSort: 'category',
  remeasuring: null,
  restored: false,
  reviewSeriesKey: null,
  showAiMarks: true,
  evidenceAvailable: false,
  showHeatmap: false,
  heatmapOpacity: 0.5,
  ai: { status: 'idle', done: 0, total: 0, startedAt: 0 },
  caseLungRads: null,
  report: null,
  patient: {},
  lungZ: null,
  reviewContext: initialReviewContext(),
  reviewError: null,
  storedReport: null,
});

export const initialSession = (): SessionSlice => ({
  models: null,
  selectedModel: null,
  modelFolderError: null,
  modelCardOpen: false,
  demoCases: null,
  demoProgress: null,
  language: 'en',
  pacsUrl: '',
  helpOpen: false,
  pacsOpen: false,
  storageProblem: null,
});

export type AppStore = StoreApi<AppState>;

export function createAppStore(overrides: Partial<AppState> = {}): AppStore {
  return createStore<AppState>()(() => ({
    ...initialStudy(),
    ...initialViewer(),
    ...initialSession(),
    ...initialFindings(),
    ...initialPractice(),
    ...initialReport(),
    ...overrides,
  }));
}

/** A new study replaces the old one: reset the study and per-study viewer state. */
export function resetForNewStudy(store: AppStore): void {
  const { layout, tool, overlay, findingSort, showAiMarks, heatmapOpacity, reportReader } = store.getState();
  store.setState({
    ...initialStudy(),
    ...initialViewer(),
    ...initialFindings(),
    ...initialReport(),
    reportReader,
    layout: layout === '1x3' ? '1x1' : layout,
    tool,
    overlay,
    findingSort,
    showAiMarks,
    heatmapOpacity,
  });
}
