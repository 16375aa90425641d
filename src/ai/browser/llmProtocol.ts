/** Messages between the page and the language-model worker (llm.worker.ts). */
import type { DraftFacts } from '../../report/llm/facts';
import type { DecodeMode, LlmDraft, LlmModelInfo } from '../../report/llm/types';

export type LlmRequest =
  | {
      /**
       * Write a draft with the model served under `/models/<modelDir>/` (transformers.js layout, checked
       * against its manifest), streaming the text.
       */
      readonly type: 'draft';
      readonly id: number;
      readonly modelDir: string;
      readonly facts: DraftFacts;
      readonly mode: DecodeMode;
      readonly maxNewTokens?: number;
      /** Allow WebGPU when a real (non-fallback) adapter exists. */
      readonly allowWebGpu: boolean;
    }
  | { readonly type: 'cancel'; readonly id: number };

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
  | { readonly type: 'error'; readonly id: number; readonly code: string; readonly message: string };
