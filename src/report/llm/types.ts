/**
 * What the language-model part of the report exposes: the model that is loaded (shown on its card and in
 * the CLI's `model` field), the decoding modes, and a finished draft with its timing.
 */
import { LucentError } from '../../lib/errors';

/**
 * How values reach the text:
 * - `free`: the model writes what it likes (the grounding check reads it);
 * - `values`: constrained decoding, any value of any finding;
 * - `scoped`: constrained decoding, a line about one finding only that finding's values;
 * - `placeholders`: the model writes {F1.mean}… and Lucent fills them in from the findings.
 * In every mode but `free`, a placeholder the model writes unasked is filled in from the findings too.
 */
export type DecodeMode = 'free' | 'values' | 'scoped' | 'placeholders';
export const DECODE_MODES: readonly DecodeMode[] = ['free', 'values', 'scoped', 'placeholders'];

export interface LlmModelInfo {
  readonly kind: 'local' | 'endpoint';
  /** Folder name, or the model name an endpoint reports. */
  readonly id: string;
  readonly name: string;
  readonly version: string | null;
  /** config.json's model_type (llama, qwen2…) for a local model. */
  readonly architecture: string | null;
  /** The ONNX file that runs and its SHA-256, for a local model. */
  readonly file: string | null;
  readonly bytes: number | null;
  readonly sha256: string | null;
  readonly dtype: string | null;
  /** Lucent's own demo model: trained on templated text, knows no medicine. */
  readonly demo: boolean;
  /** The endpoint's origin, for an endpoint (shown in the UI). */
  readonly endpoint: string | null;
  /** The model card (MODEL_CARD.md or README.md of the folder), when there is one. */
  readonly card: string | null;
}

export interface LlmDraft {
  /** The draft with placeholders filled. */
  readonly text: string;
  /** What the model wrote. */
  readonly raw: string;
  readonly mode: DecodeMode;
  readonly tokens: number;
  /** Time to the first generated token (reading the prompt), and to generate the rest. */
  readonly prefillMs: number;
  readonly decodeMs: number;
  readonly stopped: 'end' | 'length' | 'cancelled';
  readonly unknownPlaceholders: readonly string[];
  /** Steps at which the constraint left nothing to choose (and so let the model choose freely). */
  readonly deadEnds: number;
}

export interface DraftRequest {
  readonly mode: DecodeMode;
  readonly maxNewTokens?: number;
  readonly signal?: AbortSignal;
  /** The text so far (placeholders filled), after every token. */
  readonly onText?: (text: string) => void;
}

export type LlmErrorCode =
  'llm-folder' | 'llm-checksum' | 'llm-load' | 'llm-endpoint' | 'llm-endpoint-not-allowed' | 'llm-generate';

export class LlmError extends LucentError {
  declare readonly code: LlmErrorCode;

  constructor(code: LlmErrorCode, message: string, detail: Record<string, string | number> = {}) {
    super(code, message, detail);
    this.name = 'LlmError';
  }
}
