// models/manifest.schema.json and validateManifest must agree: every committed manifest passes both, and
// each broken variant of a valid manifest fails both, naming the same field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { validateManifest } from './manifest';

type Obj = Record<string, unknown>;

const root = resolve(import.meta.dirname, '../../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** A language model's folder (models/report-demo): its manifest is lucent.llm/1, not a vision manifest. */
const isLanguageModel = (path: string): boolean =>
  (readJson(path) as { schema?: unknown }).schema === 'lucent.llm/1';

/** `<dir>/<folder>/manifest.json` for each folder under `dir` that has a vision model's manifest. */
const manifestsIn = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(dir, e.name, 'manifest.json'))
        .filter((p) => existsSync(p) && !isLanguageModel(p))
        .sort()
    : [];

/** Dotted paths (e.g. "input.slices") of the fields the schema rejected. */
const schemaFields = (errors: readonly ErrorObject[]): string[] =>
  errors.map((e) => {
    const path = e.instancePath.split('/').slice(1);
    const missing = (e.params as { missingProperty?: unknown }).missingProperty;
    if (typeof missing === 'string') path.push(missing);
    return path.join('.');
  });

const yolo = (): Obj => readJson(join(root, 'models/examples/yolo-detector/manifest.json')) as Obj;
const classifier = (): Obj => readJson(join(root, 'models/examples/classifier/manifest.json')) as Obj;
/** The committed CenterNet model's manifest, as models/training/finalize.mjs writes it (optional fields included). */
const centernet = (): Obj => readJson(join(root, 'models/lung-nodule-ct/manifest.json')) as Obj;

/** The CenterNet manifest with a false-positive reduction stage (the second model file). */
const twoStage = (): Obj => ({
  ...centernet(),
  falsePositiveReduction: {
    file: 'fpr.onnx',
    sha256: 'a'.repeat(64),
    bytes: 1000,
    input: 'patch',
    patch: [15, 31, 31],
    output: 'probability',
    candidateScore: 0.05,
    maxCandidates: 64,
    weight: 0.5,
  },
});

/** The object holding the last key of a dotted path, and that key. */
const parent = (m: Obj, path: string): [Obj, string] => {
  const keys = path.split('.');
  const last = keys.pop() as string;
  return [keys.reduce((o, k) => o[k] as Obj, m), last];
};
const set =
  (path: string, value: unknown) =>
  (m: Obj): Obj => {
    const [o, k] = parent(m, path);
    o[k] = value;
    return m;
  };
const del =
  (path: string) =>
  (m: Obj): Obj => {
    const [o, k] = parent(m, path);
    delete o[k];
    return m;
  };

type Variant = readonly [what: string, field: string, base: () => Obj, breakIt: (m: Obj) => unknown];

/**
 * Broken variants of valid manifests, each with the field both checks must name. Left out because JSON
 * Schema cannot express them: a range with min > max and an input.window with lower >= upper.
 */
const broken: readonly Variant[] = [
  ['not an object', '', yolo, () => ['lucent.model/1']],
  ['null', '', yolo, () => null],
  ['missing id', 'id', yolo, del('id')],
  ['upper-case id', 'id', yolo, set('id', 'Example-YOLO')],
  ['id starting with "-"', 'id', yolo, set('id', '-yolo')],
  ['bad schema string', 'schema', yolo, set('schema', 'lucent.model/2')],
  ['missing schema', 'schema', yolo, del('schema')],
  ['empty name', 'name', yolo, set('name', '')],
  ['numeric version', 'version', yolo, set('version', 1)],
  ['missing file', 'file', yolo, del('file')],
  ['missing intendedUse', 'intendedUse', yolo, del('intendedUse')],
  ['empty trainingData', 'trainingData', yolo, set('trainingData', '')],
  ['missing card', 'card', yolo, del('card')],
  ['sha256 too short', 'sha256', yolo, set('sha256', 'abc')],
  ['sha256 upper-case', 'sha256', yolo, (m) => set('sha256', String(m['sha256']).toUpperCase())(m)],
  ['sha256 not hex', 'sha256', yolo, set('sha256', 'g'.repeat(64))],
  ['zero bytes', 'bytes', yolo, set('bytes', 0)],
  ['bytes as a string', 'bytes', yolo, set('bytes', '1800')],
  ['wrong task', 'task', yolo, set('task', 'regression')],
  ['missing task', 'task', yolo, del('task')],
  ['missing applicability', 'applicability', yolo, del('applicability')],
  ['no modality', 'applicability.modality', yolo, set('applicability.modality', [])],
  ['modality not strings', 'applicability.modality', yolo, set('applicability.modality', [1])],
  ['bodyPart not a list', 'applicability.bodyPart', yolo, set('applicability.bodyPart', 'CHEST')],
  ['one-item range', 'applicability.pixelSpacingMm', yolo, set('applicability.pixelSpacingMm', [1])],
  [
    'three-item range',
    'applicability.sliceThicknessMm',
    yolo,
    set('applicability.sliceThicknessMm', [0.5, 1, 6]),
  ],
  [
    'range of strings',
    'applicability.pixelSpacingMm',
    yolo,
    set('applicability.pixelSpacingMm', ['0.3', '3']),
  ],
  ['range not a list', 'applicability.sliceThicknessMm', yolo, set('applicability.sliceThicknessMm', 1)],
  ['zero minSlices', 'applicability.minSlices', yolo, set('applicability.minSlices', 0)],
  ['input not an object', 'input', yolo, set('input', 'images')],
  ['missing input.name', 'input.name', yolo, del('input.name')],
  ['NHWC layout', 'input.layout', yolo, set('input.layout', 'NHWC')],
  ['float16 dtype', 'input.dtype', yolo, set('input.dtype', 'float16')],
  ['even input.slices', 'input.slices', yolo, set('input.slices', 4)],
  ['zero input.slices', 'input.slices', yolo, set('input.slices', 0)],
  ['negative odd input.slices', 'input.slices', yolo, set('input.slices', -1)],
  ['fractional input.slices', 'input.slices', yolo, set('input.slices', 2.5)],
  ['zero slice spacing', 'input.sliceSpacingMm', yolo, set('input.sliceSpacingMm', 0)],
  ['negative pixel spacing', 'input.pixelSpacingMm', yolo, set('input.pixelSpacingMm', -1)],
  ['window without upper', 'input.window', yolo, del('input.window.upper')],
  ['window bound a string', 'input.window', yolo, set('input.window.lower', '-1000')],
  ['zero normalize.scale', 'input.normalize', yolo, set('input.normalize.scale', 0)],
  ['normalize without offset', 'input.normalize', yolo, del('input.normalize.offset')],
  ['zero multipleOf', 'input.multipleOf', yolo, set('input.multipleOf', 0)],
  ['unknown crop', 'input.crop', yolo, set('input.crop', 'body')],
  ['output not an object', 'output', yolo, set('output', [])],
  ['unknown decoder', 'output.decoder', yolo, set('output.decoder', 'magic')],
  ['missing decoder', 'output', yolo, del('output.decoder')],
  ['yolo labels not a list', 'output.labels', yolo, set('output.labels', 'blob')],
  ['yolo without labels', 'output.labels', yolo, set('output.labels', [])],
  ['yolo without output', 'output.output', yolo, del('output.output')],
  ['yolo iouThreshold 1', 'output.iouThreshold', yolo, set('output.iouThreshold', 1)],
  ['yolo iouThreshold 0', 'output.iouThreshold', yolo, set('output.iouThreshold', 0)],
  ['negative centernet stride', 'output.stride', centernet, set('output.stride', -1)],
  ['centernet without heatmap', 'output.heatmap', centernet, del('output.heatmap')],
  ['centernet empty size', 'output.size', centernet, set('output.size', '')],
  ['centernet without offset', 'output.offset', centernet, del('output.offset')],
  ['centernet without class labels', 'output.classes', centernet, set('output.classes.labels', [])],
  ['centernet classes not an object', 'output.classes', centernet, set('output.classes', 'type')],
  ['centernet attribute without labels', 'output.attributes', centernet, del('output.attributes.0.labels')],
  ['centernet attributes not a list', 'output.attributes', centernet, set('output.attributes', {})],
  ['centernet without attributes', 'output.attributes', centernet, del('output.attributes')],
  [
    'centernet attribute reported not boolean',
    'output.attributes',
    centernet,
    set('output.attributes.0.reported', 'no'),
  ],
  ['fpr not an object', 'falsePositiveReduction', twoStage, set('falsePositiveReduction', 'fpr.onnx')],
  ['fpr without file', 'falsePositiveReduction.file', twoStage, del('falsePositiveReduction.file')],
  ['fpr bad sha256', 'falsePositiveReduction.sha256', twoStage, set('falsePositiveReduction.sha256', 'x')],
  ['fpr zero bytes', 'falsePositiveReduction.bytes', twoStage, set('falsePositiveReduction.bytes', 0)],
  ['fpr without input', 'falsePositiveReduction.input', twoStage, del('falsePositiveReduction.input')],
  ['fpr 2D patch', 'falsePositiveReduction.patch', twoStage, set('falsePositiveReduction.patch', [31, 31])],
  [
    'fpr fractional patch',
    'falsePositiveReduction.patch',
    twoStage,
    set('falsePositiveReduction.patch', [15, 31.5, 31]),
  ],
  ['fpr without output', 'falsePositiveReduction.output', twoStage, del('falsePositiveReduction.output')],
  [
    'fpr candidate score 2',
    'falsePositiveReduction.candidateScore',
    twoStage,
    set('falsePositiveReduction.candidateScore', 2),
  ],
  [
    'fpr zero candidates',
    'falsePositiveReduction.maxCandidates',
    twoStage,
    set('falsePositiveReduction.maxCandidates', 0),
  ],
  [
    'fpr weight above 1',
    'falsePositiveReduction.weight',
    twoStage,
    set('falsePositiveReduction.weight', 1.2),
  ],
  ['fpr six views', 'falsePositiveReduction.views', twoStage, set('falsePositiveReduction.views', 6)],
  [
    'fpr fractional views',
    'falsePositiveReduction.views',
    twoStage,
    set('falsePositiveReduction.views', 2.5),
  ],
  ['classifier softmax not boolean', 'output.softmax', classifier, set('output.softmax', 'yes')],
  ['classifier without softmax', 'output.softmax', classifier, del('output.softmax')],
  ['classifier labels not a list', 'output.labels', classifier, set('output.labels', { 0: 'lung' })],
  ['labels not a map', 'labels', yolo, set('labels', ['solid'])],
  ['label mapped to a number', 'labels', yolo, set('labels', { blob: 1 })],
  ['missing labels', 'labels', yolo, del('labels')],
  ['operating point above 1', 'operatingPoint.score', yolo, set('operatingPoint.score', 1.5)],
  ['operating point below 0', 'operatingPoint.score', yolo, set('operatingPoint.score', -0.1)],
  ['missing operating point', 'operatingPoint', yolo, del('operatingPoint')],
  ['metrics not a list', 'metrics', yolo, set('metrics', {})],
  ['metric without value', 'metrics', yolo, set('metrics', [{ name: 'auc' }])],
  ['metric with empty name', 'metrics', yolo, set('metrics', [{ name: '', value: 0.9 }])],
  ['metric value a string', 'metrics', yolo, set('metrics', [{ name: 'auc', value: '0.9' }])],
];

describe('models/manifest.schema.json', () => {
  const schema = readJson(join(root, 'models/manifest.schema.json')) as Obj;
  // Strict mode makes unknown keywords, keywords without their type and loose tuples compile errors.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: true, strictTuples: true });
  const validate = ajv.compile(schema);

  const check = (json: unknown): { schema: string[] | null; validator: string[] | null } => {
    const r = validateManifest(json);
    return {
      schema: validate(json) ? null : schemaFields(validate.errors ?? []),
      validator: r.ok ? null : r.error,
    };
  };

  it('is a draft 2020-12 schema for lucent.model/1', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe('https://lucent.invalid/schema/lucent.model-1.json');
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  const committed = [...manifestsIn(join(root, 'models')), ...manifestsIn(join(root, 'models/examples'))];

  it('finds the committed example manifests', () => {
    expect(committed.map((p) => relative(root, p))).toEqual(
      expect.arrayContaining([
        'models/examples/classifier/manifest.json',
        'models/examples/yolo-detector/manifest.json',
        'models/lung-nodule-ct/manifest.json',
      ]),
    );
  });

  it.each(committed.map((p) => [relative(root, p), p]))('accepts %s, as validateManifest does', (_, path) => {
    expect(check(readJson(path))).toEqual({ schema: null, validator: null });
  });

  it.each([
    ['yolo', yolo],
    ['classifier', classifier],
    ['centernet (with the optional fields)', centernet],
    ['two-stage (false-positive reduction)', twoStage],
  ])('accepts a valid %s manifest, as validateManifest does', (_, base) => {
    expect(check(base())).toEqual({ schema: null, validator: null });
  });

  it('accepts each crop mode, as validateManifest does', () => {
    for (const crop of ['lungs', 'lungs-per-batch', 'none'])
      expect(check(set('input.crop', crop)(centernet()))).toEqual({ schema: null, validator: null });
  });

  it('accepts extra properties, as validateManifest does', () => {
    expect(check({ ...yolo(), extra: { anything: true } })).toEqual({ schema: null, validator: null });
  });

  it('has enough broken variants', () => {
    expect(broken.length).toBeGreaterThanOrEqual(10);
  });

  it.each(broken)('rejects %s (%s), as validateManifest does', (_, field, base, breakIt) => {
    const r = check(breakIt(base()));
    expect(r.schema, 'the schema accepted it').not.toBeNull();
    expect(r.validator, 'validateManifest accepted it').not.toBeNull();
    expect(r.schema?.some((f) => f === field || f.startsWith(`${field}.`) || field === '')).toBe(true);
    expect(r.validator?.some((m) => m.startsWith(field))).toBe(true);
  });

  // Rules validateManifest has that JSON Schema cannot express (comparisons between two values of the
  // manifest); the schema says so in $comment. If this starts failing, the schema learned the rule: move
  // the case into `broken`.
  it.each<Variant>([
    [
      'inverted pixelSpacingMm',
      'applicability.pixelSpacingMm',
      yolo,
      set('applicability.pixelSpacingMm', [3, 0.3]),
    ],
    [
      'inverted sliceThicknessMm',
      'applicability.sliceThicknessMm',
      yolo,
      set('applicability.sliceThicknessMm', [6, 1]),
    ],
    ['window lower = upper', 'input.window', yolo, set('input.window', { lower: 0, upper: 0 })],
    [
      'even patch size',
      'falsePositiveReduction.patch',
      twoStage,
      set('falsePositiveReduction.patch', [16, 31, 31]),
    ],
    [
      'transposed view of a patch that is not square',
      'falsePositiveReduction.views',
      twoStage,
      (m) => set('falsePositiveReduction.views', 5)(set('falsePositiveReduction.patch', [15, 31, 21])(m)),
    ],
  ])('cannot express: %s (%s) is rejected only by validateManifest', (_, field, base, breakIt) => {
    const r = check(breakIt(base()));
    expect(r.schema).toBeNull();
    expect(r.validator?.some((m) => m.startsWith(field))).toBe(true);
  });
});
