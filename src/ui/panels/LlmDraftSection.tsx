import type { JSX } from 'react';
import { useAppState } from '../context';
import { useLlmDraft } from '../hooks/useLlmDraft';
import { useLlmModel } from '../hooks/useLlmModel';
import { useFailureText, useNumber, useT } from '../hooks/useT';
import { LlmModelRow } from './LlmModelRow';

/**
 * The report phrased by the on-device language model (the demo model, or the reader's own from a folder
 * on this device): which model, a button to start it, the text as it streams, cancel, and how many of
 * its sentences the grounding check found grounded.
 */
export function LlmDraftSection(): JSX.Element | null {
  const t = useT();
  const num = useNumber();
  const said = useFailureText();
  const counted = useAppState((s) => s.findings.some((f) => f.status !== 'rejected'));
  const { state, start, cancel } = useLlmDraft();
  const picked = useLlmModel().choice.kind === 'picked';
  if (!counted && state.status === 'idle') return null;
  const running = state.status === 'running';
  return (
    <div className="llm-draft" aria-label={t('report.llm.region')}>
      <div className="llm-draft-actions">
        {running ? (
          <button type="button" onClick={cancel}>
            {t('report.llm.cancel')}
          </button>
        ) : (
          <button type="button" onClick={start} disabled={!counted}>
            {t('report.llm.start')}
          </button>
        )}
      </div>
      <LlmModelRow />
      <p className="note">{t(picked ? 'report.llm.yours' : 'report.llm.demo')}</p>
      {state.status !== 'idle' && (
        <p className="report-text llm-draft-text" aria-live="polite" aria-busy={running}>
          {state.text}
        </p>
      )}
      {state.status === 'done' && (
        <p className="note llm-draft-outcome">
          {t(state.outcome.stopped === 'cancelled' ? 'report.llm.cancelled' : 'report.llm.done', {
            grounded: state.outcome.grounded,
            sentences: state.outcome.sentences,
            tokens: state.outcome.tokens,
            seconds: num(state.outcome.ms / 1000),
          })}
        </p>
      )}
      {state.status === 'error' && (
        <p className="error" role="alert">
          {t('report.llm.error', { message: said(state.failure) })}
        </p>
      )}
    </div>
  );
}
