/**
 * transformers.js for both hosts, loaded once and set to load nothing from the network: no remote models,
 * no browser or file-system cache of its own (Lucent checks and caches model files itself), and no
 * WebAssembly fetched by transformers.js (the browser host points onnxruntime-web at Lucent's own copy
 * before calling this). The host decides which ONNX Runtime it gets: in the browser worker that is set
 * before the first call.
 */
import type { EndpointModel } from './endpoint';
import type { LocalModel, Transformers } from './local';

let loading: Promise<Transformers> | null = null;

export function loadTransformers(): Promise<Transformers> {
  loading ??= import('@huggingface/transformers').then((tf) => {
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.useBrowserCache = false;
    tf.env.useFSCache = false;
    tf.env.useWasmCache = false;
    return tf;
  });
  return loading;
}

/** An open model: local (transformers.js) or an endpoint. */
export type LlmBackend = LocalModel | EndpointModel;
