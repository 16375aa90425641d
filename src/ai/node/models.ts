/**
 * Node host: the model registry on disk (models/<id>/manifest.json) and onnxruntime-node sessions. The
 * sha256 in the manifest is checked before a session is created; a mismatch refuses the model.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { messageOf } from '../../lib/errors';
import { refusal } from '../registry/contract';
import { validateManifest, type Manifest } from '../registry/manifest';
import type { Runner, Tensor } from '../shared/pipeline';
import { LucentError } from '../../lib/errors';

export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');

export interface InstalledModel {
  readonly manifest: Manifest;
  readonly dir: string;
}

type ModelErrorCode =
  'invalid-manifest' | 'checksum-mismatch' | 'not-onnx' | 'missing-file' | 'shape-mismatch';

export class ModelError extends LucentError {
  declare readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string) {
    super(code, message);
    this.name = 'ModelError';
  }
}

export function loadManifest(dir: string): InstalledModel {
  const path = join(dir, 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelError('invalid-manifest', `${path} is not valid JSON: ${messageOf(e)}`);
  }
  const r = validateManifest(json);
  if (!r.ok) throw new ModelError('invalid-manifest', `${path}: ${r.error.join('; ')}`);
  return { manifest: r.value, dir };
}

/** Every model folder with a valid manifest; invalid ones are reported, not fatal. */
export function installedModels(root = MODELS_DIR, onError?: (e: ModelError) => void): InstalledModel[] {
  if (!existsSync(root)) return [];
  const out: InstalledModel[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, 'manifest.json'))) continue;
    try {
      out.push(loadManifest(dir));
    } catch (e) {
      if (e instanceof ModelError) onError?.(e);
      else throw e;
    }
  }
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Read a model file and check it against its SHA-256 before anything runs it. */
function verifiedFile(model: InstalledModel, file: string, expected: string): Uint8Array {
  const path = join(model.dir, file);
  if (!existsSync(path)) throw new ModelError('missing-file', `${model.manifest.id}: ${file} is missing.`);
  const bytes = new Uint8Array(readFileSync(path));
  const digest = sha256(bytes);
  if (digest !== expected) {
    throw new ModelError(
      'checksum-mismatch',
      `${model.manifest.id}: the SHA-256 of ${file} (${digest.slice(0, 12)}…) does not match its manifest (${expected.slice(0, 12)}…); refusing to run it.`,
    );
  }
  return bytes;
}

/** Read the model file and check it against the manifest before anything runs it. */
export function verifiedModelBytes(model: InstalledModel): Uint8Array {
  return verifiedFile(model, model.manifest.file, model.manifest.sha256);
}

/** How the Node host opens a model's session (the CLI, and the bench's native figure). */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // On x86 CPUs with AVX2 and without VNNI, onnxruntime multiplies uint8 activations by int8 weights with
    // an instruction that saturates pairs of products at 16 bits: the int8 detector's heatmap differed from
    // the browser's (WebAssembly) by up to 0.06 there, and findings moved. This makes it take the exact
    // uint8 × uint8 path on those CPUs only (test/unit/detector-kernels.test.ts).
    extra: { session: { x64quantprecision: '1' } },
  };
}

async function session(
  model: InstalledModel,
  bytes: Uint8Array,
  file: string,
  threads: number,
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, sessionOptions(threads));
  } catch (e) {
    throw new ModelError(
      'not-onnx',
      `${model.manifest.id}: ${file} is not a loadable ONNX model (${messageOf(e)}).`,
    );
  }
}

function runnerOf(s: ort.InferenceSession, inputName: string): Runner {
  return {
    async run(input, dims) {
      const result = await s.run({ [inputName]: new ort.Tensor('float32', input, [...dims]) });
      const out: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(result))
        out[name] = { data: t.data as Float32Array, dims: t.dims };
      return out;
    },
  };
}

/**
 * onnxruntime-node sessions for a model: the model itself and, when its manifest names one, its
 * false-positive reduction classifier (`fpr`), each checked against its SHA-256 first.
 */
export async function nodeRunner(
  model: InstalledModel,
  threads = 2,
): Promise<Runner & { readonly fpr?: Runner; release(): Promise<void> }> {
  const m = model.manifest;
  const main = await session(model, verifiedModelBytes(model), m.file, threads);
  const f = m.falsePositiveReduction;
  const second = f ? await session(model, verifiedFile(model, f.file, f.sha256), f.file, threads) : null;
  // The files must also keep the manifest's promises about their inputs and outputs.
  const refused = refusal(m, main, second);
  if (refused) {
    await main.release();
    await second?.release();
    throw new ModelError('shape-mismatch', refused);
  }
  return {
    ...runnerOf(main, m.input.name),
    ...(second && f ? { fpr: runnerOf(second, f.input) } : {}),
    release: async () => {
      await main.release();
      await second?.release();
    },
  };
}
