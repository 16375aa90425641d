import { useSyncExternalStore } from 'react';
import { useActions } from '../context';
import type { LlmModelView } from '../report/llmModel';

/** Which language model drafts the report, and the check of a picked folder (app/llmDraft.ts). */
export function useLlmModel(): LlmModelView {
  const { llm } = useActions();
  return useSyncExternalStore(llm.subscribe, llm.view);
}
