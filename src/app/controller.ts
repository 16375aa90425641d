/**
 * The one place that wires the browser host together: it builds the parts (loading, demo cases, viewing,
 * the AI run, review, the evidence layer, persistence) over one store and exposes them to the UI as
 * `Actions`. Each part is a file of its own; this file only connects them.
 *
 *   UI ──Actions──▶ Controller ─┬─ Loading (ingest worker, DICOMweb, demo cases) ─▶ store.studies
 *                               ├─ Viewing (Cornerstone viewer: cells, tools, presets)
 *                               ├─ AiRun (inference worker → src/analysis) ─▶ store.findings
 *                               ├─ Review (decisions, edits, report draft) ─▶ store.report
 *                               ├─ StoredReports (a study's SRs) ─▶ store.findings
 *                               ├─ SeriesExport (the series on screen → a de-identified ZIP)
 *                               └─ Persistence (settings, saved reviews)
 */
import type { StudyHit, StudyQuery } from '../dicom/dicomweb';
import type { FindingEdit, FindingSort } from '../findings/review';
import type { NoduleType } from '../findings/types';
import type { Language } from '../i18n';
import { listMeasurements } from '../imaging/measurements';
import type { CellSpec, Layout, PresetName, ToolName, Viewer } from '../imaging/viewer';
import type { AppStore, ReviewContext } from '../store';
import type { Actions, LlmDraftStream, OpenFile } from '../ui/context';
import { log } from '../lib/logger';
import { AiRun } from './aiRun';
import { clearAllLocalData } from './clearData';
import { Demo } from './demo';
import { EvidenceLayer } from './evidence';
import type { Host } from './host';
import { LlmDrafting } from './llmDraft';
import { Loading } from './loading';
import { Persistence } from './persistence';
import { Practice } from './practice';
import { ReportHost } from './report';
import { Review } from './review';
import { SeriesExport } from './seriesExport';
import { StoredReports } from './storedReports';
import { Viewing } from './viewing';
import type { KeyValueStorage } from '../store/persist';

export class Controller implements Actions {
  private viewerRef: Viewer | null = null;
  private readonly host: Host;
  private readonly loading: Loading;
  private readonly demo: Demo;
  private readonly viewing: Viewing;
  private readonly ai: AiRun;
  private readonly review: Review;
  private readonly evidence: EvidenceLayer;
  private readonly seriesExport: SeriesExport;
  readonly llm: LlmDrafting;
  readonly persistence: Persistence;
  readonly practice: Practice;
  readonly report: ReportHost;

  constructor(
    store: AppStore,
    /** Where reviews, reports and practice results are kept on this device (app/deviceStore.ts). */
    device: KeyValueStorage,
  ) {
    this.host = { store, viewer: () => this.viewerRef };
    this.evidence = new EvidenceLayer(this.host);
    this.llm = new LlmDrafting(this.host);
    this.viewing = new Viewing(this.host, {
      loading: () => this.loading.busy(),
      seriesChosen: () => this.loading.userChoseSeries(),
      measurementsChanged: () => this.review.drainRemeasure(),
      measurementCompleted: (uid) => this.review.measurementCompleted(uid),
    });
    this.review = new Review(this.host, this.viewing);
    this.loading = new Loading(this.host, {
      onNewStudy: () => {
        this.demo.forget();
        this.evidence.set(null);
        this.review.newStudy();
        this.viewing.newStudy();
        this.practice.newStudy();
      },
      showSeries: (key) => this.viewing.fillGrid(key),
    });
    this.demo = new Demo(this.host, this.loading);
    this.ai = new AiRun(this.host, {
      analysed: (a) => {
        this.evidence.set(a.detection.evidence ?? null);
        this.review.updateReport();
      },
    });
    this.persistence = new Persistence(this.host, device, () => this.review.updateReport());
    // A study's stored reports (DICOM SR) bring their findings back when no review of the series exists.
    new StoredReports(this.host, { applied: () => this.review.updateReport() }, () => device).start();
    this.practice = new Practice(
      this.host,
      {
        openDemo: (id) => this.demo.open(id),
        openFiles: (files) => this.loading.openFiles(files),
        jumpTo: (point) => this.viewing.jumpTo(point),
        showSeries: (key) => this.viewing.selectSeries(key),
        useProbe: () => this.viewing.setTool('probe'),
        removeMeasurement: (uid) => this.viewing.removeMeasurement(uid),
        runAi: () => this.ai.run(),
        cancelAi: () => this.ai.cancel(),
      },
      () => device,
    );
    this.practice.start();
    this.report = new ReportHost(this.host);
    this.report.start();
    this.seriesExport = new SeriesExport(this.host);
    this.seriesExport.start();
  }

  /** Cornerstone has started: the viewer exists now, and the cells mounted so far are mounted again. */
  attachViewer(viewer: Viewer): void {
    this.viewerRef = viewer;
    this.viewing.remount();
  }

  viewerEvents(): ConstructorParameters<typeof Viewer>[0] {
    return this.viewing.events();
  }

  loadDemoIndex = (): Promise<void> => this.demo.loadIndex();
  loadModelIndex = (): Promise<void> => this.ai.loadModelIndex();

  // Loading
  openFiles = (files: readonly OpenFile[]): void => this.loading.openFiles(files);
  retryLostFiles = (): void => this.loading.retryLostFiles();
  clearLocalData = async (): Promise<void> => {
    this.persistence.stop();
    const cleared = await clearAllLocalData();
    log('info', 'local-data-cleared', { ...cleared });
    window.location.reload();
  };
  searchPacs = (url: string, query: StudyQuery, signal?: AbortSignal): Promise<StudyHit[]> =>
    this.loading.searchPacs(url, query, signal);
  openPacsStudy = (url: string, study: StudyHit): Promise<void> => this.loading.openPacsStudy(url, study);
  openDemo = (id: string): Promise<void> => this.demo.open(id);

  // Viewing
  selectSeries = (key: string): void => this.viewing.selectSeries(key);
  setLayout = (layout: Layout): void => this.viewing.setLayout(layout);
  setTool = (tool: ToolName): void => this.viewing.setTool(tool);
  applyPreset = (preset: PresetName | null): void => this.viewing.applyPreset(preset);
  reset = (): void => this.viewing.reset();
  scroll = (delta: number): void => this.viewing.scroll(delta);
  toggleCine = (): void => this.viewing.toggleCine();
  setActiveCell = (cell: number): void => this.viewing.setActiveCell(cell);
  mountViewports = (cells: readonly { element: HTMLDivElement; spec: CellSpec }[]): void =>
    this.viewing.mountViewports(cells);
  resizeViewports = (): void => this.viewing.resizeViewports();
  removeMeasurement = (uid: string): void => this.viewing.removeMeasurement(uid);
  renderThumbnail = (canvas: HTMLCanvasElement, seriesKey: string): Promise<void> =>
    this.viewing.renderThumbnail(canvas, seriesKey);
  toggleAiMarks = (): void => this.viewing.toggleAiMarks();
  projectToCell = (
    cell: number,
    centerMm: readonly [number, number, number],
    radiusMm: number,
  ): { x: number; y: number; r: number } | null => this.viewing.projectToCell(cell, centerMm, radiusMm);

  // Session
  setLanguage = (language: Language): void => this.review.setLanguage(language);

  // AI
  loadModelFolder = (files: readonly OpenFile[]): Promise<void> => this.ai.loadModelFolder(files);
  selectModel = (dir: string | null): void => this.ai.selectModel(dir);
  runAi = (): void => this.ai.run();
  cancelAi = (): void => this.ai.cancel();
  toggleHeatmap = (): void => this.evidence.toggle();
  setHeatmapOpacity = (opacity: number): void => this.evidence.setOpacity(opacity);
  evidenceImage = (
    cell: number,
  ): { href: string; x: number; y: number; width: number; height: number } | null =>
    this.evidence.imageFor(cell);

  // Review
  selectFinding = (id: string): void => this.review.selectFinding(id);
  stepFinding = (delta: number): void => this.review.stepFinding(delta);
  setFindingStatus = (id: string, status: 'accepted' | 'rejected' | 'pending'): void =>
    this.review.setFindingStatus(id, status);
  editFinding = (id: string, edit: FindingEdit): void => this.review.editFinding(id, edit);
  startRemeasure = (id: string): void => this.review.startRemeasure(id);
  finishRemeasure = (): void => this.review.finishRemeasure();
  addFindingFromMeasurement = (uid: string, type: NoduleType): void =>
    this.review.addFindingFromMeasurement(uid, type);
  setFindingSort = (sort: FindingSort): void => this.review.setFindingSort(sort);
  setReviewContext = (change: Partial<ReviewContext>): void => this.review.setReviewContext(change);
  exportAudit = (): void => this.review.exportAudit();
  exportSeries = (keepIdentifiers: boolean): void => void this.seriesExport.export(keepIdentifiers);
  cancelSeriesExport = (): void => this.seriesExport.cancel();
  draftWithLlm = (onText: (text: string) => void): LlmDraftStream | null => this.llm.start(onText);

  /** Diagnostics for tests and support: pixel statistics and readouts of the cells on screen, and AI. */
  /** Test hooks only (app/testHooks.tsx): see AiRun.setBatchDelay. */
  setAiBatchDelay(ms: number): void {
    this.ai.setBatchDelay(ms);
  }

  diagnostics(): Record<string, unknown> {
    return {
      pixelStats: (cell: number) => this.viewerRef?.displayedPixelStats(cell),
      readout: (cell: number) => this.viewerRef?.readout(cell),
      measurements: () => listMeasurements(),
      project: (cell: number, point: [number, number, number], radiusMm = 1) =>
        this.viewerRef?.project(cell, point, radiusMm) ?? null,
      ...this.ai.diagnostics(),
    };
  }
}
