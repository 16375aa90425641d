/**
 * The report's language model as the UI sees it (implemented by app/llmDraft.ts): the app's demo model or
 * a folder the user picked on this device, what the worker loaded, and the check of a picked folder.
 */
import type { FolderProblem } from '../../report/llm/pick';
import type { LlmModelInfo } from '../../report/llm/types';
import type { OpenFile } from '../context';

export type LlmModelChoice =
  | { readonly kind: 'demo'; readonly folder: string }
  | {
      readonly kind: 'picked';
      /** The folder's own name (no path). */
      readonly folder: string;
      /** The size of the files the model needs. */
      readonly bytes: number;
      readonly dtype: string;
    };

export interface LlmModelView {
  readonly choice: LlmModelChoice;
  /** The model as the worker loaded it for the current choice (after its first draft), else null. */
  readonly loaded: { readonly info: LlmModelInfo; readonly device: 'wasm' | 'webgpu' } | null;
  /** Whether decoding is constrained to the findings' values (a local model: always). */
  readonly constrained: boolean;
  /** The name of a folder being read and checked, else null. */
  readonly checking: string | null;
  /** Why the last folder picked was refused (the choice before it stays). */
  readonly problem: FolderProblem | null;
}

export interface LlmModelActions {
  /** The current view: the same object until something changes. */
  readonly view: () => LlmModelView;
  readonly subscribe: (listener: () => void) => () => void;
  /** Check the files of a picked folder (read on this device) and use its model for the next drafts. */
  readonly pickFolder: (files: readonly OpenFile[]) => Promise<void>;
  /** Go back to the app's demo model. */
  readonly useDemo: () => void;
}
