// Reading TID 1500 SRs back (src/report/srRead.ts): Lucent's own SRs field for field, another tool's
// sparser SR, and files that are not TID 1500 at all. The SRs are parsed by Lucent's own DICOM parser.
import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { parseDicom } from '../../src/dicom/parse';
import { explicitLeMeta } from '../../src/lib/fileMeta';
import {
  COMPREHENSIVE_3D_SR,
  aiResultsSr,
  aiSrUids,
  derivedUid,
  signedSrUids,
  type SrFinding,
  type SrSeriesResult,
} from '../../src/report/sr';
import { readStoredReport, type StoredReport } from '../../src/report/srRead';

const FRAME = '1.2.826.0.1.3680043.8.498.903';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const instances = [
  { sopClassUID: CT, sopInstanceUID: '1.2.826.0.1.3680043.8.498.904' },
  { sopClassUID: CT, sopInstanceUID: '1.2.826.0.1.3680043.8.498.905' },
];

const findings: SrFinding[] = [
  {
    id: 'F1',
    type: 'solid',
    score: 0.9123,
    lungRads: '4A',
    centerMm: [-60.123, 20.5, -30.25],
    longAxisMm: 9.84,
    shortAxisMm: 7.91,
    meanDiameterMm: 8.87,
    solidComponentMm: null,
    volumeMm3: 366.4,
    location: { side: 'right', zone: 'upper' },
  },
  {
    id: 'F2',
    type: 'part-solid',
    score: 0.5,
    lungRads: '4B',
    centerMm: [55, -10, 12],
    longAxisMm: 14,
    shortAxisMm: 12,
    meanDiameterMm: 13,
    solidComponentMm: 8.2,
    volumeMm3: 1100,
    location: { side: 'left', zone: 'lower' },
  },
  {
    id: 'F3',
    type: 'ground-glass',
    score: 0.31,
    lungRads: '2',
    centerMm: [10, 0, 0],
    longAxisMm: 6,
    shortAxisMm: 5,
    meanDiameterMm: 5.5,
    solidComponentMm: null,
    volumeMm3: 90,
  },
];

const series: SrSeriesResult = {
  studyInstanceUID: '1.2.826.0.1.3680043.8.498.901',
  seriesInstanceUID: '1.2.826.0.1.3680043.8.498.902',
  modality: 'CT',
  model: { id: 'lung-nodule-ct', version: '1.0.0', sha256: 'ab'.repeat(32) },
  findings,
  lungRads: { category: '4B', management: 'Chest CT with or without contrast.' },
};

const created = new Date('2026-12-03T10:15:30Z');
const signed = {
  reader: 'Reader^Ann',
  at: created,
  text: 'Impression: F1, solid nodule 8.9 mm.',
  version: 1,
  organization: 'Lucent Hospital',
};

function read(bytes: Uint8Array): StoredReport {
  const r = readStoredReport(parseDicom(bytes).dataset);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe("reading Lucent's SR back", () => {
  for (const language of ['en', 'zh-CN'] as const) {
    for (const isSigned of [false, true]) {
      it(`round-trips every field (${isSigned ? 'signed' : 'AI results'}, ${language})`, () => {
        const bytes = aiResultsSr(series, {
          source: { patient: {}, study: {}, frameOfReferenceUID: FRAME, instances },
          created,
          software: 'test',
          language,
          ...(isSigned ? { signed } : {}),
        });
        const report = read(bytes);
        const uids = isSigned
          ? signedSrUids(series.seriesInstanceUID, signed)
          : aiSrUids(series.seriesInstanceUID, { id: 'lung-nodule-ct', version: '1.0.0' });
        expect(report).toMatchObject({
          sopInstanceUID: uids.sopInstanceUID,
          seriesInstanceUID: uids.seriesInstanceUID,
          studyInstanceUID: series.studyInstanceUID,
          instanceNumber: 1,
          manufacturer: 'Lucent',
          verification: isSigned ? 'VERIFIED' : 'UNVERIFIED',
          completion: 'COMPLETE',
          preliminary: isSigned ? 'FINAL' : 'PRELIMINARY',
          contentDate: '20261203',
          contentTime: '101530',
          language: language === 'en' ? 'en-US' : 'zh-CN',
          frameOfReferenceUID: FRAME,
          referencedInstances: instances,
          caseLungRads: '4B',
          management: 'Chest CT with or without contrast.',
        });
        expect(report.verifiers).toEqual(
          isSigned ? [{ name: 'Reader^Ann', at: '20261203101530', organization: 'Lucent Hospital' }] : [],
        );
        const unreviewed = language === 'en' ? 'Not reviewed by a radiologist' : '未经放射科医师审阅';
        expect(report.comment).toContain(isSigned ? signed.text : unreviewed);
        expect(report.groups).toEqual([
          {
            index: 1,
            trackingId: 'F1',
            trackingUid: derivedUid(`${uids.sopInstanceUID}|F1`),
            finding: { value: '27925004', scheme: 'SCT', meaning: 'Nodule' },
            meanDiameterMm: 8.9,
            longAxisMm: 9.8,
            shortAxisMm: 7.9,
            volumeMm3: 366,
            type: 'solid',
            lungRads: '4A',
            score: 0.912,
            algorithm: { name: 'lung-nodule-ct', version: '1.0.0' },
            laterality: 'right',
            location: {
              kind: 'patient',
              pointMm: [-60.12, 20.5, -30.25],
              frameOfReferenceUID: FRAME,
              graphicType: 'POINT',
            },
          },
          {
            index: 2,
            trackingId: 'F2',
            trackingUid: derivedUid(`${uids.sopInstanceUID}|F2`),
            finding: { value: '27925004', scheme: 'SCT', meaning: 'Nodule' },
            meanDiameterMm: 13,
            longAxisMm: 14,
            shortAxisMm: 12,
            volumeMm3: 1100,
            solidComponentMm: 8.2,
            type: 'part-solid',
            lungRads: '4B',
            score: 0.5,
            algorithm: { name: 'lung-nodule-ct', version: '1.0.0' },
            laterality: 'left',
            location: {
              kind: 'patient',
              pointMm: [55, -10, 12],
              frameOfReferenceUID: FRAME,
              graphicType: 'POINT',
            },
          },
          {
            index: 3,
            trackingId: 'F3',
            trackingUid: derivedUid(`${uids.sopInstanceUID}|F3`),
            finding: { value: '27925004', scheme: 'SCT', meaning: 'Nodule' },
            meanDiameterMm: 5.5,
            longAxisMm: 6,
            shortAxisMm: 5,
            volumeMm3: 90,
            type: 'ground-glass',
            lungRads: '2',
            score: 0.31,
            algorithm: { name: 'lung-nodule-ct', version: '1.0.0' },
            location: {
              kind: 'patient',
              pointMm: [10, 0, 0],
              frameOfReferenceUID: FRAME,
              graphicType: 'POINT',
            },
          },
        ]);
      });
    }
  }

  it('reports groups without a location when the series had no frame of reference', () => {
    const report = read(
      aiResultsSr(series, { source: { patient: {}, study: {}, instances }, created, software: 'test' }),
    );
    expect(report.frameOfReferenceUID).toBeUndefined();
    expect(report.groups.map((g) => [g.trackingId, g.location])).toEqual([
      ['F1', null],
      ['F2', null],
      ['F3', null],
    ]);
    expect(report.referencedInstances.map((i) => i.sopInstanceUID)).toEqual(
      instances.map((i) => i.sopInstanceUID),
    );
  });

  it('writes a finding the reader drew without a score or an algorithm, and reads it back so', () => {
    const drawn = { ...series, findings: [findings[0], { ...findings[1], score: null }] as SrFinding[] };
    const report = read(
      aiResultsSr(drawn, {
        source: { patient: {}, study: {}, frameOfReferenceUID: FRAME, instances },
        created,
        software: 'test',
        signed,
      }),
    );
    const [ai, reader] = report.groups;
    expect(ai?.algorithm).toEqual({ name: 'lung-nodule-ct', version: '1.0.0' });
    expect(ai?.score).toBe(0.912);
    expect(reader?.trackingId).toBe('F2');
    expect(reader?.algorithm ?? null).toBeNull();
    expect(reader?.score ?? null).toBeNull();
    expect(reader?.meanDiameterMm).toBe(13);
  });

  it('reads a report with no findings as one with no groups', () => {
    const empty = { ...series, findings: [], lungRads: { category: '1', management: 'Annual LDCT.' } };
    const report = read(
      aiResultsSr(empty, {
        source: { patient: {}, study: {}, frameOfReferenceUID: FRAME, instances },
        created,
        software: 'test',
      }),
    );
    expect(report.groups).toEqual([]);
    expect(report.caseLungRads).toBe('1');
  });
});

type Item = Record<string, unknown>;
const code = (value: string, scheme: string, meaning: string): Item[] => [
  { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning },
];
const num = (name: Item[], value: number, unit: string, children: Item[] = []): Item => ({
  RelationshipType: 'CONTAINS',
  ValueType: 'NUM',
  ConceptNameCodeSequence: name,
  MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: code(unit, 'UCUM', unit), NumericValue: value }],
  ...(children.length ? { ContentSequence: children } : {}),
});
const group = (children: Item[]): Item => ({
  RelationshipType: 'CONTAINS',
  ValueType: 'CONTAINER',
  ConceptNameCodeSequence: code('125007', 'DCM', 'Measurement Group'),
  ContinuityOfContent: 'SEPARATE',
  ContentSequence: children,
});

/** A sparse TID 1500 report as another tool might write it (no image library, legacy codes, cm, ml). */
function otherToolSr(): Uint8Array {
  const uid = '1.2.826.0.1.3680043.8.498.910';
  const dataset: Item = {
    SOPClassUID: COMPREHENSIVE_3D_SR,
    SOPInstanceUID: uid,
    StudyInstanceUID: '1.2.826.0.1.3680043.8.498.911',
    SeriesInstanceUID: '1.2.826.0.1.3680043.8.498.912',
    Modality: 'SR',
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: code('126000', 'DCM', 'Imaging Measurement Report'),
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: [
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: code('126010', 'DCM', 'Imaging Measurements'),
        ContinuityOfContent: 'SEPARATE',
        ContentSequence: [
          // A diameter in centimetres with a point: a finding, nothing more.
          group([
            num(code('81827009', 'SCT', 'Diameter'), 0.85, 'cm', [
              {
                RelationshipType: 'INFERRED FROM',
                ValueType: 'SCOORD3D',
                ConceptNameCodeSequence: code('111010', 'DCM', 'Center'),
                GraphicType: 'POINT',
                GraphicData: [-40, 25, 100],
                ReferencedFrameOfReferenceUID: FRAME,
              },
            ]),
          ]),
          // Legacy SNOMED-RT codes, a length on an image (a line whose middle is the finding).
          group([
            {
              RelationshipType: 'HAS OBS CONTEXT',
              ValueType: 'TEXT',
              ConceptNameCodeSequence: code('112039', 'DCM', 'Tracking Identifier'),
              TextValue: 'Lesion A',
            },
            {
              RelationshipType: 'HAS CONCEPT MOD',
              ValueType: 'CODE',
              ConceptNameCodeSequence: code('G-C171', 'SRT', 'Laterality'),
              ConceptCodeSequence: code('G-A101', 'SRT', 'Left'),
            },
            num(code('G-D7FE', 'SRT', 'Length'), 12.5, 'mm', [
              {
                RelationshipType: 'INFERRED FROM',
                ValueType: 'SCOORD',
                GraphicType: 'POLYLINE',
                GraphicData: [10, 20, 30, 40],
                ContentSequence: [
                  {
                    RelationshipType: 'SELECTED FROM',
                    ValueType: 'IMAGE',
                    ReferencedSOPSequence: [
                      {
                        ReferencedSOPClassUID: CT,
                        ReferencedSOPInstanceUID: instances[0]?.sopInstanceUID,
                      },
                    ],
                  },
                ],
              },
            ]),
            // A unit the reader does not know is not a size.
            num(code('103340004', 'SCT', 'Short Axis'), 0.4, '[in_i]'),
          ]),
          // A volume in millilitres and no location at all.
          group([num(code('118565006', 'SCT', 'Volume'), 0.25, 'ml')]),
        ],
      },
    ],
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(
    DicomMetaDictionary.denaturalizeDataset(explicitLeMeta(COMPREHENSIVE_3D_SR, uid, 'TEST')),
  );
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

describe("reading another tool's SR", () => {
  it('reads what is there: sizes in other units, legacy codes, image points, and groups without a place', () => {
    const report = read(otherToolSr());
    expect(report.verification).toBe('UNVERIFIED');
    expect(report.verifiers).toEqual([]);
    expect(report.frameOfReferenceUID).toBe(FRAME); // from the point, there being no image library
    expect(report.referencedInstances).toEqual([]);
    expect(report.groups).toEqual([
      {
        index: 1,
        meanDiameterMm: 8.5,
        location: {
          kind: 'patient',
          pointMm: [-40, 25, 100],
          frameOfReferenceUID: FRAME,
          graphicType: 'POINT',
        },
      },
      {
        index: 2,
        trackingId: 'Lesion A',
        longAxisMm: 12.5,
        laterality: 'left',
        location: {
          kind: 'image',
          sopInstanceUID: instances[0]?.sopInstanceUID,
          point: [20, 30],
          graphicType: 'POLYLINE',
        },
      },
      { index: 3, volumeMm3: 250, location: null },
    ]);
  });
});

describe('files that are not TID 1500 reports', () => {
  it("gives pydicom's real SR (a Comprehensive SR of another template) back as not TID 1500, with its title", () => {
    const r = readStoredReport(parseDicom(new Uint8Array(readFileSync(corpusFile('test-SR.dcm')))).dataset);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('not-tid1500');
    expect(r.error.message).toContain('"Diagnosis"');
  });

  it('gives an image back as not an SR', () => {
    const r = readStoredReport(parseDicom(new Uint8Array(readFileSync(corpusFile('CT_small.dcm')))).dataset);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-sr' } });
  });
});
