import type { JSX } from 'react';
import { useAppState } from '../context';
import { useT } from '../hooks/useT';

export function LoadErrorsPanel(): JSX.Element {
  const t = useT();
  const errors = useAppState((s) => s.loadErrors);
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
              <span className="error-file">{e.file}</span>
              <span className="error-kind">{t(`errors.code.${e.code}`)}</span>
              <span className="error-message">{e.message}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
