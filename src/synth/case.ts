/**
 * One synthetic chest CT case: a chest, its nodules and other findings, a scanner protocol, the DICOM
 * slices and the ground truth (`lucent.truth/1`). Deterministic: the same seed and index give the same
 * bytes.
 *
 * Everything is modelled in patient coordinates (LPS). The slices are written with the orientation a
 * scanner would use for the patient's position: head-first or feet-first (instance 1 at the feet), supine
 * or prone (ImageOrientationPatient [-1,0,0,0,-1,0], pixel data flipped to match), so the anatomy and the
 * truth centres are right wherever a reader maps pixels through ImagePositionPatient and
 * ImageOrientationPatient.
 */
import { makeChest, type Chest } from './anatomy';
import { writeCtSlice } from './dicomWriter';
import { makeFindings, type Findings, type FindingsSummary } from './findings';
import {
  longAxis,
  makeNodule,
  meanDiameter,
  shortAxis,
  volume,
  type Nodule,
  type NoduleRequest,
} from './nodules';
import { prepare } from './prepare';
import { SliceRenderer } from './render';
import { gridOf, type Kernel, type PatientPosition, type Scanner } from './scanner';
import { Rng } from './rng';
import { uidFrom } from './uid';

/** The generator's version, written into every truth.json: bump it whenever the same seed would give
 * different images, so that cached demo sets are regenerated. */
export const GENERATOR = 'lucent-synth/4';
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
  readonly shape: Nodule['shape'];
}

/** What else is in the case (none of it is a nodule), for analysis of a detector's false positives. */
export interface TruthFindings extends FindingsSummary {
  readonly armsDown: boolean;
  readonly breasts: boolean;
  readonly airwayWallFactor: number;
  readonly mucusPlugs: boolean;
  readonly bronchiectasis: boolean;
}

export interface Truth {
  readonly schema: 'lucent.truth/1';
  readonly nodules: readonly TruthNodule[];
  readonly case: string;
  readonly generator: string;
  readonly patient: { readonly sex: 'M' | 'F'; readonly ageYears: number };
  readonly scanner: Scanner & { readonly slices: number };
  readonly findings: TruthFindings;
}

export interface CaseOptions {
  /** Fixed nodules (type, size, margin, location); otherwise 0–4 random ones. */
  readonly nodules?: readonly NoduleRequest[];
  readonly scanner?: Partial<Scanner>;
  readonly seriesDescription?: string;
  /** Restrict the scan to this z range (mm, patient coordinates): for tests and quick previews. */
  readonly zRange?: readonly [number, number];
  /**
   * A field of view that holds the whole body (512 × 512, centred up to the clean offsets), never a
   * targeted one that shows one lung: practice cases, whose nodules must all be in the images.
   */
  readonly fullField?: boolean;
  /** Patient name suffix and study description, for named cases such as the demo set. */
  readonly label?: string;
  /** Random nodule count range (inclusive) instead of the clinical 0–4 mix: training sets use more. */
  readonly noduleCount?: readonly [number, number];
  /**
   * Training data only: this many sub-solid nodules (ground glass or part-solid, 3 : 2) more per case,
   * placed after the random ones (which stay as they were), their types from a stream of their own: more
   * distinct sub-solid examples without fewer solid ones.
   */
  readonly extraSubsolid?: number;
  /**
   * Training data only: this many small solid nodules (3–6 mm) more per case, placed after the random and
   * the extra sub-solid ones (which stay as they were), their sizes from a stream of their own.
   */
  readonly extraSmall?: number;
  /** Training data (more nodules and distractors); the default when `noduleCount` is given. */
  readonly profile?: 'clinical' | 'training';
  /** A clean clinical CT (the demo set, tests): supine head-first, no artefacts, no other findings. */
  readonly clean?: boolean;
  /** Force the patient position (tests); otherwise ~10% feet-first and ~8% prone (none when clean). */
  readonly position?: PatientPosition;
}

export interface SynthCase {
  readonly name: string;
  readonly truth: Truth;
  readonly chest: Chest;
  readonly nodules: readonly Nodule[];
  readonly findings: Findings;
  /** Slice positions in instance order (instance 1 first: the head, or the feet for feet-first). */
  readonly zPositions: readonly number[];
  /** Slices in instance order, generated lazily. */
  slices(): Generator<{ fileName: string; bytes: Uint8Array; z: number }>;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

type Orientation = Scanner['imageOrientation'];

function orientationFor(position: PatientPosition, rng: Rng): Orientation {
  switch (position) {
    case 'HFS':
      return [1, 0, 0, 0, 1, 0];
    case 'HFP':
      return [-1, 0, 0, 0, -1, 0];
    case 'FFS':
      // Scanners differ: some keep the radiological display, some write the gantry's frame.
      return rng.chance(0.5) ? [-1, 0, 0, 0, 1, 0] : [1, 0, 0, 0, 1, 0];
    case 'FFP':
      return rng.chance(0.5) ? [1, 0, 0, 0, -1, 0] : [-1, 0, 0, 0, -1, 0];
  }
}

export function sampleScanner(
  rng: Rng,
  chest: Chest,
  position: PatientPosition = 'HFS',
  clean = false,
  fullField = false,
): Scanner {
  const sampledMatrix = rng.weighted([
    [512, 0.85],
    [384, 0.05],
    [256, 0.1],
  ]);
  // A full field of view: 512 × 512 and never targeted (the draw above is kept, so that the rest of the
  // sequence is the same as without the option).
  const matrix = fullField ? 512 : sampledMatrix;
  const targeted = !fullField && (matrix !== 512 || (!clean && rng.chance(0.1)));
  let fovCenter: [number, number];
  let pixelSpacing: number;
  if (targeted) {
    fovCenter = [rng.pick([-1, 1]) * r1(rng.uniform(40, 80)), r1(rng.uniform(-15, 10))];
    pixelSpacing = r3(matrix === 512 ? rng.uniform(0.5, 0.7) : rng.uniform(0.6, 0.98));
  } else {
    // The patient lies off-centre in the field of view.
    fovCenter = clean
      ? [r1(rng.normal(0, 3)), r1(rng.normal(0, 4))]
      : [r1(rng.uniform(-40, 40)), r1(rng.uniform(-30, 30))];
    const arms = chest.arms ? chest.arms.gap + 2 * chest.arms.r * 0.85 : 0;
    const half =
      Math.max(chest.bodyA + arms + Math.abs(fovCenter[0]), chest.bodyB + Math.abs(fovCenter[1])) + 12;
    pixelSpacing = r3(Math.min(0.98, Math.max(0.5, ((2 * half) / matrix) * rng.uniform(1, 1.08))));
  }
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
  const kernel = rng.weighted<Kernel>(
    clean
      ? [
          ['soft', 0.4],
          ['standard', 0.6],
        ]
      : [
          ['soft', 0.3],
          ['standard', 0.35],
          ['sharp', 0.15],
          ['lung', 0.2],
        ],
  );
  const sigmaMm =
    kernel === 'soft'
      ? rng.uniform(0.75, 1.05)
      : kernel === 'standard'
        ? rng.uniform(0.45, 0.65)
        : kernel === 'sharp'
          ? rng.uniform(0.3, 0.45)
          : rng.uniform(0.32, 0.5);
  const sharpen =
    kernel === 'soft'
      ? 0
      : kernel === 'standard'
        ? rng.uniform(0, 0.25)
        : kernel === 'sharp'
          ? rng.uniform(0.3, 0.7)
          : rng.uniform(0.6, 1.3);
  const sharpenSigmaMm = rng.uniform(0.8, 1.6);
  const lowDose = rng.chance(0.3);
  const kernelNoise = kernel === 'soft' ? 0.75 : kernel === 'standard' ? 1 : kernel === 'sharp' ? 1.5 : 1.7;
  const noiseSigma = r1(
    Math.min(60, Math.max(8, (lowDose ? rng.uniform(18, 35) : rng.uniform(7, 16)) * kernelNoise)),
  );
  const streaks =
    !clean && rng.chance(chest.arms ? 0.7 : 0.25) ? r1(rng.uniform(20, 70) * (lowDose ? 1.5 : 1)) : 0;
  const motion = !clean && rng.chance(0.25) ? r1(rng.uniform(1.5, 5)) : 0;
  return {
    matrix,
    pixelSpacing,
    sliceThickness,
    sliceSpacing,
    fovCenter,
    blurSigmaPx: r3(sigmaMm / pixelSpacing),
    sharpen: r2(sharpen),
    sharpenSigmaPx: r3(sharpenSigmaMm / pixelSpacing),
    noiseSigma,
    kvp: rng.pick([100, 120, 120, 140]),
    mA: Math.round(lowDose ? rng.uniform(20, 60) : rng.uniform(120, 350)),
    kernel,
    manufacturer: rng.pick(['Lucent Phantom A', 'Lucent Phantom B', 'Lucent Phantom C']),
    lowDose,
    patientPosition: position,
    imageOrientation: orientationFor(position, rng),
    contrast: chest.blood.contrast,
    calibrationOffset: clean ? 0 : r1(rng.uniform(-15, 15)),
    calibrationGain: clean ? 0 : r3(rng.uniform(-0.03, 0.03)),
    streaks,
    motion,
    reconCircle: !clean && rng.chance(0.4),
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
  const clean = options.clean === true;
  const training = (options.profile ?? (options.noduleCount ? 'training' : 'clinical')) === 'training';
  const rng = new Rng(`${seed}/${index}`);
  const patientRng = rng.fork('patient');
  const patient = {
    sex: patientRng.chance(0.5) ? ('M' as const) : ('F' as const),
    ageYears: patientRng.int(50, 80),
  };
  const positionRng = rng.fork('position');
  const feetFirstDraw = positionRng.chance(0.1);
  const proneDraw = positionRng.chance(0.08);
  const feetFirst = options.position ? options.position.startsWith('FF') : !clean && feetFirstDraw;
  const prone = options.position ? options.position.endsWith('P') : !clean && proneDraw;
  const position: PatientPosition = `${feetFirst ? 'FF' : 'HF'}${prone ? 'P' : 'S'}` as PatientPosition;
  const chest = makeChest(rng.fork('chest'), { clean, prone, sex: patient.sex });
  const findings = makeFindings(rng.fork('findings'), chest, { clean, training });
  const noduleRng = rng.fork('nodules');
  const count = options.noduleCount
    ? noduleRng.int(options.noduleCount[0], options.noduleCount[1])
    : training
      ? noduleRng.int(2, 8)
      : sampleNoduleCount(noduleRng);
  const extra = training && !options.nodules ? (options.extraSubsolid ?? 0) : 0;
  const extraSmall = training && !options.nodules ? (options.extraSmall ?? 0) : 0;
  const typeRng = rng.fork('types');
  const sizeRng = rng.fork('small-sizes');
  const requests: NoduleRequest[] = [
    ...(options.nodules ?? Array.from({ length: count }, () => ({}))),
    ...Array.from({ length: extra }, () => ({
      type: typeRng.chance(0.6) ? ('ground-glass' as const) : ('part-solid' as const),
    })),
    ...Array.from({ length: extraSmall }, () => ({
      type: 'solid' as const,
      diameter: sizeRng.uniform(3, 6),
    })),
  ];
  const nodules: Nodule[] = [];
  for (const req of requests) {
    const n = makeNodule(noduleRng, chest, nodules, req);
    if (n) nodules.push(n);
  }
  if (training) {
    // Ground glass is often ill-defined: in training cases 70% of ground-glass margins fade over 0.5–3 mm,
    // the rest stay sharp (a stream of its own, so every other draw, and every clinical-profile case, is
    // unchanged).
    const hazeRng = rng.fork('haze');
    nodules.forEach((n, k) => {
      if (n.type === 'ground-glass' || n.type === 'part-solid') {
        nodules[k] = { ...n, haze: hazeRng.chance(0.7) ? hazeRng.uniform(0.5, 3) : 0 };
      }
    });
  }
  const sampled = sampleScanner(rng.fork('scanner'), chest, position, clean, options.fullField);
  const scanner: Scanner = { ...sampled, ...options.scanner, patientPosition: position };
  // A targeted field of view (or a restricted scan range) leaves some nodules outside the images: those
  // are neither drawn nor listed in the truth.
  const half = ((scanner.matrix - 1) * scanner.pixelSpacing) / 2;
  const zLoVisible = options.zRange ? options.zRange[0] : -Infinity;
  const zHiVisible = options.zRange ? options.zRange[1] : Infinity;
  const visible = (n: Nodule): boolean => {
    const r = Math.max(...n.axes);
    const c = n.measure.center;
    return (
      Math.abs(c[0] - scanner.fovCenter[0]) + r < half &&
      Math.abs(c[1] - scanner.fovCenter[1]) + r < half &&
      c[2] - r > Math.max(chest.zMin, zLoVisible) &&
      c[2] + r < Math.min(chest.zMax, zHiVisible)
    );
  };
  const shown = nodules.filter(visible);
  nodules.length = 0;
  nodules.push(...shown);
  const zLo = options.zRange ? Math.max(chest.zMin, options.zRange[0]) : chest.zMin;
  const zHi = options.zRange ? Math.min(chest.zMax, options.zRange[1]) : chest.zMax;
  const sliceCount = Math.floor((zHi - zLo) / scanner.sliceSpacing) + 1;
  const zTop = r2(zHi);
  const fromTop = Array.from({ length: sliceCount }, (_, k) => r2(zTop - k * scanner.sliceSpacing));
  const zPositions = feetFirst ? [...fromTop].reverse() : fromTop;
  const truth: Truth = {
    schema: 'lucent.truth/1',
    case: name,
    generator: GENERATOR,
    nodules: nodules.map((n) => ({
      centerMm: [r2(n.measure.center[0]), r2(n.measure.center[1]), r2(n.measure.center[2])],
      diameterMm: r2(meanDiameter(n)),
      type: n.type,
      solidComponentMm: n.solidDiameter === null ? null : r2(n.solidDiameter),
      longAxisMm: r2(longAxis(n)),
      shortAxisMm: r2(shortAxis(n)),
      volumeMm3: Math.round(volume(n)),
      margin: n.margin,
      location: n.location,
      shape: n.shape,
    })),
    patient,
    scanner: { ...scanner, slices: sliceCount },
    findings: {
      ...findings.summary,
      armsDown: chest.arms !== null,
      breasts: chest.breasts !== null,
      airwayWallFactor: r2(chest.airways.wallFactor),
      mucusPlugs: chest.airways.mucus,
      bronchiectasis: chest.airways.bronchiectasis,
    },
  };
  const prepared = prepare(chest, nodules, findings);
  const grid = gridOf(scanner);
  const study = uidFrom(`${seed}/${index}/study`);
  const series = uidFrom(`${seed}/${index}/series`);
  const frame = uidFrom(`${seed}/${index}/frame`);
  const date = `2026${String((index % 12) + 1).padStart(2, '0')}${String((index % 27) + 1).padStart(2, '0')}`;
  const iop = scanner.imageOrientation;
  const flipX = iop[0] < 0;
  const flipY = iop[4] < 0;
  const n = grid.size;
  const far = (n - 1) * grid.spacing;
  function* slices(): Generator<{ fileName: string; bytes: Uint8Array; z: number }> {
    const renderer = new SliceRenderer(prepared, scanner, zTop, rng.fork('physics'));
    const noise = rng.fork('noise');
    for (let k = 0; k < zPositions.length; k++) {
      const z = zPositions[k];
      const hu = renderer.slice(z, noise.fork(`slice/${k}`));
      // Written pixel (i, j) lies at IPP + i·spacing·row direction + j·spacing·column direction.
      const pixels = new Int16Array(hu.length);
      for (let j = 0; j < n; j++) {
        const sj = flipY ? n - 1 - j : j;
        for (let i = 0; i < n; i++) {
          const si = flipX ? n - 1 - i : i;
          const v = Math.round(hu[sj * n + si] + 1024);
          pixels[j * n + i] = v < 0 ? 0 : v > 4095 ? 4095 : v;
        }
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
        rows: n,
        columns: n,
        pixelSpacing: [scanner.pixelSpacing, scanner.pixelSpacing],
        sliceThickness: scanner.sliceThickness,
        spacingBetweenSlices: scanner.sliceSpacing,
        imagePositionPatient: [r3(grid.x0 + (flipX ? far : 0)), r3(grid.y0 + (flipY ? far : 0)), z],
        imageOrientationPatient: iop,
        patientPosition: scanner.patientPosition,
        rescaleIntercept: -1024,
        rescaleSlope: 1,
        windowCenter: -600,
        windowWidth: 1500,
        pixels,
      });
      yield { fileName: `IM${String(k + 1).padStart(4, '0')}.dcm`, bytes, z };
    }
  }
  return { name, truth, chest, nodules, findings, zPositions, slices };
}
