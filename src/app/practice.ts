/**
 * Practice mode in the browser host: opens a case with its truth (a demo case, a synthetic case made in a
 * worker, the user's own labelled folder: its truth.json, or else a DICOM SEG or a signed DICOM SR in it,
 * read once the folder has loaded; see practiceOwnTruth.ts), keeps AI output hidden during an unaided read, turns the
 * reader's probe clicks and ellipses into marks, scores the submitted read (practice/), reads what each
 * false positive was from the image, and keeps the history on this device (practice/history.ts).
 */
import type { KeyValueStorage } from '../store/persist';
import type { LungRadsCategory, NoduleType } from '../findings/types';
import { imageIdOf } from '../imaging/registry';
import { volumeNear } from '../imaging/volumeExport';
import { sha256Hex } from '../lib/hash';
import { failureOf, LucentError, messageOf } from '../lib/errors';
import { requestFrom, type CaseMix, type Difficulty } from '../practice/difficulty';
import { falsePositiveFeedback, missFeedback } from '../practice/feedback';
import { appendHistory, loadHistory, type PracticeEntry } from '../practice/history';
import {
  loadStudies,
  nextStep,
  planStudy,
  recordRead,
  saveStudy,
  studyCases,
  type Design,
} from '../practice/protocol';
import { scorePractice } from '../practice/score';
import { aiHidden, newSession, type PracticeChoice, type PracticeSession } from '../practice/session';
import {
  MAX_CONFIDENCE,
  MIN_CONFIDENCE,
  type AiMark,
  type ReaderMark,
  type TruthLesion,
  type Vec3,
} from '../practice/types';
import { seriesExtentZ } from '../dicom/series';
import { aiBusy, findSeries } from '../store/selectors';
import type { OpenFile } from '../ui/context';
import type { PracticeActions, PracticeStart, StudyExport } from '../ui/practice/actions';
import type { Host } from './host';
import { marksFrom, parseTruthText, truthOf } from './practiceMarks';
import { generateCase } from './practiceSynth';
import { ownCaseTruth } from './practiceOwnTruth';
import { studyExport } from './practiceExport';
import { downloadBlob } from './download';

export interface PracticeDeps {
  openDemo(id: string): Promise<void>;
  openFiles(files: readonly OpenFile[]): void;
  jumpTo(point: Vec3): void;
  /** Show this series (an own case's SR may be about another series of the folder than the first). */
  showSeries(key: string): void;
  useProbe(): void;
  removeMeasurement(uid: string): void;
  runAi(): void;
  cancelAi(): void;
}

/** How far from a false-positive mark the image is read to say what it was (mm; lookAround reads less). */
const LOOK_AROUND_MM = 20;

/** Confidence of an AI finding the reader accepted in an aided read. */
const ACCEPTED_AI_CONFIDENCE = 4;

export class Practice implements PracticeActions {
  /** Set while practice itself opens a case (that new study does not end the session). */
  private opening = false;
  /** The case's study has started to load (the study on screen before it does not start the read). */
  private loadStarted = false;
  private abort: AbortController | null = null;
  private lastMix: { mix: CaseMix; difficulty: Difficulty | 'suggested' } | null = null;
  /** An own case without truth.json: its truth comes from its SEG or SR once loaded ('reading' while it does). */
  private srTruth: 'none' | 'waiting' | 'reading' = 'none';
  /** Counts the cases begun (an SR read for an earlier case does not touch a later one). */
  private generation = 0;

  constructor(
    private readonly host: Host,
    private readonly deps: PracticeDeps,
    /** Where the practice history is kept (the device store). */
    private readonly storage: () => KeyValueStorage | undefined,
  ) {}

  private get session(): PracticeSession | null {
    return this.host.store.getState().practice;
  }

  private update(change: Partial<PracticeSession>): void {
    const p = this.session;
    if (p) this.host.store.setState({ practice: { ...p, ...change } });
  }

  /** Follow the store: the read starts when the case is on screen; drawn marks become practice marks. */
  start(): void {
    const { store } = this.host;
    store.setState({
      practiceHistory: loadHistory(this.storage()),
      readerStudies: loadStudies(this.storage()),
    });
    store.subscribe((s, prev) => {
      const p = s.practice;
      if (!p) return;
      // A review saved on this device earlier may come back with the series: not during a blind read.
      if (aiHidden(p) && s.findings.length > 0 && s.findings !== prev.findings) {
        store.setState({ findings: [], selectedFinding: null, report: null });
        return;
      }
      // Loaded: every file of the case is in, not only the first batches a streamed demo case shows early
      // (an aided read's AI would otherwise run on part of the volume).
      const loaded =
        p.phase === 'preparing' &&
        p.progress?.stage === 'loading' &&
        this.loadStarted &&
        s.lastLoad !== null &&
        !s.loading &&
        !s.retrieving;
      if (loaded && this.srTruth === 'waiting') {
        // Every file of the folder has been read: its SEGs and SRs are in the registry.
        this.srTruth = 'reading';
        void this.truthFromObjects();
      } else if (loaded && this.srTruth === 'none' && s.activeSeriesKey) {
        this.read();
      } else if (p.phase === 'reading' && s.measurements !== prev.measurements) {
        const series = findSeries(s, s.activeSeriesKey);
        const marks = marksFrom(s.measurements, new Set(series?.instanceKeys ?? []), p.marks);
        this.update({ marks });
      }
    });
  }

  /** The case is on screen with its truth: the blind (or aided) read starts, and its timer. */
  private read(): void {
    const p = this.session;
    if (!p || p.phase !== 'preparing') return;
    this.update({ phase: 'reading', progress: null, startedAt: Date.now() });
    this.deps.useProbe();
    if (p.modality === 'aided') this.deps.runAi();
  }

  /**
   * An own case's truth from the DICOM SEGs or signed SRs loaded with it (practiceOwnTruth.ts); the case
   * is refused, with the reason, when there is none to score against.
   */
  private async truthFromObjects(): Promise<void> {
    const generation = this.generation;
    const found = await ownCaseTruth(() => this.host.store.getState());
    if (generation !== this.generation || this.session?.phase !== 'preparing') return;
    this.srTruth = 'none';
    if (!found.ok) {
      this.update({ problem: found.error, progress: null });
      return;
    }
    const { truth, caseId, seriesKey, truthSource, truthLungRads } = found.value;
    this.update({ truth, caseId, truthSource, ...(truthLungRads ? { truthLungRads } : {}) });
    if (seriesKey !== this.host.store.getState().activeSeriesKey) this.deps.showSeries(seriesKey);
    this.read();
  }

  /** Another study was opened (not by practice): the practice session ends. */
  newStudy(): void {
    if (this.opening) this.loadStarted = true;
    else if (this.session) this.end();
  }

  open(): void {
    this.host.store.setState({
      practiceOpen: true,
      practiceHistory: loadHistory(this.storage()),
      readerStudies: loadStudies(this.storage()),
    });
  }

  close(): void {
    this.host.store.setState({ practiceOpen: false });
  }

  private begin(
    choice: PracticeChoice,
    label: string,
    caseId: string,
    start: PracticeStart,
    truth: readonly TruthLesion[],
  ): void {
    this.deps.cancelAi();
    this.loadStarted = false;
    this.srTruth = 'none';
    this.generation++;
    this.host.store.setState({
      practiceOpen: false,
      practice: newSession({
        phase: 'preparing',
        choice,
        label,
        source: choice.kind,
        caseId,
        modality: start.modality,
        reader: start.reader.trim() || 'me',
        truth,
        progress: { stage: choice.kind === 'synthetic' ? 'generating' : 'loading', done: 0, total: 0 },
        startedAt: null,
      }),
    });
  }

  private openStudy(run: () => void): void {
    this.opening = true;
    try {
      run();
    } finally {
      this.opening = false;
    }
  }

  private fail(e: unknown): void {
    if (e instanceof DOMException && e.name === 'AbortError') return;
    this.update({ error: failureOf(e), progress: null });
  }

  async startDemo(id: string, start: PracticeStart, studyId?: string): Promise<void> {
    const demo = this.host.store.getState().demoCases?.find((d) => d.id === id);
    if (!demo) return;
    this.lastMix = null;
    this.begin({ kind: 'demo', id }, demo.label, id, start, []);
    if (studyId) this.update({ studyId });
    try {
      const res = await fetch(`demo/${encodeURIComponent(id)}/truth.json`).catch((e: unknown) => {
        throw new LucentError('demo-truth', `the truth of ${demo.label} could not be read (${messageOf(e)})`);
      });
      if (!res.ok)
        throw new LucentError(
          'demo-truth',
          `the truth of ${demo.label} could not be read (HTTP ${res.status})`,
          {
            kind: 'http',
            status: res.status,
          },
        );
      const truth = truthOf(await res.json().catch(() => null));
      this.update({ truth });
      let opened: Promise<void> = Promise.resolve();
      this.openStudy(() => {
        opened = this.deps.openDemo(id);
      });
      await opened;
    } catch (e) {
      this.fail(e);
    }
  }

  async startSynthetic(
    mix: CaseMix,
    difficulty: Difficulty | 'suggested',
    start: PracticeStart,
  ): Promise<void> {
    this.lastMix = { mix, difficulty };
    const seed = `practice-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    const request = requestFrom(mix, seed);
    this.begin({ kind: 'synthetic', request, difficulty }, `synthetic:${difficulty}`, seed, start, []);
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    try {
      const made = await generateCase(
        request,
        (done, total) => this.update({ progress: { stage: 'generating', done, total } }),
        abort.signal,
      );
      this.update({
        truth: made.truth,
        scan: { noiseSigma: made.noiseSigma },
        progress: { stage: 'loading', done: 0, total: made.files.length },
      });
      const files = made.files.map((f) => ({
        name: `practice/${f.name}`,
        file: new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: 'application/dicom' }),
      }));
      this.openStudy(() => this.deps.openFiles(files));
    } catch (e) {
      this.fail(e);
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  async startOwn(files: readonly OpenFile[], start: PracticeStart): Promise<void> {
    this.lastMix = null;
    const truthFile = files.find((f) => /(^|\/)truth\.json$/i.test(f.name));
    const dicom = files.filter((f) => f !== truthFile);
    this.begin({ kind: 'own', label: 'own' }, 'own', 'own', start, []);
    if (!truthFile) {
      // No truth.json: a signed DICOM SR among the files may hold the truth (read once they have loaded).
      this.srTruth = 'waiting';
      this.openStudy(() => this.deps.openFiles(dicom));
      return;
    }
    try {
      const text = await truthFile.file.text();
      const truth = truthOf(parseTruthText(text));
      // The same truth gives the same case id (reads of one case pair up), and no folder name is kept.
      const caseId = `own-${(await sha256Hex(JSON.stringify(truth))).slice(0, 12)}`;
      this.update({ truth, caseId, truthSource: { kind: 'truth-json' } });
      this.openStudy(() => this.deps.openFiles(dicom));
    } catch (e) {
      this.fail(e);
    }
  }

  setMark(id: string, change: { type?: NoduleType; confidence?: number }): void {
    const p = this.session;
    if (!p || p.phase !== 'reading') return;
    const confidence =
      change.confidence === undefined
        ? undefined
        : Math.min(MAX_CONFIDENCE, Math.max(MIN_CONFIDENCE, Math.round(change.confidence)));
    this.update({
      marks: p.marks.map((m) =>
        m.id === id
          ? { ...m, ...(change.type ? { type: change.type } : {}), ...(confidence ? { confidence } : {}) }
          : m,
      ),
    });
  }

  removeMark(id: string): void {
    if (this.session?.phase === 'reading') this.deps.removeMeasurement(id);
  }

  answer(change: { lungRads?: LungRadsCategory | null; impression?: string }): void {
    if (this.session?.phase === 'reading') this.update(change);
  }

  /** The model's findings on the series, at its operating point, as shown. */
  private aiFindings(): AiMark[] | null {
    const s = this.host.store.getState();
    const model = s.findings.filter((f) => f.source.kind === 'model' && f.seriesKey === s.activeSeriesKey);
    if (model.length === 0 && s.ai.status !== 'done') return null;
    return model.map((f) => ({
      id: f.id,
      centerMm: f.centerMm,
      score: f.score ?? 1,
      type: f.type,
      meanDiameterMm: f.meanDiameterMm,
    }));
  }

  submit(): void {
    const s = this.host.store.getState();
    const p = s.practice;
    if (!p || p.phase !== 'reading') return;
    // A read with AI is scored with what the AI showed: not before it has finished (the panel says so).
    if (p.modality === 'aided' && aiBusy(s.ai)) return;
    const seconds = p.startedAt ? Math.max(0, Math.round((Date.now() - p.startedAt) / 1000)) : 0;
    const ai = this.aiFindings();
    // With AI on screen, a finding the reader accepted is one of their marks.
    const accepted: ReaderMark[] =
      p.modality === 'aided'
        ? s.findings
            .filter((f) => f.source.kind === 'model' && f.status === 'accepted')
            .map((f) => ({
              id: `ai-${f.id}`,
              centerMm: f.centerMm,
              confidence: ACCEPTED_AI_CONFIDENCE,
              type: f.type,
              diameterMm: f.meanDiameterMm,
              aiFindingId: f.id,
            }))
        : [];
    const marks = [...p.marks, ...accepted];
    const score = scorePractice({
      truth: p.truth,
      marks,
      lungRads: p.lungRads,
      seconds,
      ai,
      ...(p.truthLungRads ? { truthLungRads: p.truthLungRads } : {}),
    });
    const series = findSeries(s, s.activeSeriesKey);
    const spacing = series?.volume.isVolume ? series.volume.spacingMm : (series?.sliceThickness ?? 2.5);
    const lungZ = s.lungZ ?? (series ? seriesExtentZ(series) : null) ?? [-150, 150];
    const misses = score.matching.misses.flatMap((i) => {
      const l = p.truth[i];
      return l ? [missFeedback(l, { lungZ, sliceSpacingMm: spacing, noiseSigma: p.scan.noiseSigma })] : [];
    });
    const at = new Date();
    const entry: PracticeEntry = {
      read: {
        reader: p.reader,
        caseId: p.caseId,
        modality: p.modality,
        marks,
        lungRads: p.lungRads,
        impression: p.impression,
        seconds,
        at: at.toISOString(),
      },
      label: p.label,
      source: p.source,
      truth: p.truth,
      ai: p.modality === 'aided' ? ai : null,
      truthLungRads: score.lungRads.truth,
    };
    // A read of a reader study counts for it when it is the read the protocol scheduled.
    const plan = p.studyId ? s.readerStudies.find((x) => x.id === p.studyId) : undefined;
    const recorded = plan
      ? recordRead(plan, { caseId: p.caseId, modality: p.modality, reader: p.reader }, at)
      : null;
    this.host.store.setState({
      ...(recorded ? { readerStudies: saveStudy(this.storage(), recorded) } : {}),
      practiceHistory: appendHistory(this.storage(), entry),
      practice: {
        ...p,
        marks,
        phase: 'result',
        seconds,
        result: {
          score,
          misses,
          lungZ,
          falsePositives: score.matching.falsePositives.length ? null : [],
        },
      },
    });
    if (series && score.matching.falsePositives.length > 0) void this.readFalsePositives(series.frames);
  }

  /** What each false positive most probably was, read from the slices around it. */
  private async readFalsePositives(frames: readonly { instanceKey: string; frame: number }[]): Promise<void> {
    const ids = frames.map((f) => imageIdOf(f.instanceKey, f.frame));
    const marks = this.session?.result?.score.matching.falsePositives ?? [];
    const falsePositives = await Promise.all(
      marks.map(async (m) =>
        falsePositiveFeedback(m, await volumeNear(ids, m.centerMm, LOOK_AROUND_MM).catch(() => null)),
      ),
    );
    const p = this.session;
    if (!p?.result) return;
    this.update({ result: { ...p.result, falsePositives } });
  }

  goTo(point: Vec3): void {
    this.deps.jumpTo(point);
  }

  async next(): Promise<void> {
    const p = this.session;
    if (!p) return;
    const start = { modality: p.modality, reader: p.reader };
    if (p.studyId) {
      await this.continueStudy(p.studyId);
      return;
    }
    if (p.choice.kind === 'synthetic' && this.lastMix) {
      await this.startSynthetic(this.lastMix.mix, this.lastMix.difficulty, start);
      return;
    }
    const demos = (this.host.store.getState().demoCases ?? []).map((d) => d.id);
    const at = p.choice.kind === 'demo' ? demos.indexOf(p.choice.id) : -1;
    const id = demos[(at + 1) % Math.max(1, demos.length)];
    if (id) await this.startDemo(id, start);
  }

  end(): void {
    this.abort?.abort();
    this.abort = null;
    this.host.store.setState({ practice: null });
  }

  async startStudy(reader: string, design: Design, chosen: readonly string[]): Promise<void> {
    const demos = (this.host.store.getState().demoCases ?? []).map((d) => d.id);
    const caseIds = studyCases(demos, chosen);
    if (!caseIds) return;
    const now = new Date();
    const plan = planStudy({
      id: `study-${now.getTime().toString(36)}`,
      reader: reader.trim() || 'R1',
      caseSet: 'demo',
      caseIds,
      design,
      now,
    });
    this.host.store.setState({ readerStudies: saveStudy(this.storage(), plan) });
    await this.continueStudy(plan.id);
  }

  async continueStudy(id: string): Promise<void> {
    const plan = this.host.store.getState().readerStudies.find((x) => x.id === id);
    const step = plan ? nextStep(plan, new Date()) : null;
    if (!plan || step?.kind !== 'read') {
      // The washout runs, or the study is done: the case list says which.
      this.end();
      this.open();
      return;
    }
    await this.startDemo(step.read.caseId, { modality: step.read.modality, reader: plan.reader }, id);
  }

  exportStudy(format: StudyExport): void {
    const { name, type, text } = studyExport(this.host.store.getState().practiceHistory, format);
    downloadBlob(name, new Blob([text], { type }));
  }
}
