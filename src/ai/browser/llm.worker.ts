/// <reference lib="webworker" />
/**
 * The language-model worker: a transformers.js model folder served by the app (`/models/<dir>/`), run on
 * the bundle's one onnxruntime-web (set to Lucent's self-hosted WebAssembly under /ort/ before
 * transformers.js is first imported, so it never looks for a CDN), the same LocalModel as the CLI. The
 * folder is checked against its manifest before the model is loaded; text streams to the page after
 * every token; a draft can be cancelled. Messages are typed in llmProtocol.ts; the page side is
 * llmClient.ts.
 */
import { LucentError, messageOf } from '../../lib/errors';
import { describeFolder, type ModelFolder } from '../../report/llm/folder';
import { LocalModel } from '../../report/llm/local';
import { loadTransformers } from '../../report/llm/runtime';
import type { LlmEvent, LlmRequest } from './llmProtocol';
import { realGpu, runtime } from './runtime';

declare const self: DedicatedWorkerGlobalScope;

const post = (e: LlmEvent): void => self.postMessage(e);
const controllers = new Map<number, AbortController>();
let open: { key: string; model: Promise<{ model: LocalModel; device: 'wasm' | 'webgpu' }> } | null = null;

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

async function load(
  dir: string,
  allowWebGpu: boolean,
): Promise<{ model: LocalModel; device: 'wasm' | 'webgpu' }> {
  if (!/^[A-Za-z0-9._-]+$/.test(dir) || dir.startsWith('.'))
    throw new LucentError('llm-folder', `"${dir.slice(0, 40)}" is not a model folder name.`);
  const info = await describeFolder(servedFolder(dir));
  // transformers.js imports onnxruntime-web/webgpu: that build, pointed at /ort/, before it loads.
  await runtime('gpu');
  const tf = await loadTransformers();
  tf.env.localModelPath = '/models/';
  const device = allowWebGpu && (await realGpu()) ? 'webgpu' : 'wasm';
  const model = await LocalModel.load(tf, info, { modelId: dir, device });
  return { model, device };
}

async function draft(req: Extract<LlmRequest, { type: 'draft' }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(req.id, controller);
  const started = performance.now();
  try {
    post({ type: 'loading', id: req.id });
    const key = `${req.modelDir}:${req.allowWebGpu}`;
    if (open?.key !== key) {
      const previous = open;
      open = { key, model: load(req.modelDir, req.allowWebGpu) };
      if (previous) void previous.model.then((p) => p.model.dispose()).catch(() => undefined);
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
    const code = e instanceof LucentError ? e.code : 'llm-generate';
    post({ type: 'error', id: req.id, code, message: messageOf(e) });
  } finally {
    controllers.delete(req.id);
  }
}

self.onmessage = (event: MessageEvent<LlmRequest>): void => {
  const req = event.data;
  if (req.type === 'cancel') controllers.get(req.id)?.abort();
  else void draft(req);
};
