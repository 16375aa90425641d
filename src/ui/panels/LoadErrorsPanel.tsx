import type { JSX } from 'react';
import { useActions, useAppState } from '../context';
import { useFailureText, useT } from '../hooks/useT';
import { fileLabel } from '../failureText';

export function LoadErrorsPanel(): JSX.Element {
  const t = useT();
  const said = useFailureText();
  const errors = useAppState((s) => s.loadErrors);
  const loading = useAppState((s) => s.loading);
  const actions = useActions();
  // Files whose reader (a background worker) stopped can be read again, into the open study.
  const lost = errors.filter((e) => e.code === 'worker-lost').length;
  return (
    <section className="panel errors-panel" aria-label="Load errors">
      <h2 className="panel-title">
        {t('errors.region')}
        {errors.length > 0 ? <span className="badge warn">{errors.length}</span> : null}
      </h2>
      {errors.length === 0 ? (
        <p className="empty">{t('errors.none')}</p>
      ) : (
        <ul className="error-list">
          {errors.map((e, i) => (
            <li key={`${e.file}-${i}`} className="load-error" data-code={e.code}>
              <span className="error-file">{fileLabel(t, e.file)}</span>
              <span className="error-kind">{t(`errors.code.${e.code}`)}</span>
              <span className="error-message">{said(e)}</span>
            </li>
          ))}
        </ul>
      )}
      {lost > 0 ? (
        <button
          type="button"
          className="button small"
          disabled={loading !== null}
          onClick={() => actions.retryLostFiles()}
        >
          {t('errors.retryLost', { count: lost })}
        </button>
      ) : null}
    </section>
  );
}
