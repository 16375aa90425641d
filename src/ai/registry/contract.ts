/**
 * Does an ONNX file keep its manifest's promises? A model folder can lie: the checksum may be right for a
 * file whose inputs and outputs are not the ones the manifest describes (another export, another number of
 * slices or classes). Each host reads its session's input and output metadata and asks this module, before
 * any image is run, so that such a model is refused with its reason instead of failing mid-sweep or,
 * worse, decoding the wrong channels as findings.
 *
 * Dimensions the file leaves symbolic (batch, height, width) are not checked; fixed ones must agree.
 */
import type { FalsePositiveReduction, Manifest } from './manifest';

/** One input or output as onnxruntime describes it (`session.inputMetadata` / `outputMetadata`). */
export interface IoMeta {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

/** A session's inputs and outputs; the metadata may be missing in older runtimes (then names only). */
export interface SessionIo {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly IoMeta[];
  readonly outputMetadata?: readonly IoMeta[];
}

const described = (names: readonly string[], meta: readonly IoMeta[] | undefined): readonly IoMeta[] =>
  meta && meta.length === names.length ? meta : names.map((name) => ({ name, isTensor: true }));

/**
 * What an axis of a tensor counts, as a code: the UI words it in its language, {@link problemText} in
 * English (`attribute-classes` are the classes of the attribute named in the problem's `attribute`).
 */
export type ContractAxis =
  | 'slice-channels'
  | 'channels'
  | 'classes'
  | 'attribute-classes'
  | 'box-values'
  | 'scale-channels'
  | 'slices'
  | 'rows'
  | 'columns'
  | 'candidate-values';

const AXIS_WORDS: Record<ContractAxis, string> = {
  'slice-channels': 'channels (slices)',
  channels: 'channels',
  classes: 'classes',
  'attribute-classes': 'classes',
  'box-values': 'values per box (5 + classes)',
  'scale-channels': 'channels (scales)',
  slices: 'slices',
  rows: 'rows',
  columns: 'columns',
  'candidate-values': 'values per candidate',
};

/** One broken promise of a model file: its kind, the tensor, and the numbers or names involved. */
export type ContractProblem = {
  readonly tensor: 'input' | 'output';
  readonly name: string;
} & (
  | { readonly kind: 'missing'; readonly has: readonly string[] }
  | { readonly kind: 'not-tensor' }
  | { readonly kind: 'type'; readonly type: string }
  | { readonly kind: 'rank'; readonly actual: number; readonly expected: number }
  | {
      readonly kind: 'size';
      readonly axis: ContractAxis;
      readonly attribute?: string;
      readonly actual: number;
      readonly expected: number;
    }
);

/** A problem in English, as the CLI prints it. */
export function problemText(p: ContractProblem): string {
  const what = `${p.tensor} "${p.name}"`;
  switch (p.kind) {
    case 'missing':
      return `it has no ${p.tensor} named "${p.name}" (it has ${p.has.map((n) => `"${n}"`).join(', ') || 'none'})`;
    case 'not-tensor':
      return `${what} is not a tensor, not float32`;
    case 'type':
      return `${what} is ${p.type}, not float32`;
    case 'rank':
      return `${what} has ${p.actual} dimensions, the manifest needs ${p.expected}`;
    case 'size': {
      const counted = p.attribute ? `${p.attribute} ${AXIS_WORDS[p.axis]}` : AXIS_WORDS[p.axis];
      return `${what} has ${p.actual} ${counted}, the manifest says ${p.expected}`;
    }
  }
}

/** What is expected of one tensor: its rank and the fixed sizes of some axes. */
interface Expect {
  readonly what: 'input' | 'output';
  readonly name: string;
  readonly rank: number;
  readonly axes: readonly {
    readonly axis: number;
    readonly size: number;
    readonly meaning: ContractAxis;
    readonly attribute?: string;
  }[];
}

function check(list: readonly IoMeta[], e: Expect, problems: ContractProblem[]): void {
  const base = { tensor: e.what, name: e.name };
  const t = list.find((m) => m.name === e.name);
  if (!t) {
    problems.push({ ...base, kind: 'missing', has: list.map((m) => m.name) });
    return;
  }
  if (!t.isTensor) {
    problems.push({ ...base, kind: 'not-tensor' });
    return;
  }
  if (t.type !== undefined && t.type !== 'float32') {
    problems.push({ ...base, kind: 'type', type: t.type });
    return;
  }
  const shape = t.shape;
  if (!shape) return;
  if (shape.length !== e.rank) {
    problems.push({ ...base, kind: 'rank', actual: shape.length, expected: e.rank });
    return;
  }
  for (const a of e.axes) {
    const size = shape[a.axis];
    if (typeof size === 'number' && size !== a.size) {
      problems.push({
        ...base,
        kind: 'size',
        axis: a.meaning,
        ...(a.attribute ? { attribute: a.attribute } : {}),
        actual: size,
        expected: a.size,
      });
    }
  }
}

/** The model file's inputs and outputs against its manifest: its broken promises, none when they agree. */
export function modelContractIssues(m: Manifest, session: SessionIo): ContractProblem[] {
  const inputs = described(session.inputNames, session.inputMetadata);
  const outputs = described(session.outputNames, session.outputMetadata);
  const problems: ContractProblem[] = [];
  check(
    inputs,
    {
      what: 'input',
      name: m.input.name,
      rank: 4,
      axes: [{ axis: 1, size: m.input.slices, meaning: 'slice-channels' }],
    },
    problems,
  );
  const o = m.output;
  const map = (name: string, channels: number, meaning: ContractAxis, attribute?: string): Expect => ({
    what: 'output',
    name,
    rank: 4,
    axes: [{ axis: 1, size: channels, meaning, ...(attribute ? { attribute } : {}) }],
  });
  if (o.decoder === 'centernet') {
    check(outputs, map(o.heatmap, 1, 'channels'), problems);
    check(outputs, map(o.size, 1, 'channels'), problems);
    check(outputs, map(o.offset, 2, 'channels'), problems);
    check(outputs, map(o.classes.output, o.classes.labels.length, 'classes'), problems);
    for (const a of o.attributes)
      check(outputs, map(a.output, a.labels.length, 'attribute-classes', a.name), problems);
  } else if (o.decoder === 'yolo') {
    check(
      outputs,
      {
        what: 'output',
        name: o.output,
        rank: 3,
        axes: [{ axis: 2, size: 5 + o.labels.length, meaning: 'box-values' }],
      },
      problems,
    );
  } else {
    check(
      outputs,
      {
        what: 'output',
        name: o.output,
        rank: 2,
        axes: [{ axis: 1, size: o.labels.length, meaning: 'classes' }],
      },
      problems,
    );
  }
  return problems;
}

/** The model file's broken promises in English: a list of problems, empty when they agree. */
export function modelContractProblems(m: Manifest, session: SessionIo): string[] {
  return modelContractIssues(m, session).map(problemText);
}

/** The false-positive reduction file against the manifest's `falsePositiveReduction`. */
export function classifierContractIssues(f: FalsePositiveReduction, session: SessionIo): ContractProblem[] {
  const inputs = described(session.inputNames, session.inputMetadata);
  const outputs = described(session.outputNames, session.outputMetadata);
  const problems: ContractProblem[] = [];
  const [d, h, w] = f.patch;
  check(
    inputs,
    {
      what: 'input',
      name: f.input,
      rank: 5,
      axes: [
        { axis: 1, size: (f.scales ?? [1]).length, meaning: 'scale-channels' },
        { axis: 2, size: d, meaning: 'slices' },
        { axis: 3, size: h, meaning: 'rows' },
        { axis: 4, size: w, meaning: 'columns' },
      ],
    },
    problems,
  );
  check(
    outputs,
    {
      what: 'output',
      name: f.output,
      rank: 2,
      axes: [{ axis: 1, size: 1, meaning: 'candidate-values' }],
    },
    problems,
  );
  return problems;
}

/** The same in English. */
export function classifierContractProblems(f: FalsePositiveReduction, session: SessionIo): string[] {
  return classifierContractIssues(f, session).map(problemText);
}

/**
 * A refused file: one English sentence (the CLI and the logs), and its first problem as flat detail for the
 * UI to word (`model`, `file`, `kind`, `tensor`, `name`, the numbers, and `more`: how many other problems).
 */
export interface ContractRefusal {
  readonly message: string;
  readonly detail: Readonly<Record<string, string | number>>;
}

function refused(
  modelId: string,
  file: string,
  problems: readonly ContractProblem[],
): ContractRefusal | null {
  const [first] = problems;
  if (!first) return null;
  // A missing tensor lists the names the file has instead (kind `missing-none` when it has none).
  const flat =
    first.kind !== 'missing'
      ? first
      : first.has.length > 0
        ? { ...first, has: first.has.map((n) => `"${n}"`).join(', ') }
        : { tensor: first.tensor, name: first.name, kind: 'missing-none' };
  return {
    message: `${modelId}: ${file} does not match its manifest: ${problems.map(problemText).join('; ')}. Refusing to run it.`,
    detail: { model: modelId, file, ...flat, more: problems.length - 1 },
  };
}

/**
 * Why a model's sessions break its manifest's promises (the model file first, then its second stage's), or
 * null when they keep them. Both hosts call this after creating their sessions.
 */
export function contractRefusal(
  m: Manifest,
  model: SessionIo,
  classifier: SessionIo | null,
): ContractRefusal | null {
  const f = m.falsePositiveReduction;
  return (
    refused(m.id, m.file, modelContractIssues(m, model)) ??
    (f && classifier ? refused(m.id, f.file, classifierContractIssues(f, classifier)) : null)
  );
}

/** {@link contractRefusal}'s sentence alone. */
export function refusal(m: Manifest, model: SessionIo, classifier: SessionIo | null): string | null {
  return contractRefusal(m, model, classifier)?.message ?? null;
}
