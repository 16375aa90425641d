/**
 * Fixtures for tests of stored reports (DICOM SR) on a series: a small CT phantom read by Lucent's own
 * reader, and an SR about it written by report/sr.ts, signed or not.
 */
import { readInstance } from '../../src/dicom/read';
import { provenanceOf, type LoadedInstance } from '../../src/dicom/series';
import { memorySource } from '../../src/dicom/source';
import { aiResultsSr, type SrFinding, type SrSeriesResult } from '../../src/report/sr';
import { simplePhantomSeries } from '../../src/synth/simplePhantom';

/** 8 axial slices of 32² (4 mm pixels, 5 mm apart: z = -17.5 … 17.5); each seed its own UIDs and frame. */
export async function phantomCt(seed: string, keyPrefix = seed): Promise<LoadedInstance[]> {
  const out: LoadedInstance[] = [];
  for (const slice of simplePhantomSeries({
    slices: 8,
    size: 32,
    pixelSpacingMm: 4,
    sliceSpacingMm: 5,
    seed,
  })) {
    const r = await readInstance(memorySource(slice.fileName, slice.bytes));
    if (!r.ok) throw new Error(r.error.message);
    out.push({ key: `${keyPrefix}-${out.length}`, fileName: slice.fileName, info: r.info });
  }
  return out;
}

export const SR_TEST_MODEL = { id: 'lung-nodule-ct', version: '1.0.0', sha256: 'ab'.repeat(32) };

export interface SrFileOptions {
  /** Signed by a reader (a verified report) rather than unreviewed AI results. */
  readonly signed?: boolean;
  /** When it was made (default 2026-12-03T10:15:30Z). */
  readonly at?: string;
  /** The frame of reference its points are in: the series' own by default, null for none. */
  readonly frame?: string | null;
  readonly lungRads?: SrSeriesResult['lungRads'];
}

/** An SR of these findings about the series, as Lucent writes it. */
export function srFileOf(
  ct: readonly LoadedInstance[],
  findings: readonly SrFinding[],
  o: SrFileOptions = {},
): Uint8Array {
  const head = ct[0]?.info;
  if (!head) throw new Error('no series');
  const series: SrSeriesResult = {
    studyInstanceUID: head.studyInstanceUID,
    seriesInstanceUID: head.seriesInstanceUID,
    modality: 'CT',
    model: SR_TEST_MODEL,
    findings,
    lungRads: o.lungRads ?? null,
  };
  const provenance = provenanceOf(ct.map((i) => i.info));
  const frame = o.frame === undefined ? provenance.frameOfReferenceUID : (o.frame ?? undefined);
  const at = new Date(o.at ?? '2026-12-03T10:15:30Z');
  return aiResultsSr(series, {
    source: { ...provenance, frameOfReferenceUID: frame },
    created: at,
    software: 'test',
    ...(o.signed ? { signed: { reader: 'Reader^Ann', at, text: 'Signed.', version: 1 } } : {}),
  });
}
