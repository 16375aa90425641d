/** One analysed series with one solid nodule (F1, 8.9 mm, Lung-RADS 4A), for tests that write an SR. */
import type { SrSeriesResult } from '../../src/report/sr';

export function srSeries(studyInstanceUID: string, seriesInstanceUID: string): SrSeriesResult {
  return {
    studyInstanceUID,
    seriesInstanceUID,
    modality: 'CT',
    model: { id: 'lung-nodule-ct', version: '1.0.0', sha256: 'ab'.repeat(32) },
    findings: [
      {
        id: 'F1',
        type: 'solid',
        score: 0.9,
        centerMm: [10, 20, 30],
        longAxisMm: 9.8,
        shortAxisMm: 7.9,
        meanDiameterMm: 8.9,
        solidComponentMm: null,
        volumeMm3: 366,
        lungRads: '4A',
        location: { side: 'right', zone: 'upper' },
      },
    ],
    lungRads: { category: '4A', management: '3-month LDCT.' },
  };
}
