/**
 * Model manifests (`lucent.model/1`): what a model is, what it applies to, how to feed it and how to read
 * its outputs. Lucent's own models and third-party ones plug in through this format; it is validated on
 * load (see models/manifest.schema.json for the same rules as a JSON Schema).
 */
import { err, ok, type Result } from '../../lib/result';

export type Task = 'detection' | 'classification' | 'segmentation';

export interface Applicability {
  readonly modality: readonly string[];
  /** Body Part Examined values accepted; empty accepts any (the user is told it was not checked). */
  readonly bodyPart: readonly string[];
  readonly pixelSpacingMm: readonly [number, number];
  readonly sliceThicknessMm: readonly [number, number];
  readonly minSlices: number;
}

export interface InputSpec {
  readonly name: string;
  readonly layout: 'NCHW';
  readonly dtype: 'float32';
  /** Adjacent slices stacked as channels (odd). */
  readonly slices: number;
  readonly sliceSpacingMm: number;
  readonly pixelSpacingMm: number;
  /** HU clip, then (hu + offset) / scale. */
  readonly window: { readonly lower: number; readonly upper: number };
  readonly normalize: { readonly offset: number; readonly scale: number };
  /** Height and width are padded to a multiple of this. */
  readonly multipleOf: number;
  /**
   * 'lungs': crop to the lungs' bounding box and skip slices without lung. 'lungs-per-batch': the same,
   * and each batch of slices (CenterNet models) runs on the part of that box its own lungs need, with room
   * around them (less work at the apices and bases). 'none': whole slices.
   */
  readonly crop: 'lungs' | 'lungs-per-batch' | 'none';
}

export interface CenterNetOutput {
  readonly decoder: 'centernet';
  readonly stride: number;
  readonly heatmap: string;
  readonly size: string;
  readonly offset: string;
  readonly classes: { readonly output: string; readonly labels: readonly string[] };
  readonly attributes: readonly {
    readonly name: string;
    readonly output: string;
    readonly labels: readonly string[];
    /**
     * false: the attribute is decoded for evaluation only and never attached to findings (e.g. a head
     * whose held-out accuracy does not beat always answering its commonest label). Default true.
     */
    readonly reported?: boolean;
  }[];
}

/** YOLO-style boxes: one output [N, K, 5 + classes] of (cx, cy, w, h, objectness, class scores) in input pixels. */
export interface YoloOutput {
  readonly decoder: 'yolo';
  readonly output: string;
  readonly labels: readonly string[];
  readonly iouThreshold: number;
}

/** Class logits or probabilities for the whole input: [N, classes]. */
export interface ClassifierOutput {
  readonly decoder: 'classifier';
  readonly output: string;
  readonly labels: readonly string[];
  readonly softmax: boolean;
}

export type OutputSpec = CenterNetOutput | YoloOutput | ClassifierOutput;

/**
 * An optional second stage for detection models: a classifier that scores each candidate from a 3D patch
 * of the detector's grid (vessels run on through the slices, nodules end), so that structures the 2.5D
 * detector cannot tell from nodules are scored down. Its file is checked like the model's.
 */
export interface FalsePositiveReduction {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  /**
   * The classifier's input name: [N, scales.length, slices, rows, columns], windowed and normalised like the
   * model's.
   */
  readonly input: string;
  /** Patch size on the detector's grid: [slices, rows, columns], each odd (centred on the candidate). */
  readonly patch: readonly [number, number, number];
  /**
   * One input channel per scale s: the patch sampled at s times the grid's spacing, each value the mean of
   * s × s × s grid voxels (more context around a large candidate). Absent: [1].
   */
  readonly scales?: readonly number[];
  /** The classifier's output: [N, 1], the probability that the candidate is a nodule. */
  readonly output: string;
  /** Candidates scored: those with a detector score of at least this, best first … */
  readonly candidateScore: number;
  /** … and at most this many per series (the rest are dropped). */
  readonly maxCandidates: number;
  /** Final score = detector^(1 − weight) × classifier^weight. */
  readonly weight: number;
  /**
   * The classifier's probability is the mean over this many symmetric views of each patch (1 to 5: as
   * is, then mirrored in x, in y, in z, and transposed in the plane; the last needs square slices of the
   * patch). Absent: 1.
   */
  readonly views?: number;
}

export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly ci95?: readonly [number, number];
  readonly note?: string;
}

export interface Manifest {
  readonly schema: 'lucent.model/1';
  readonly id: string;
  readonly version: string;
  readonly name: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly task: Task;
  readonly intendedUse: string;
  readonly trainingData: string;
  readonly applicability: Applicability;
  readonly input: InputSpec;
  readonly output: OutputSpec;
  /** Model label → finding type (e.g. 'solid' → 'solid'). */
  readonly labels: Readonly<Record<string, string>>;
  readonly operatingPoint: { readonly score: number };
  readonly falsePositiveReduction?: FalsePositiveReduction;
  readonly metrics: readonly Metric[];
  readonly card: string;
  readonly quantization?: string;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: Json): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: Json): v is number => typeof v === 'number' && Number.isFinite(v);
const isRange = (v: Json): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every(isNumber) && v[0] <= v[1];
const isStrings = (v: Json): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * One problem of a manifest: the field it is about (`''` for the file as a whole) and an English sentence
 * that starts with that field, e.g. "input.slices must be an odd number ≥ 1".
 */
export interface ManifestIssue {
  readonly field: string;
  readonly message: string;
}

/** Every problem of a parsed manifest; none when it is valid. */
export function manifestIssues(json: Json): ManifestIssue[] {
  const errors: ManifestIssue[] = [];
  const need = (cond: boolean, field: string, rule: string): void => {
    if (!cond) errors.push({ field, message: `${field} ${rule}` });
  };
  if (!isObject(json)) return [{ field: '', message: 'the manifest must be a JSON object' }];
  need(json['schema'] === 'lucent.model/1', 'schema', 'must be "lucent.model/1"');
  for (const key of ['id', 'version', 'name', 'file', 'intendedUse', 'trainingData', 'card'])
    need(isString(json[key]), key, 'must be a non-empty string');
  need(
    isString(json['id']) && /^[a-z0-9][a-z0-9._-]*$/.test(json['id']),
    'id',
    'must be lower-case letters, digits, ".", "_" or "-"',
  );
  need(
    isString(json['sha256']) && /^[0-9a-f]{64}$/.test(json['sha256']),
    'sha256',
    'must be 64 lower-case hex digits',
  );
  need(isNumber(json['bytes']) && json['bytes'] > 0, 'bytes', 'must be a positive number');
  need(
    typeof json['task'] === 'string' &&
      ['detection', 'classification', 'segmentation'].includes(json['task']),
    'task',
    'must be detection, classification or segmentation',
  );
  const a = json['applicability'];
  if (!isObject(a)) need(false, 'applicability', 'must be an object');
  else {
    need(
      isStrings(a['modality']) && a['modality'].length > 0,
      'applicability.modality',
      'must list at least one modality',
    );
    need(isStrings(a['bodyPart']), 'applicability.bodyPart', 'must be a list (empty accepts any)');
    need(isRange(a['pixelSpacingMm']), 'applicability.pixelSpacingMm', 'must be [min, max]');
    need(isRange(a['sliceThicknessMm']), 'applicability.sliceThicknessMm', 'must be [min, max]');
    need(isNumber(a['minSlices']) && a['minSlices'] >= 1, 'applicability.minSlices', 'must be ≥ 1');
  }
  const i = json['input'];
  if (!isObject(i)) need(false, 'input', 'must be an object');
  else {
    need(isString(i['name']), 'input.name', 'must be a string');
    need(i['layout'] === 'NCHW', 'input.layout', 'must be "NCHW"');
    need(i['dtype'] === 'float32', 'input.dtype', 'must be "float32"');
    need(
      isNumber(i['slices']) && i['slices'] >= 1 && i['slices'] % 2 === 1,
      'input.slices',
      'must be an odd number ≥ 1',
    );
    need(
      isNumber(i['sliceSpacingMm']) && i['sliceSpacingMm'] > 0,
      'input.sliceSpacingMm',
      'must be positive',
    );
    need(
      isNumber(i['pixelSpacingMm']) && i['pixelSpacingMm'] > 0,
      'input.pixelSpacingMm',
      'must be positive',
    );
    const w = i['window'];
    need(
      isObject(w) && isNumber(w['lower']) && isNumber(w['upper']) && w['lower'] < w['upper'],
      'input.window',
      'must be {lower, upper} with lower < upper',
    );
    const n = i['normalize'];
    need(
      isObject(n) && isNumber(n['offset']) && isNumber(n['scale']) && n['scale'] !== 0,
      'input.normalize',
      'must be {offset, scale≠0}',
    );
    need(isNumber(i['multipleOf']) && i['multipleOf'] >= 1, 'input.multipleOf', 'must be ≥ 1');
    need(
      i['crop'] === 'lungs' || i['crop'] === 'lungs-per-batch' || i['crop'] === 'none',
      'input.crop',
      'must be "lungs", "lungs-per-batch" or "none"',
    );
  }
  const o = json['output'];
  if (!isObject(o)) need(false, 'output', 'must be an object');
  else if (o['decoder'] === 'centernet') {
    need(isNumber(o['stride']) && o['stride'] >= 1, 'output.stride', 'must be ≥ 1');
    for (const k of ['heatmap', 'size', 'offset'])
      need(isString(o[k]), `output.${k}`, 'must name a model output');
    const c = o['classes'];
    need(
      isObject(c) && isString(c['output']) && isStrings(c['labels']) && c['labels'].length > 0,
      'output.classes',
      'must be {output, labels}',
    );
    need(
      Array.isArray(o['attributes']) &&
        o['attributes'].every(
          (x) =>
            isObject(x) &&
            isString(x['name']) &&
            isString(x['output']) &&
            isStrings(x['labels']) &&
            (x['reported'] === undefined || typeof x['reported'] === 'boolean'),
        ),
      'output.attributes',
      'must be a list of {name, output, labels, reported?}',
    );
  } else if (o['decoder'] === 'yolo') {
    need(isString(o['output']), 'output.output', 'must name a model output');
    need(isStrings(o['labels']) && o['labels'].length > 0, 'output.labels', 'must list the classes');
    need(
      isNumber(o['iouThreshold']) && o['iouThreshold'] > 0 && o['iouThreshold'] < 1,
      'output.iouThreshold',
      'must be in (0, 1)',
    );
  } else if (o['decoder'] === 'classifier') {
    need(isString(o['output']), 'output.output', 'must name a model output');
    need(isStrings(o['labels']) && o['labels'].length > 0, 'output.labels', 'must list the classes');
    need(typeof o['softmax'] === 'boolean', 'output.softmax', 'must be true or false');
  } else {
    need(false, 'output.decoder', 'must be centernet, yolo or classifier');
  }
  need(
    isObject(json['labels']) && Object.values(json['labels']).every((v) => typeof v === 'string'),
    'labels',
    'must map model labels to finding types',
  );
  const op = json['operatingPoint'];
  need(
    isObject(op) && isNumber(op['score']) && op['score'] >= 0 && op['score'] <= 1,
    'operatingPoint.score',
    'must be in [0, 1]',
  );
  const fpr = json['falsePositiveReduction'];
  if (fpr !== undefined) {
    if (!isObject(fpr)) need(false, 'falsePositiveReduction', 'must be an object');
    else {
      need(
        o !== undefined && isObject(o) && o['decoder'] !== 'classifier',
        'falsePositiveReduction',
        'needs a detection model',
      );
      for (const k of ['file', 'input', 'output'])
        need(isString(fpr[k]), `falsePositiveReduction.${k}`, `must be a non-empty string`);
      need(
        isString(fpr['sha256']) && /^[0-9a-f]{64}$/.test(fpr['sha256']),
        'falsePositiveReduction.sha256',
        'must be 64 lower-case hex digits',
      );
      need(
        isNumber(fpr['bytes']) && fpr['bytes'] > 0,
        'falsePositiveReduction.bytes',
        'must be a positive number',
      );
      const p = fpr['patch'];
      need(
        Array.isArray(p) &&
          p.length === 3 &&
          p.every((v) => isNumber(v) && Number.isInteger(v) && v >= 1 && v <= 128 && v % 2 === 1),
        'falsePositiveReduction.patch',
        'must be [slices, rows, columns], odd integers from 1 to 127',
      );
      const sc = fpr['scales'];
      need(
        sc === undefined ||
          (Array.isArray(sc) &&
            sc.length >= 1 &&
            sc.length <= 4 &&
            sc.every((v) => isNumber(v) && Number.isInteger(v) && v >= 1 && v <= 4)),
        'falsePositiveReduction.scales',
        'must be 1 to 4 integers from 1 to 4',
      );
      need(
        isNumber(fpr['candidateScore']) && fpr['candidateScore'] >= 0 && fpr['candidateScore'] <= 1,
        'falsePositiveReduction.candidateScore',
        'must be in [0, 1]',
      );
      need(
        isNumber(fpr['maxCandidates']) &&
          Number.isInteger(fpr['maxCandidates']) &&
          fpr['maxCandidates'] >= 1 &&
          fpr['maxCandidates'] <= 1000,
        'falsePositiveReduction.maxCandidates',
        'must be an integer from 1 to 1000',
      );
      need(
        isNumber(fpr['weight']) && fpr['weight'] >= 0 && fpr['weight'] <= 1,
        'falsePositiveReduction.weight',
        'must be in [0, 1]',
      );
      const views = fpr['views'];
      need(
        views === undefined ||
          (isNumber(views) &&
            Number.isInteger(views) &&
            views >= 1 &&
            views <= 5 &&
            (views < 5 || (Array.isArray(p) && p[1] === p[2]))),
        'falsePositiveReduction.views',
        'must be an integer from 1 to 5 (5, the transposed view, needs a patch with as many rows as columns)',
      );
    }
  }
  need(
    Array.isArray(json['metrics']) &&
      json['metrics'].every((m) => isObject(m) && isString(m['name']) && isNumber(m['value'])),
    'metrics',
    'must be a list of {name, value}',
  );
  return errors;
}

/** Validate a parsed manifest. Errors name the field, e.g. "input.slices must be an odd number ≥ 1". */
export function validateManifest(json: Json): Result<Manifest, string[]> {
  const issues = manifestIssues(json);
  return issues.length > 0 ? err(issues.map((i) => i.message)) : ok(json as Manifest);
}
