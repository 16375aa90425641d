/**
 * The AI run in the browser: the models served with the app or picked from a folder (checked against
 * their manifest's SHA-256), the choice of model for a series, and the run itself. The series' volume is
 * handed to the inference worker, which runs the host-neutral analysis (src/analysis); its findings come
 * back here and become review records, marked as the model's.
 */
import { InferenceClient, InferenceError, SLICE_WINDOW, unreadableSlice } from '../ai/browser/client';
import type { ModelSource } from '../ai/browser/protocol';
import { manifestIssues, validateManifest } from '../ai/registry/manifest';
import { seriesFacts } from '../ai/shared/applicability';
import type { SeriesAnalysis } from '../analysis/analyze';
import { firstApplicable } from '../analysis/chooseModel';
import { sliceNumberNearest, type Series } from '../dicom/series';
import type { FindingRecord } from '../findings/record';
import type { MessageKey } from '../i18n';
import { getInstance, imageIdOf } from '../imaging/registry';
import { seriesGeometry, SLICES_PER_MESSAGE, streamSlices } from '../imaging/volumeExport';
import { problemOf } from '../lib/errors';
import { sha256Hex } from '../lib/hash';
import { log } from '../lib/logger';
import type { InstalledModelSummary } from '../store';
import { findSeries } from '../store/selectors';
import type { OpenFile } from '../ui/context';
import type { Host } from './host';

/**
 * Absolute URL of a model file served with the app. The worker resolves relative URLs against its own
 * script (under /assets/), so it is given the page-relative URL made absolute.
 */
function modelUrl(dir: string, file: string): string {
  return new URL(`models/${encodeURIComponent(dir)}/${encodeURIComponent(file)}`, document.baseURI).href;
}

export interface AiHooks {
  /** The analysis is in: its evidence map, then a new report from its findings. */
  analysed(analysis: SeriesAnalysis): void;
}

export class AiRun {
  private readonly inference = new InferenceClient();
  /** Bytes of models the user loaded from a folder, by `dir` key (kept in memory for this session). */
  private readonly folderModels = new Map<string, { bytes: ArrayBuffer; fprBytes?: ArrayBuffer }>();
  private runId: number | null = null;
  private abort: AbortController | null = null;
  /** Diagnostics only: a pause between batches, so cancel can be exercised mid-sweep. */
  private batchDelayMs = 0;
  /** Where the last completed run's time went (ms), for `npm run bench` and support. */
  private lastTiming: Record<string, number> | null = null;
  /**
   * The last completed run's slice copies: how many went to the worker, how many buffers were new, and the
   * most it should ever need (a window in flight, one message being copied, the slice the worker holds).
   */
  private lastSliceBuffers: { sent: number; allocated: number; most: number } | null = null;

  constructor(
    private readonly host: Host,
    private readonly hooks: AiHooks,
  ) {}

  /** The models served with the app (/models/index.json), validated. */
  async loadModelIndex(): Promise<void> {
    const { store } = this.host;
    const fromFolders = (): InstalledModelSummary[] =>
      (store.getState().models ?? []).filter((x) => x.origin === 'folder');
    try {
      const res = await fetch('models/index.json');
      if (!res.ok) throw new Error(String(res.status));
      const index = (await res.json()) as { models?: { dir: string; manifest: unknown }[] };
      const models = (index.models ?? []).flatMap((m) => {
        const r = validateManifest(m.manifest);
        return r.ok ? [{ dir: m.dir, manifest: r.value, origin: 'app' as const }] : [];
      });
      store.setState({ models: [...models, ...fromFolders()] });
    } catch {
      store.setState({ models: fromFolders() });
    }
  }

  /**
   * Load a model from a folder the user picked: its manifest is validated and its files checked against
   * the manifest's SHA-256 before it is offered; nothing leaves the device.
   */
  async loadModelFolder(files: readonly OpenFile[]): Promise<void> {
    const { store } = this.host;
    const fail = (key: MessageKey, params: Record<string, string> = {}): void =>
      store.setState({ modelFolderError: { key, params } });
    const base = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
    const manifestFile = files
      .filter((f) => base(f.name) === 'manifest.json')
      .sort((a, b) => a.name.length - b.name.length)[0];
    if (!manifestFile) return fail('ai.folder.noManifest');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await manifestFile.file.text());
    } catch {
      return fail('ai.folder.notJson');
    }
    const v = validateManifest(parsed);
    if (!v.ok) {
      // The fields at fault, named as in the manifest: the panel words the rest in the reader's language.
      const fields = [...new Set(manifestIssues(parsed).map((i) => i.field))];
      return fields.includes('')
        ? fail('ai.folder.notJson')
        : fail('ai.folder.badManifest', { fields: fields.join(', ') });
    }
    const m = v.value;
    const dir = manifestFile.name.slice(0, manifestFile.name.length - 'manifest.json'.length);
    const find = (file: string): OpenFile | undefined =>
      files.find((f) => f.name === `${dir}${file}`) ?? files.find((f) => base(f.name) === base(file));
    // Each file the manifest names (the model, and a second stage when it has one), checked before use.
    const checked = async (file: string, sha256: string): Promise<ArrayBuffer | MessageKey> => {
      const f = find(file);
      if (!f) return 'ai.folder.noModelFile';
      const bytes = await f.file.arrayBuffer();
      return (await sha256Hex(bytes)) === sha256 ? bytes : 'ai.folder.checksum';
    };
    const model = `${m.id} ${m.version}`;
    const bytes = await checked(m.file, m.sha256);
    if (typeof bytes === 'string') return fail(bytes, { model, file: m.file });
    const second = m.falsePositiveReduction;
    let fprBytes: ArrayBuffer | undefined;
    if (second) {
      const checkedFpr = await checked(second.file, second.sha256);
      if (typeof checkedFpr === 'string') return fail(checkedFpr, { model, file: second.file });
      fprBytes = checkedFpr;
    }
    const key = `folder:${m.id}@${m.version}`;
    this.folderModels.set(key, { bytes, ...(fprBytes ? { fprBytes } : {}) });
    store.setState((s) => ({
      models: [
        ...(s.models ?? []).filter((x) => x.dir !== key),
        { dir: key, manifest: m, origin: 'folder' as const },
      ],
      selectedModel: key,
      modelFolderError: null,
    }));
  }

  selectModel(dir: string | null): void {
    this.host.store.setState({ selectedModel: dir });
  }

  /** Where the worker gets a model's files: bytes from a picked folder, or URLs on the app's origin. */
  private source(chosen: InstalledModelSummary): ModelSource {
    const m = chosen.manifest;
    const folder = this.folderModels.get(chosen.dir);
    if (folder) {
      return {
        manifest: m,
        bytes: folder.bytes.slice(0),
        ...(folder.fprBytes ? { fprBytes: folder.fprBytes.slice(0) } : {}),
      };
    }
    const fprFile = m.falsePositiveReduction?.file;
    return {
      manifest: m,
      url: modelUrl(chosen.dir, m.file),
      ...(fprFile ? { fprUrl: modelUrl(chosen.dir, fprFile) } : {}),
    };
  }

  /** Whether a run is under way (its findings are not in yet). */
  running(): boolean {
    return this.runId !== null || this.abort !== null;
  }

  /** Run the chosen (or the first applicable) detection model over the active series. */
  run(): void {
    void this.runAsync();
  }

  private async runAsync(): Promise<void> {
    const { store } = this.host;
    const state = store.getState();
    const series = findSeries(state, state.activeSeriesKey);
    if (!series || series.kind !== 'image' || this.running()) return;
    const head = getInstance(series.instanceKeys[0] ?? '')?.info;
    const facts = seriesFacts(series, head);
    const models = (state.models ?? []).filter((m) =>
      state.selectedModel ? m.dir === state.selectedModel : m.manifest.task === 'detection',
    );
    const chosen = firstApplicable(models, facts, {
      code: 'no-model',
      message: 'No detection model is installed in this build.',
      detail: {},
    });
    if (!('manifest' in chosen)) {
      store.setState({
        ai: {
          status: 'not-applicable',
          done: 0,
          total: 0,
          startedAt: Date.now(),
          problem: { code: chosen.code, detail: chosen.detail },
        },
      });
      return;
    }
    const m = chosen.manifest;
    const model = { id: m.id, version: m.version, quantization: m.quantization };
    const patient = { ageYears: head?.patient.ageYears, sex: head?.patient.sex };
    const startedAt = Date.now();
    // What the reader has now: put back if this run fails or is cancelled (a dead worker loses nothing).
    const before = { findings: state.findings, report: state.report, caseLungRads: state.caseLungRads };
    store.setState({
      ai: { status: 'preparing', done: 0, total: series.frames.length, startedAt, model },
      findings: [],
      report: null,
      caseLungRads: null,
    });
    try {
      this.abort = new AbortController();
      const volumeStarted = performance.now();
      const ids = series.frames.map((f) => imageIdOf(f.instanceKey, f.frame));
      const geometry = seriesGeometry(ids);
      const run = this.inference.run(
        this.source(chosen),
        geometry,
        {
          onStage: (u) =>
            store.setState((s) => ({
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
          onProgress: (done, total) => store.setState((s) => ({ ai: { ...s.ai, done, total } })),
        },
        { language: store.getState().language, patient, batchDelayMs: this.batchDelayMs },
      );
      this.runId = run.id;
      // The decoded slices stream to the worker, which stacks them into the volume as they arrive.
      // A slice that cannot be read, or a cancel while reading, ends the run in the worker too.
      const sent = streamSlices(
        ids,
        geometry,
        (slices) => this.inference.sendSlices(run.id, slices),
        (done, total) => store.setState((s) => ({ ai: { ...s.ai, done, total } })),
        this.abort.signal,
        (bytes) => this.inference.spareBuffer(run.id, bytes),
      ).catch((e: unknown) => {
        this.inference.cancel(run.id);
        throw unreadableSlice(e);
      });
      const [outcome, buffers] = await Promise.all([run.done, sent]);
      this.lastSliceBuffers = { ...buffers, most: SLICE_WINDOW + SLICES_PER_MESSAGE + 1 };
      const volumeMs = outcome.setupMs.volume;
      const a = outcome.analysis;
      const round = (ms: number): number => Math.round(ms);
      this.lastTiming = {
        total: round(performance.now() - volumeStarted),
        worker: round(outcome.ms),
        volume: round(volumeMs),
        modelFiles: round(outcome.setupMs.files),
        runtime: round(outcome.setupMs.runtime),
        preprocess: round(a.detection.ms.preprocess),
        detector: round(a.detection.ms.inference),
        secondStage: round(a.detection.ms.secondStage),
        decode: round(a.detection.ms.decode),
      };
      const findings = records(a, series, model);
      const classification = a.detection.classification;
      store.setState((s) => ({
        findings,
        reviewSeriesKey: series.key,
        selectedFinding: null,
        restored: false,
        patient,
        lungZ: a.lungZ,
        ai: {
          status: 'done',
          done: a.detection.slicesRun,
          total: a.detection.slicesRun,
          startedAt,
          provider: outcome.provider,
          threads: outcome.threads,
          ...(s.ai.note ? { note: s.ai.note } : {}),
          seconds: Math.round(outcome.ms / 100) / 10,
          model,
          found: findings.length,
          ...(classification
            ? {
                classification: {
                  label: classification.label,
                  probability: classification.probabilities[classification.label] ?? 0,
                },
              }
            : {}),
        },
      }));
      this.hooks.analysed(a);
    } catch (e) {
      const cancelled =
        (e instanceof InferenceError && e.code === 'cancelled') || this.abort?.signal.aborted === true;
      // The code and its detail, for the panel to word in the reader's language (the English message
      // stays on the error).
      const problem = problemOf(e);
      if (!cancelled) log('warn', 'ai-run-failed', {}, problem.code);
      store.setState((s) => ({
        ...before,
        ai: { ...s.ai, status: cancelled ? 'cancelled' : 'error', ...(cancelled ? {} : { problem }) },
      }));
    } finally {
      this.runId = null;
      this.abort = null;
    }
  }

  /** Stops the analysis at whatever stage it is: reading the slices, or between two model batches. */
  cancel(): void {
    this.abort?.abort();
    if (this.runId !== null) this.inference.cancel(this.runId);
  }

  /** Test hooks only (app/testHooks.tsx): a pause after each batch, so that a run is surely mid-sweep. */
  setBatchDelay(ms: number): void {
    this.batchDelayMs = Math.max(0, Math.min(5000, ms));
  }

  /** Diagnostics for tests and support. */
  diagnostics(): Record<string, unknown> {
    return {
      // Where the last completed run's time went (ms).
      aiTiming: () => this.lastTiming,
      // The last completed run's slices sent to the worker, and the buffers allocated for their copies.
      aiSliceBuffers: () => this.lastSliceBuffers,
      benchModel: (dims: [number, number, number, number], backend: 'wasm' | 'webgpu', threads: number) => {
        const m = this.host.store.getState().models?.find((x) => x.manifest.task === 'detection');
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

/** The analysis' findings as review records: the model's, pending, each placed on its nearest slice. */
function records(
  a: SeriesAnalysis,
  series: Series,
  model: { readonly id: string; readonly version: string },
): FindingRecord[] {
  const at = new Date().toISOString();
  const author = { kind: 'model' as const, id: model.id, version: model.version };
  return a.findings.map((f) => ({
    ...f,
    slice: sliceNumberNearest(series, f.centerMm),
    seriesKey: series.key,
    source: author,
    status: 'pending',
    history: [{ at, by: author, action: 'created', detail: `score ${f.score}` }],
  }));
}
