/**
 * A simple geometric CT phantom (body, two lungs, spine, spheres) written as a DICOM series. It is
 * quick to generate at any size, which makes it the workload for viewer tests and benchmarks; the
 * anatomical chest generator lives beside it.
 */
import { writeCtSlice } from './dicomWriter';
import { uidFrom } from './uid';
import { mulberry32 } from '../lib/random';

export interface SimplePhantomOptions {
  readonly slices: number;
  readonly size: number;
  readonly pixelSpacingMm: number;
  readonly sliceSpacingMm: number;
  readonly seed: string;
  readonly patientName?: string;
  readonly seriesDescription?: string;
  /** Noise σ in HU (deterministic pseudo-random). */
  readonly noise?: number;
  /**
   * Seed of the study (study and frame-of-reference UIDs, patient ID); default `seed`. Series written
   * with the same study seed and different seeds are series of one study of one patient.
   */
  readonly studySeed?: string;
  readonly seriesNumber?: number;
}

export interface SimplePhantomSlice {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly z: number;
}

/** HU of the phantom at patient position (x, y, z) in mm, centred on the origin. */
export function phantomHU(x: number, y: number, z: number, fovMm: number): number {
  const r = fovMm / 2;
  const body = (x / (0.9 * r)) ** 2 + (y / (0.65 * r)) ** 2;
  if (body > 1) return -1000;
  const spine = Math.hypot(x, y - 0.45 * r) < 0.09 * r;
  if (spine) return 700;
  for (const side of [-1, 1]) {
    const lung = ((x - side * 0.42 * r) / (0.3 * r)) ** 2 + ((y + 0.02 * r) / (0.45 * r)) ** 2;
    if (lung < 1) {
      // A sphere ("nodule") in each lung at different heights.
      const nz = side < 0 ? -0.1 * r : 0.15 * r;
      const nodule = Math.hypot(x - side * 0.42 * r, y + 0.1 * r, z - nz) < 0.06 * r;
      return nodule ? 40 : -850;
    }
  }
  return body > 0.85 ? -100 : 40;
}

export function* simplePhantomSeries(o: SimplePhantomOptions): Generator<SimplePhantomSlice> {
  const studySeed = o.studySeed ?? o.seed;
  const study = uidFrom(`${studySeed}/study`);
  const series = uidFrom(`${o.seed}/series`);
  const frame = uidFrom(`${studySeed}/for`);
  const fov = o.size * o.pixelSpacingMm;
  const rand = mulberry32(o.slices * 7919 + o.size);
  const intercept = -1024;
  for (let k = 0; k < o.slices; k++) {
    const z = (k - (o.slices - 1) / 2) * o.sliceSpacingMm;
    const pixels = new Int16Array(o.size * o.size);
    const x0 = -fov / 2 + o.pixelSpacingMm / 2;
    for (let j = 0; j < o.size; j++) {
      const y = x0 + j * o.pixelSpacingMm;
      for (let i = 0; i < o.size; i++) {
        const x = x0 + i * o.pixelSpacingMm;
        const noise = o.noise ? (rand() + rand() + rand() - 1.5) * 2 * o.noise : 0;
        pixels[j * o.size + i] = Math.round(phantomHU(x, y, z, fov) + noise - intercept);
      }
    }
    const bytes = writeCtSlice({
      patientName: o.patientName ?? 'PHANTOM^SIMPLE',
      patientId: `PH-${studySeed}`,
      studyInstanceUID: study,
      seriesInstanceUID: series,
      sopInstanceUID: uidFrom(`${o.seed}/sop/${k}`),
      frameOfReferenceUID: frame,
      studyDate: '20260101',
      studyTime: '120000',
      studyDescription: 'Phantom',
      seriesDescription: o.seriesDescription ?? 'Phantom axial',
      seriesNumber: o.seriesNumber ?? 1,
      // Acquired head first: instance 1 is the most superior slice.
      instanceNumber: o.slices - k,
      bodyPartExamined: 'CHEST',
      rows: o.size,
      columns: o.size,
      pixelSpacing: [o.pixelSpacingMm, o.pixelSpacingMm],
      sliceThickness: o.sliceSpacingMm,
      imagePositionPatient: [-fov / 2 + o.pixelSpacingMm / 2, -fov / 2 + o.pixelSpacingMm / 2, z],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      rescaleIntercept: intercept,
      rescaleSlope: 1,
      windowCenter: 40,
      windowWidth: 400,
      pixels,
    });
    yield { fileName: `IM${String(o.slices - k).padStart(4, '0')}.dcm`, bytes, z };
  }
}
