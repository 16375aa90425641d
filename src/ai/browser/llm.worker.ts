/// <reference lib="webworker" />
/**
 * The language-model worker: a transformers.js model folder, run on the bundle's one onnxruntime-web (set
 * to Lucent's self-hosted WebAssembly under /ort/ before transformers.js is first imported, so it never
 * looks for a CDN), the same LocalModel as the CLI. A folder's files come from one of two sources: the
 * app's own `/models/<dir>/` (the demo model, same-origin fetch) or the bytes of a folder the user picked,
 * which the page read on the device and transferred here. Either way the folder is checked against its
 * manifest (describeFolder) and transformers.js reads the same files through `env.fetch`, answered from
 * that folder: one loading, tokenising, generating and streaming path for both. Text streams to the page
 * after every token; a draft can be cancelled. Messages are typed in llmProtocol.ts; the page side is
 * llmClient.ts.
 */
import { LucentError, messageOf, problemOf } from '../../lib/errors';
import { describeFolder, type ModelFolder } from '../../report/llm/folder';
import { LocalModel } from '../../report/llm/local';
import { loadTransformers } from '../../report/llm/runtime';
import type { LlmEvent, LlmRequest, LlmSource } from './llmProtocol';
import { realGpu, runtime } from './runtime';

declare const self: DedicatedWorkerGlobalScope;

const post = (e: LlmEvent): void => self.postMessage(e);
const controllers = new Map<number, AbortController>();
let open: { key: string; model: Promise<{ model: LocalModel; device: 'wasm' | 'webgpu' }> } | null = null;
/** The folder the user picked: its files' bytes, held until its model is loaded (or it is forgotten). */
let picked: { key: string; name: string; files: Map<string, Uint8Array> } | null = null;
/** The folders transformers.js is loading from, by the model id it was given (`/models/<id>/…`). */
const serving = new Map<string, ModelFolder>();

/** The longest loading a model may take: a minute and a half, and a second more for every 5 MB. */
const loadLimitMs = (bytes: number): number => 90_000 + (bytes / 5e6) * 1000;

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/** A model folder served by the app, read over same-origin fetch. */
function servedFolder(dir: string): ModelFolder {
  return {
    name: dir,
    async read(path) {
      const res = await fetch(`/models/${encodeURIComponent(dir)}/${path}`);
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
    },
  };
}

/** A folder whose files are read once, so that the check and transformers.js share one read. */
function readOnce(folder: ModelFolder): ModelFolder & { clear(): void } {
  const seen = new Map<string, Promise<Uint8Array | null>>();
  return {
    name: folder.name,
    read(path) {
      let p = seen.get(path);
      if (!p) seen.set(path, (p = folder.read(path)));
      return p;
    },
    clear: () => seen.clear(),
  };
}

/** transformers.js' fetch: `/models/<id>/<path>` of a folder being loaded from it, anything else as is. */
function folderFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  const url = new URL(String(input), self.location.href);
  const m = url.origin === self.location.origin ? /^\/models\/([^/]+)\/(.+)$/.exec(url.pathname) : null;
  const folder = m ? serving.get(decodeURIComponent(m[1] ?? '')) : undefined;
  if (!m || !folder) return fetch(input, init);
  return folder.read(decodeURIComponent(m[2] ?? '')).then((bytes) =>
    bytes
      ? new Response(bytes as Uint8Array<ArrayBuffer>, {
          status: 200,
          headers: { 'content-length': String(bytes.byteLength) },
        })
      : new Response(null, { status: 404 }),
  );
}

/** The model id transformers.js is given for a source, and where its files come from. */
function folderOf(source: LlmSource): { id: string; folder: ModelFolder } {
  if (source.kind === 'served') {
    if (!SAFE_NAME.test(source.dir) || source.dir.startsWith('.'))
      throw new LucentError('llm-folder', `"${source.dir.slice(0, 40)}" is not a model folder name.`, {
        kind: 'bad-name',
        name: source.dir.slice(0, 40),
      });
    return { id: source.dir, folder: servedFolder(source.dir) };
  }
  const p = picked;
  if (!p || p.key !== source.key || !SAFE_NAME.test(source.key))
    throw new LucentError(
      'llm-folder',
      `The model folder "${source.name}" is no longer open in the language-model worker: pick it again.`,
      { kind: 'not-open', name: source.name },
    );
  return {
    id: `picked-${source.key}`,
    folder: { name: p.name, read: (path) => Promise.resolve(p.files.get(path) ?? null) },
  };
}

function within<T>(work: Promise<T>, ms: number, late: LucentError): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooLate = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late), ms);
  });
  return Promise.race([work, tooLate]).finally(() => clearTimeout(timer));
}

async function load(
  source: LlmSource,
  allowWebGpu: boolean,
): Promise<{ model: LocalModel; device: 'wasm' | 'webgpu' }> {
  const { id, folder } = folderOf(source);
  const files = readOnce(folder);
  try {
    const info = await describeFolder(files);
    // transformers.js imports onnxruntime-web/webgpu: that build, pointed at /ort/, before it loads.
    await runtime('gpu');
    const tf = await loadTransformers();
    tf.env.localModelPath = '/models/';
    tf.env.fetch = folderFetch;
    serving.set(id, files);
    const device = allowWebGpu && (await realGpu()) ? 'webgpu' : 'wasm';
    const limit = loadLimitMs(info.bytes ?? 0);
    const model = await within(
      LocalModel.load(tf, info, { modelId: id, device }),
      limit,
      new LucentError(
        'llm-load',
        `The language model "${info.name}" did not finish loading within ${Math.round(limit / 1000)} s.`,
        { kind: 'timeout', name: info.name, seconds: Math.round(limit / 1000) },
      ),
    );
    // The runtime holds the weights now: the picked files' bytes are not kept twice.
    if (source.kind === 'picked' && picked?.key === source.key) picked = null;
    return { model, device };
  } finally {
    serving.delete(id);
    files.clear();
  }
}

const sourceKey = (s: LlmSource): string => (s.kind === 'served' ? `served:${s.dir}` : `picked:${s.key}`);

function close(): void {
  const previous = open;
  open = null;
  if (previous) void previous.model.then((p) => p.model.dispose()).catch(() => undefined);
}

async function draft(req: Extract<LlmRequest, { type: 'draft' }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(req.id, controller);
  const started = performance.now();
  try {
    post({ type: 'loading', id: req.id });
    const key = `${sourceKey(req.source)}:${req.allowWebGpu}`;
    if (open?.key !== key) {
      close();
      open = { key, model: load(req.source, req.allowWebGpu) };
    }
    const current = open;
    const { model, device } = await current.model.catch((e: unknown) => {
      if (open === current) open = null;
      throw e;
    });
    post({ type: 'model', id: req.id, info: model.info, device });
    const result = await model.draft(req.facts, {
      mode: req.mode,
      signal: controller.signal,
      ...(req.maxNewTokens ? { maxNewTokens: req.maxNewTokens } : {}),
      onText: (text) => post({ type: 'text', id: req.id, text }),
    });
    post({ type: 'done', id: req.id, draft: result, ms: performance.now() - started });
  } catch (e) {
    const { code, detail } = problemOf(e, 'llm-generate');
    post({ type: 'error', id: req.id, code, message: messageOf(e), detail });
  } finally {
    controllers.delete(req.id);
  }
}

self.onmessage = (event: MessageEvent<LlmRequest>): void => {
  const req = event.data;
  switch (req.type) {
    case 'cancel':
      controllers.get(req.id)?.abort();
      return;
    case 'folder':
      picked = {
        key: req.key,
        name: req.name,
        files: new Map(req.files.map((f) => [f.path, new Uint8Array(f.bytes)])),
      };
      return;
    case 'forget':
      if (picked?.key === req.key) picked = null;
      if (open?.key.startsWith(`picked:${req.key}:`)) close();
      return;
    case 'draft':
      void draft(req);
  }
};
