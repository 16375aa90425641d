import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { dciodvfy } from '../support/dciodvfy';
import { srSeries } from '../support/reportFixtures';
import { aiResultsSr } from '../../src/report/sr';
import { type DataSet } from '../../src/dicom/dataset';
import { parseDicom } from '../../src/dicom/parse';
import { cleanText, createDeidentifier } from '../../src/dicom/deidentify';

/** A signed report as the app writes it, with a patient whose identifiers also appear in the typed text. */
const series = srSeries('1.2.826.0.1.3680043.8.498.101', '1.2.826.0.1.3680043.8.498.102');
const TEXT =
  'Clinical information: Mrs Ingrid Vasquez-Holm (MRN 00488213), born 1961-03-04, accession ACC77821. ' +
  '患者 王小明 复查。Findings: F1: solid nodule, right upper lobe, 8.9 mm. Impression: Lung-RADS 4A.';

function signedSr(): Uint8Array {
  const at = new Date('2026-12-03T10:15:30Z');
  return aiResultsSr(series, {
    source: {
      patient: { name: 'VASQUEZ-HOLM^INGRID^M=王^小明', id: '00488213', birthDate: '19610304', sex: 'F' },
      study: { date: '20261201', time: '101500', accessionNumber: 'ACC77821', description: 'CT CHEST' },
      frameOfReferenceUID: '1.2.826.0.1.3680043.8.498.103',
      instances: [
        { sopClassUID: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUID: '1.2.826.0.1.3680043.8.498.104' },
      ],
    },
    created: at,
    software: 'test',
    signed: { reader: 'OKONKWO^ADA', at, text: TEXT, version: 1 },
  });
}

const utf8 = new TextDecoder('utf-8');
/** Every text and UID value in a dataset, sequences included, decoded as UTF-8. */
function values(ds: DataSet): string[] {
  const out: string[] = [];
  for (const e of ds.elements.values()) {
    if (e.items) for (const item of e.items) out.push(...values(item));
    else if (e.vr !== 'OB' && e.vr !== 'OW') out.push(utf8.decode(ds.raw(e.tag) ?? new Uint8Array(0)));
  }
  return out;
}
function texts(ds: DataSet): string[] {
  const out: string[] = [];
  for (const e of ds.elements.values()) {
    if (e.items) for (const item of e.items) out.push(...texts(item));
    else if (e.tag === 0x0040a160) out.push(utf8.decode(ds.raw(e.tag) ?? new Uint8Array(0)).trimEnd());
  }
  return out;
}

describe('de-identifying a structured report', () => {
  it('keeps the report and its measurements, cleaned of every identifier the header names (Clean Structured Content)', () => {
    const input = signedSr();
    const all = values(parseDicom(input).dataset).join('|');
    // The identifiers are there to begin with, in the header and in the text.
    for (const s of ['VASQUEZ', 'Vasquez-Holm', '00488213', 'ACC77821', '王', 'OKONKWO', '1961-03-04'])
      expect(all).toContain(s);
    const deid = createDeidentifier({ structuredContent: 'clean' });
    const out = deid.file(input);
    const ds = parseDicom(out.bytes).dataset;
    const after = values(ds).join('|');
    for (const s of [
      'VASQUEZ',
      'Vasquez',
      'Holm',
      'Ingrid',
      'INGRID',
      '00488213',
      'ACC77821',
      '王',
      '小明',
      'OKONKWO',
      '1961-03-04',
      '19610304',
    ])
      expect(after).not.toContain(s);
    for (const uid of [
      '1.2.826.0.1.3680043.8.498.101',
      '1.2.826.0.1.3680043.8.498.102',
      '1.2.826.0.1.3680043.8.498.104',
    ])
      expect(after).not.toContain(uid);
    // The report survives: its text with the finding and its numbers, and the measurement items.
    const report = texts(ds).find((t) => t.includes('Findings:'));
    expect(report).toBeDefined();
    expect(report).toContain('F1: solid nodule, right upper lobe, 8.9 mm');
    expect(report).toContain('Lung-RADS 4A');
    expect(report).toContain('Mrs [removed] [removed] (MRN [removed]), born [removed], accession [removed].');
    expect(report).toContain('患者 [removed] 复查');
    expect(ds.sequence(0x0040a730).length).toBeGreaterThan(2);
    expect(after).toContain('8.9');
    // The report stays in the (new) study of its images, and its evidence points at their (new) series.
    expect(out.studyInstanceUID).toBe(deid.uid(series.studyInstanceUID));
    expect(after).toContain(deid.uid(series.seriesInstanceUID));
    const codes = ds.sequence(0x00120064).map((item) => item.string(0x00080100));
    expect(codes).toEqual(['113100', '113104']);
  });

  it('by default (Basic Profile) keeps the tree and its numbers but no free text; removes it when asked', () => {
    const basic = parseDicom(createDeidentifier().file(signedSr()).bytes).dataset;
    expect(texts(basic).length).toBeGreaterThan(0);
    expect(texts(basic).every((t) => t === 'ANONYMIZED')).toBe(true);
    expect(values(basic).join('|')).toContain('8.9');
    expect(basic.sequence(0x00120064).map((item) => item.string(0x00080100))).toEqual(['113100']);

    const out = parseDicom(
      createDeidentifier({ structuredContent: 'remove' }).file(signedSr()).bytes,
    ).dataset;
    expect(out.sequence(0x0040a730)).toEqual([]);
    expect(values(out).join('|')).not.toContain('nodule');
    expect(out.sequence(0x00120064).map((item) => item.string(0x00080100))).toEqual(['113100']);
  });

  it('cleans a real SR (pydicom test-SR.dcm): its text stays, its patient goes', () => {
    const input = new Uint8Array(readFileSync(corpusFile('test-SR.dcm')));
    const before = parseDicom(input).dataset;
    const name = (before.string(0x00100010) ?? '').split('^').filter((p) => p.length >= 2);
    expect(name.length).toBeGreaterThan(0);
    const ds = parseDicom(createDeidentifier({ structuredContent: 'clean' }).file(input).bytes).dataset;
    const kept = texts(ds);
    expect(kept.length).toBe(texts(before).length);
    expect(kept.some((t) => t.startsWith('A mass of'))).toBe(true);
    // Its name ("Test^S R") is a word that a coding scheme ("TEST") also uses: look in the text and the header.
    for (const part of name) expect(kept.join('|')).not.toMatch(new RegExp(`\\b${part}\\b`, 'i'));
    expect((ds.string(0x00100010) ?? '').trim()).toBe('');
  });

  it('cleans whole words for Latin names, anywhere for Chinese ones, and leaves short numbers alone', () => {
    expect(cleanText('Lin reviewed the linear opacity with LIN.', ['Lin'])).toBe(
      '[removed] reviewed the linear opacity with [removed].',
    );
    expect(cleanText('王小明复查', ['小明'])).toBe('王[removed]复查');
  });

  it('leaves a signed SR that still passes dciodvfy, whichever structured-content option', () => {
    for (const structuredContent of ['basic', 'clean', 'remove'] as const) {
      const out = createDeidentifier({ structuredContent }).file(signedSr()).bytes;
      expect(dciodvfy(out), structuredContent).toEqual({ iod: 'Comprehensive3DSR', errors: [] });
    }
  });
});
