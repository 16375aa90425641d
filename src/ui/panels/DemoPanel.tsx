import type { JSX } from 'react';
import type { MessageKey } from '../../i18n';
import type { DemoCaseSummary } from '../../store';
import { demoName } from '../demo';
import { useActions, useAppState } from '../context';
import { useT } from '../hooks/useT';

const TYPE_KEY: Readonly<Record<string, MessageKey>> = {
  solid: 'type.solid',
  'part-solid': 'type.part-solid',
  'ground-glass': 'type.ground-glass',
  calcified: 'type.calcified',
};

/** One true nodule of a demo case, in the interface language. */
function nodule(n: DemoCaseSummary['nodules'][number], t: ReturnType<typeof useT>): string {
  const key = TYPE_KEY[n.type];
  return `${key ? t(key) : n.type} ${n.diameterMm.toFixed(1)} mm`;
}

/** The bundled demo cases: one click opens a synthetic chest CT through the normal DICOM path. */
export function DemoPanel(): JSX.Element | null {
  const t = useT();
  const actions = useActions();
  const cases = useAppState((s) => s.demoCases);
  const progress = useAppState((s) => s.demoProgress);
  if (cases === null) return null;
  return (
    <section className="panel demo-panel" aria-label="Demo cases">
      <h2 className="panel-title">{t('demo.region')}</h2>
      {progress ? (
        <p className={`demo-progress ${progress.state}`} aria-live="polite" data-testid="demo-progress">
          {t(`demo.progress.${progress.state}`, { ready: progress.ready, total: progress.total })}
        </p>
      ) : null}
      {cases.length === 0 && progress ? null : cases.length === 0 ? (
        <p className="empty">{t('demo.unavailable')}</p>
      ) : (
        <>
          <ul className="demo-list">
            {cases.map((c) => {
              const name = demoName(t, c);
              return (
                <li key={c.id}>
                  <button
                    type="button"
                    className="demo-button"
                    aria-label={t('demo.open', { name })}
                    onClick={() => void actions.openDemo(c.id)}
                  >
                    <span className="demo-name">{name}</span>
                    {c.nodules.length > 0 ? (
                      <span className="demo-meta">{c.nodules.map((n) => nodule(n, t)).join(', ')}</span>
                    ) : null}
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="note">{t('demo.note')}</p>
        </>
      )}
    </section>
  );
}
