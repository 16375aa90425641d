/**
 * Decoding model outputs into candidates, per slice: CenterNet heatmap peaks, YOLO-style boxes (with
 * per-slice non-maximum suppression), and classifier probabilities summarised over the series. Pure.
 */
import type { CenterNetOutput, ClassifierOutput, YoloOutput } from '../registry/manifest';
import { slicePeaks, type Candidate } from './detect';
import type { Tensor } from './pipeline';
import type { Box, Grid } from './preprocess';

export interface Classification {
  /** Most probable label over the series (mean of per-slice probabilities). */
  readonly label: string;
  readonly probabilities: Readonly<Record<string, number>>;
  readonly slices: number;
}

export function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

export function decodeBatch(
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

/**
 * YOLO-style boxes: rows of (cx, cy, w, h, objectness, class scores…) in input pixels. Score is
 * objectness × best class score; boxes are suppressed per slice by IoU, then become candidates like
 * CenterNet peaks (size: mean of width and height).
 */
export function decodeYolo(
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
export function decodeClassifier(
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

export function summariseClassification(
  perSlice: readonly Float32Array[],
  labels: readonly string[],
): Classification {
  const mean = new Float32Array(labels.length);
  for (const p of perSlice) p.forEach((v, i) => (mean[i] = mean[i] + v / perSlice.length));
  const probabilities: Record<string, number> = {};
  labels.forEach((l, i) => (probabilities[l] = Math.round(mean[i] * 1000) / 1000));
  return { label: labels[argmax(mean)] ?? 'unknown', probabilities, slices: perSlice.length };
}
