import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { startOrthanc, type Orthanc } from '../support/orthanc.mjs';
import { simplePhantomSeries } from '../../src/synth/simplePhantom';
import { DicomWebClient, dicomDate, parseMultipart, type Fetch } from '../../src/dicom/dicomweb';
import { parseDicom } from '../../src/dicom/parse';
import { describeInstance } from '../../src/dicom/instance';

let orthanc: Orthanc;
let client: DicomWebClient;
const nodeFetch: Fetch = (url, init) => fetch(url, init);

beforeAll(async () => {
  orthanc = await startOrthanc();
  for (const s of simplePhantomSeries({
    slices: 4,
    size: 32,
    pixelSpacingMm: 4,
    sliceSpacingMm: 5,
    seed: 'qido',
    patientName: 'PHANTOM^QIDO',
  })) {
    await orthanc.store(s.bytes);
  }
  for (const f of ['CT_small.dcm', 'MR_small.dcm', 'SC_rgb_jpeg_dcmtk.dcm'])
    await orthanc.store(readFileSync(corpusFile(f)));
  client = new DicomWebClient(`${orthanc.dicomweb}/`, nodeFetch);
});

afterAll(async () => {
  await orthanc?.stop();
});

describe('DICOMweb against a real Orthanc', () => {
  it('QIDO-RS searches by patient name, patient ID, date and modality', async () => {
    const all = await client.searchStudies({});
    expect(all.length).toBeGreaterThanOrEqual(3);
    const byName = await client.searchStudies({ patientName: 'QIDO' });
    expect(byName.map((s) => s.patientName)).toEqual(['PHANTOM^QIDO']);
    expect(byName[0]?.modalities).toContain('CT');
    const byId = await client.searchStudies({ patientId: byName[0]?.patientId });
    expect(byId.map((s) => s.studyInstanceUID)).toEqual(byName.map((s) => s.studyInstanceUID));
    const byModality = await client.searchStudies({ modality: 'MR' });
    expect(byModality.length).toBeGreaterThanOrEqual(1);
    expect(byModality.every((s) => s.modalities.includes('MR'))).toBe(true);
    const byDate = await client.searchStudies({ studyDate: '2026-01-01' });
    expect(byDate.some((s) => s.patientName === 'PHANTOM^QIDO')).toBe(true);
    const outside = await client.searchStudies({ studyDate: '19990101-19991231' });
    expect(outside.some((s) => s.patientName === 'PHANTOM^QIDO')).toBe(false);
  });

  it('WADO-RS retrieves each instance in its stored transfer syntax', async () => {
    const [study] = await client.searchStudies({ patientName: 'QIDO' });
    const refs = await client.listInstances(study?.studyInstanceUID ?? '');
    expect(refs.length).toBe(4);
    for (const ref of refs) {
      const bytes = await client.retrieveInstance(ref);
      const info = describeInstance(parseDicom(bytes));
      expect(info.sopInstanceUID).toBe(ref.sopInstanceUID);
      expect(info.image?.rows).toBe(32);
    }
    const [jpegStudy] = (await client.searchStudies({})).filter((s) => s.modalities.includes('OT'));
    const [jpegRef] = await client.listInstances(jpegStudy?.studyInstanceUID ?? '');
    const jpeg = describeInstance(parseDicom(await client.retrieveInstance(jpegRef)));
    expect(jpeg.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.50');
  });

  it('reports an unreachable server with a clear fetch error', async () => {
    const dead = new DicomWebClient('http://127.0.0.1:9/dicom-web', nodeFetch);
    await expect(dead.searchStudies({})).rejects.toMatchObject({ code: 'fetch-failed' });
  });
});

describe('DICOMweb helpers', () => {
  it('normalises typed dates and ranges to DICOM syntax', () => {
    expect(dicomDate('2024-01-31')).toBe('20240131');
    expect(dicomDate('20240101-20240131')).toBe('20240101-20240131');
    expect(dicomDate('2024-01-01 - 2024-02-01')).toBe('20240101-20240201');
    expect(dicomDate('2024-01-01-')).toBe('20240101-');
    expect(dicomDate('-20240101')).toBe('-20240101');
  });

  it('splits multipart/related bodies', () => {
    const enc = new TextEncoder();
    const body = enc.encode(
      '--b1\r\nContent-Type: application/dicom\r\n\r\nAAAA\r\n--b1\r\nContent-Type: application/dicom\r\n\r\nBB\r\n--b1--\r\n',
    );
    const parts = parseMultipart(body, 'multipart/related; type="application/dicom"; boundary=b1');
    expect(parts.map((p) => new TextDecoder().decode(p))).toEqual(['AAAA', 'BB']);
  });
});
