import { useCallback, useEffect, useRef, useState } from 'react';
import type { LlmDraftStream } from '../context';
import { useActions } from '../context';
import { failureOf, type Failure } from '../../lib/errors';

type Outcome = Awaited<LlmDraftStream['done']>;

export type LlmDraftState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly text: string }
  | { readonly status: 'done'; readonly text: string; readonly outcome: Outcome }
  | { readonly status: 'error'; readonly text: string; readonly failure: Failure };

/**
 * A draft by the app's language model: `start` begins one (the text streams into `state`), `cancel`
 * stops it, keeping the text so far. Leaving the panel cancels a draft in progress.
 */
export function useLlmDraft(): { state: LlmDraftState; start: () => void; cancel: () => void } {
  const actions = useActions();
  const [state, setState] = useState<LlmDraftState>({ status: 'idle' });
  const running = useRef<LlmDraftStream | null>(null);

  const start = useCallback(() => {
    running.current?.cancel();
    let text = '';
    const stream = actions.draftWithLlm((t) => {
      text = t;
      if (running.current === stream) setState({ status: 'running', text: t });
    });
    running.current = stream;
    if (!stream) return;
    setState({ status: 'running', text: '' });
    stream.done.then(
      (outcome) => {
        if (running.current === stream) setState({ status: 'done', text: outcome.text, outcome });
      },
      (e: unknown) => {
        if (running.current === stream) setState({ status: 'error', text, failure: failureOf(e) });
      },
    );
  }, [actions]);

  const cancel = useCallback(() => running.current?.cancel(), []);

  useEffect(() => () => running.current?.cancel(), []);
  return { state, start, cancel };
}
