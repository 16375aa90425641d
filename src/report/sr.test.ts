import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { aiResultsSr, aiSrUids, type SrSeriesResult } from './sr';

const series: SrSeriesResult = {
  studyInstanceUID: '2.25.1',
  seriesInstanceUID: '2.25.2',
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
const source = {
  patient: {},
  study: {},
  frameOfReferenceUID: '2.25.3',
  instances: [{ sopClassUID: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUID: '2.25.4' }],
};

type Item = Record<string, unknown>;
function read(bytes: Uint8Array): Item {
  const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(buffer).dict);
}
const list = (v: unknown): Item[] => (v === undefined ? [] : Array.isArray(v) ? (v as Item[]) : [v as Item]);
const codeOf = (i: Item): unknown => list(i['ConceptNameCodeSequence'])[0]?.['CodeValue'];

describe('the signed report as SR', () => {
  it('is verified by the reader, carries the signed text, and is a new instance beside the AI results', () => {
    const at = new Date('2026-12-03T10:15:30Z');
    const text = 'Findings: F1: solid nodule, 8.9 mm. Signed.';
    const ds = read(
      aiResultsSr(series, {
        source,
        created: at,
        software: 'test',
        signed: { reader: 'Reader^Ann', at, text, version: 1 },
      }),
    );
    expect(ds['VerificationFlag']).toBe('VERIFIED');
    expect(ds['PreliminaryFlag']).toBe('FINAL');
    const verifier = list(ds['VerifyingObserverSequence'])[0];
    expect(verifier?.['VerificationDateTime']).toBe('20261203101530');
    expect(JSON.stringify(verifier?.['VerifyingObserverName'])).toContain('Reader^Ann');
    const top = list(ds['ContentSequence']);
    const observers = top
      .filter((i) => codeOf(i) === '121005')
      .map((i) => list(i['ConceptCodeSequence'])[0]?.['CodeValue']);
    expect(observers).toEqual(['121006', '121007']); // the person, then the model as device
    expect(JSON.stringify(top.find((i) => codeOf(i) === '121008')?.['PersonName'])).toContain('Reader^Ann');
    expect(JSON.stringify(top)).toContain(text);
    const ai = aiSrUids(series.seriesInstanceUID, { id: 'lung-nodule-ct', version: '1.0.0' });
    expect(ds['SOPInstanceUID']).not.toBe(ai.sopInstanceUID);
    expect(ds['SeriesInstanceUID']).not.toBe(ai.seriesInstanceUID);
    const unsigned = read(aiResultsSr(series, { source, created: at, software: 'test' }));
    expect(unsigned['VerificationFlag']).toBe('UNVERIFIED');
    expect(unsigned['SOPInstanceUID']).toBe(ai.sopInstanceUID);
  });
});
