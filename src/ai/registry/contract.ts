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

/** What is expected of one tensor: its rank and the fixed sizes of some axes. */
interface Expect {
  readonly what: string;
  readonly name: string;
  readonly rank: number;
  readonly axes: readonly { readonly axis: number; readonly size: number; readonly meaning: string }[];
}

function check(list: readonly IoMeta[], e: Expect, problems: string[]): void {
  const t = list.find((m) => m.name === e.name);
  if (!t) {
    const names = list.map((m) => `"${m.name}"`).join(', ') || 'none';
    problems.push(`it has no ${e.what} named "${e.name}" (it has ${names})`);
    return;
  }
  if (!t.isTensor || (t.type !== undefined && t.type !== 'float32')) {
    problems.push(
      `${e.what} "${e.name}" is ${t.isTensor ? `${t.type ?? 'an unknown type'}` : 'not a tensor'}, not float32`,
    );
    return;
  }
  const shape = t.shape;
  if (!shape) return;
  if (shape.length !== e.rank) {
    problems.push(`${e.what} "${e.name}" has ${shape.length} dimensions, the manifest needs ${e.rank}`);
    return;
  }
  for (const a of e.axes) {
    const size = shape[a.axis];
    if (typeof size === 'number' && size !== a.size) {
      problems.push(`${e.what} "${e.name}" has ${size} ${a.meaning}, the manifest says ${a.size}`);
    }
  }
}

/** The model file's inputs and outputs against its manifest: a list of problems, empty when they agree. */
export function modelContractProblems(m: Manifest, session: SessionIo): string[] {
  const inputs = described(session.inputNames, session.inputMetadata);
  const outputs = described(session.outputNames, session.outputMetadata);
  const problems: string[] = [];
  check(
    inputs,
    {
      what: 'input',
      name: m.input.name,
      rank: 4,
      axes: [{ axis: 1, size: m.input.slices, meaning: 'channels (slices)' }],
    },
    problems,
  );
  const o = m.output;
  const map = (name: string, channels: number, meaning: string): Expect => ({
    what: 'output',
    name,
    rank: 4,
    axes: [{ axis: 1, size: channels, meaning }],
  });
  if (o.decoder === 'centernet') {
    check(outputs, map(o.heatmap, 1, 'channels'), problems);
    check(outputs, map(o.size, 1, 'channels'), problems);
    check(outputs, map(o.offset, 2, 'channels'), problems);
    check(outputs, map(o.classes.output, o.classes.labels.length, 'classes'), problems);
    for (const a of o.attributes)
      check(outputs, map(a.output, a.labels.length, `${a.name} classes`), problems);
  } else if (o.decoder === 'yolo') {
    check(
      outputs,
      {
        what: 'output',
        name: o.output,
        rank: 3,
        axes: [{ axis: 2, size: 5 + o.labels.length, meaning: 'values per box (5 + classes)' }],
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

/** The false-positive reduction file against the manifest's `falsePositiveReduction`. */
export function classifierContractProblems(f: FalsePositiveReduction, session: SessionIo): string[] {
  const inputs = described(session.inputNames, session.inputMetadata);
  const outputs = described(session.outputNames, session.outputMetadata);
  const problems: string[] = [];
  const [d, h, w] = f.patch;
  check(
    inputs,
    {
      what: 'input',
      name: f.input,
      rank: 5,
      axes: [
        { axis: 1, size: (f.scales ?? [1]).length, meaning: 'channels (scales)' },
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
      axes: [{ axis: 1, size: 1, meaning: 'values per candidate' }],
    },
    problems,
  );
  return problems;
}

/** One sentence for a refused file, or null when it keeps its manifest's promises. */
export function contractMessage(modelId: string, file: string, problems: readonly string[]): string | null {
  return problems.length
    ? `${modelId}: ${file} does not match its manifest: ${problems.join('; ')}. Refusing to run it.`
    : null;
}

/**
 * Why a model's sessions break its manifest's promises (the model file first, then its second stage's), in
 * one sentence, or null when they keep them. Both hosts call this after creating their sessions.
 */
export function refusal(m: Manifest, model: SessionIo, classifier: SessionIo | null): string | null {
  const f = m.falsePositiveReduction;
  return (
    contractMessage(m.id, m.file, modelContractProblems(m, model)) ??
    (f && classifier ? contractMessage(m.id, f.file, classifierContractProblems(f, classifier)) : null)
  );
}
