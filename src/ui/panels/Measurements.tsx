import { useState, type JSX } from 'react';
import { NODULE_TYPES, type NoduleType } from '../../findings/types';
import type { MessageKey } from '../../i18n';
import { useActions, useAppState } from '../context';
import { useNumber, useT } from '../hooks/useT';

/** Turn an ellipse around a missed nodule into a finding of the chosen type. */
function AddAsFinding({ uid, index }: { uid: string; index: number }): JSX.Element {
  const t = useT();
  const actions = useActions();
  const [type, setType] = useState<NoduleType>('solid');
  return (
    <span className="add-finding">
      <select
        aria-label={`${t('measure.addType')} ${index}`}
        value={type}
        onChange={(e) => setType(e.target.value as NoduleType)}
      >
        {NODULE_TYPES.map((ty) => (
          <option key={ty} value={ty}>
            {t(`type.${ty}` as MessageKey)}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="button small"
        onClick={() => actions.addFindingFromMeasurement(uid, type)}
      >
        {t('measure.addFinding')}
      </button>
    </span>
  );
}

export function Measurements(): JSX.Element {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const items = useAppState((s) => s.measurements);
  return (
    <section className="subpanel" aria-label="Measurements">
      <h3 className="panel-subtitle">{t('measure.region')}</h3>
      {items.length === 0 ? (
        <p className="empty">{t('measure.none')}</p>
      ) : (
        <ol className="measure-list">
          {items.map((m, i) => {
            const unit = m.unit ?? '';
            let text: string;
            if (m.kind === 'length' && m.lengthMm !== undefined)
              text = t('measure.length', { value: n(m.lengthMm) });
            else if (
              m.kind === 'ellipse' &&
              m.mean !== undefined &&
              m.sd !== undefined &&
              m.areaMm2 !== undefined
            )
              text = t('measure.ellipse', { mean: n(m.mean), sd: n(m.sd), area: n(m.areaMm2), unit });
            else if (m.kind === 'probe' && m.value !== undefined) {
              const p = m.imagePoints?.[0];
              text = t('measure.probe', {
                value: n(m.value),
                unit,
                x: p ? Math.floor(p[0]) : '?',
                y: p ? Math.floor(p[1]) : '?',
              });
            } else text = '…';
            return (
              <li
                key={m.uid}
                className="measurement"
                data-kind={m.kind}
                data-mean={m.mean}
                data-sd={m.sd}
                data-area={m.areaMm2}
                data-length={m.lengthMm}
                data-value={m.value}
                data-points={m.imagePoints ? JSON.stringify(m.imagePoints) : undefined}
                data-frame={m.frame}
              >
                <span>{text}</span>
                {m.kind === 'ellipse' && m.worldPoints && m.worldPoints.length >= 4 ? (
                  <AddAsFinding uid={m.uid} index={i + 1} />
                ) : null}
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('measure.delete', { index: i + 1 })}
                  onClick={() => actions.removeMeasurement(m.uid)}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
