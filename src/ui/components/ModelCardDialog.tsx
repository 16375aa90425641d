import type { JSX } from 'react';
import type { Manifest } from '../../ai/registry/manifest';
import { useApp, useAppState } from '../context';
import { useT } from '../hooks/useT';
import { useModalDialog } from '../hooks/useModalDialog';
import { LlmModelCard } from './LlmModelCard';

/**
 * The model cards: the model that produced the findings (intended use, training data, metrics), and the
 * language model that drafts the report.
 */
export function ModelCardDialog(): JSX.Element {
  const t = useT();
  const { store } = useApp();
  // The model behind the findings; before a run, the model Run AI would use.
  const model = useAppState((s) => {
    const models = s.models ?? [];
    const ran = s.ai.model;
    if (ran) return models.find((m) => m.manifest.id === ran.id && m.manifest.version === ran.version);
    return (
      models.find((m) => m.dir === s.selectedModel) ?? models.find((m) => m.manifest.task === 'detection')
    );
  });
  const ref = useModalDialog();
  const close = (): void => store.setState({ modelCardOpen: false });
  const m = model?.manifest;
  return (
    <dialog ref={ref} className="dialog wide" aria-labelledby="card-title" onClose={close} onCancel={close}>
      <h2 id="card-title">
        {t('card.title')}
        {m ? `: ${m.name}` : ''}
      </h2>
      {m ? <VisionCard m={m} /> : null}
      <LlmModelCard />
      <form method="dialog">
        <button className="button primary" type="submit">
          {t('card.close')}
        </button>
      </form>
    </dialog>
  );
}

function VisionCard({ m }: { readonly m: Manifest }): JSX.Element {
  const t = useT();
  return (
    <>
      <p>
        {t('card.version')}: {m.id} {m.version}
        {m.quantization ? ` · ${m.quantization}` : ''}
      </p>
      <h3>{t('card.intendedUse')}</h3>
      <p>{m.intendedUse}</p>
      <h3>{t('card.trainingData')}</h3>
      <p>{m.trainingData}</p>
      <h3>{t('card.metrics')}</h3>
      <table className="keys">
        <tbody>
          {m.metrics.map((x) => (
            <tr key={x.name}>
              <td>{x.name}</td>
              <td>
                {x.value}
                {x.ci95 ? ` (${x.ci95[0]}–${x.ci95[1]})` : ''}
                {x.note ? ` · ${x.note}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
