/**
 * One synthetic chest CT case: a chest, its nodules, a scanner protocol, the DICOM slices and the
 * ground truth (`lucent.truth/1`). Deterministic: the same seed and index give the same bytes.
 */
import { makeChest, type Chest } from './anatomy';
import { writeCtSlice } from './dicomWriter';
import {
  longAxis,
  makeNodule,
  meanDiameter,
  shortAxis,
  volume,
  type Nodule,
  type NoduleRequest,
} from './nodules';
import { gridOf, prepare, renderSlice, type Scanner } from './render';
import { Rng } from './rng';
import { uidFrom } from './uid';

/** The generator's version, written into every truth.json: bump it whenever the same seed would give
 * different images, so that cached demo sets are regenerated. */
export const GENERATOR = 'lucent-synth/3';
export interface TruthNodule {
  readonly centerMm: [number, number, number];
  readonly diameterMm: number;
  readonly type: Nodule['type'];
  readonly solidComponentMm: number | null;
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly volumeMm3: number;
  readonly margin: Nodule['margin'];
  readonly location: Nodule['location'];
}

export interface Truth {
  readonly schema: 'lucent.truth/1';
  readonly nodules: readonly TruthNodule[];
  readonly case: string;
  readonly generator: string;
  readonly patient: { readonly sex: 'M' | 'F'; readonly ageYears: number };
  readonly scanner: Scanner & { readonly slices: number };
}

export interface CaseOptions {
  /** Fixed nodules (type, size, margin, location); otherwise 0–4 random ones. */
  readonly nodules?: readonly NoduleRequest[];
  readonly scanner?: Partial<Scanner>;
  readonly seriesDescription?: string;
  /** Restrict the scan to this z range (mm, patient coordinates): for tests and quick previews. */
  readonly zRange?: readonly [number, number];
  /** Patient name suffix and study description, for named cases such as the demo set. */
  readonly label?: string;
  /** Random nodule count range (inclusive) instead of the clinical 0–4 mix: training sets use more. */
  readonly noduleCount?: readonly [number, number];
}

export interface SynthCase {
  readonly name: string;
  readonly truth: Truth;
  readonly chest: Chest;
  readonly nodules: readonly Nodule[];
  readonly zPositions: readonly number[];
  /** Slices in acquisition order (instance 1 = most superior), generated lazily. */
  slices(): Generator<{ fileName: string; bytes: Uint8Array; z: number }>;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const r2 = (v: number): number => Math.round(v * 100) / 100;

export function sampleScanner(rng: Rng, chest: Chest): Scanner {
  const matrix = rng.weighted([
    [512, 0.8],
    [384, 0.1],
    [256, 0.1],
  ]);
  const full = Math.min(0.95, Math.max(0.55, (2 * chest.bodyA + 24) / 512));
  const pixelSpacing = r2(
    matrix === 512 ? Math.min(0.95, full * rng.uniform(1, 1.06)) : rng.uniform(0.55, 0.95),
  );
  const fovCenter: [number, number] =
    matrix === 512
      ? [r1(rng.normal(0, 3)), r1(rng.normal(0, 4))]
      : [rng.pick([-1, 1]) * r1(rng.uniform(40, 80)), r1(rng.uniform(-15, 10))];
  const sliceThickness = rng.weighted([
    [0.625, 0.1],
    [1, 0.25],
    [1.25, 0.2],
    [1.5, 0.1],
    [2, 0.15],
    [2.5, 0.1],
    [3, 0.1],
  ]);
  const sliceSpacing = rng.chance(0.3) ? r2(Math.max(0.5, sliceThickness * 0.8)) : sliceThickness;
  const kernel = rng.weighted([
    ['soft', 0.35],
    ['standard', 0.4],
    ['sharp', 0.25],
  ]);
  const lowDose = rng.chance(0.3);
  const kernelNoise = kernel === 'sharp' ? 1.8 : kernel === 'soft' ? 0.7 : 1;
  const noiseSigma = r1(
    Math.min(45, Math.max(5, (lowDose ? rng.uniform(22, 38) : rng.uniform(6, 18)) * kernelNoise)),
  );
  return {
    matrix,
    pixelSpacing,
    sliceThickness,
    sliceSpacing,
    fovCenter,
    blurSigmaPx: r2(
      (kernel === 'soft'
        ? rng.uniform(0.9, 1.2)
        : kernel === 'standard'
          ? rng.uniform(0.55, 0.8)
          : rng.uniform(0.25, 0.45)) *
        (0.7 / pixelSpacing),
    ),
    noiseSigma,
    noiseCorrelationPx: r2(
      kernel === 'soft'
        ? rng.uniform(1.1, 1.5)
        : kernel === 'standard'
          ? rng.uniform(0.8, 1.1)
          : rng.uniform(0.55, 0.75),
    ),
    kvp: rng.pick([100, 120, 120, 140]),
    mA: Math.round(lowDose ? rng.uniform(20, 60) : rng.uniform(120, 350)),
    kernel,
    manufacturer: rng.pick(['Lucent Phantom A', 'Lucent Phantom B', 'Lucent Phantom C']),
    lowDose,
  };
}

function sampleNoduleCount(rng: Rng): number {
  return rng.weighted([
    [0, 0.22],
    [1, 0.35],
    [2, 0.22],
    [3, 0.13],
    [4, 0.08],
  ]);
}

export function makeCase(seed: string, index: number, options: CaseOptions = {}): SynthCase {
  const name = options.label ?? `case-${String(index + 1).padStart(4, '0')}`;
  const rng = new Rng(`${seed}/${index}`);
  const chest = makeChest(rng.fork('chest'));
  const noduleRng = rng.fork('nodules');
  const count = options.noduleCount
    ? noduleRng.int(options.noduleCount[0], options.noduleCount[1])
    : sampleNoduleCount(noduleRng);
  const requests: NoduleRequest[] = options.nodules
    ? [...options.nodules]
    : Array.from({ length: count }, () => ({}));
  const nodules: Nodule[] = [];
  for (const req of requests) {
    const n = makeNodule(noduleRng, chest, nodules, req);
    if (n) nodules.push(n);
  }
  const scanner: Scanner = { ...sampleScanner(rng.fork('scanner'), chest), ...options.scanner };
  // A targeted field of view (or a restricted scan range) leaves some nodules outside the images: those
  // are neither drawn nor listed in the truth.
  const half = ((scanner.matrix - 1) * scanner.pixelSpacing) / 2;
  const zLoVisible = options.zRange ? options.zRange[0] : -Infinity;
  const zHiVisible = options.zRange ? options.zRange[1] : Infinity;
  const visible = (n: Nodule): boolean => {
    const r = Math.max(...n.axes);
    return (
      Math.abs(n.center[0] - scanner.fovCenter[0]) + r < half &&
      Math.abs(n.center[1] - scanner.fovCenter[1]) + r < half &&
      n.center[2] - r > Math.max(chest.zMin, zLoVisible) &&
      n.center[2] + r < Math.min(chest.zMax, zHiVisible)
    );
  };
  const shown = nodules.filter(visible);
  nodules.length = 0;
  nodules.push(...shown);
  const patientRng = rng.fork('patient');
  const patient = {
    sex: patientRng.chance(0.5) ? ('M' as const) : ('F' as const),
    ageYears: patientRng.int(50, 80),
  };
  const zLo = options.zRange ? Math.max(chest.zMin, options.zRange[0]) : chest.zMin;
  const zHi = options.zRange ? Math.min(chest.zMax, options.zRange[1]) : chest.zMax;
  const sliceCount = Math.floor((zHi - zLo) / scanner.sliceSpacing) + 1;
  const zTop = r2(zHi);
  const zPositions = Array.from({ length: sliceCount }, (_, k) => r2(zTop - k * scanner.sliceSpacing));
  const truth: Truth = {
    schema: 'lucent.truth/1',
    case: name,
    generator: GENERATOR,
    nodules: nodules.map((n) => ({
      centerMm: [r2(n.center[0]), r2(n.center[1]), r2(n.center[2])],
      diameterMm: r2(meanDiameter(n)),
      type: n.type,
      solidComponentMm: n.solidDiameter === null ? null : r2(n.solidDiameter),
      longAxisMm: r2(longAxis(n)),
      shortAxisMm: r2(shortAxis(n)),
      volumeMm3: Math.round(volume(n)),
      margin: n.margin,
      location: n.location,
    })),
    patient,
    scanner: { ...scanner, slices: sliceCount },
  };
  const prepared = prepare(chest, nodules);
  const grid = gridOf(scanner);
  const study = uidFrom(`${seed}/${index}/study`);
  const series = uidFrom(`${seed}/${index}/series`);
  const frame = uidFrom(`${seed}/${index}/frame`);
  const date = `2026${String((index % 12) + 1).padStart(2, '0')}${String((index % 27) + 1).padStart(2, '0')}`;
  function* slices(): Generator<{ fileName: string; bytes: Uint8Array; z: number }> {
    const noise = rng.fork('noise');
    for (let k = 0; k < zPositions.length; k++) {
      const z = zPositions[k];
      const hu = renderSlice(prepared, scanner, z, noise);
      const pixels = new Int16Array(hu.length);
      for (let i = 0; i < hu.length; i++) {
        const v = Math.round(hu[i] + 1024);
        pixels[i] = v < 0 ? 0 : v > 4095 ? 4095 : v;
      }
      const bytes = writeCtSlice({
        patientName: `PHANTOM^${name.toUpperCase()}`,
        patientId: `PH-${seed}-${index + 1}`,
        patientSex: patient.sex,
        patientAge: `${String(patient.ageYears).padStart(3, '0')}Y`,
        studyInstanceUID: study,
        seriesInstanceUID: series,
        sopInstanceUID: uidFrom(`${seed}/${index}/sop/${k}`),
        frameOfReferenceUID: frame,
        studyDate: date,
        studyTime: '093000',
        accessionNumber: `SYN${index + 1}`,
        studyDescription: options.label ? `CT CHEST (synthetic) ${options.label}` : 'CT CHEST (synthetic)',
        seriesDescription:
          options.seriesDescription ??
          `Chest ${scanner.sliceThickness} mm ${scanner.kernel}${scanner.lowDose ? ' low dose' : ''}`,
        seriesNumber: 2,
        instanceNumber: k + 1,
        bodyPartExamined: 'CHEST',
        manufacturer: scanner.manufacturer,
        convolutionKernel: scanner.kernel.toUpperCase(),
        kvp: scanner.kvp,
        xRayTubeCurrent: scanner.mA,
        rows: grid.size,
        columns: grid.size,
        pixelSpacing: [scanner.pixelSpacing, scanner.pixelSpacing],
        sliceThickness: scanner.sliceThickness,
        spacingBetweenSlices: scanner.sliceSpacing,
        imagePositionPatient: [grid.x0, grid.y0, z],
        imageOrientationPatient: [1, 0, 0, 0, 1, 0],
        rescaleIntercept: -1024,
        rescaleSlope: 1,
        windowCenter: -600,
        windowWidth: 1500,
        pixels,
      });
      yield { fileName: `IM${String(k + 1).padStart(4, '0')}.dcm`, bytes, z };
    }
  }
  return { name, truth, chest, nodules, zPositions, slices };
}
