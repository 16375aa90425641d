/**
 * Model files in the browser: fetched from the app's origin once, then kept in Cache Storage so later
 * visits load them with no network at all; every copy is checked against the manifest's SHA-256 before
 * a session is created.
 */
import { sha256Hex } from '../../lib/hash';
import type { Manifest } from '../registry/manifest';
import { LucentError, messageOf } from '../../lib/errors';
import type { MODEL_LOAD_ERROR_CODES } from './protocol';

export const MODEL_CACHE = 'lucent-models-v1';

type ModelLoadErrorCode = (typeof MODEL_LOAD_ERROR_CODES)[number];

/**
 * A model file that cannot be used. `detail` names the file (`model`, `file`) and, where a code has several
 * causes, which one (`kind`): fetch-failed `network` | `http` (with `status`) | `no-source`; not-onnx
 * `model` | `fpr`; shape-mismatch the first broken promise (ai/registry/contract).
 */
export class ModelLoadError extends LucentError {
  declare readonly code: ModelLoadErrorCode;

  constructor(code: ModelLoadErrorCode, message: string, detail: Record<string, string | number> = {}) {
    super(code, message, detail);
    this.name = 'ModelLoadError';
  }
}

/** One file of a model, as its manifest names and checks it. */
export interface ModelFile {
  readonly id: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** The model's main file, and its false-positive reduction classifier when the manifest names one. */
export function modelFiles(manifest: Manifest): { main: ModelFile; fpr?: ModelFile } {
  const f = manifest.falsePositiveReduction;
  return {
    main: { id: manifest.id, file: manifest.file, sha256: manifest.sha256, bytes: manifest.bytes },
    ...(f ? { fpr: { id: manifest.id, file: f.file, sha256: f.sha256, bytes: f.bytes } } : {}),
  };
}

/** Bytes of a model file: from Cache Storage when present (keyed by URL and checksum), else from the network. */
export async function modelBytes(
  url: string,
  manifest: ModelFile,
  onBytes?: (loaded: number, total: number) => void,
): Promise<{ bytes: ArrayBuffer; cached: boolean }> {
  const key = `${url}?sha256=${manifest.sha256}`;
  const cache = typeof caches === 'undefined' ? null : await caches.open(MODEL_CACHE);
  const hit = await cache?.match(key);
  if (hit) {
    const bytes = await hit.arrayBuffer();
    if ((await sha256Hex(bytes)) === manifest.sha256) return { bytes, cached: true };
    await cache?.delete(key);
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelLoadError(
      'fetch-failed',
      `The model file ${manifest.file} could not be fetched: ${messageOf(e)}`,
      { kind: 'network', file: manifest.file },
    );
  }
  if (!res.ok)
    throw new ModelLoadError(
      'fetch-failed',
      `The model file ${manifest.file} could not be fetched (HTTP ${res.status}).`,
      { kind: 'http', file: manifest.file, status: res.status },
    );
  const bytes = await readWithProgress(res, manifest.bytes, onBytes);
  await verify(bytes, manifest);
  await cache?.put(
    key,
    new Response(bytes.slice(0), { headers: { 'content-type': 'application/octet-stream' } }),
  );
  return { bytes, cached: false };
}

/** The body of `res`, reporting bytes received (at most about every 256 KB). */
async function readWithProgress(
  res: Response,
  expected: number | undefined,
  onBytes?: (loaded: number, total: number) => void,
): Promise<ArrayBuffer> {
  const total = Number(res.headers.get('content-length')) || expected || 0;
  // Read whole unless progress is wanted (a body locked by a reader cannot be read whole).
  if (!onBytes || !res.body) return res.arrayBuffer();
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    if (loaded - reported >= 256 * 1024) {
      reported = loaded;
      onBytes(loaded, Math.max(total, loaded));
    }
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}

export async function verify(bytes: ArrayBuffer, manifest: ModelFile): Promise<void> {
  const digest = await sha256Hex(bytes);
  if (digest !== manifest.sha256) {
    throw new ModelLoadError(
      'checksum-mismatch',
      `${manifest.id}: the SHA-256 of ${manifest.file} (${digest.slice(0, 12)}…) does not match its manifest (${manifest.sha256.slice(0, 12)}…). It was refused.`,
      { model: manifest.id, file: manifest.file },
    );
  }
}
