/** Messages between the page and the language-model worker (llm.worker.ts). */
import type { DraftFacts } from '../../report/llm/facts';
import type { DecodeMode, LlmDraft, LlmModelInfo } from '../../report/llm/types';

/**
 * Where a model's files come from: the app's own `/models/<dir>/` (the demo model), or a folder the user
 * picked, whose bytes the page sent before (a `folder` message with the same key).
 */
export type LlmSource =
  | { readonly kind: 'served'; readonly dir: string }
  | { readonly kind: 'picked'; readonly key: string; readonly name: string };

export type LlmRequest =
  | {
      /**
       * The files of a folder the user picked (transformers.js layout, already checked on the page), by
       * path inside it; the buffers are transferred. Replaces any folder sent before.
       */
      readonly type: 'folder';
      readonly key: string;
      readonly name: string;
      readonly files: readonly { readonly path: string; readonly bytes: ArrayBuffer }[];
    }
  | {
      /** Write a draft with the model from `source` (checked against its manifest), streaming the text. */
      readonly type: 'draft';
      readonly id: number;
      readonly source: LlmSource;
      readonly facts: DraftFacts;
      readonly mode: DecodeMode;
      readonly maxNewTokens?: number;
      /** Allow WebGPU when a real (non-fallback) adapter exists. */
      readonly allowWebGpu: boolean;
    }
  | { readonly type: 'cancel'; readonly id: number }
  /** Drop a picked folder's bytes and its model (the user went back to the demo model). */
  | { readonly type: 'forget'; readonly key: string };

export type LlmEvent =
  | { readonly type: 'loading'; readonly id: number }
  | {
      readonly type: 'model';
      readonly id: number;
      readonly info: LlmModelInfo;
      readonly device: 'wasm' | 'webgpu';
    }
  | { readonly type: 'text'; readonly id: number; readonly text: string }
  | { readonly type: 'done'; readonly id: number; readonly draft: LlmDraft; readonly ms: number }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly code: string;
      readonly message: string;
      /** The error's detail (lib/errors Problem), for the page to word it. */
      readonly detail: Readonly<Record<string, string | number>>;
    };
