import { useState, type JSX } from 'react';
import { useActions } from '../context';
import { useT } from '../hooks/useT';

/**
 * "Clear all local data", asked twice: the first press explains what goes and asks to confirm; only the
 * confirm button clears (and reloads the page).
 */
export function ClearDataButton(): JSX.Element {
  const t = useT();
  const actions = useActions();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="button" onClick={() => setAsking(true)}>
        {t('clearData.button')}
      </button>
    );
  }
  return (
    <div role="group" aria-labelledby="clear-data-question" className="clear-data">
      <p id="clear-data-question">{t('clearData.question')}</p>
      <button
        type="button"
        className="button danger"
        disabled={busy}
        autoFocus
        onClick={() => {
          setBusy(true);
          void actions.clearLocalData();
        }}
      >
        {t('clearData.confirm')}
      </button>{' '}
      <button type="button" className="button" disabled={busy} onClick={() => setAsking(false)}>
        {t('clearData.keep')}
      </button>
    </div>
  );
}
