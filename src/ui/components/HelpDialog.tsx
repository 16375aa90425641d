import type { JSX } from 'react';
import { SHORTCUTS } from '../keyboard';
import { useT } from '../hooks/useT';
import { useModalDialog } from '../hooks/useModalDialog';
import { ClearDataButton } from './ClearDataButton';

export function HelpDialog({ onClose }: { onClose: () => void }): JSX.Element {
  const t = useT();
  const ref = useModalDialog();
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="help-title" onClose={onClose} onCancel={onClose}>
      <h2 id="help-title">{t('help.title')}</h2>
      <table className="keys">
        <thead>
          <tr>
            <th scope="col">{t('help.key')}</th>
            <th scope="col">{t('help.action')}</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.help}>
              <td>
                {s.keys.map((k) => (
                  <kbd key={k}>{k}</kbd>
                ))}
              </td>
              <td>{t(s.help)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <section aria-labelledby="help-privacy">
        <h3 id="help-privacy">{t('clearData.title')}</h3>
        <p>{t('clearData.detail')}</p>
        <ClearDataButton />
      </section>
      <form method="dialog">
        <button className="button primary" type="submit">
          {t('help.close')}
        </button>
      </form>
    </dialog>
  );
}
