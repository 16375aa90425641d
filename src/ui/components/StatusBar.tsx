import type { JSX } from 'react';
import { useAppState } from '../context';
import { aiStatusText } from '../aiText';
import { useT } from '../hooks/useT';

export function StatusBar(): JSX.Element {
  const t = useT();
  const loading = useAppState((s) => s.loading);
  const retrieving = useAppState((s) => s.retrieving);
  const lastLoad = useAppState((s) => s.lastLoad);
  const ai = useAppState((s) => s.ai);
  const active = useAppState((s) => s.activeSeriesKey);
  const cached = useAppState((s) => (s.activeSeriesKey ? s.cached[s.activeSeriesKey] : undefined));
  let text = t('status.ready');
  if (retrieving)
    text = t(retrieving.source === 'demo' ? 'status.fetchingDemo' : 'status.retrieving', retrieving);
  else if (loading) text = t('status.loading', loading);
  else if (ai.status !== 'idle') text = aiStatusText(ai, t) ?? text;
  else if (lastLoad)
    text =
      lastLoad.errors > 0
        ? t('status.loadedWithErrors', lastLoad)
        : t('status.loaded', { images: lastLoad.images, series: lastLoad.series });
  return (
    <footer className="statusbar">
      <div role="status" aria-live="polite" className="status-text">
        {text}
      </div>
      {!retrieving && !loading && lastLoad && lastLoad.errors > 0 ? (
        <button
          type="button"
          className="button small"
          onClick={() => {
            // The list may be below the fold of the series column.
            document.querySelector<HTMLElement>('.errors-panel')?.scrollIntoView({ block: 'nearest' });
          }}
        >
          {t('status.showErrors')}
        </button>
      ) : null}
      {active && cached ? (
        <div
          className="status-cache"
          aria-hidden="true"
          data-cached={cached.cached}
          data-total={cached.total}
        >
          {cached.cached}/{cached.total}
        </div>
      ) : null}
    </footer>
  );
}
