// An own practice case's truth from a DICOM SR (practiceSrTruth.ts): real (tiny) CT series written by the
// phantom generator, SRs written by Lucent's own writer (report/sr.ts) from known findings, both read by
// Lucent's own parser, and the truth they give compared with the findings they were written from.
import dcmjs from 'dcmjs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDicom } from '../dicom/parse';
import { assembleStudies, type LoadedInstance, type Series } from '../dicom/series';
import { memorySource } from '../dicom/source';
import { clearInstances, registerInstance } from '../imaging/registry';
import { scorePractice } from '../practice/score';
import type { SrFinding } from '../report/sr';
import { readStoredReport, type StoredReport } from '../report/srRead';
import { phantomCt, srFileOf, type SrFileOptions } from '../../test/support/srFixtures';
import { truthFromReports } from './practiceSrTruth';
import { seriesTarget } from './storedReports';
import type { SeriesTarget } from './storedReportFindings';

async function phantom(seed: string): Promise<LoadedInstance[]> {
  const out = await phantomCt(seed);
  for (const i of out) registerInstance({ ...i, source: memorySource(i.fileName, new Uint8Array(0)) });
  return out;
}

function target(ct: readonly LoadedInstance[]): SeriesTarget {
  const series: Series | undefined = assembleStudies(ct)[0]?.series[0];
  if (!series) throw new Error('no series');
  return seriesTarget(series);
}

/** Known nodules, with values the SR has to round (centres to 0.01 mm, diameters to 0.1 mm). */
const NODULES: readonly SrFinding[] = [
  {
    id: 'F1',
    type: 'solid',
    score: 0.91,
    lungRads: '4A',
    centerMm: [-30.374, 10.216, 12.408],
    longAxisMm: 9.83,
    shortAxisMm: 7.94,
    meanDiameterMm: 8.93,
    solidComponentMm: null,
    volumeMm3: 366.2,
    location: { side: 'right', zone: 'upper' },
  },
  {
    id: 'F2',
    type: 'part-solid',
    score: null,
    lungRads: '4A',
    centerMm: [35.052, -4.987, -14.12],
    longAxisMm: 14.04,
    shortAxisMm: 11.96,
    meanDiameterMm: 13.02,
    solidComponentMm: 6.46,
    volumeMm3: 1100,
    location: { side: 'left', zone: 'lower' },
  },
  {
    id: 'F3',
    type: 'ground-glass',
    score: 0.55,
    lungRads: '2',
    centerMm: [8.5, 20.25, 0.3],
    longAxisMm: 6.2,
    shortAxisMm: 5.1,
    meanDiameterMm: 5.65,
    solidComponentMm: null,
    volumeMm3: 90,
  },
];

/** An SR of these findings about the series, as Lucent writes it (signed: the reader's verified report). */
function srBytes(
  ct: readonly LoadedInstance[],
  findings: readonly SrFinding[],
  o: Omit<SrFileOptions, 'lungRads'> & { readonly category?: string } = {},
): Uint8Array {
  const { category, ...rest } = o;
  return srFileOf(ct, findings, {
    ...rest,
    ...(category ? { lungRads: { category, management: 'As the category says.' } } : {}),
  });
}

type Item = Record<string, unknown>;
const list = (v: unknown): Item[] => (v === undefined ? [] : Array.isArray(v) ? (v as Item[]) : [v as Item]);
const conceptOf = (i: Item): unknown => list(i['ConceptNameCodeSequence'])[0]?.['CodeValue'];

/** The same SR file with every content item of one concept taken out (as another tool's sparser SR). */
function without(bytes: Uint8Array, concept: string): Uint8Array {
  const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const file = DicomMessage.readFile(buffer);
  const ds = DicomMetaDictionary.naturalizeDataset(file.dict);
  let removed = 0;
  const prune = (item: Item): void => {
    const children = list(item['ContentSequence']);
    if (children.length === 0) return;
    const kept = children.filter((c) => conceptOf(c) !== concept);
    removed += children.length - kept.length;
    kept.forEach(prune);
    item['ContentSequence'] = kept;
  };
  prune(ds);
  if (removed === 0) throw new Error(`no ${concept} item in the SR`);
  const dict = new DicomDict(file.meta);
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}

function report(bytes: Uint8Array): StoredReport {
  const r = readStoredReport(parseDicom(bytes).dataset);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

afterEach(() => clearInstances());

describe("an own case's truth from a DICOM SR", () => {
  it("recovers a signed report's nodules: centres within 1 mm, diameters within 0.1 mm, types, the date and category", async () => {
    const ct = await phantom('sr-truth-a');
    const series = target(ct);
    const found = truthFromReports(
      [report(srBytes(ct, NODULES, { signed: true, category: '4B' }))],
      [series],
      series.series.key,
    );
    if (!found.ok) throw new Error(found.error.code);
    const { truth } = found.value;
    expect(truth).toHaveLength(NODULES.length);
    NODULES.forEach((n, i) => {
      const t = truth[i];
      if (!t) throw new Error(`nodule ${n.id} missing`);
      expect(Math.hypot(...t.centerMm.map((v, k) => v - (n.centerMm[k] ?? 0)))).toBeLessThan(1);
      expect(Math.abs(t.diameterMm - n.meanDiameterMm)).toBeLessThanOrEqual(0.1 + 1e-9);
      expect(t.type).toBe(n.type);
    });
    expect(truth[1]?.solidComponentMm).toBeCloseTo(6.5, 5);
    expect(truth[0]?.solidComponentMm).toBeNull();
    expect(found.value).toMatchObject({
      seriesKey: series.series.key,
      date: '2026-12-03',
      typesAssumed: 0,
      lungRads: '4B',
    });

    // The read is scored against the category the signed report gives, and its nodules as truth.
    const score = scorePractice({
      truth,
      marks: [{ id: 'm1', centerMm: [-30, 10, 12.5], confidence: 3, type: 'solid' }],
      lungRads: '4B',
      seconds: 10,
      truthLungRads: found.value.lungRads,
    });
    expect(score.lesions).toBe(3);
    expect(score.matching.hits).toHaveLength(1);
    expect(score.lungRads).toEqual({ given: '4B', truth: '4B', agree: true });
  });

  it('takes no truth from an unsigned report, even a newer one beside the signed one', async () => {
    const ct = await phantom('sr-truth-a');
    const series = target(ct);
    const unsigned = report(srBytes(ct, NODULES));
    expect(truthFromReports([unsigned], [series], series.series.key)).toEqual({
      ok: false,
      error: { code: 'sr-unsigned' },
    });
    const signed = report(srBytes(ct, NODULES.slice(0, 1), { signed: true, at: '2026-11-01T08:00:00Z' }));
    const newer = report(srBytes(ct, NODULES, { at: '2026-12-24T08:00:00Z' }));
    const found = truthFromReports([newer, signed], [series], series.series.key);
    if (!found.ok) throw new Error(found.error.code);
    expect(found.value.truth).toHaveLength(1);
    expect(found.value.date).toBe('2026-11-01');
  });

  it('refuses a signed report about another series, and finds the series it is about among the folder', async () => {
    const a = await phantom('sr-truth-a');
    const b = await phantom('sr-truth-b');
    const [ta, tb] = [target(a), target(b)];
    const aboutB = report(srBytes(b, NODULES, { signed: true }));
    expect(truthFromReports([aboutB], [ta], ta.series.key)).toEqual({
      ok: false,
      error: { code: 'sr-other-series' },
    });
    // With both series in the folder, the truth is on the series it measures, not the one shown first.
    const found = truthFromReports([aboutB], [ta, tb], ta.series.key);
    expect(found.ok && found.value.seriesKey).toBe(tb.series.key);
    expect(truthFromReports([], [ta], ta.series.key)).toEqual({ ok: false, error: { code: 'no-truth' } });
  });

  it('is a case without nodules only when the signed report says there are none', async () => {
    const ct = await phantom('sr-truth-a');
    const series = target(ct);
    const none = srBytes(ct, [], { signed: true });
    expect(report(none).noduleCount).toBe(0);
    const found = truthFromReports([report(none)], [series], series.series.key);
    expect(found.ok && found.value.truth).toEqual([]);
    // Without the count, an empty report may just be unfinished.
    const silent = report(without(none, 'nodule-count'));
    expect(silent.noduleCount).toBeUndefined();
    expect(truthFromReports([silent], [series], series.series.key)).toEqual({
      ok: false,
      error: { code: 'sr-no-nodules' },
    });
  });

  it('refuses a report whose nodules cannot all be placed, and assumes solid where no composition is coded', async () => {
    const ct = await phantom('sr-truth-a');
    const series = target(ct);
    // No frame of reference: the writer leaves out the centres, so no nodule has a place on the series.
    const placeless = report(srBytes(ct, NODULES.slice(0, 2), { signed: true, frame: null }));
    expect(truthFromReports([placeless], [series], series.series.key)).toEqual({
      ok: false,
      error: { code: 'sr-unplaced', labels: ['F1', 'F2'] },
    });
    // Another tool's SR may code no composition (Lucent's own code 'composition').
    const uncoded = report(without(srBytes(ct, NODULES, { signed: true }), 'composition'));
    const found = truthFromReports([uncoded], [series], series.series.key);
    if (!found.ok) throw new Error(found.error.code);
    expect(found.value.truth.map((t) => t.type)).toEqual(['solid', 'solid', 'solid']);
    expect(found.value.typesAssumed).toBe(3);
  });
});
