/**
 * The whole-series sweep, independent of the host: resample, crop to the lungs, run the model slice by
 * slice in batches through a host-provided runner (onnxruntime-node or onnxruntime-web), decode, group
 * and measure. Cancellable between batches; reports progress.
 */
import type {
  CenterNetOutput,
  ClassifierOutput,
  FalsePositiveReduction,
  InputSpec,
  Manifest,
  YoloOutput,
} from '../registry/manifest';
import { groupCandidates, measure, slicePeaks, type Candidate, type RawFinding } from './detect';
import {
  fullBox,
  inputShape,
  lungMask,
  nearLung,
  resampleToGrid,
  writeInput,
  writePatch,
  type Box,
  type Grid,
} from './preprocess';
import type { Volume } from './volume';
import { LucentError } from '../../lib/errors';

export interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Runs a model on one batch: input [n, c, h, w] (or [n, 1, d, h, w] for 3D patches) → named outputs. */
export interface Runner {
  run(input: Float32Array, dims: readonly number[]): Promise<Record<string, Tensor>>;
}

export interface DetectOptions {
  /** Report candidates down to this score (default: the manifest's operating point). */
  readonly minScore?: number;
  /**
   * Runs the manifest's false-positive reduction classifier, when it names one: [n, 1, d, h, w] patches →
   * its output. Required for such manifests.
   */
  readonly fprRunner?: Runner;
  /** Run the model on every n-th grid slice (default 1). */
  readonly sliceStep?: number;
  readonly batch?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /** Diagnostics only: wait this long after each batch (tests of cancel and crash recovery). */
  readonly batchDelayMs?: number;
  /** Keep the model's centre heatmap (CenterNet models) as evidence to show over the images. */
  readonly evidence?: boolean;
  /**
   * CenterNet models: also run each batch mirrored left–right and average the two centre heatmaps
   * (default true; it doubles inference time and raised the bundled model's held-out CPM by 0.06).
   */
  readonly flip?: boolean;
  /**
   * Also decode the attributes the manifest marks `reported: false` (evaluation only: `lucent eval`
   * measures them, findings never carry them).
   */
  readonly unreportedAttributes?: boolean;
}

/** Mirror [n, c, h, w] data left–right, in place. */
function mirror(data: Float32Array, dims: readonly number[]): void {
  const w = dims[3] ?? 1;
  for (let row = 0; row < data.length; row += w) {
    for (let a = row, b = row + w - 1; a < b; a++, b--) {
      const t = data[a];
      data[a] = data[b];
      data[b] = t;
    }
  }
}

/**
 * The model's evidence: its centre heatmap per analysed slice, as 0–255 (probability × 255), with the
 * patient-space placement of the map (axial slices; the map's x and y follow patient x and y).
 */
export interface Evidence {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** z (patient mm) of each map slice, ascending. */
  readonly zMm: readonly number[];
  /** Patient x and y (mm) of the outer corner of map cell (0, 0). */
  readonly cornerMm: readonly [number, number];
  /** Size of one map cell (mm). */
  readonly cellMm: readonly [number, number];
}

export interface DetectedNodule {
  readonly centerMm: [number, number, number];
  readonly score: number;
  readonly type: string;
  readonly typeProbabilities: Readonly<Record<string, number>>;
  readonly attributes: Readonly<Record<string, string>>;
  readonly meanDiameterMm: number;
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly volumeMm3: number;
  readonly solidComponentMm: number | null;
  /** Two-stage models: the detector's score and the classifier's probability behind `score`. */
  readonly stages?: { readonly detector: number; readonly classifier: number };
}

export interface Classification {
  /** Most probable label over the series (mean of per-slice probabilities). */
  readonly label: string;
  readonly probabilities: Readonly<Record<string, number>>;
  readonly slices: number;
}

export interface DetectResult {
  readonly nodules: readonly DetectedNodule[];
  readonly classification?: Classification;
  readonly slicesRun: number;
  readonly inputShape: readonly [number, number, number];
  readonly box: Box;
  readonly ms: { readonly preprocess: number; readonly inference: number; readonly decode: number };
  readonly evidence?: Evidence;
}

/** The largest model grid an analysis may allocate (bytes): beyond it the tab could run out of memory. */
export const MAX_GRID_BYTES = 1.5e9;

export class TooLargeError extends LucentError {
  constructor(message: string) {
    super('too-large', message);
    this.name = 'TooLargeError';
  }
}

export class CancelledError extends LucentError {
  constructor() {
    super('cancelled', 'The analysis was cancelled.');
    this.name = 'CancelledError';
  }
}

function toBytes(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(v[i] * 255)));
  return out;
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

export async function detectNodules(
  volume: Volume,
  manifest: Manifest,
  runner: Runner,
  options: DetectOptions = {},
): Promise<DetectResult> {
  const spec = manifest.input;
  const out = manifest.output;
  const t0 = performance.now();
  const gridBytes =
    4 *
    (((volume.columns - 1) * volume.spacing[0]) / spec.pixelSpacingMm + 1) *
    (((volume.rows - 1) * volume.spacing[1]) / spec.pixelSpacingMm + 1) *
    (((volume.slices - 1) * volume.spacing[2]) / spec.sliceSpacingMm + 1);
  if (!(gridBytes <= MAX_GRID_BYTES)) {
    throw new TooLargeError(
      `Resampling this series to ${spec.pixelSpacingMm} mm pixels would need ${Math.round(gridBytes / 1e6).toLocaleString('en')} MB, more than the ${MAX_GRID_BYTES / 1e9} GB an analysis may use.`,
    );
  }
  const fpr = manifest.falsePositiveReduction;
  if (fpr && !options.fprRunner)
    throw new Error(`${manifest.id}: its false-positive reduction model (${fpr.file}) was not loaded`);
  const grid = resampleToGrid(volume, spec.pixelSpacingMm, spec.sliceSpacingMm);
  const lungs = spec.crop === 'lungs' ? lungMask(grid) : null;
  const box = lungs?.box ?? fullBox(grid);
  const shape = inputShape(box, spec);
  const step = Math.max(1, options.sliceStep ?? 1);
  const slices: number[] = [];
  for (let k = box.z0; k <= box.z1; k += step) slices.push(k);
  const t1 = performance.now();
  const batch = Math.max(1, options.batch ?? 4);
  const per = shape.channels * shape.height * shape.width;
  const minScore = options.minScore ?? manifest.operatingPoint.score;
  // With a second stage, the detector proposes candidates down to its candidate score; the operating point
  // applies to the final score.
  const peakScore = fpr ? Math.min(fpr.candidateScore, minScore) : minScore;
  const candidates: Candidate[] = [];
  const perSlice: Float32Array[] = [];
  const maps: Uint8Array[] = [];
  const mapZ: number[] = [];
  let mapDims: [number, number] = [0, 0];
  let inferenceMs = 0;
  let decodeMs = 0;
  for (let b = 0; b < slices.length; b += batch) {
    if (options.signal?.aborted) throw new CancelledError();
    const ks = slices.slice(b, b + batch);
    const input = new Float32Array(per * ks.length);
    ks.forEach((k, n) => writeInput(grid, k, box, spec, input, n * per));
    const ti = performance.now();
    const dims = [ks.length, shape.channels, shape.height, shape.width] as const;
    const outputs = await runner.run(input, dims);
    if ((options.flip ?? true) && out.decoder === 'centernet' && shape.width % out.stride === 0) {
      mirror(input, dims);
      const flipped = (await runner.run(input, dims))[out.heatmap];
      const hm = outputs[out.heatmap];
      if (flipped && hm) {
        mirror(flipped.data, flipped.dims);
        for (let i = 0; i < hm.data.length; i++) hm.data[i] = 0.5 * (hm.data[i] + flipped.data[i]);
      }
    }
    const td = performance.now();
    inferenceMs += td - ti;
    if (out.decoder === 'centernet') {
      candidates.push(...decodeBatch(outputs, out, ks, grid, box, peakScore));
      const hm = outputs[out.heatmap];
      if (options.evidence && hm) {
        mapDims = [hm.dims[3] ?? 0, hm.dims[2] ?? 0];
        const plane = mapDims[0] * mapDims[1];
        const channels = hm.dims[1] ?? 1;
        ks.forEach((k, n) => {
          maps.push(toBytes(hm.data.subarray(n * channels * plane, n * channels * plane + plane)));
          mapZ.push(grid.origin[2] + k * grid.spacing[2]);
        });
      }
    } else if (out.decoder === 'yolo') candidates.push(...decodeYolo(outputs, out, ks, grid, box, peakScore));
    else perSlice.push(...decodeClassifier(outputs, out, ks.length));
    decodeMs += performance.now() - td;
    options.onProgress?.(Math.min(slices.length, b + ks.length), slices.length);
    if (options.batchDelayMs) await new Promise((r) => setTimeout(r, options.batchDelayMs));
  }
  const t2 = performance.now();
  let fprMs = 0;
  let nodules: DetectedNodule[] = [];
  if (out.decoder !== 'classifier') {
    let raw = groupCandidates(candidates, spec.sliceSpacingMm * step);
    // Findings must touch the lungs: not the heart, the chest wall, a table or an arm.
    if (lungs)
      raw = raw.filter((f) =>
        nearLung(grid, lungs.mask, f.center, Math.max(LUNG_CONTACT_MM, 0.5 * f.diameter + 2)),
      );
    if (fpr && options.fprRunner) {
      const tf = performance.now();
      raw = await rescore(raw, grid, fpr, spec, options.fprRunner, options.signal);
      fprMs = performance.now() - tf;
    }
    nodules = toNodules(
      grid,
      raw.filter((f) => f.score >= minScore),
      out,
      manifest.labels,
      options.unreportedAttributes ?? false,
    );
  }
  let evidence: Evidence | undefined;
  if (maps.length > 0 && out.decoder === 'centernet') {
    const plane = mapDims[0] * mapDims[1];
    const data = new Uint8Array(plane * maps.length);
    maps.forEach((m, i) => data.set(m, i * plane));
    evidence = {
      data,
      width: mapDims[0],
      height: mapDims[1],
      zMm: mapZ,
      cornerMm: [
        grid.origin[0] + (box.x0 - 0.5) * grid.spacing[0],
        grid.origin[1] + (box.y0 - 0.5) * grid.spacing[1],
      ],
      cellMm: [out.stride * grid.spacing[0], out.stride * grid.spacing[1]],
    };
  }
  return {
    nodules,
    evidence,
    classification: out.decoder === 'classifier' ? summariseClassification(perSlice, out.labels) : undefined,
    slicesRun: slices.length,
    inputShape: [shape.channels, shape.height, shape.width],
    box,
    ms: {
      preprocess: t1 - t0,
      inference: inferenceMs + fprMs,
      decode: decodeMs + (performance.now() - t2) - fprMs,
    },
  };
}

/** A finding's centre may lie this far from the nearest lung voxel (mm), more for large findings. */
const LUNG_CONTACT_MM = 4;
const FPR_BATCH = 16;

/**
 * The second stage: the best candidates (up to the manifest's maximum, detector score at least its
 * candidate score) are scored by the 3D classifier on a patch around each; the final score is
 * detector^(1 − w) × classifier^w. Candidates beyond the maximum are dropped.
 */
async function rescore(
  raw: readonly RawFinding[],
  grid: Grid,
  fpr: FalsePositiveReduction,
  spec: InputSpec,
  runner: Runner,
  signal?: AbortSignal,
): Promise<RawFinding[]> {
  const chosen = [...raw]
    .filter((f) => f.score >= fpr.candidateScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, fpr.maxCandidates);
  const [d, h, w] = fpr.patch;
  const per = d * h * w;
  const out: RawFinding[] = [];
  for (let b = 0; b < chosen.length; b += FPR_BATCH) {
    if (signal?.aborted) throw new CancelledError();
    const part = chosen.slice(b, b + FPR_BATCH);
    const input = new Float32Array(per * part.length);
    part.forEach((f, n) => writePatch(grid, f.center, fpr.patch, spec, input, n * per));
    const result = await runner.run(input, [part.length, 1, d, h, w]);
    const p = result[fpr.output];
    if (!p) throw new Error(`the false-positive reduction model has no output named ${fpr.output}`);
    part.forEach((f, n) => {
      const q = Math.min(1, Math.max(0, p.data[n] ?? 0));
      out.push({
        ...f,
        score: f.score ** (1 - fpr.weight) * q ** fpr.weight,
        stages: { detector: f.score, classifier: q },
      });
    });
  }
  return out.sort((a, b) => b.score - a.score);
}

function decodeBatch(
  outputs: Record<string, Tensor>,
  spec: CenterNetOutput,
  ks: readonly number[],
  grid: Grid,
  box: Box,
  minScore: number,
): Candidate[] {
  const hm = outputs[spec.heatmap];
  if (!hm) throw new Error(`the model has no output named ${spec.heatmap}`);
  const h = hm.dims[2];
  const w = hm.dims[3];
  const plane = h * w;
  const names = [
    spec.heatmap,
    spec.size,
    spec.offset,
    spec.classes.output,
    ...spec.attributes.map((a) => a.output),
  ];
  const found: Candidate[] = [];
  ks.forEach((k, n) => {
    const slice: Record<string, Float32Array> = {};
    for (const name of names) {
      const t = outputs[name];
      if (!t) throw new Error(`the model has no output named ${name}`);
      const c = t.dims[1];
      slice[name] = t.data.subarray(n * c * plane, (n + 1) * c * plane);
    }
    const z = grid.origin[2] + k * grid.spacing[2];
    found.push(...slicePeaks(slice, spec, h, w, z, box, grid, minScore));
  });
  return found;
}

const MAX_MEASURED = 150;

function toNodules(
  grid: Grid,
  raw: ReturnType<typeof groupCandidates>,
  spec: CenterNetOutput | YoloOutput,
  labelMap: Readonly<Record<string, string>>,
  unreported: boolean,
): DetectedNodule[] {
  return raw.map((f, rank) => {
    const labels = spec.decoder === 'centernet' ? spec.classes.labels : spec.labels;
    const modelLabel = labels[argmax(f.classes)] ?? 'unknown';
    const type = labelMap[modelLabel] ?? modelLabel;
    // Findings beyond the strongest ones are reported with the model's size only, unmeasured.
    const m = rank < MAX_MEASURED ? measure(grid, f, type === 'part-solid') : null;
    // The model's diameter is trained against truth; the image measurement gives the axes. Use the
    // measurement when it agrees with the model (it can leak into vessels or miss faint ground glass).
    const measuredMean = m ? (m.longAxisMm + m.shortAxisMm) / 2 : NaN;
    const consistent = m !== null && Math.abs(measuredMean - f.diameter) <= Math.max(1.5, 0.25 * f.diameter);
    const mean = f.diameter;
    const long = consistent && m ? m.longAxisMm * (mean / measuredMean) : mean;
    const short = consistent && m ? m.shortAxisMm * (mean / measuredMean) : mean;
    const volume = consistent && m ? m.volumeMm3 : (Math.PI / 6) * mean ** 3;
    const attributes: Record<string, string> = {};
    (spec.decoder === 'centernet' ? spec.attributes : []).forEach((a, i) => {
      const probs = f.attributes[i];
      if (probs && (a.reported !== false || unreported))
        attributes[a.name] = a.labels[argmax(probs)] ?? 'unknown';
    });
    const typeProbabilities: Record<string, number> = {};
    labels.forEach((l, i) => (typeProbabilities[l] = Math.round(f.classes[i] * 1000) / 1000));
    return {
      centerMm: [r1(f.center[0]), r1(f.center[1]), r1(f.center[2])],
      score: Math.round(f.score * 1000) / 1000,
      type,
      typeProbabilities,
      attributes,
      meanDiameterMm: r1(mean),
      longAxisMm: r1(Math.max(long, short)),
      shortAxisMm: r1(Math.min(long, short)),
      volumeMm3: Math.round(volume),
      // Measured on the image against a predicted diameter: never report a solid part larger than its nodule.
      solidComponentMm: type === 'part-solid' ? r1(Math.min(mean, m?.solidComponentMm ?? 0)) : null,
      ...(f.stages
        ? {
            stages: {
              detector: Math.round(f.stages.detector * 1000) / 1000,
              classifier: Math.round(f.stages.classifier * 1000) / 1000,
            },
          }
        : {}),
    };
  });
}

/**
 * YOLO-style boxes: rows of (cx, cy, w, h, objectness, class scores…) in input pixels. Score is
 * objectness × best class score; boxes are suppressed per slice by IoU, then become candidates like
 * CenterNet peaks (size: mean of width and height).
 */
function decodeYolo(
  outputs: Record<string, Tensor>,
  spec: YoloOutput,
  ks: readonly number[],
  grid: Grid,
  box: Box,
  minScore: number,
): Candidate[] {
  const t = outputs[spec.output];
  if (!t) throw new Error(`the model has no output named ${spec.output}`);
  const k = t.dims[1];
  const width = t.dims[2];
  const nClasses = width - 5;
  if (nClasses !== spec.labels.length)
    throw new Error(`the model gives ${nClasses} class scores; the manifest lists ${spec.labels.length}`);
  const found: Candidate[] = [];
  ks.forEach((slice, n) => {
    const boxes: { x: number; y: number; w: number; h: number; score: number; classes: Float32Array }[] = [];
    for (let i = 0; i < k; i++) {
      const o = (n * k + i) * width;
      const objectness = t.data[o + 4];
      const classes = t.data.slice(o + 5, o + 5 + nClasses);
      const best = classes[argmax(classes)];
      const score = objectness * best;
      if (score < minScore) continue;
      boxes.push({
        x: t.data[o],
        y: t.data[o + 1],
        w: t.data[o + 2],
        h: t.data[o + 3],
        score,
        classes,
      });
    }
    boxes.sort((a, b) => b.score - a.score);
    const kept: typeof boxes = [];
    for (const b of boxes) {
      if (kept.every((q) => iou(b, q) < spec.iouThreshold)) kept.push(b);
      if (kept.length >= 40) break;
    }
    const z = grid.origin[2] + slice * grid.spacing[2];
    for (const b of kept) {
      const sum = b.classes.reduce((a, v) => a + v, 0) || 1;
      found.push({
        x: grid.origin[0] + (box.x0 + b.x) * grid.spacing[0],
        y: grid.origin[1] + (box.y0 + b.y) * grid.spacing[1],
        z,
        score: b.score,
        size: ((b.w + b.h) / 2) * grid.spacing[0],
        classes: b.classes.map((v) => v / sum),
        attributes: [],
      });
    }
  });
  return found;
}

function iou(
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
): number {
  const ix = Math.max(0, Math.min(a.x + a.w / 2, b.x + b.w / 2) - Math.max(a.x - a.w / 2, b.x - b.w / 2));
  const iy = Math.max(0, Math.min(a.y + a.h / 2, b.y + b.h / 2) - Math.max(a.y - a.h / 2, b.y - b.h / 2));
  const inter = ix * iy;
  return inter / (a.w * a.h + b.w * b.h - inter || 1);
}

/** Class probabilities per slice (softmax applied when the model gives logits). */
function decodeClassifier(
  outputs: Record<string, Tensor>,
  spec: ClassifierOutput,
  n: number,
): Float32Array[] {
  const t = outputs[spec.output];
  if (!t) throw new Error(`the model has no output named ${spec.output}`);
  const c = spec.labels.length;
  if (t.dims[1] !== c)
    throw new Error(`the model gives ${String(t.dims[1])} classes; the manifest lists ${c}`);
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = t.data.slice(i * c, (i + 1) * c);
    if (spec.softmax) {
      const max = Math.max(...v);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += v[j] = Math.exp(v[j] - max);
      for (let j = 0; j < c; j++) v[j] = v[j] / sum;
    }
    out.push(v);
  }
  return out;
}

function summariseClassification(
  perSlice: readonly Float32Array[],
  labels: readonly string[],
): Classification {
  const mean = new Float32Array(labels.length);
  for (const p of perSlice) p.forEach((v, i) => (mean[i] = mean[i] + v / perSlice.length));
  const probabilities: Record<string, number> = {};
  labels.forEach((l, i) => (probabilities[l] = Math.round(mean[i] * 1000) / 1000));
  return { label: labels[argmax(mean)] ?? 'unknown', probabilities, slices: perSlice.length };
}
