/**
 * A language-model folder the user picks (in the browser, from their own disk), checked before anything
 * is loaded: the transformers.js layout (config.json, tokenizer.json, tokenizer_config.json, the ONNX file
 * `transformers.js_config.dtype` picks), JSON files that parse, an ONNX graph that takes `past_key_values`
 * inputs (a decoder exported with its key/value cache, which LocalModel's generation needs), and a size the
 * browser's runtime can hold. Each refusal is a `FolderProblem` with a code the UI translates.
 *
 * Only the files the model needs are read (a folder often holds several ONNX variants of one model): the
 * result carries their bytes, by path inside the folder, for the language-model worker.
 */
import { err, ok, type Result } from '../../lib/result';
import { configDtype, onnxFileFor } from './folder';

/**
 * The most a picked model may weigh (all the files it needs): onnxruntime-web's 32-bit WebAssembly memory
 * is 4 GiB, and it must hold the weights and the key/value cache beside them.
 */
export const LLM_FOLDER_MAX_BYTES = 2 * 1024 ** 3;

/** One file of the picked folder: its path as the browser gives it (`folder/onnx/model.onnx`) and size. */
export interface FolderEntry {
  readonly path: string;
  readonly bytes: number;
}

export type FolderProblem =
  | { readonly code: 'empty' }
  | { readonly code: 'no-config' }
  | { readonly code: 'bad-json'; readonly file: string }
  | { readonly code: 'no-tokenizer'; readonly file: string }
  | { readonly code: 'unknown-dtype'; readonly dtype: string }
  | { readonly code: 'no-onnx'; readonly file: string }
  | { readonly code: 'bad-onnx'; readonly file: string }
  | { readonly code: 'no-kv-cache'; readonly file: string }
  | { readonly code: 'too-large'; readonly bytes: number; readonly limit: number }
  | { readonly code: 'unreadable'; readonly file: string };

export interface CheckedFolder {
  /** The picked folder's own name, without any path above it. */
  readonly name: string;
  /** What the listed paths of its files start with (`picked/` or `picked/sub/model/`). */
  readonly root: string;
  /** The files the model needs, by path inside the folder. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Their size together. */
  readonly bytes: number;
  /** The ONNX file that runs, and the dtype that chose it. */
  readonly onnxFile: string;
  readonly dtype: string;
}

/** Reads one file by its path as listed; may throw or reject (a read that failed or took too long). */
export type ReadEntry = (path: string) => Promise<Uint8Array>;

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL_FILES = [
  'generation_config.json',
  'special_tokens_map.json',
  'manifest.json',
  'MODEL_CARD.md',
  'README.md',
];

function jsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Checks the picked folder and reads the files its model needs. `entries` is every file picked (paths
 * as the browser reports them, the picked folder's name first); the model's folder is the one holding the
 * shallowest config.json. Sizes are checked before the large files are read.
 */
export async function checkPickedFolder(
  entries: readonly FolderEntry[],
  read: ReadEntry,
): Promise<Result<CheckedFolder, FolderProblem>> {
  if (entries.length === 0) return err({ code: 'empty' });
  const config = entries
    .filter((e) => e.path === 'config.json' || e.path.endsWith('/config.json'))
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length)[0];
  if (!config) return err({ code: 'no-config' });
  const root = config.path.slice(0, config.path.length - 'config.json'.length);
  const inside = new Map<string, FolderEntry>();
  for (const e of entries) if (e.path.startsWith(root)) inside.set(e.path.slice(root.length), e);
  const segments = (root || (entries[0]?.path ?? '')).split('/').filter(Boolean);
  const name = (root ? segments[segments.length - 1] : segments.length > 1 ? segments[0] : null) ?? 'model';

  const files = new Map<string, Uint8Array>();
  const load = async (path: string): Promise<Uint8Array | null> => {
    const entry = inside.get(path);
    if (!entry) return null;
    try {
      const bytes = await read(entry.path);
      files.set(path, bytes);
      return bytes;
    } catch {
      return null;
    }
  };
  const loadJson = async (path: string): Promise<Result<Record<string, unknown>, FolderProblem>> => {
    const bytes = await load(path);
    if (!bytes) return err({ code: 'unreadable', file: path });
    const v = jsonObject(bytes);
    return v ? ok(v) : err({ code: 'bad-json', file: path });
  };

  const cfg = await loadJson('config.json');
  if (!cfg.ok) return cfg;
  for (const file of TOKENIZER_FILES) if (!inside.has(file)) return err({ code: 'no-tokenizer', file });
  const dtype = configDtype(cfg.value);
  let onnxFile: string;
  try {
    onnxFile = onnxFileFor(dtype);
  } catch {
    return err({ code: 'unknown-dtype', dtype: dtype.slice(0, 40) });
  }
  if (!inside.has(onnxFile)) return err({ code: 'no-onnx', file: onnxFile });

  // A Lucent manifest names files whose checksums the worker checks: they travel too.
  let manifestFiles: string[] = [];
  if (inside.has('manifest.json')) {
    const manifest = await loadJson('manifest.json');
    if (!manifest.ok) return manifest;
    const listed = manifest.value.files;
    if (typeof listed === 'object' && listed !== null) manifestFiles = Object.keys(listed);
  }
  const externalData = [...inside.keys()].filter((p) => p.startsWith(`${onnxFile}_data`));
  const needed = [
    ...new Set([
      'config.json',
      ...TOKENIZER_FILES,
      ...OPTIONAL_FILES,
      ...manifestFiles,
      onnxFile,
      ...externalData,
    ]),
  ].filter((p) => inside.has(p));
  const bytes = needed.reduce((sum, p) => sum + (inside.get(p)?.bytes ?? 0), 0);
  if (bytes > LLM_FOLDER_MAX_BYTES) return err({ code: 'too-large', bytes, limit: LLM_FOLDER_MAX_BYTES });

  for (const file of TOKENIZER_FILES) {
    const v = await loadJson(file);
    if (!v.ok) return v;
  }
  for (const path of needed) {
    if (files.has(path)) continue;
    if (!(await load(path))) return err({ code: 'unreadable', file: path });
    if (path.endsWith('.json') && !jsonObject(files.get(path) ?? new Uint8Array()))
      return err({ code: 'bad-json', file: path });
  }
  const inputs = onnxInputNames(files.get(onnxFile) ?? new Uint8Array());
  if (!inputs) return err({ code: 'bad-onnx', file: onnxFile });
  if (!inputs.some((n) => n.startsWith('past_key_values')))
    return err({ code: 'no-kv-cache', file: onnxFile });
  return ok({ name, root, files, bytes, onnxFile, dtype });
}

/** A protobuf field: its number, and the bytes of a length-delimited value (start, end). */
interface Field {
  readonly no: number;
  readonly wire: number;
  readonly start: number;
  readonly end: number;
}

/** The fields of a protobuf message between `start` and `end`; throws on bytes that are not one. */
function* fields(b: Uint8Array, start: number, end: number): Generator<Field> {
  let at = start;
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= end) throw new Error('truncated varint');
      const byte = b[at++] ?? 0;
      v += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return v;
      scale *= 128;
    }
    throw new Error('varint too long');
  };
  while (at < end) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (no === 0) throw new Error('field 0');
    if (wire === 0) {
      varint();
      yield { no, wire, start: at, end: at };
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      if (at > end) throw new Error('truncated fixed');
      yield { no, wire, start: at, end: at };
    } else if (wire === 2) {
      const length = varint();
      const s = at;
      at += length;
      if (at > end) throw new Error('truncated bytes');
      yield { no, wire, start: s, end: at };
    } else throw new Error(`wire type ${wire}`);
  }
}

/**
 * The names of an ONNX model's graph inputs (ModelProto.graph = 7, GraphProto.input = 11,
 * ValueInfoProto.name = 1), read from the protobuf without decoding the weights; null when the bytes
 * are not an ONNX model with a graph.
 */
export function onnxInputNames(bytes: Uint8Array): string[] | null {
  try {
    let graph: Field | null = null;
    for (const f of fields(bytes, 0, bytes.length)) if (f.no === 7 && f.wire === 2) graph = f;
    if (!graph) return null;
    const names: string[] = [];
    const text = new TextDecoder();
    for (const f of fields(bytes, graph.start, graph.end)) {
      if (f.no !== 11 || f.wire !== 2) continue;
      for (const g of fields(bytes, f.start, f.end))
        if (g.no === 1 && g.wire === 2) names.push(text.decode(bytes.subarray(g.start, g.end)));
    }
    return names;
  } catch {
    return null;
  }
}
