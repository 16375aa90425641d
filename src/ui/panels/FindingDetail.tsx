import { useState, type JSX, type KeyboardEvent } from 'react';
import type { FindingRecord } from '../../findings/record';
import { brockForFinding, validMm, type FindingEdit } from '../../findings/review';
import { MARGINS, NODULE_TYPES, type Margin, type NoduleType } from '../../findings/types';
import type { MessageKey } from '../../i18n';
import { useActions, useAppState } from '../context';
import { useNumber, useT } from '../hooks/useT';

/** A millimetre field that commits on Enter or when it loses focus (not on every keystroke). */
function MmField({
  label,
  value,
  onCommit,
}: {
  label: string;
  value: number | null;
  onCommit: (v: number) => void;
}): JSX.Element {
  const t = useT();
  const [invalid, setInvalid] = useState(false);
  const commit = (raw: string): void => {
    if (raw.trim() === '') return;
    const v = Number(raw.replace(',', '.'));
    // Said here, beside the field, rather than only at the top of the panel.
    const bad = !validMm(v);
    setInvalid(bad);
    if (!bad && v !== value) onCommit(v);
  };
  return (
    <label className="field-inline">
      <span>{label}</span>
      <input
        key={value ?? 'none'}
        aria-invalid={invalid || undefined}
        type="number"
        inputMode="decimal"
        step="0.1"
        min="0.1"
        defaultValue={value ?? ''}
        onBlur={(e) => commit(e.currentTarget.value)}
        onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
          e.stopPropagation();
          if (e.key === 'Enter') commit(e.currentTarget.value);
        }}
      />
      {invalid ? (
        <span className="field-hint" role="alert">
          {t('review.invalid-size')}
        </span>
      ) : null}
    </label>
  );
}

function Brock({ f }: { f: FindingRecord }): JSX.Element {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const findings = useAppState((s) => s.findings);
  const patient = useAppState((s) => s.patient);
  const ctx = useAppState((s) => s.reviewContext);
  const language = useAppState((s) => s.language);
  const r = brockForFinding(
    f,
    findings,
    patient,
    { emphysema: ctx.emphysema, familyHistory: ctx.familyHistory },
    language,
  );
  return (
    <div className="brock" aria-label={t('brock.title')}>
      <div className="suggestions-title">{t('brock.title')}</div>
      {r.ok ? (
        <>
          <strong className="brock-value" data-probability={r.value.probability}>
            {t('brock.value', { percent: n(r.value.probability * 100) })}
          </strong>
          <div className="finding-meta">
            {t('brock.inputs', {
              age: r.value.inputs.ageYears,
              sex: t(`brock.sex.${r.value.inputs.sex}`),
              size: n(r.value.inputs.noduleSizeMm),
              type: t(`type.${r.value.inputs.noduleType}` as MessageKey),
              zone: r.value.inputs.upperLobe ? t('brock.upper') : t('brock.notUpper'),
              count: r.value.inputs.noduleCount,
              spiculation: r.value.inputs.spiculation ? t('brock.spiculated') : t('brock.notSpiculated'),
            })}
          </div>
          {r.value.warnings.map((w) => (
            <div key={w} className="finding-meta">
              {w}
            </div>
          ))}
        </>
      ) : (
        <div className="finding-meta">
          {t('brock.unavailable', {
            message: t(r.error.code === 'not-applicable' ? 'brock.calcified' : 'brock.missingAgeSex'),
          })}
        </div>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={ctx.emphysema}
          onChange={(e) => actions.setReviewContext({ emphysema: e.target.checked })}
        />
        {t('brock.emphysema')}
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={ctx.familyHistory}
          onChange={(e) => actions.setReviewContext({ familyHistory: e.target.checked })}
        />
        {t('brock.familyHistory')}
      </label>
      <div className="note">{t('brock.note')}</div>
    </div>
  );
}

/** The selected finding: edit its measurement, type and margin; Brock; suggestions; history. */
export function FindingDetail({ f }: { f: FindingRecord }): JSX.Element {
  const t = useT();
  const actions = useActions();
  const language = useAppState((s) => s.language);
  const edit = (e: FindingEdit): void => actions.editFinding(f.id, e);
  const time = new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'medium' });
  return (
    <div className="finding-detail" role="group" aria-label={t('findings.edit', { id: f.id })}>
      <div className="edit-grid">
        <label className="field-inline">
          <span>{t('findings.edit.type')}</span>
          <select value={f.type} onChange={(e) => edit({ type: e.target.value as NoduleType })}>
            {NODULE_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`type.${ty}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>{t('findings.edit.margin')}</span>
          <select
            value={f.margin ?? ''}
            onChange={(e) => edit({ margin: e.target.value === '' ? null : (e.target.value as Margin) })}
          >
            <option value="">{t('margin.none')}</option>
            {MARGINS.map((m) => (
              <option key={m} value={m}>
                {t(`margin.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <MmField
          label={t('findings.edit.long')}
          value={f.longAxisMm}
          onCommit={(v) => edit({ longAxisMm: v })}
        />
        <MmField
          label={t('findings.edit.short')}
          value={f.shortAxisMm}
          onCommit={(v) => edit({ shortAxisMm: v })}
        />
        {f.type === 'part-solid' ? (
          <MmField
            label={t('findings.edit.solid')}
            value={f.solidComponentMm}
            onCommit={(v) => edit({ solidComponentMm: v })}
          />
        ) : null}
      </div>
      {f.type === 'part-solid' && f.solidComponentMm === null ? (
        <p className="field-hint" role="note">
          {t('findings.edit.solidMissing')}
        </p>
      ) : null}
      <button type="button" className="button small" onClick={() => actions.startRemeasure(f.id)}>
        {t('findings.remeasure', { id: f.id })}
      </button>
      {f.differentials.length > 0 ? (
        <div className="suggestions">
          <div className="suggestions-title">{t('findings.suggestions')}</div>
          <ol>
            {f.differentials.map((d) => (
              <li key={d.label} title={d.reference}>
                <strong>{d.label}</strong>: {d.rationale}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      <Brock f={f} />
      <details className="history">
        <summary>{t('findings.history')}</summary>
        <ol>
          {f.history.map((h, i) => (
            <li key={i}>
              {t('findings.historyEntry', {
                time: time.format(new Date(h.at)),
                who: h.by.kind === 'model' ? `${h.by.id} ${h.by.version}` : t('findings.who.user'),
                action: t(`findings.action.${h.action}`),
              })}
              {h.detail ? ` · ${h.detail}` : ''}
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}
