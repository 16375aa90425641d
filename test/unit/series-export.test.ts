// The app's "Export series" core (dicom/deidentify/seriesZip): files in, one ZIP out, checked on real files
// (pydicom's test files) and on synthetic series (the `lucent synth` generator, and slices with a birth date),
// unzipped with fflate and read with Lucent's parser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportSeriesZip, seriesZip, concatChunks } from '../../src/dicom/deidentify';
import { latin1 } from '../../src/dicom/dataset';
import { parseDicom } from '../../src/dicom/parse';
import { writeCtSlice } from '../../src/synth/dicomWriter';
import { makeCase } from '../../src/synth/case';
import { corpusFile } from '../support/corpus';
import { checkDeidentifiedExport, unzipSeries } from '../support/seriesExport';

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(corpusFile(name)));

/** A small CT series whose header carries a name, an ID, a birth date and an accession number. */
function namedSeries(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, k) =>
    writeCtSlice({
      patientName: 'VASQUEZ-HOLM^INGRID',
      patientId: 'MRN-00488213',
      patientBirthDate: '19610304',
      patientSex: 'F',
      studyInstanceUID: '1.2.826.0.1.3680043.8.498.7001',
      seriesInstanceUID: '1.2.826.0.1.3680043.8.498.7002',
      sopInstanceUID: `1.2.826.0.1.3680043.8.498.7003.${k + 1}`,
      frameOfReferenceUID: '1.2.826.0.1.3680043.8.498.7004',
      studyDate: '20261201',
      studyTime: '101500',
      accessionNumber: 'ACC77821',
      seriesNumber: 3,
      instanceNumber: k + 1,
      rows: 8,
      columns: 8,
      pixelSpacing: [0.7, 0.7],
      sliceThickness: 1,
      imagePositionPatient: [-2.8, -2.8, -k],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      rescaleIntercept: -1024,
      rescaleSlope: 1,
      windowCenter: -600,
      windowWidth: 1500,
      pixels: Int16Array.from({ length: 64 }, (_, i) => i * 37 + k),
    }),
  );
}

describe('series export: a de-identified ZIP', () => {
  it('on pydicom’s files: names, IDs and institutions gone, pixels the same; burned-in and broken files left out, the rest written', () => {
    const names = [
      'CT_small.dcm',
      'SC_rgb_rle.dcm', // a secondary capture: text may be burned into its pixels
      'MR_small.dcm',
      'MR_truncated.dcm', // refused by the parser
      'JPEG2000.dcm', // Burned In Annotation YES
      'MR_small_RLE.dcm', // the same instance as MR_small, in another syntax
      'rtdose.dcm',
    ];
    const inputs = names.map(read);
    const { zip, summary } = exportSeriesZip(inputs);
    expect(summary.identified).toBe(false);
    expect(summary.leftOut.map((l) => [names[l.index], l.code])).toEqual([
      ['SC_rgb_rle.dcm', 'burned-in-annotation'],
      ['MR_truncated.dcm', 'truncated'],
      ['JPEG2000.dcm', 'burned-in-annotation'],
    ]);
    expect(summary.files).toEqual(['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm', 'IM0004.dcm']);
    const entries = unzipSeries(zip);
    expect(entries.map((e) => e.name)).toEqual(summary.files);
    const kept = inputs.filter((_, i) => !summary.leftOut.some((l) => l.index === i));
    const maps = checkDeidentifiedExport(
      kept,
      entries.map((e) => e.bytes),
    );
    // MR_small and its RLE copy are one instance: one new SOP Instance UID for both, within one export.
    expect(maps.sop.size).toBe(3);
    const sop = entries.map((e) => parseDicom(e.bytes).dataset.string(0x00080018));
    expect(sop[1]).toBe(sop[2]);
    // The ZIP's names hold nothing from the inputs; a second export gives other UIDs.
    expect(latin1(zip).includes('CompressedSamples')).toBe(false);
    const again = unzipSeries(exportSeriesZip(inputs).zip);
    expect(parseDicom(again[0].bytes).dataset.string(0x0020000d)).not.toBe(
      parseDicom(entries[0].bytes).dataset.string(0x0020000d),
    );
  });

  it('on a lucent synth series: one new study, series and frame of reference, SOP UIDs new and unique, in order', () => {
    const c = makeCase('series-export', 0, { clean: true, zRange: [-4, 4] });
    const inputs = [...c.slices()].map((s) => s.bytes);
    expect(inputs.length).toBeGreaterThanOrEqual(3);
    const { zip, summary } = exportSeriesZip(inputs);
    expect(summary.leftOut).toEqual([]);
    const entries = unzipSeries(zip);
    expect(entries.map((e) => e.name)).toEqual(
      inputs.map((_, i) => `IM${String(i + 1).padStart(4, '0')}.dcm`),
    );
    const maps = checkDeidentifiedExport(
      inputs,
      entries.map((e) => e.bytes),
    );
    expect(maps.study.size).toBe(1);
    expect(maps.series.size).toBe(1);
    expect(maps.frameOfReference.size).toBe(1);
    expect(maps.sop.size).toBe(inputs.length);
    // In the series' order, with its geometry.
    entries.forEach((e, i) => {
      const a = parseDicom(inputs[i]).dataset;
      const b = parseDicom(e.bytes).dataset;
      expect(b.string(0x00200032)).toBe(a.string(0x00200032));
      expect(b.string(0x00200013)).toBe(a.string(0x00200013));
    });
  });

  it('on slices with a birth date, one of them broken: the rest written, numbered without gaps', () => {
    const inputs = namedSeries(4);
    const broken = inputs[2].slice(0, 200);
    const all = [inputs[0], inputs[1], broken, inputs[2], inputs[3]];
    const writer = seriesZip({ total: all.length });
    const chunks: Uint8Array[] = [];
    for (const f of all) {
      writer.add(f);
      chunks.push(...writer.take());
    }
    const end = writer.finish();
    const zip = concatChunks([...chunks, ...end.chunks]);
    expect(end.summary.leftOut.map((l) => l.index)).toEqual([2]);
    expect(end.summary.leftOut[0].code).toMatch(/truncated|not-dicom|invalid-attribute/);
    const entries = unzipSeries(zip);
    expect(entries.map((e) => e.name)).toEqual(['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm', 'IM0004.dcm']);
    const maps = checkDeidentifiedExport(
      inputs,
      entries.map((e) => e.bytes),
    );
    expect(maps.study.size).toBe(1);
    for (const e of entries) {
      const text = latin1(e.bytes);
      for (const v of ['19610304', 'VASQUEZ', 'INGRID', 'MRN-00488213', 'ACC77821', '20261201'])
        expect(text.includes(v), v).toBe(false);
    }
  });

  it('keeps identifiers only when asked: the files as they were, still named by their place', () => {
    const inputs = namedSeries(3);
    const { zip, summary } = exportSeriesZip(inputs, { keepIdentifiers: true });
    expect(summary.identified).toBe(true);
    const entries = unzipSeries(zip);
    expect(entries.map((e) => e.name)).toEqual(['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm']);
    entries.forEach((e, i) => expect(Buffer.from(e.bytes).equals(Buffer.from(inputs[i]))).toBe(true));
  });
});
