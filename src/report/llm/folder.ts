/**
 * A language-model folder in the transformers.js layout, read the same way in both hosts (Node reads the
 * file system, the browser the folder the user picked or the app's own /models/): config.json,
 * tokenizer.json and tokenizer_config.json, and onnx/model*.onnx as `transformers.js_config.dtype`
 * picks it. A Lucent manifest.json, when present, names the model and gives each file's SHA-256, which
 * is checked; MODEL_CARD.md or README.md is the card.
 */
import { sha256Hex } from '../../lib/hash';
import { LlmError, type LlmModelInfo } from './types';

export interface ModelFolder {
  /** The folder's name (the model id when there is no manifest). */
  readonly name: string;
  /** A file's bytes by its path inside the folder, or null when it is not there. */
  read(path: string): Promise<Uint8Array | null>;
}

/** The ONNX file transformers.js loads for a dtype (its own suffix table). */
export function onnxFileFor(dtype: string): string {
  const suffix: Record<string, string> = {
    fp32: '',
    auto: '',
    fp16: '_fp16',
    int8: '_int8',
    uint8: '_uint8',
    q8: '_quantized',
    q4: '_q4',
    q4f16: '_q4f16',
    bnb4: '_bnb4',
  };
  const s = suffix[dtype];
  if (s === undefined)
    throw new LlmError('llm-folder', `config.json names an unknown dtype "${dtype}".`, {
      kind: 'unknown-dtype',
      dtype,
    });
  return `onnx/model${s}.onnx`;
}

interface LucentManifest {
  readonly id?: string;
  readonly name?: string;
  readonly version?: string;
  readonly demo?: boolean;
  readonly files?: Readonly<Record<string, { readonly sha256?: string; readonly bytes?: number }>>;
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function json(bytes: Uint8Array, file: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text(bytes));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new LlmError('llm-folder', `${file} is not a JSON object.`, { kind: 'not-json', file });
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The dtype config.json pins under `transformers.js_config.dtype` (fp32 when it pins none). */
export function configDtype(config: Readonly<Record<string, unknown>>): string {
  const tjs = config['transformers.js_config'];
  return typeof tjs === 'object' && tjs !== null
    ? (str((tjs as Record<string, unknown>).dtype) ?? 'fp32')
    : 'fp32';
}

/**
 * Checks the folder and describes the model: every file it needs is there, every checksum the manifest
 * gives matches. Throws an LlmError naming the missing or wrong file.
 */
export async function describeFolder(folder: ModelFolder): Promise<LlmModelInfo> {
  const need = async (path: string): Promise<Uint8Array> => {
    const b = await folder.read(path);
    if (!b)
      throw new LlmError(
        'llm-folder',
        `The model folder "${folder.name}" has no ${path} (a transformers.js model folder has config.json, tokenizer.json, tokenizer_config.json and onnx/model*.onnx).`,
        { kind: 'missing-file', name: folder.name, file: path },
      );
    return b;
  };
  const config = json(await need('config.json'), 'config.json');
  await need('tokenizer.json');
  await need('tokenizer_config.json');
  const dtype = configDtype(config);
  const file = onnxFileFor(dtype);
  const onnx = await need(file);
  const manifestBytes = await folder.read('manifest.json');
  const manifest = manifestBytes ? (json(manifestBytes, 'manifest.json') as LucentManifest) : null;
  const sha256 = await sha256Hex(onnx);
  for (const [path, expected] of Object.entries(manifest?.files ?? {})) {
    if (!expected.sha256) continue;
    const bytes = path === file ? onnx : await need(path);
    const actual = path === file ? sha256 : await sha256Hex(bytes);
    if (actual !== expected.sha256)
      throw new LlmError(
        'llm-checksum',
        `${path} in "${folder.name}" does not match its manifest (SHA-256 ${actual.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…).`,
        {
          kind: 'mismatch',
          file: path,
          name: folder.name,
          actual: actual.slice(0, 12),
          expected: expected.sha256.slice(0, 12),
        },
      );
  }
  const card = (await folder.read('MODEL_CARD.md')) ?? (await folder.read('README.md'));
  return {
    kind: 'local',
    id: str(manifest?.id) ?? folder.name,
    name: str(manifest?.name) ?? folder.name,
    version: str(manifest?.version),
    architecture: str(config.model_type),
    file,
    bytes: onnx.byteLength,
    sha256,
    dtype,
    demo: manifest?.demo === true,
    endpoint: null,
    card: card ? text(card).slice(0, 20_000) : null,
  };
}
