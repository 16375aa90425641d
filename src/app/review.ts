/**
 * Reviewing findings: select and step through them, accept or reject, edit, re-measure with the length
 * tool, add a finding from an ellipse, sort, the clinical context, the case summary and report draft
 * (from the findings not rejected), and the audit trail download.
 */
import { summarise } from '../analysis/summary';
import { setStatus } from '../findings/record';
import {
  auditExport,
  editFinding,
  manualFinding,
  nextFindingId,
  rejudge,
  sortFindings,
} from '../findings/review';
import type { FindingEdit, FindingSort } from '../findings/review';
import type { NoduleType } from '../findings/types';
import type { Language } from '../i18n';
import { listMeasurements, removeMeasurement } from '../imaging/measurements';
import type { ToolName } from '../imaging/viewer';
import type { ReviewContext } from '../store';
import { findSeries } from '../store/selectors';
import { seriesExtentZ, sliceNumberNearest } from '../dicom/series';
import { patientOf, type Host } from './host';
import type { Viewing } from './viewing';
import { downloadBlob } from './download';

type Vec3 = readonly [number, number, number];

/** A re-measure line's length from its end points (patient coordinates, mm). */
function worldLength(points: readonly Vec3[] | undefined): number | undefined {
  const [a, b] = points ?? [];
  return a && b && points?.length === 2 ? Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) : undefined;
}

export class Review {
  private remeasureLines: number[] = [];
  private toolBeforeRemeasure: ToolName | null = null;
  /** Lines finished while re-measuring whose length Cornerstone has not computed yet. */
  private readonly pendingLines = new Set<string>();
  /** Measurements that existed when re-measuring began, or were already taken as re-measure lines. */
  private remeasureHandled = new Set<string>();
  private lineEndListener = false;

  constructor(
    private readonly host: Host,
    private readonly viewing: Viewing,
  ) {}

  /** A new study: nothing is being re-measured. */
  newStudy(): void {
    this.remeasureLines = [];
    this.toolBeforeRemeasure = null;
  }

  /** Recompute the case category and the report draft from the findings not rejected. */
  updateReport(): void {
    const { store } = this.host;
    const { findings, language } = store.getState();
    const summary = summarise(
      findings.filter((f) => f.status !== 'rejected'),
      language,
    );
    store.setState({
      caseLungRads: summary.lungRads,
      report: { findings: summary.report.findings, impression: summary.report.impression },
    });
  }

  /** The interface language changed: findings' text and the report follow. */
  setLanguage(language: Language): void {
    const { store } = this.host;
    store.setState((s) => ({ language, findings: s.findings.map((f) => rejudge(f, s.patient, language)) }));
    if (store.getState().findings.length > 0) this.updateReport();
  }

  selectFinding(id: string): void {
    const f = this.host.store.getState().findings.find((x) => x.id === id);
    if (!f) return;
    this.host.store.setState({ selectedFinding: id });
    this.viewing.jumpTo(f.centerMm);
  }

  stepFinding(delta: number): void {
    const state = this.host.store.getState();
    const findings = sortFindings(state.findings, state.findingSort);
    if (findings.length === 0) return;
    const i = findings.findIndex((f) => f.id === state.selectedFinding);
    const next = findings[(i + delta + findings.length) % findings.length] ?? findings[0];
    if (next) this.selectFinding(next.id);
  }

  setFindingStatus(id: string, status: 'accepted' | 'rejected' | 'pending'): void {
    const at = new Date().toISOString();
    this.host.store.setState((s) => ({
      findings: s.findings.map((f) => (f.id === id ? setStatus(f, status, at) : f)),
    }));
    this.updateReport();
  }

  editFinding(id: string, edit: FindingEdit): void {
    const { store } = this.host;
    const s = store.getState();
    const f = s.findings.find((x) => x.id === id);
    if (!f) return;
    const r = editFinding(f, edit, s.patient, s.language, new Date().toISOString());
    if (!r.ok) {
      store.setState({ reviewError: `review.${r.error.code}` });
      return;
    }
    store.setState({ reviewError: null, findings: s.findings.map((x) => (x.id === id ? r.value : x)) });
    this.updateReport();
  }

  /** Re-measure a finding with the length tool: the first line is its diameter, a second its short axis. */
  startRemeasure(id: string): void {
    const { store } = this.host;
    const s = store.getState();
    if (!s.findings.some((f) => f.id === id)) return;
    if (s.remeasuring === null) this.toolBeforeRemeasure = s.tool;
    this.remeasureLines = [];
    this.remeasureHandled = new Set(listMeasurements().map((m) => m.uid));
    this.listenForLineEnds();
    this.selectFinding(id);
    this.viewing.setTool('length');
    store.setState({ remeasuring: id, reviewError: null });
  }

  finishRemeasure(): void {
    const before = this.toolBeforeRemeasure;
    this.toolBeforeRemeasure = null;
    this.remeasureLines = [];
    this.host.store.setState({ remeasuring: null });
    if (before && before !== 'length') this.viewing.setTool(before);
  }

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
        if (!this.host.store.getState().remeasuring) return;
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            for (const m of listMeasurements()) if (m.kind === 'length') this.measurementCompleted(m.uid);
          }),
        );
      },
      true,
    );
  }

  measurementCompleted(uid: string): void {
    if (!this.host.store.getState().remeasuring || this.remeasureHandled.has(uid)) return;
    this.remeasureHandled.add(uid);
    this.pendingLines.add(uid);
    this.drainRemeasure();
  }

  /** Take the lines finished while re-measuring whose lengths are known by now. */
  drainRemeasure(): void {
    if (this.pendingLines.size === 0) return;
    if (!this.host.store.getState().remeasuring) {
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
    const id = this.host.store.getState().remeasuring;
    if (!id) return;
    this.remeasureLines.push(lengthMm);
    const [first, second] = this.remeasureLines;
    if (first === undefined) return;
    this.editFinding(id, { longAxisMm: first, shortAxisMm: second ?? first });
    if (second !== undefined) this.finishRemeasure();
  }

  /** Turn an ellipse the radiologist drew around a missed nodule into an accepted finding. */
  addFindingFromMeasurement(uid: string, type: NoduleType): void {
    const { store } = this.host;
    const s = store.getState();
    const m = listMeasurements().find((x) => x.uid === uid);
    const pts = m?.worldPoints;
    const seriesKey = s.reviewSeriesKey ?? s.activeSeriesKey;
    if (!m || m.kind !== 'ellipse' || !pts || pts.length < 4 || !seriesKey) {
      store.setState({ reviewError: 'review.no-ellipse' });
      return;
    }
    const [top, bottom, left, right] = pts as [Vec3, Vec3, Vec3, Vec3];
    const dist = (a: Vec3, b: Vec3): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    const center = [0, 1, 2].map(
      (k) => ((top[k] ?? 0) + (bottom[k] ?? 0) + (left[k] ?? 0) + (right[k] ?? 0)) / 4,
    ) as [number, number, number];
    const series = findSeries(s, seriesKey);
    const patient = s.findings.length > 0 ? s.patient : patientOf(this.host, seriesKey);
    const r = manualFinding(
      {
        id: nextFindingId(s.findings),
        seriesKey,
        centerMm: center,
        longAxisMm: dist(top, bottom),
        shortAxisMm: dist(left, right),
        type,
        lungZ: s.lungZ ?? (series ? seriesExtentZ(series) : null) ?? [center[2] - 1, center[2] + 1],
      },
      patient,
      s.language,
      new Date().toISOString(),
    );
    if (!r.ok) {
      store.setState({ reviewError: `review.${r.error.code}` });
      return;
    }
    removeMeasurement(uid);
    const added = series ? { ...r.value, slice: sliceNumberNearest(series, center) } : r.value;
    store.setState({
      findings: [...s.findings, added],
      reviewSeriesKey: seriesKey,
      patient,
      selectedFinding: r.value.id,
      measurements: listMeasurements(),
      reviewError: null,
    });
    this.updateReport();
  }

  setFindingSort(sort: FindingSort): void {
    this.host.store.setState({ findingSort: sort });
  }

  setReviewContext(change: Partial<ReviewContext>): void {
    this.host.store.setState((s) => ({ reviewContext: { ...s.reviewContext, ...change } }));
  }

  /** Download the audit trail (no patient or study identifiers) as JSON. */
  exportAudit(): void {
    const { findings, caseLungRads } = this.host.store.getState();
    const at = new Date().toISOString();
    const data = auditExport(findings, caseLungRads?.category ?? null, at);
    downloadBlob(
      `lucent-audit-${at.slice(0, 19).replace(/[:T]/g, '-')}.json`,
      new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
    );
  }
}
