/**
 * The whole-series sweep, independent of the host: resample, crop to the lungs, run the model slice by
 * slice in batches through a host-provided runner (onnxruntime-node or onnxruntime-web), decode, group
 * and measure. Cancellable between batches; reports progress.
 */
import type { CenterNetOutput, Manifest, YoloOutput } from '../registry/manifest';
import {
  decodeBatch,
  decodeClassifier,
  decodeYolo,
  summariseClassification,
  argmax,
  type Classification,
} from './decode';
import { groupCandidates, measure, type Candidate } from './detect';
import { rescore } from './secondStage';
import {
  fullBox,
  inputShape,
  lungExtents,
  lungMask,
  nearLung,
  writeInput,
  type Box,
  type Grid,
} from './preprocess';
import { CancelledError, TooLargeError } from './errors';
import { modelGrid, type SeriesSource } from './modelGrid';

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
   * (default true; it doubles inference time and is worth it: for lung-nodule-ct 2.2.0 the CPM is 0.723
   * with it and 0.676 without on the development set, 0.455 and 0.407 on the independent one).
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

export type { Classification };

export interface DetectResult {
  readonly nodules: readonly DetectedNodule[];
  readonly classification?: Classification;
  readonly slicesRun: number;
  readonly inputShape: readonly [number, number, number];
  readonly box: Box;
  /**
   * Where the time went (ms): resampling and the lung mask; the detector's runs (mirrored runs included);
   * the second stage's patches and runs; decoding, grouping and measuring.
   */
  readonly ms: {
    readonly preprocess: number;
    readonly inference: number;
    readonly secondStage: number;
    readonly decode: number;
  };
  readonly evidence?: Evidence;
}

export { CancelledError, TooLargeError };
export { MAX_GRID_BYTES } from './modelGrid';

function toBytes(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(v[i] * 255)));
  return out;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

/** A finding's centre may lie this far from the nearest lung voxel (mm), more for large findings. */
const LUNG_CONTACT_MM = 4;

/**
 * Detect on a series: a whole volume (resampled here) or the model grid a host already streamed it into
 * (`streamModelGrid`), which must have the model's spacing.
 */
export async function detectNodules(
  source: SeriesSource,
  manifest: Manifest,
  runner: Runner,
  options: DetectOptions = {},
): Promise<DetectResult> {
  const spec = manifest.input;
  const out = manifest.output;
  const t0 = performance.now();
  const fpr = manifest.falsePositiveReduction;
  if (fpr && !options.fprRunner)
    throw new Error(`${manifest.id}: its false-positive reduction model (${fpr.file}) was not loaded`);
  const grid = modelGrid(source, spec);
  const lungs = spec.crop === 'lungs' || spec.crop === 'lungs-per-batch' ? lungMask(grid) : null;
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
  // One input buffer for every full batch (each run is awaited before it is overwritten): a new one per
  // batch would leave the garbage collector a whole series' worth of inputs (about 900 MB for a
  // 1,000-slice CT). Smaller inputs (a shorter last batch, a batch cropped closer to its lungs) use its
  // start: a view at offset 0, which both runtimes read by its own length.
  const inputs = new Float32Array(per * Math.min(batch, slices.length));
  // 'lungs-per-batch': each batch runs on the part of the lung box its own lungs need (batchCrop).
  const cropSlices =
    spec.crop === 'lungs-per-batch' &&
    lungs !== null &&
    out.decoder === 'centernet' &&
    spec.multipleOf % out.stride === 0;
  const extents = cropSlices ? lungExtents(grid, lungs.mask, box) : null;
  for (let b = 0; b < slices.length; b += batch) {
    if (options.signal?.aborted) throw new CancelledError();
    const ks = slices.slice(b, b + batch);
    const crop = extents ? batchCrop(extents, ks, box, grid, spec) : box;
    const cropShape = inputShape(crop, spec);
    const size = cropShape.channels * cropShape.height * cropShape.width;
    const input = inputs.subarray(0, size * ks.length);
    ks.forEach((k, n) => writeInput(grid, k, crop, spec, input, n * size));
    const ti = performance.now();
    const dims = [ks.length, cropShape.channels, cropShape.height, cropShape.width] as const;
    const outputs = await runner.run(input, dims);
    if ((options.flip ?? true) && out.decoder === 'centernet' && cropShape.width % out.stride === 0) {
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
      candidates.push(...decodeBatch(outputs, out, ks, grid, crop, peakScore));
      const hm = outputs[out.heatmap];
      if (options.evidence && hm) {
        // Maps cover the whole lung box: a cropped batch's maps go in at their place, zero elsewhere.
        mapDims = [shape.width / out.stride, shape.height / out.stride];
        const [mw, mh] = [hm.dims[3] ?? 0, hm.dims[2] ?? 0];
        const [ox, oy] = [(crop.x0 - box.x0) / out.stride, (crop.y0 - box.y0) / out.stride];
        const channels = hm.dims[1] ?? 1;
        ks.forEach((k, n) => {
          const map = new Float32Array(mapDims[0] * mapDims[1]);
          const from = n * channels * mw * mh;
          for (let y = 0; y < mh; y++)
            map.set(hm.data.subarray(from + y * mw, from + (y + 1) * mw), (oy + y) * mapDims[0] + ox);
          maps.push(toBytes(map));
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
      inference: inferenceMs,
      secondStage: fprMs,
      decode: decodeMs + (performance.now() - t2) - fprMs,
    },
  };
}

/**
 * Room kept around the lungs of a batch's slices in its crop (mm): the detector's context. Its receptive
 * field is wider, so scores still move a little: by about 0.01 on average for 2.23.0's detector on a
 * synthetic CT (test/unit/slice-crops.test.ts; README, "Each batch of slices cropped to its own lungs").
 */
const CROP_MARGIN_MM = 32;

/**
 * The part of the lung box a batch of slices runs on: the lungs of every slice its inputs hold, with
 * CROP_MARGIN_MM around them, widened to multiples of `multipleOf` from the box's corner, so that the
 * detector's cells line up with the box's and the crop holds the very pixels the box's input would. The
 * whole box where those slices hold no lung. At the apices and bases the lungs are much smaller than the
 * box: over 32 development CTs, batches of 4 slices ran on 60% of the box's pixels.
 */
export function batchCrop(
  extents: Int32Array,
  ks: readonly number[],
  box: Box,
  grid: Grid,
  spec: Manifest['input'],
): Box {
  const half = (spec.slices - 1) / 2;
  let x0 = Infinity;
  let x1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  for (const k of ks)
    for (let kk = Math.max(0, k - half); kk <= Math.min(grid.nz - 1, k + half); kk++) {
      if ((extents[4 * kk + 1] ?? -1) < 0) continue;
      x0 = Math.min(x0, extents[4 * kk] ?? Infinity);
      x1 = Math.max(x1, extents[4 * kk + 1] ?? -1);
      y0 = Math.min(y0, extents[4 * kk + 2] ?? Infinity);
      y1 = Math.max(y1, extents[4 * kk + 3] ?? -1);
    }
  if (x1 < 0) return box;
  const shape = inputShape(box, spec);
  const m = spec.multipleOf;
  const mx = Math.round(CROP_MARGIN_MM / grid.spacing[0]);
  const my = Math.round(CROP_MARGIN_MM / grid.spacing[1]);
  const cx0 = Math.max(0, Math.floor((x0 - mx - box.x0) / m) * m);
  const cy0 = Math.max(0, Math.floor((y0 - my - box.y0) / m) * m);
  const cx1 = Math.min(shape.width, Math.ceil((x1 + mx - box.x0 + 1) / m) * m);
  const cy1 = Math.min(shape.height, Math.ceil((y1 + my - box.y0 + 1) / m) * m);
  if (cx1 <= cx0 || cy1 <= cy0) return box;
  return {
    x0: box.x0 + cx0,
    y0: box.y0 + cy0,
    x1: Math.min(box.x1, box.x0 + cx1 - 1),
    y1: Math.min(box.y1, box.y0 + cy1 - 1),
    z0: box.z0,
    z1: box.z1,
  };
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
