/**
 * DICOM SEGs for tests, written by an independent writer (test/support/segWriter.py: pydicom and numpy,
 * run with Debian's /usr/bin/python3) about a series Lucent has read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { InstanceInfo } from '../../src/dicom/instance';

type Vec3 = readonly [number, number, number];

export interface SegSphere {
  readonly centerMm: Vec3;
  readonly diameterMm: number;
}

export interface SegSegmentSpec {
  readonly label: string;
  readonly typeMeaning?: string;
  readonly typeValue?: string;
  readonly typeScheme?: string;
  readonly description?: string;
  readonly spheres: readonly SegSphere[];
}

export interface SegJob {
  readonly segments: readonly SegSegmentSpec[];
  readonly type?: 'BINARY' | 'FRACTIONAL';
  readonly shuffle?: number;
  readonly positions?: boolean;
  readonly derivation?: boolean;
  readonly referenceSeries?: boolean;
  readonly shiftMm?: Vec3;
  readonly empty?: boolean;
  readonly seriesInstanceUID?: string;
  readonly contentDate?: string;
}

/** What the writer needs of the segmented series, from the instances Lucent read (any order). */
export function segSourceOf(infos: readonly InstanceInfo[]): Record<string, unknown> {
  const slices = infos
    .map((i) => ({ info: i, position: i.image?.frames[0]?.position }))
    .filter((s) => s.position !== undefined)
    .sort((a, b) => (a.position?.[2] ?? 0) - (b.position?.[2] ?? 0));
  const head = slices[0]?.info;
  const image = head?.image;
  if (!head || !image?.pixelSpacing) throw new Error('no image series to segment');
  return {
    studyInstanceUID: head.studyInstanceUID,
    seriesInstanceUID: head.seriesInstanceUID,
    frameOfReferenceUID: head.frameOfReferenceUID,
    patientName: head.patient.name ?? '',
    patientID: head.patient.id ?? '',
    rows: image.rows,
    columns: image.columns,
    pixelSpacing: image.pixelSpacing,
    orientation: image.frames[0]?.orientation ?? [1, 0, 0, 0, 1, 0],
    sliceThickness: image.sliceThickness ?? 1,
    slices: slices.map((s) => ({
      sopInstanceUID: s.info.sopInstanceUID,
      sopClassUID: s.info.sopClassUID,
      position: s.position,
    })),
  };
}

/** A SEG about the series of `infos`, as the independent writer writes it. */
export function writeSeg(infos: readonly InstanceInfo[], job: SegJob): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'lucent-seg-'));
  try {
    const out = join(dir, 'seg.dcm');
    const r = spawnSync('/usr/bin/python3', [resolve(import.meta.dirname, 'segWriter.py')], {
      input: JSON.stringify({ ...job, source: segSourceOf(infos), out }),
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`segWriter.py failed: ${r.stderr}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
