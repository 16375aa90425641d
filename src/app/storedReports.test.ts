// Stored reports back on the image (storedReports.ts, storedReportFindings.ts): a real (tiny) CT series
// written by the phantom generator, SRs written by report/sr.ts, both read by Lucent's own parser, and the
// app's store and instance registry, without a browser.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDicom } from '../dicom/parse';
import { readInstance } from '../dicom/read';
import { assembleStudies, type LoadedInstance, type Series } from '../dicom/series';
import { memorySource } from '../dicom/source';
import type { FindingRecord } from '../findings/record';
import { clearInstances, registerInstance } from '../imaging/registry';
import { newSession } from '../practice/session';
import type { SrFinding } from '../report/sr';
import { readStoredReport, type StoredReport } from '../report/srRead';
import { createAppStore } from '../store';
import type { KeyValueStorage } from '../store/persist';
import { reviewId, saveReview } from '../store/review';
import { phantomCt, srFileOf, type SrFileOptions } from '../../test/support/srFixtures';
import { chooseReport, findingsFromReport, reportApplies } from './storedReportFindings';
import { StoredReports, seriesTarget } from './storedReports';

const phantom = (): Promise<LoadedInstance[]> => phantomCt('stored-reports', 'ct');

const F1: SrFinding = {
  id: 'F1',
  type: 'solid',
  score: 0.91,
  lungRads: '4A',
  centerMm: [-30, 10, 12],
  longAxisMm: 9.8,
  shortAxisMm: 7.9,
  meanDiameterMm: 8.9,
  solidComponentMm: null,
  volumeMm3: 366,
  location: { side: 'right', zone: 'upper' },
};
const F2: SrFinding = {
  id: 'F2',
  type: 'part-solid',
  score: 0.62,
  lungRads: '4A',
  centerMm: [35, -5, -14],
  longAxisMm: 14,
  shortAxisMm: 12,
  meanDiameterMm: 13,
  solidComponentMm: 6.5,
  volumeMm3: 1100,
  location: { side: 'left', zone: 'lower' },
};

function srBytes(
  ct: readonly LoadedInstance[],
  findings: readonly SrFinding[],
  options: Omit<SrFileOptions, 'lungRads'> = {},
): Uint8Array {
  return srFileOf(ct, findings, { ...options, lungRads: { category: '4A', management: '3-month LDCT.' } });
}

function report(bytes: Uint8Array): StoredReport {
  const r = readStoredReport(parseDicom(bytes).dataset);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function ctSeries(ct: readonly LoadedInstance[]): Series {
  const series = assembleStudies(ct)[0]?.series[0];
  if (!series) throw new Error('no series');
  return series;
}

const context = { patient: {}, language: 'en' as const, now: '2027-01-01T00:00:00.000Z' };

afterEach(() => clearInstances());

describe("a stored report's findings on a series", () => {
  it('are accepted findings from a signed report, pending AI findings from an unsigned one, each on its nearest slice', async () => {
    const ct = await phantom();
    for (const i of ct) registerInstance({ ...i, source: memorySource(i.fileName, new Uint8Array(0)) });
    const series = ctSeries(ct);
    const target = seriesTarget(series);
    expect(target.frameOfReferenceUID).toBe(ct[0]?.info.frameOfReferenceUID);

    const signed = findingsFromReport(report(srBytes(ct, [F1, F2], { signed: true })), target, context);
    expect(signed.unplaced).toEqual([]);
    expect(signed.findings).toHaveLength(2);
    const [a, b] = signed.findings as [FindingRecord, FindingRecord];
    expect(a).toMatchObject({
      id: 'F1',
      seriesKey: series.key,
      source: { kind: 'model', id: 'lung-nodule-ct', version: '1.0.0' },
      status: 'accepted',
      type: 'solid',
      score: 0.91,
      centerMm: [-30, 10, 12],
      longAxisMm: 9.8,
      shortAxisMm: 7.9,
      meanDiameterMm: 8.9,
      solidComponentMm: null,
      volumeMm3: 366,
      lungRads: '4A',
      location: { side: 'right' },
      // z = 12 is nearest the slice at 12.5, the second from the top (instance 2).
      slice: 2,
      origin: { kind: 'stored-report', verified: true, date: '2026-12-03' },
    });
    expect(a.differentials.length).toBeGreaterThan(0);
    expect(a.history.map((h) => [h.action, h.by.kind, h.at])).toEqual([
      ['created', 'model', '2026-12-03T10:15:30.000Z'],
      ['accepted', 'user', '2026-12-03T10:15:30.000Z'],
    ]);
    expect(a.history[0]?.detail).toContain('signed report');
    expect(b).toMatchObject({ id: 'F2', type: 'part-solid', solidComponentMm: 6.5, slice: 7 });
    expect(b.location?.side).toBe('left');

    const unsigned = findingsFromReport(report(srBytes(ct, [F1, F2])), target, context);
    expect(unsigned.findings.map((f) => [f.id, f.status, f.origin?.verified])).toEqual([
      ['F1', 'pending', false],
      ['F2', 'pending', false],
    ]);
    expect(unsigned.findings[0]?.history.map((h) => h.action)).toEqual(['created']);
  });

  it('lists the groups it cannot place, with the reason, and places a point given on an image', async () => {
    const ct = await phantom();
    for (const i of ct) registerInstance({ ...i, source: memorySource(i.fileName, new Uint8Array(0)) });
    const series = ctSeries(ct);
    const target = seriesTarget(series);
    // Coordinates in another frame of reference say nothing about where the nodules are on this series.
    const other = report(srBytes(ct, [F1, F2], { frame: '1.2.826.0.1.3680043.8.498.999' }));
    expect(reportApplies(other, target)).toBe(true); // it names the series' instances
    expect(findingsFromReport(other, target, context)).toEqual({
      findings: [],
      unplaced: [
        { label: 'F1', reason: 'elsewhere' },
        { label: 'F2', reason: 'elsewhere' },
      ],
    });
    // Written without a frame of reference, the groups have no location at all.
    const unplaced = findingsFromReport(report(srBytes(ct, [F1], { frame: null })), target, context);
    expect(unplaced.unplaced).toEqual([{ label: 'F1', reason: 'no-location' }]);

    // Another tool's sparse groups: a length on an image, and a volume with no place.
    const top = ct.find((i) => i.info.instanceNumber === 1)?.info;
    if (!top) throw new Error('no top slice');
    const sparse: StoredReport = {
      sopInstanceUID: '2.25.1',
      seriesInstanceUID: '2.25.2',
      studyInstanceUID: top.studyInstanceUID,
      verification: 'UNVERIFIED',
      verifiers: [],
      referencedInstances: [],
      groups: [
        {
          index: 1,
          trackingId: 'Lesion A',
          longAxisMm: 12,
          location: {
            kind: 'image',
            sopInstanceUID: top.sopInstanceUID,
            point: [16.5, 8.5],
            graphicType: 'POLYLINE',
          },
        },
        { index: 2, volumeMm3: 250, location: null },
      ],
    };
    expect(reportApplies(sparse, target)).toBe(true);
    const read = findingsFromReport(sparse, target, context);
    // Pixel (16, 8) of the top slice: x = -62 + 16 × 4, y = -62 + 8 × 4, z = 17.5.
    expect(read.findings).toMatchObject([
      {
        id: 'F1',
        source: { kind: 'user' },
        score: null,
        status: 'pending',
        type: 'solid',
        centerMm: [2, -30, 17.5],
        longAxisMm: 12,
        shortAxisMm: 12,
        meanDiameterMm: 12,
        slice: 1,
        location: { side: 'left' },
      },
    ]);
    expect(read.findings[0]?.history[0]?.detail).toMatch(
      /tracking id Lesion A; composition not in the report/,
    );
    expect(read.unplaced).toEqual([{ label: '#2', reason: 'no-location' }]);
  });
});

describe('which stored report is shown', () => {
  const base = (over: Partial<StoredReport>): StoredReport => ({
    sopInstanceUID: '2.25.10',
    seriesInstanceUID: '2.25.11',
    studyInstanceUID: '2.25.12',
    verification: 'UNVERIFIED',
    verifiers: [],
    referencedInstances: [],
    groups: [],
    frameOfReferenceUID: '2.25.100',
    contentDate: '20261203',
    contentTime: '101530',
    instanceNumber: 1,
    ...over,
  });
  const target = { series: { key: 's' } as Series, frameOfReferenceUID: '2.25.100', images: new Map() };

  it('is the newest signed one that applies: by content date and time, then instance number', () => {
    const aiNewest = base({ sopInstanceUID: 'ai', contentDate: '20270101' });
    const signedOld = base({ sopInstanceUID: 'signed-old', verification: 'VERIFIED', contentTime: '090000' });
    const signedNew = base({
      sopInstanceUID: 'signed-new',
      verification: 'VERIFIED',
      contentTime: '101530.5',
    });
    const signedNewer = base({ ...signedNew, sopInstanceUID: 'signed-newer', instanceNumber: 2 });
    const elsewhere = base({
      sopInstanceUID: 'elsewhere',
      verification: 'VERIFIED',
      contentDate: '20280101',
      frameOfReferenceUID: '2.25.999',
    });
    const all = [aiNewest, signedOld, signedNew, signedNewer, elsewhere];
    expect(chooseReport(all, target)?.sopInstanceUID).toBe('signed-newer');
    expect(chooseReport([aiNewest, signedOld, signedNew], target)?.sopInstanceUID).toBe('signed-new');
    expect(chooseReport([signedOld, aiNewest], target)?.sopInstanceUID).toBe('signed-old');
    // Without a signed one, the newest unsigned one; none that applies, none.
    expect(chooseReport([base({ sopInstanceUID: 'older' }), aiNewest], target)?.sopInstanceUID).toBe('ai');
    expect(chooseReport([elsewhere], target)).toBeNull();
  });
});

describe('the stored reports of a loaded study', () => {
  function memoryStorage(): KeyValueStorage {
    const m = new Map<string, string>();
    return {
      getItem: (k) => m.get(k) ?? null,
      setItem: (k, v) => void m.set(k, v),
      removeItem: (k) => void m.delete(k),
    };
  }

  async function loaded(srs: readonly Uint8Array[]) {
    const ct = await phantom();
    const all = [...ct];
    for (const [n, bytes] of srs.entries()) {
      const r = await readInstance(memorySource(`sr-${n}.dcm`, bytes));
      if (!r.ok) throw new Error(r.error.message);
      all.push({ key: `sr-${n}`, fileName: `sr-${n}.dcm`, info: r.info });
    }
    const bytesOf = new Map(srs.map((b, n) => [`sr-${n}`, b]));
    for (const i of all)
      registerInstance({ ...i, source: memorySource(i.fileName, bytesOf.get(i.key) ?? new Uint8Array(0)) });
    const studies = assembleStudies(all);
    const store = createAppStore();
    const storage = memoryStorage();
    const applied = vi.fn();
    const reports = new StoredReports({ store, viewer: () => null }, { applied }, () => storage);
    const series = ctSeries(ct);
    return { ct, series, studies, store, storage, applied, reports };
  }

  it("shows the newest signed report's findings once the load has finished", async () => {
    const ct = await phantom();
    const { series, studies, store, applied, reports } = await loaded([
      srBytes(ct, [F1, F2], { at: '2026-12-04T08:00:00Z' }), // AI results, newer but unsigned
      srBytes(ct, [F1], { signed: true }),
    ]);
    reports.start();
    store.setState({ studies, activeSeriesKey: series.key });
    expect(store.getState().findings).toEqual([]); // still loading
    store.setState({ loading: null, lastLoad: { images: 8, series: 3, errors: 0 } });
    await vi.waitFor(() => expect(applied).toHaveBeenCalled());
    const s = store.getState();
    expect(s.findings.map((f) => [f.id, f.status, f.origin?.verified])).toEqual([['F1', 'accepted', true]]);
    expect(s.reviewSeriesKey).toBe(series.key);
    expect(s.ai.model).toEqual({ id: 'lung-nodule-ct', version: '1.0.0' });
    expect(s.storedReport).toEqual({
      seriesKey: series.key,
      verified: true,
      date: '2026-12-03',
      reader: 'Reader^Ann',
      unplaced: [],
    });
    // A model run on the series replaces the report's findings: the note about the report goes.
    store.setState((x) => ({ ai: { ...x.ai, status: 'running' } }));
    expect(store.getState().storedReport).toBeNull();
  });

  it("leaves the series to this device's saved review, to practice, and to findings already there", async () => {
    const ct = await phantom();
    const { series, studies, store, storage, applied, reports } = await loaded([srBytes(ct, [F1])]);
    store.setState({ studies, activeSeriesKey: series.key, loading: null });

    // A practice read: a case's SR is not shown (in a blind read, AI output never is).
    store.setState({
      practice: newSession({
        phase: 'reading',
        choice: { kind: 'own', label: 'own' },
        label: 'own',
        source: 'own',
        caseId: 'own-1',
        modality: 'unaided',
        reader: 'me',
        truth: [],
        progress: null,
        startedAt: 0,
      }),
    });
    await reports.show(series.key);
    expect(store.getState().findings).toEqual([]);
    store.setState({ practice: null });

    // A review of this series saved on this device is newer work: Persistence brings it back, not the SR.
    const mine: FindingRecord = {
      ...F1,
      seriesKey: series.key,
      source: { kind: 'user' },
      status: 'rejected',
      lungRads: '4A',
      score: null,
      differentials: [],
      history: [],
    };
    const id = await reviewId(series.key);
    saveReview(storage, id, {
      savedAt: '2027-01-01T00:00:00.000Z',
      findings: [mine],
      model: null,
      lungZ: null,
    });
    await reports.show(series.key);
    expect(store.getState().findings).toEqual([]);
    expect(applied).not.toHaveBeenCalled();

    // Without it, the report's findings come back; with findings on screen, nothing changes.
    saveReview(storage, id, { savedAt: '2027-01-02T00:00:00.000Z', findings: [], model: null, lungZ: null });
    await reports.show(series.key);
    expect(store.getState().findings.map((f) => [f.id, f.status])).toEqual([['F1', 'pending']]);
    const shown = store.getState().findings;
    await reports.show(series.key);
    expect(store.getState().findings).toBe(shown);
    expect(applied).toHaveBeenCalledTimes(1);
  });
});
