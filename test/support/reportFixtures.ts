import type { FindingRecord } from '../../src/findings/record';
/** Report test fixtures: one solid nodule (F1, 8.9 mm, right upper zone, Lung-RADS 4A) in its forms. */
import type { ReportedNodule } from '../../src/findings/types';
import type { SrSeriesResult } from '../../src/report/sr';

export const F1: ReportedNodule = {
  id: 'F1',
  type: 'solid',
  meanDiameterMm: 8.9,
  longAxisMm: 9.8,
  shortAxisMm: 7.9,
  solidComponentMm: null,
  lungRads: '4A',
};

/** One analysed series with F1 in the right upper zone, for tests that write an SR. */
export function srSeries(studyInstanceUID: string, seriesInstanceUID: string): SrSeriesResult {
  return {
    studyInstanceUID,
    seriesInstanceUID,
    modality: 'CT',
    model: { id: 'lung-nodule-ct', version: '1.0.0', sha256: 'ab'.repeat(32) },
    findings: [
      {
        ...F1,
        score: 0.9,
        centerMm: [10, 20, 30],
        volumeMm3: 366,
        location: { side: 'right', zone: 'upper' },
      },
    ],
    lungRads: { category: '4A', management: '3-month LDCT.' },
  };
}

const MODEL = { kind: 'model' as const, id: 'lung-nodule-ct', version: '1.0.0' };

/** A pending AI finding record of mean diameter `mean` mm (Lung-RADS 4A from 8 mm, else 3) in series 2.25.9. */
export function findingRecord(id: string, mean: number, extra: Partial<FindingRecord> = {}): FindingRecord {
  return {
    id,
    seriesKey: '2.25.9',
    source: MODEL,
    status: 'pending',
    type: 'solid',
    score: 0.9,
    lungRads: mean >= 8 ? '4A' : '3',
    differentials: [],
    history: [],
    centerMm: [0, 0, 0],
    longAxisMm: mean + 1,
    shortAxisMm: mean - 1,
    meanDiameterMm: mean,
    solidComponentMm: null,
    volumeMm3: 300,
    location: { side: 'right', zone: 'upper' },
    ...extra,
  };
}
