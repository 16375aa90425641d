/**
 * The one place that wires the browser host together: the ingest worker, the DICOMweb client, the
 * instance registry, Cornerstone's viewer and the store. Implements the UI's `Actions`.
 */
import { DicomWebClient, type StudyHit, type StudyQuery } from '../dicom/dicomweb';
import { createIngestClient, type IngestClient } from '../dicom/ingest/client';
import type { IngestEvent } from '../dicom/ingest/protocol';
import type { LoadError } from '../dicom/read';
import { assembleStudies, imageCount, type LoadedInstance, type Series } from '../dicom/series';
import { blobSource } from '../dicom/source';
import type { Language, MessageKey } from '../i18n';
import { setDecodeFailureListener } from '../imaging/loader';
import { resetImaging } from '../imaging/session';
import { listMeasurements, removeMeasurement } from '../imaging/measurements';
import { getInstance, imageIdOf, instanceCount, parseImageId, registerInstance } from '../imaging/registry';
import { renderThumbnail } from '../imaging/thumbnails';
import {
  PRESETS,
  type Viewer,
  type CellSpec,
  type Layout,
  type PresetName,
  type SeriesDisplay,
  type ToolName,
} from '../imaging/viewer';
import { log } from '../lib/logger';
import { validateManifest } from '../ai/registry/manifest';
import { applicability, seriesFacts } from '../ai/shared/applicability';
import { InferenceClient, InferenceError } from '../ai/browser/client';
import { sha256Hex } from '../ai/browser/modelBytes';
import type { Evidence } from '../ai/shared/pipeline';
import { assessDetections, caseCategory, type PatientContext } from '../findings/assess';
import type { NoduleType } from '../findings/types';
import { setStatus, type FindingRecord } from '../findings/record';
import {
  auditExport,
  editFinding,
  manualFinding,
  nextFindingId,
  rejudge,
  sortFindings,
  type FindingEdit,
  type FindingSort,
} from '../findings/review';
import { volumeForAi } from '../imaging/volumeExport';
import { draftReport } from '../report/draft';
import { DEMO_INDEX_SCHEMA } from '../synth/demo';
import { resetForNewStudy, type AppStore, type DemoCaseSummary } from '../store';
import { saveSettings } from '../store/persist';
import { loadReview, reviewId, saveReview } from '../store/review';
import type { ReviewContext } from '../store';
import { findSeries, firstImageSeries, imageSeries } from '../store/selectors';
import type { Actions, OpenFile } from '../ui/context';

const ASSEMBLE_EVERY_MS = 150;
const DEMO_SESSION_KEY = 'lucent.session.demo';
const DEMO_POLL_MS = 2000;
const DEMO_STALL_MS = 180_000;

function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** One evidence slice as a PNG data URL: transparent where the model saw nothing, hot where it did. */
function heatImage(e: Evidence, index: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = e.width;
  canvas.height = e.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  const img = ctx.createImageData(e.width, e.height);
  const plane = e.width * e.height;
  for (let i = 0; i < plane; i++) {
    const v = e.data[index * plane + i] ?? 0;
    const o = i * 4;
    img.data[o] = 255;
    img.data[o + 1] = Math.min(255, v * 2);
    img.data[o + 2] = v > 200 ? (v - 200) * 4 : 0;
    img.data[o + 3] = v < 13 ? 0 : Math.min(255, 60 + v);
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}

/**
 * Absolute URL of a model file served with the app. The worker resolves relative URLs against its own
 * script (under /assets/), so it is given the page-relative URL made absolute.
 */
function modelUrl(dir: string, file: string): string {
  return new URL(`models/${encodeURIComponent(dir)}/${encodeURIComponent(file)}`, document.baseURI).href;
}

/** The 1-based slice (display order) nearest a point, along the series' slice normal. */
function sliceOf(series: Series, p: readonly [number, number, number]): number | undefined {
  const n = series.volume.isVolume ? series.volume.normal : ([0, 0, 1] as const);
  let best: number | undefined;
  let bestD = Infinity;
  series.frames.forEach((f, i) => {
    if (!f.position) return;
    const d = Math.abs(
      (p[0] - f.position[0]) * n[0] + (p[1] - f.position[1]) * n[1] + (p[2] - f.position[2]) * n[2],
    );
    if (d < bestD) {
      bestD = d;
      best = i + 1;
    }
  });
  return best;
}

function isDemoCase(v: unknown): v is DemoCaseSummary {
  const c = v as Partial<DemoCaseSummary> | null;
  return (
    typeof c?.id === 'string' &&
    typeof c.label === 'string' &&
    Array.isArray(c.files) &&
    Array.isArray(c.nodules) &&
    (c.nodules as unknown[]).every((n) => {
      const x = n as { type?: unknown; diameterMm?: unknown } | null;
      return typeof x?.type === 'string' && typeof x.diameterMm === 'number';
    })
  );
}

/** A re-measure line's length from its end points (patient coordinates, mm). */
function worldLength(points: readonly (readonly [number, number, number])[] | undefined): number | undefined {
  const [a, b] = points ?? [];
  return a && b && points?.length === 2 ? Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) : undefined;
}
export class Controller implements Actions {
  private readonly ingest: IngestClient;
  private readonly inference = new InferenceClient();
  private viewer: Viewer | null = null;
  private loaded: LoadedInstance[] = [];
  private assembleTimer: ReturnType<typeof setTimeout> | null = null;
  private currentJobs = new Set<number>();
  private decodeErrorFiles = new Set<string>();
  private lastCells: readonly { element: HTMLDivElement; spec: CellSpec }[] = [];
  private pacsAbort: AbortController | null = null;
  /** Whether the user picked a series for this study; until then the first image series is shown. */
  private userSelected = false;

  constructor(private readonly store: AppStore) {
    this.ingest = createIngestClient();
    store.subscribe((s, prev) => {
      if (s.findings !== prev.findings && s.findings.length > 0) this.scheduleSaveReview();
      if (s.activeSeriesKey !== prev.activeSeriesKey && s.activeSeriesKey) {
        void this.restoreReview(s.activeSeriesKey);
      }
    });
    setDecodeFailureListener(({ imageId, message }) => {
      const ref = parseImageId(imageId);
      const entry = ref && getInstance(ref.key);
      if (!entry || this.decodeErrorFiles.has(entry.fileName)) return;
      this.decodeErrorFiles.add(entry.fileName);
      this.addErrors([
        {
          file: entry.fileName,
          code: 'decode-failed',
          message: `The image could not be decoded: ${message}`,
        },
      ]);
    });
  }

  attachViewer(viewer: Viewer): void {
    this.viewer = viewer;
  }

  /** Performance marks for the current load (read by `npm run bench`). */
  private marks = { firstImage: false, scrollable: false };

  private mark(name: 'open' | 'first-image' | 'scrollable'): void {
    performance.mark(`lucent:${name}`);
  }

  viewerEvents(): ConstructorParameters<typeof Viewer>[0] {
    return {
      readout: (r) => {
        if (!this.marks.firstImage && r.total > 0) {
          this.marks.firstImage = true;
          this.mark('first-image');
        }
        this.store.setState((s) => {
          const p = s.preset ? PRESETS[s.preset] : null;
          const judged =
            p && r.cell === s.activeCell && r.windowWidth !== undefined && r.windowCenter !== undefined;
          return {
            readouts: { ...s.readouts, [r.cell]: r },
            windowOffPreset: judged
              ? Math.abs((r.windowWidth ?? 0) - p.width) > 0.5 ||
                Math.abs((r.windowCenter ?? 0) - p.center) > 0.5
              : s.windowOffPreset,
          };
        });
      },
      loadFailed: (cell, message) =>
        this.store.setState((s) => ({ cellErrors: { ...s.cellErrors, [cell]: message } })),
      measurementsChanged: () => {
        this.store.setState({ measurements: listMeasurements() });
        this.drainRemeasure();
      },
      measurementCompleted: (uid) => this.onMeasurementCompleted(uid),
      seriesCached: (key, cached, total) => {
        const done =
          this.currentJobs.size === 0 && cached === total && key === this.store.getState().activeSeriesKey;
        if (done && !this.marks.scrollable) {
          this.marks.scrollable = true;
          this.mark('scrollable');
        }
        this.store.setState((s) => ({ cached: { ...s.cached, [key]: { cached, total } } }));
      },
    };
  }

  // ---- Loading -------------------------------------------------------------------------------------

  private startNewStudy(): void {
    for (const job of this.currentJobs) this.ingest.cancel(job);
    this.currentJobs.clear();
    this.pacsAbort?.abort();
    this.loaded = [];
    this.userSelected = false;
    this.decodeErrorFiles.clear();
    try {
      sessionStorageOrNull()?.removeItem(DEMO_SESSION_KEY);
    } catch {
      // Storage disabled.
    }
    this.reviewSeriesKey = null;
    this.setEvidence(null);
    this.remeasureLines = [];
    this.toolBeforeRemeasure = null;
    this.viewer?.stopLoading();
    resetImaging();
    resetForNewStudy(this.store);
  }

  private addErrors(errors: readonly LoadError[]): void {
    if (errors.length === 0) return;
    this.store.setState((s) => ({ loadErrors: [...s.loadErrors, ...errors] }));
    for (const e of errors) log('warn', 'load-error', {}, e.code);
  }

  private scheduleAssemble(): void {
    if (this.assembleTimer) return;
    this.assembleTimer = setTimeout(() => {
      this.assembleTimer = null;
      this.assemble();
    }, ASSEMBLE_EVERY_MS);
  }

  private assemble(): void {
    if (this.assembleTimer) {
      clearTimeout(this.assembleTimer);
      this.assembleTimer = null;
    }
    const studies = assembleStudies(this.loaded);
    const state = this.store.getState();
    const current = findSeries({ studies }, state.activeSeriesKey);
    const keep = current && (this.userSelected || current.kind === 'image');
    const first = firstImageSeries(studies) ?? studies[0]?.series[0];
    const active = keep ? current.key : (first?.key ?? null);
    this.store.setState({ studies, activeSeriesKey: active });
    if (active && active !== state.activeSeriesKey) this.fillGrid(active, studies);
  }

  private onIngestEvent(e: IngestEvent): void {
    switch (e.type) {
      case 'instances':
        if (this.loaded.length === 0) performance.mark('lucent:first-instance');
        for (const item of e.items) {
          registerInstance({
            key: item.key,
            fileName: item.fileName,
            info: item.info,
            source: blobSource(item.fileName, item.blob),
          });
          this.loaded.push({ key: item.key, fileName: item.fileName, info: item.info });
        }
        // The very first instances are shown at once; later batches are coalesced.
        if (this.store.getState().studies.length === 0) this.assemble();
        else this.scheduleAssemble();
        break;
      case 'errors':
        this.addErrors(e.errors);
        break;
      case 'progress':
        this.store.setState({ loading: { done: e.done, total: e.total } });
        break;
      case 'done':
        this.currentJobs.delete(e.jobId);
        if (this.currentJobs.size === 0) this.finishLoad();
        break;
    }
  }

  private finishLoad(): void {
    this.assemble();
    const { studies, loadErrors } = this.store.getState();
    const series = studies.flatMap((s) => s.series);
    const images = series.reduce((n, s) => n + (s.kind === 'image' ? imageCount(s) : 0), 0);
    this.store.setState({
      loading: null,
      lastLoad: { images, series: series.length, errors: loadErrors.length },
    });
    log('info', 'study-loaded', {
      instances: instanceCount(),
      series: series.length,
      errors: loadErrors.length,
    });
  }

  private ingestFiles(files: readonly OpenFile[]): Promise<void> {
    const payload = files.map((f, i) => ({ id: String(i), name: f.name, blob: f.file }));
    // A job cancelled because another study was opened may still deliver what it had parsed: drop it.
    const { jobId, done } = this.ingest.load(payload, (e) => {
      if (this.currentJobs.has(jobId)) this.onIngestEvent(e);
    });
    this.currentJobs.add(jobId);
    return done;
  }

  openFiles(files: readonly OpenFile[]): void {
    if (files.length === 0) return;
    this.mark('open');
    this.marks = { firstImage: false, scrollable: false };
    this.startNewStudy();
    this.store.setState({ loading: { done: 0, total: files.length } });
    void this.ingestFiles(files);
  }

  async searchPacs(url: string, query: StudyQuery, signal?: AbortSignal): Promise<StudyHit[]> {
    this.store.setState({ pacsUrl: url });
    this.persist();
    return new DicomWebClient(url, fetch.bind(globalThis)).searchStudies(query, signal);
  }

  async openPacsStudy(url: string, study: StudyHit): Promise<void> {
    this.startNewStudy();
    const abort = new AbortController();
    this.pacsAbort = abort;
    const client = new DicomWebClient(url, fetch.bind(globalThis));
    const refs = await client.listInstances(study.studyInstanceUID, abort.signal);
    await this.streamIn(
      refs.length,
      (n) => client.retrieveInstance(refs[n], abort.signal),
      (n) => `PACS instance ${n + 1} of ${refs.length}`,
      abort.signal,
      'pacs',
    );
  }

  /** When the demo index last changed while it was being generated, and what it said then. */
  private demoWatch = { changedAt: 0, ready: -1 };

  /**
   * Load the demo index served with the app (public/demo), if this build has one. While a first
   * `npm start` is still generating the set, the index is read again every 2 s and each finished case
   * appears; an index that stops changing for 3 minutes is reported as stalled instead of waited on.
   */
  async loadDemoIndex(): Promise<void> {
    let status: unknown = 'complete';
    let total = 0;
    try {
      const res = await fetch('demo/index.json', { cache: 'no-cache' });
      if (!res.ok) throw new Error(String(res.status));
      const index = (await res.json()) as {
        schema?: unknown;
        cases?: unknown;
        status?: unknown;
        total?: unknown;
      };
      // An index from another version of the generator (a stale public/demo) lists no cases.
      const current = index.schema === DEMO_INDEX_SCHEMA && Array.isArray(index.cases);
      const cases = current && Array.isArray(index.cases) ? index.cases : [];
      status = current ? (index.status ?? 'complete') : 'complete';
      total = typeof index.total === 'number' ? index.total : cases.length;
      this.store.setState({ demoCases: cases.filter(isDemoCase) });
    } catch {
      this.store.setState({ demoCases: [] });
    }
    const ready = this.store.getState().demoCases?.length ?? 0;
    const now = Date.now();
    if (ready !== this.demoWatch.ready) this.demoWatch = { changedAt: now, ready };
    if (status === 'generating' && now - this.demoWatch.changedAt < DEMO_STALL_MS) {
      this.store.setState({ demoProgress: { state: 'generating', ready, total } });
      setTimeout(() => void this.loadDemoIndex(), DEMO_POLL_MS);
    } else if (status === 'generating' || status === 'failed') {
      this.store.setState({
        demoProgress: { state: status === 'failed' ? 'failed' : 'stalled', ready, total },
      });
    } else {
      this.store.setState({ demoProgress: null });
    }
    // A reload during a demo brings the same demo case back (this tab only), with its saved review.
    const again = this.demoRestored ? null : sessionStorageOrNull()?.getItem(DEMO_SESSION_KEY);
    if (
      again &&
      this.store.getState().studies.length === 0 &&
      this.loaded.length === 0 &&
      this.store.getState().demoCases?.some((d) => d.id === again)
    ) {
      this.demoRestored = true;
      void this.openDemo(again);
    }
  }

  /** Whether the demo case of a reload was brought back already (the index may be read many times). */
  private demoRestored = false;

  /** Open a demo case: its files are fetched from the app's own origin and loaded like any others. */
  async openDemo(id: string): Promise<void> {
    const demo = this.store.getState().demoCases?.find((d) => d.id === id);
    if (!demo) return;
    this.demoRestored = true;
    this.startNewStudy();
    try {
      sessionStorageOrNull()?.setItem(DEMO_SESSION_KEY, demo.id);
    } catch {
      // Storage disabled: a reload simply starts empty.
    }
    const abort = new AbortController();
    this.pacsAbort = abort;
    await this.streamIn(
      demo.files.length,
      async (n) => {
        const res = await fetch(
          `demo/${encodeURIComponent(demo.id)}/${encodeURIComponent(demo.files[n] ?? '')}`,
          { signal: abort.signal },
        );
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      },
      (n) => `${demo.id}/${demo.files[n] ?? n}`,
      abort.signal,
      'demo',
    );
  }

  /**
   * Fetch `total` DICOM instances with bounded concurrency and feed them to the ingest worker in small
   * batches, so the first image shows while the rest arrives. Failures become load errors.
   */
  private async streamIn(
    total: number,
    fetchOne: (n: number) => Promise<Uint8Array>,
    nameOf: (n: number) => string,
    signal: AbortSignal,
    source: 'pacs' | 'demo',
  ): Promise<void> {
    this.store.setState({ retrieving: { done: 0, total, source }, loading: { done: 0, total } });
    let done = 0;
    let next = 0;
    let chunk: OpenFile[] = [];
    const pending: Promise<void>[] = [];
    const flush = (): void => {
      if (chunk.length > 0) pending.push(this.ingestFiles(chunk));
      chunk = [];
    };
    const worker = async (): Promise<void> => {
      while (next < total && !signal.aborted) {
        const n = next++;
        try {
          const bytes = await fetchOne(n);
          // Another study was opened while this file was on its way: it belongs to nothing now.
          if (signal.aborted) return;
          chunk.push({
            file: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/dicom' }),
            name: nameOf(n),
          });
          if (chunk.length >= 16 || done === 0) flush();
        } catch (e) {
          if (!signal.aborted) {
            this.addErrors([
              { file: nameOf(n), code: 'fetch-failed', message: e instanceof Error ? e.message : String(e) },
            ]);
          }
        }
        done++;
        this.store.setState({ retrieving: { done, total, source } });
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    if (signal.aborted) return; // the study that replaced this one owns the progress state now
    flush();
    await Promise.all(pending);
    if (signal.aborted) return;
    this.store.setState({ retrieving: null });
    if (this.currentJobs.size === 0) this.finishLoad();
  }

  // ---- Viewing -------------------------------------------------------------------------------------

  private fillGrid(activeKey: string, studies = this.store.getState().studies): void {
    const keys = imageSeries(studies).map((s) => s.key);
    const ordered = [activeKey, ...keys.filter((k) => k !== activeKey)];
    this.store.setState({ gridSeries: [0, 1, 2, 3].map((i) => ordered[i] ?? null) });
  }

  selectSeries(key: string): void {
    this.userSelected = true;
    const s = this.store.getState();
    if (s.layout === '2x2') {
      const grid = [...s.gridSeries];
      grid[s.activeCell] = key;
      this.store.setState({ gridSeries: grid, activeSeriesKey: key });
      return;
    }
    const series = findSeries(s, key);
    const layout: Layout = s.layout === '1x3' && !series?.volume.isVolume ? '1x1' : s.layout;
    this.store.setState({ activeSeriesKey: key, layout, cellErrors: {}, readouts: {} });
    this.fillGrid(key);
  }

  setLayout(layout: Layout): void {
    const s = this.store.getState();
    if (layout === '1x3') {
      const series = findSeries(s, s.activeSeriesKey);
      if (!series?.volume.isVolume) return;
    }
    this.store.setState({ layout, activeCell: 0, cellErrors: {}, readouts: {}, cine: false });
  }

  private display(series: Series): SeriesDisplay {
    return {
      key: series.key,
      imageIds: series.frames.map((f) => imageIdOf(f.instanceKey, f.frame)),
      isVolume: series.volume.isVolume,
      normal: series.volume.isVolume ? series.volume.normal : undefined,
      modality: series.modality,
    };
  }

  mountViewports(cells: readonly { element: HTMLDivElement; spec: CellSpec }[]): void {
    this.lastCells = cells;
    const viewer = this.viewer;
    if (!viewer) return;
    const state = this.store.getState();
    const displays = new Map<string, SeriesDisplay>();
    for (const c of cells) {
      const series = findSeries(state, c.spec.seriesKey);
      if (series && series.kind === 'image') displays.set(series.key, this.display(series));
    }
    this.store.setState({ cellErrors: {} });
    viewer.mount(cells, displays).catch((e: unknown) => {
      this.store.setState({ viewerError: e instanceof Error ? e.message : String(e) });
    });
    const preset = state.preset;
    if (preset) setTimeout(() => viewer.applyPreset(preset), 0);
  }

  remount(): void {
    if (this.lastCells.length > 0) this.mountViewports(this.lastCells);
  }

  resizeViewports(): void {
    this.viewer?.resize();
  }

  setTool(tool: ToolName): void {
    this.viewer?.setTool(tool);
    this.store.setState({ tool });
  }

  applyPreset(preset: PresetName | null): void {
    this.viewer?.applyPreset(preset);
    this.store.setState({ preset, windowOffPreset: false });
  }

  reset(): void {
    this.viewer?.reset();
    this.store.setState({ preset: null });
  }

  scroll(delta: number): void {
    this.viewer?.scroll(delta);
  }

  toggleCine(): void {
    const playing = this.viewer?.toggleCine() ?? false;
    this.store.setState({ cine: playing });
  }

  setActiveCell(cell: number): void {
    this.viewer?.setActiveCell(cell);
    this.store.setState({ activeCell: cell });
  }

  removeMeasurement(uid: string): void {
    removeMeasurement(uid);
    this.store.setState({ measurements: listMeasurements() });
  }

  renderThumbnail(canvas: HTMLCanvasElement, seriesKey: string): Promise<void> {
    const series = findSeries(this.store.getState(), seriesKey);
    const frame = series?.frames[Math.floor((series.frames.length - 1) / 2)];
    if (!frame) return Promise.resolve();
    return renderThumbnail(canvas, imageIdOf(frame.instanceKey, frame.frame));
  }

  // ---- Session -------------------------------------------------------------------------------------

  setLanguage(language: Language): void {
    this.store.setState((s) => ({
      language,
      findings: s.findings.map((f) => rejudge(f, s.patient, language)),
    }));
    if (this.store.getState().findings.length > 0) this.updateReport();
    document.documentElement.lang = language;
    this.persist();
  }

  persist(): void {
    const { language, pacsUrl, overlay } = this.store.getState();
    saveSettings(globalThis.localStorage, { language, pacsUrl, overlay });
  }

  // ---- AI --------------------------------------------------------------------------------------------

  /** The models served with the app (/models/index.json), validated. */
  async loadModelIndex(): Promise<void> {
    try {
      const res = await fetch('models/index.json');
      if (!res.ok) throw new Error(String(res.status));
      const index = (await res.json()) as { models?: { dir: string; manifest: unknown }[] };
      const models = (index.models ?? []).flatMap((m) => {
        const r = validateManifest(m.manifest);
        return r.ok ? [{ dir: m.dir, manifest: r.value, origin: 'app' as const }] : [];
      });
      this.store.setState((s) => ({
        models: [...models, ...(s.models ?? []).filter((x) => x.origin === 'folder')],
      }));
    } catch {
      this.store.setState((s) => ({ models: (s.models ?? []).filter((x) => x.origin === 'folder') }));
    }
  }

  /** Bytes of models the user loaded from a folder, by `dir` key (kept in memory for this session). */
  private folderModels = new Map<string, { bytes: ArrayBuffer; fprBytes?: ArrayBuffer }>();

  /**
   * Load a model from a folder the user picked: its manifest is validated and its file checked against the
   * manifest's SHA-256 before it is offered; nothing leaves the device.
   */
  async loadModelFolder(files: readonly OpenFile[]): Promise<void> {
    const fail = (key: MessageKey, params: Record<string, string> = {}): void =>
      this.store.setState({ modelFolderError: { key, params } });
    const base = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
    const manifestFile = files
      .filter((f) => base(f.name) === 'manifest.json')
      .sort((a, b) => a.name.length - b.name.length)[0];
    if (!manifestFile) return fail('ai.folder.noManifest');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await manifestFile.file.text());
    } catch {
      return fail('ai.folder.badManifest', { message: 'not JSON' });
    }
    const v = validateManifest(parsed);
    if (!v.ok) return fail('ai.folder.badManifest', { message: v.error.join('; ') });
    const m = v.value;
    const dir = manifestFile.name.slice(0, manifestFile.name.length - 'manifest.json'.length);
    const modelFile =
      files.find((f) => f.name === `${dir}${m.file}`) ?? files.find((f) => base(f.name) === base(m.file));
    if (!modelFile) return fail('ai.folder.noModelFile', { file: m.file });
    const bytes = await modelFile.file.arrayBuffer();
    if ((await sha256Hex(bytes)) !== m.sha256)
      return fail('ai.folder.checksum', { model: `${m.id} ${m.version}`, file: m.file });
    // A two-stage model also needs its false-positive reduction classifier, checked the same way.
    const second = m.falsePositiveReduction;
    let fprBytes: ArrayBuffer | undefined;
    if (second) {
      const fprFile =
        files.find((f) => f.name === `${dir}${second.file}`) ??
        files.find((f) => base(f.name) === base(second.file));
      if (!fprFile) return fail('ai.folder.noModelFile', { file: second.file });
      fprBytes = await fprFile.file.arrayBuffer();
      if ((await sha256Hex(fprBytes)) !== second.sha256)
        return fail('ai.folder.checksum', { model: `${m.id} ${m.version}`, file: second.file });
    }
    const key = `folder:${m.id}@${m.version}`;
    this.folderModels.set(key, { bytes, ...(fprBytes ? { fprBytes } : {}) });
    this.store.setState((s) => ({
      models: [
        ...(s.models ?? []).filter((x) => x.dir !== key),
        { dir: key, manifest: m, origin: 'folder' as const },
      ],
      selectedModel: key,
      modelFolderError: null,
    }));
  }

  selectModel(dir: string | null): void {
    this.store.setState({ selectedModel: dir });
  }

  private aiRunId: number | null = null;

  /** Run the first applicable detection model over the active series, in the inference worker. */
  runAi(): void {
    void this.runAiAsync();
  }

  private async runAiAsync(): Promise<void> {
    const state = this.store.getState();
    const series = findSeries(state, state.activeSeriesKey);
    if (!series || series.kind !== 'image' || this.aiRunId !== null || this.aiAbort !== null) return;
    const head = getInstance(series.instanceKeys[0] ?? '')?.info;
    const facts = seriesFacts(series, head);
    const models = (state.models ?? []).filter((m) =>
      state.selectedModel ? m.dir === state.selectedModel : m.manifest.task === 'detection',
    );
    let reason = models.length === 0 ? 'No detection model is installed in this build.' : '';
    const chosen = models.find((m) => {
      const skip = applicability(m.manifest, facts);
      if (skip && !reason) reason = skip.message;
      return skip === null;
    });
    if (!chosen) {
      this.store.setState({
        ai: { status: 'not-applicable', done: 0, total: 0, startedAt: Date.now(), message: reason },
      });
      return;
    }
    const m = chosen.manifest;
    const model = { id: m.id, version: m.version, quantization: m.quantization };
    const startedAt = Date.now();
    this.store.setState({
      ai: { status: 'preparing', done: 0, total: series.frames.length, startedAt, model },
      findings: [],
      report: null,
      caseLungRads: null,
    });
    try {
      const imageIds = series.frames.map((f) => imageIdOf(f.instanceKey, f.frame));
      this.aiAbort = new AbortController();
      const volume = await volumeForAi(
        imageIds,
        (done, total) => this.store.setState((s) => ({ ai: { ...s.ai, done, total } })),
        this.aiAbort.signal,
      );
      const folder = this.folderModels.get(chosen.dir);
      const fprFile = m.falsePositiveReduction?.file;
      const run = this.inference.run(
        folder
          ? {
              manifest: m,
              bytes: folder.bytes.slice(0),
              ...(folder.fprBytes ? { fprBytes: folder.fprBytes.slice(0) } : {}),
            }
          : {
              manifest: m,
              url: modelUrl(chosen.dir, m.file),
              ...(fprFile ? { fprUrl: modelUrl(chosen.dir, fprFile) } : {}),
            },
        volume,
        {
          onStage: (u) =>
            this.store.setState((s) => ({
              ai: {
                ...s.ai,
                status: u.stage,
                provider: u.provider ?? s.ai.provider,
                threads: u.threads ?? s.ai.threads,
                note: u.note ?? s.ai.note,
                done: u.bytes?.loaded ?? 0,
                total: u.bytes?.total ?? 0,
              },
            })),
          onProgress: (done, total) => this.store.setState((s) => ({ ai: { ...s.ai, done, total } })),
        },
        { minScore: m.operatingPoint.score, batchDelayMs: this.aiBatchDelayMs },
      );
      this.aiRunId = run.id;
      const outcome = await run.done;
      const r = outcome.result;
      const lungZ: [number, number] = [
        volume.origin[2] + r.box.z0 * m.input.sliceSpacingMm,
        volume.origin[2] + r.box.z1 * m.input.sliceSpacingMm,
      ];
      const language = this.store.getState().language;
      const assessed = assessDetections(
        r.nodules.map((n) => ({ ...n, margin: n.attributes['margin'] })),
        { ageYears: head?.patient.ageYears, sex: head?.patient.sex },
        lungZ,
        language,
      );
      const at = new Date().toISOString();
      const author = { kind: 'model' as const, id: m.id, version: m.version };
      const findings: FindingRecord[] = assessed.map((f) => ({
        ...f,
        slice: sliceOf(series, f.centerMm),
        seriesKey: series.key,
        source: author,
        status: 'pending',
        history: [{ at, by: author, action: 'created', detail: `score ${f.score}` }],
      }));
      this.reviewSeriesKey = series.key;
      this.setEvidence(r.evidence ?? null);
      this.store.setState({
        findings,
        selectedFinding: null,
        restored: false,
        patient: { ageYears: head?.patient.ageYears, sex: head?.patient.sex },
        lungZ,
        ai: {
          status: 'done',
          done: r.slicesRun,
          total: r.slicesRun,
          startedAt,
          provider: outcome.provider,
          threads: outcome.threads,
          ...(this.store.getState().ai.note ? { note: this.store.getState().ai.note } : {}),
          seconds: Math.round(outcome.ms / 100) / 10,
          model,
          found: findings.length,
          ...(r.classification
            ? {
                classification: {
                  label: r.classification.label,
                  probability: r.classification.probabilities[r.classification.label] ?? 0,
                },
              }
            : {}),
        },
      });
      this.updateReport();
      // A run that found nothing replaces an earlier saved review too.
      if (findings.length === 0) this.scheduleSaveReview();
    } catch (e) {
      const cancelled =
        (e instanceof InferenceError && e.code === 'cancelled') || this.aiAbort?.signal.aborted === true;
      this.store.setState((s) => ({
        ai: {
          ...s.ai,
          status: cancelled ? 'cancelled' : 'error',
          message: e instanceof Error ? e.message : String(e),
        },
      }));
    } finally {
      this.aiRunId = null;
      this.aiAbort = null;
    }
  }

  /** Stops the analysis at whatever stage it is: reading the slices, or between two model batches. */
  cancelAi(): void {
    this.aiAbort?.abort();
    if (this.aiRunId !== null) this.inference.cancel(this.aiRunId);
  }

  private aiAbort: AbortController | null = null;
  private aiBatchDelayMs = 0;

  /** Recompute the case category and the report draft from the findings not rejected. */
  private updateReport(): void {
    const { findings, language } = this.store.getState();
    const kept = findings.filter((f) => f.status !== 'rejected');
    const overall = caseCategory(kept, language);
    const draft = draftReport(
      kept.map((f) => ({ ...f, side: f.location?.side, zone: f.location?.zone })),
      overall,
      language,
    );
    this.store.setState({
      caseLungRads: overall,
      report: { findings: draft.findings, impression: draft.impression },
    });
  }

  selectFinding(id: string): void {
    const f = this.store.getState().findings.find((x) => x.id === id);
    if (!f) return;
    this.store.setState({ selectedFinding: id });
    this.viewer?.jumpTo(f.centerMm);
  }

  stepFinding(delta: number): void {
    const state = this.store.getState();
    const findings = sortFindings(state.findings, state.findingSort);
    const selectedFinding = state.selectedFinding;
    if (findings.length === 0) return;
    const i = findings.findIndex((f) => f.id === selectedFinding);
    const next = findings[(i + delta + findings.length) % findings.length] ?? findings[0];
    if (next) this.selectFinding(next.id);
  }

  setFindingStatus(id: string, status: 'accepted' | 'rejected' | 'pending'): void {
    const at = new Date().toISOString();
    this.store.setState((s) => ({
      findings: s.findings.map((f) => (f.id === id ? setStatus(f, status, at) : f)),
    }));
    this.updateReport();
  }

  // ---- Review: edits, hand-drawn findings, audit trail, saved state --------------------------------

  /** The series whose findings are under review (the one the model ran on, or whose review came back). */
  private reviewSeriesKey: string | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private remeasureLines: number[] = [];
  private toolBeforeRemeasure: ToolName | null = null;

  private patientOf(seriesKey: string): PatientContext {
    const series = findSeries(this.store.getState(), seriesKey);
    const head = getInstance(series?.instanceKeys[0] ?? '')?.info;
    return { ageYears: head?.patient.ageYears, sex: head?.patient.sex };
  }

  private scheduleSaveReview(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.saveReviewNow();
    }, 150);
  }

  /** Storage ids of reviewed series (hashing is asynchronous; a save while the page goes away is not). */
  private readonly reviewIds = new Map<string, string>();

  private async idOfReview(seriesKey: string): Promise<string> {
    const known = this.reviewIds.get(seriesKey);
    if (known) return known;
    const id = await reviewId(seriesKey);
    this.reviewIds.set(seriesKey, id);
    return id;
  }

  /** Write a pending review save at once (the page is being hidden or unloaded). */
  flushReview(): void {
    if (!this.saveTimer) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const key = this.reviewSeriesKey;
    const id = key ? this.reviewIds.get(key) : undefined;
    if (key && id) this.writeReview(key, id);
    else void this.saveReviewNow();
  }

  private async saveReviewNow(): Promise<void> {
    const key = this.reviewSeriesKey;
    if (!key) return;
    this.writeReview(key, await this.idOfReview(key));
  }

  private writeReview(key: string, id: string): void {
    const { findings, ai, lungZ } = this.store.getState();
    saveReview(globalThis.localStorage, id, {
      savedAt: new Date().toISOString(),
      findings: findings.filter((f) => f.seriesKey === key),
      model: ai.model ?? null,
      lungZ,
    });
  }

  /** Bring back this device's saved review of a series when it is opened again (or after a reload). */
  private async restoreReview(seriesKey: string): Promise<void> {
    const busy = (): boolean => {
      const s = this.store.getState();
      return (
        s.findings.length > 0 ||
        this.aiRunId !== null ||
        ['preparing', 'loading-model', 'starting-runtime', 'running'].includes(s.ai.status) ||
        s.activeSeriesKey !== seriesKey
      );
    };
    if (busy()) return;
    const saved = loadReview(globalThis.localStorage, await this.idOfReview(seriesKey), seriesKey);
    if (!saved || busy()) return;
    this.reviewSeriesKey = seriesKey;
    this.store.setState({
      findings: saved.findings,
      restored: true,
      lungZ: saved.lungZ,
      patient: this.patientOf(seriesKey),
      ai: { status: 'idle', done: 0, total: 0, startedAt: 0, ...(saved.model ? { model: saved.model } : {}) },
    });
    this.updateReport();
  }

  private applyEdit(id: string, edit: FindingEdit): void {
    const s = this.store.getState();
    const f = s.findings.find((x) => x.id === id);
    if (!f) return;
    const r = editFinding(f, edit, s.patient, s.language, new Date().toISOString());
    if (!r.ok) {
      this.store.setState({ reviewError: `review.${r.error.code}` });
      return;
    }
    this.store.setState({
      reviewError: null,
      findings: s.findings.map((x) => (x.id === id ? r.value : x)),
    });
    this.updateReport();
  }

  editFinding(id: string, edit: FindingEdit): void {
    this.applyEdit(id, edit);
  }

  /** Re-measure a finding with the length tool: the first line is its diameter, a second its short axis. */
  startRemeasure(id: string): void {
    const s = this.store.getState();
    if (!s.findings.some((f) => f.id === id)) return;
    if (s.remeasuring === null) this.toolBeforeRemeasure = s.tool;
    this.remeasureLines = [];
    this.remeasureHandled = new Set(listMeasurements().map((m) => m.uid));
    this.listenForLineEnds();
    this.selectFinding(id);
    this.setTool('length');
    this.store.setState({ remeasuring: id, reviewError: null });
  }

  finishRemeasure(): void {
    const before = this.toolBeforeRemeasure;
    this.toolBeforeRemeasure = null;
    this.remeasureLines = [];
    this.store.setState({ remeasuring: null });
    if (before && before !== 'length') this.setTool(before);
  }

  /** Lines finished while re-measuring whose length Cornerstone has not computed yet. */
  private pendingLines = new Set<string>();

  /** Measurements that existed when re-measuring began, or were already taken as re-measure lines. */
  private remeasureHandled = new Set<string>();
  private lineEndListener = false;

  /**
   * Cornerstone reports a finished line with an event; as a second path, a line that appears while
   * re-measuring is taken when the pointer is released (the event has been seen to go missing when the
   * viewport scrolls to the finding's slice at the same moment).
   */
  private listenForLineEnds(): void {
    if (this.lineEndListener || typeof window === 'undefined') return;
    this.lineEndListener = true;
    window.addEventListener(
      'pointerup',
      () => {
        if (!this.store.getState().remeasuring) return;
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            for (const m of listMeasurements()) {
              if (m.kind === 'length') this.onMeasurementCompleted(m.uid);
            }
          }),
        );
      },
      true,
    );
  }

  private onMeasurementCompleted(uid: string): void {
    if (!this.store.getState().remeasuring || this.remeasureHandled.has(uid)) return;
    this.remeasureHandled.add(uid);
    this.pendingLines.add(uid);
    this.drainRemeasure();
  }

  private drainRemeasure(): void {
    if (this.pendingLines.size === 0) return;
    if (!this.store.getState().remeasuring) {
      this.pendingLines.clear();
      return;
    }
    const all = listMeasurements();
    for (const uid of [...this.pendingLines]) {
      const m = all.find((x) => x.uid === uid);
      if (!m || m.kind !== 'length') {
        this.pendingLines.delete(uid);
        continue;
      }
      // The line's end points are always current; Cornerstone's cached length is refreshed only when the
      // image renders next, so just after the pointer is released it can still hold a mid-drag value.
      const length = worldLength(m.worldPoints) ?? m.lengthMm;
      if (!length || length <= 0) continue; // no end points or statistics yet: wait for the next change
      this.pendingLines.delete(uid);
      this.applyLine(length);
    }
  }

  private applyLine(lengthMm: number): void {
    const id = this.store.getState().remeasuring;
    if (!id) return;
    this.remeasureLines.push(lengthMm);
    const [first, second] = this.remeasureLines;
    if (first === undefined) return;
    this.applyEdit(id, { longAxisMm: first, shortAxisMm: second ?? first });
    if (second !== undefined) this.finishRemeasure();
  }

  /** Turn an ellipse the radiologist drew around a missed nodule into an accepted finding. */
  addFindingFromMeasurement(uid: string, type: NoduleType): void {
    const s = this.store.getState();
    const m = listMeasurements().find((x) => x.uid === uid);
    const pts = m?.worldPoints;
    const seriesKey = this.reviewSeriesKey ?? s.activeSeriesKey;
    if (!m || m.kind !== 'ellipse' || !pts || pts.length < 4 || !seriesKey) {
      this.store.setState({ reviewError: 'review.no-ellipse' });
      return;
    }
    const [top, bottom, left, right] = pts as [
      readonly [number, number, number],
      readonly [number, number, number],
      readonly [number, number, number],
      readonly [number, number, number],
    ];
    const dist = (a: readonly number[], b: readonly number[]): number =>
      Math.hypot((a[0] ?? 0) - (b[0] ?? 0), (a[1] ?? 0) - (b[1] ?? 0), (a[2] ?? 0) - (b[2] ?? 0));
    const center = [0, 1, 2].map(
      (k) => ((top[k] ?? 0) + (bottom[k] ?? 0) + (left[k] ?? 0) + (right[k] ?? 0)) / 4,
    ) as [number, number, number];
    if (!this.reviewSeriesKey) this.reviewSeriesKey = seriesKey;
    const patient = s.findings.length > 0 ? s.patient : this.patientOf(seriesKey);
    const r = manualFinding(
      {
        id: nextFindingId(s.findings),
        seriesKey,
        centerMm: center,
        longAxisMm: dist(top, bottom),
        shortAxisMm: dist(left, right),
        type,
        lungZ: s.lungZ ?? this.seriesZ(seriesKey) ?? [center[2] - 1, center[2] + 1],
      },
      patient,
      s.language,
      new Date().toISOString(),
    );
    if (!r.ok) {
      this.store.setState({ reviewError: `review.${r.error.code}` });
      return;
    }
    removeMeasurement(uid);
    const series = findSeries(s, seriesKey);
    const added = series ? { ...r.value, slice: sliceOf(series, center) } : r.value;
    this.store.setState({
      findings: [...s.findings, added],
      patient,
      selectedFinding: r.value.id,
      measurements: listMeasurements(),
      reviewError: null,
    });
    this.updateReport();
  }

  /** The z-extent of a series' slices in patient mm. */
  private seriesZ(seriesKey: string): [number, number] | null {
    const series = findSeries(this.store.getState(), seriesKey);
    const zs = (series?.frames ?? []).flatMap((f) => (f.position ? [f.position[2]] : []));
    return zs.length > 0 ? [Math.min(...zs), Math.max(...zs)] : null;
  }

  setFindingSort(sort: FindingSort): void {
    this.store.setState({ findingSort: sort });
  }

  setReviewContext(change: Partial<ReviewContext>): void {
    this.store.setState((s) => ({ reviewContext: { ...s.reviewContext, ...change } }));
  }

  /** Download the audit trail (no patient or study identifiers) as JSON. */
  exportAudit(): void {
    const { findings, caseLungRads } = this.store.getState();
    const at = new Date().toISOString();
    const data = auditExport(findings, caseLungRads?.category ?? null, at);
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `lucent-audit-${at.slice(0, 19).replace(/[:T]/g, '-')}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // ---- Evidence heatmap ----------------------------------------------------------------------------

  private evidence: Evidence | null = null;
  private evidenceImages = new Map<number, string>();

  private setEvidence(e: Evidence | null): void {
    this.evidence = e;
    this.evidenceImages.clear();
    this.store.setState({ evidenceAvailable: e !== null });
  }

  toggleHeatmap(): void {
    if (!this.evidence) return;
    this.store.setState((s) => ({ showHeatmap: !s.showHeatmap }));
  }

  setHeatmapOpacity(opacity: number): void {
    this.store.setState({ heatmapOpacity: Math.max(0.05, Math.min(1, opacity)) });
  }

  /** The evidence map of the slice a cell shows, placed in canvas pixels; null off axial planes. */
  evidenceImage(cell: number): { href: string; x: number; y: number; width: number; height: number } | null {
    const e = this.evidence;
    const frame = this.viewer?.axialFrame(cell);
    if (!e || !frame || e.zMm.length === 0) return null;
    let best = 0;
    for (let i = 1; i < e.zMm.length; i++) {
      if (Math.abs((e.zMm[i] ?? 0) - frame.z) < Math.abs((e.zMm[best] ?? 0) - frame.z)) best = i;
    }
    const step = e.zMm.length > 1 ? Math.abs((e.zMm[1] ?? 0) - (e.zMm[0] ?? 0)) : 1;
    if (Math.abs((e.zMm[best] ?? 0) - frame.z) > step) return null;
    let href = this.evidenceImages.get(best);
    if (!href) {
      href = heatImage(e, best);
      this.evidenceImages.set(best, href);
    }
    const a = frame.toCanvas(e.cornerMm[0], e.cornerMm[1]);
    const b = frame.toCanvas(e.cornerMm[0] + e.width * e.cellMm[0], e.cornerMm[1] + e.height * e.cellMm[1]);
    // Axial display keeps patient x to the right and y downwards; other orientations are not drawn.
    if (b[0] <= a[0] || b[1] <= a[1]) return null;
    return { href, x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1] };
  }

  toggleAiMarks(): void {
    this.store.setState((s) => ({ showAiMarks: !s.showAiMarks }));
  }

  projectToCell(
    cell: number,
    centerMm: readonly [number, number, number],
    radiusMm: number,
  ): { x: number; y: number; r: number } | null {
    return this.viewer?.project(cell, centerMm, radiusMm) ?? null;
  }

  /** Diagnostics for tests and support: pixel statistics and readouts of the cells on screen. */
  diagnostics(): Record<string, unknown> {
    return {
      pixelStats: (cell: number) => this.viewer?.displayedPixelStats(cell),
      readout: (cell: number) => this.viewer?.readout(cell),
      measurements: () => listMeasurements(),
      // Kill the inference worker as a crash would (tests of the recovery path).
      crashAiWorker: () => this.inference.terminateForTest(),
      // Slow the sweep down so that cancel and crash recovery can be exercised mid-sweep.
      setAiBatchDelay: (ms: number) => {
        this.aiBatchDelayMs = Math.max(0, Math.min(5000, ms));
      },
      benchModel: (dims: [number, number, number, number], backend: 'wasm' | 'webgpu', threads: number) => {
        const m = this.store.getState().models?.find((x) => x.manifest.task === 'detection');
        if (!m) return Promise.reject(new Error('no detection model'));
        return this.inference.bench(
          { manifest: m.manifest, url: modelUrl(m.dir, m.manifest.file) },
          dims,
          backend,
          threads,
        );
      },
    };
  }
}
