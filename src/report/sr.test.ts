import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { dciodvfy } from '../../test/support/dciodvfy';
import { srSeries } from '../../test/support/reportFixtures';
import { aiResultsSr, aiSrUids } from './sr';

const series = srSeries('2.25.1', '2.25.2');
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

describe('the SR against the standard', () => {
  it('passes dciodvfy without errors, signed and unsigned, in both languages', () => {
    const at = new Date('2026-12-03T10:15:30Z');
    const signed = { reader: 'Reader^Ann', at, text: 'Impression: F1, solid nodule 8.9 mm.', version: 2 };
    for (const language of ['en', 'zh-CN'] as const) {
      for (const options of [{}, { signed }]) {
        const verdict = dciodvfy(
          aiResultsSr(series, { source, created: at, software: 'test', language, ...options }),
        );
        expect(verdict).toEqual({ iod: 'Comprehensive3DSR', errors: [] });
      }
    }
  });
});
