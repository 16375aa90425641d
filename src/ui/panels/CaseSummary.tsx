import type { JSX } from 'react';
import { fleischnerForCase } from '../../findings/review';
import { NODULE_TYPES } from '../../findings/types';
import type { MessageKey } from '../../i18n';
import { useActions, useAppState } from '../context';
import { useNumber, useT } from '../hooks/useT';

function Fleischner(): JSX.Element {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const findings = useAppState((s) => s.findings);
  const ctx = useAppState((s) => s.reviewContext);
  const patient = useAppState((s) => s.patient);
  const language = useAppState((s) => s.language);
  const view = fleischnerForCase(
    findings,
    ctx.fleischnerRisk,
    {
      ageYears: patient.ageYears ?? null,
      knownOrSuspectedCancer: ctx.knownCancer,
      immunocompromised: ctx.immunocompromised,
      lungCancerScreening: ctx.screening,
    },
    language,
  );
  const guide = findings.find((f) => f.id === view.guideFindingId);
  const check = (key: 'screening' | 'knownCancer' | 'immunocompromised', label: MessageKey): JSX.Element => (
    <label className="check">
      <input
        type="checkbox"
        checked={ctx[key]}
        onChange={(e) => actions.setReviewContext({ [key]: e.target.checked })}
      />
      {t(label)}
    </label>
  );
  return (
    <details className="fleischner">
      <summary>{t('fleischner.title')}</summary>
      <label className="field-inline">
        <span>{t('fleischner.risk')}</span>
        <select
          value={ctx.fleischnerRisk}
          onChange={(e) =>
            actions.setReviewContext({ fleischnerRisk: e.target.value === 'high' ? 'high' : 'low' })
          }
        >
          <option value="low">{t('fleischner.risk.low')}</option>
          <option value="high">{t('fleischner.risk.high')}</option>
        </select>
      </label>
      {check('screening', 'fleischner.screening')}
      {check('knownCancer', 'fleischner.knownCancer')}
      {check('immunocompromised', 'fleischner.immunocompromised')}
      {!view.applicability.applies ? (
        <div className="fleischner-result" data-applies="false">
          <strong>{t('fleischner.notApplicable')}</strong>
          <ul>
            {view.applicability.exclusions.map((e) => (
              <li key={e.code} title={e.source}>
                {e.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : view.recommendation && guide ? (
        <div className="fleischner-result" data-applies="true" data-row={view.recommendation.rowId}>
          <div className="finding-meta">
            {t('fleischner.guide', {
              id: guide.id,
              size: n(view.recommendation.sizeMm, 0),
              multiplicity: t(view.multiplicity === 'multiple' ? 'fleischner.multiple' : 'fleischner.single'),
            })}
          </div>
          <div title={view.recommendation.source}>{view.recommendation.recommendation}</div>
          {view.recommendation.comment ? <div className="note">{view.recommendation.comment}</div> : null}
        </div>
      ) : (
        <div className="fleischner-result">{t('fleischner.none')}</div>
      )}
      {view.applicability.caveats.map((c) => (
        <div key={c} className="note">
          {c}
        </div>
      ))}
    </details>
  );
}

/** The case: overall Lung-RADS with management, a count per type, and Fleischner for incidental use. */
export function CaseSummary(): JSX.Element | null {
  const t = useT();
  const caseLungRads = useAppState((s) => s.caseLungRads);
  const findings = useAppState((s) => s.findings);
  const kept = findings.filter((f) => f.status !== 'rejected');
  return (
    <div className="case-summary-block">
      {caseLungRads ? (
        <div className="case-summary" data-category={caseLungRads.category}>
          <strong>{t('findings.summary', { category: caseLungRads.category })}</strong>
          <span>{caseLungRads.management}</span>
        </div>
      ) : null}
      <div className="type-counts" aria-label={t('findings.counts')}>
        {NODULE_TYPES.map((ty) => {
          const count = kept.filter((f) => f.type === ty).length;
          return count > 0 ? (
            <span key={ty} className="type-count" data-type={ty}>
              <span className={`type-dot ${ty}`} aria-hidden="true" /> {t(`type.${ty}` as MessageKey)} {count}
            </span>
          ) : null;
        })}
      </div>
      <Fleischner />
    </div>
  );
}
