import { useEffect, useMemo, useRef, type JSX } from 'react';
import type { FindingRecord } from '../../findings/record';
import { sortFindings, type FindingSort } from '../../findings/review';
import type { MessageKey } from '../../i18n';
import { aiBusy } from '../../store/selectors';
import { useActions, useApp, useAppState } from '../context';
import { aiStatusText } from '../aiText';
import { useNumber, useT } from '../hooks/useT';
import { CaseSummary } from './CaseSummary';
import { FindingDetail } from './FindingDetail';
import { Measurements } from './Measurements';
import { ModelPicker } from './ModelPicker';

function FindingItem({ f }: { f: FindingRecord }): JSX.Element {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const selected = useAppState((s) => s.selectedFinding === f.id);
  const item = useRef<HTMLLIElement>(null);
  // Stepping with N / B (or selecting on the image) brings the finding and its editor into view.
  useEffect(() => {
    if (selected) item.current?.scrollIntoView?.({ block: 'nearest' });
  }, [selected]);
  // A finding read back from a stored report (DICOM SR) says so: in its text or its details, and its title.
  const stored = f.origin?.kind === 'stored-report';
  const author =
    f.source.kind === 'model'
      ? t('findings.byModel', { model: f.source.id, version: f.source.version })
      : stored
        ? t('findings.fromStored')
        : t('findings.byUser');
  const type = t(`type.${f.type}` as MessageKey);
  const params = { id: f.id, type, size: n(f.meanDiameterMm), category: f.lungRads };
  return (
    <li
      ref={item}
      className={`finding ${f.status}${selected ? ' selected' : ''}`}
      data-id={f.id}
      data-status={f.status}
      data-type={f.type}
      data-category={f.lungRads}
      data-mean={f.meanDiameterMm}
      data-score={f.score}
      data-center={f.centerMm.map((v) => v.toFixed(1)).join(',')}
      data-source={f.source.kind}
      data-origin={f.origin?.kind}
      aria-current={selected ? 'true' : undefined}
    >
      <button
        type="button"
        className="finding-main"
        title={author}
        onClick={() => actions.selectFinding(f.id)}
      >
        <span className={`type-dot ${f.type}`} aria-hidden="true" />
        <span className="finding-text">
          {f.source.kind === 'model'
            ? t('findings.item', { ...params, score: n(f.score ?? 0, 2) })
            : t(stored ? 'findings.itemStored' : 'findings.itemUser', params)}
        </span>
        <span className="finding-meta">
          {n(f.longAxisMm)} × {n(f.shortAxisMm)} mm · {Math.round(f.volumeMm3)} mm³
          {f.solidComponentMm !== null ? ` · ${t('findings.edit.solid')} ${n(f.solidComponentMm)}` : ''}
          {f.location
            ? ` · ${t(`findings.location.${f.location.side}`)} ${t(`findings.location.${f.location.zone}`)}`
            : ''}
          {f.slice !== undefined ? ` · ${t('findings.slice', { n: f.slice })}` : ''}
          {stored && f.source.kind === 'model' ? ` · ${t('findings.fromStored')}` : ''} ·{' '}
          {t(`findings.status.${f.status}`)}
        </span>
      </button>
      <span className="finding-actions">
        {f.status !== 'accepted' ? (
          <button
            type="button"
            className="icon-button ok"
            aria-label={t('findings.accept', { id: f.id })}
            onClick={() => actions.setFindingStatus(f.id, 'accepted')}
          >
            ✓
          </button>
        ) : null}
        {f.status !== 'rejected' ? (
          <button
            type="button"
            className="icon-button no"
            aria-label={t('findings.reject', { id: f.id })}
            onClick={() => actions.setFindingStatus(f.id, 'rejected')}
          >
            ✕
          </button>
        ) : (
          <button
            type="button"
            className="icon-button"
            aria-label={t('findings.reopen', { id: f.id })}
            onClick={() => actions.setFindingStatus(f.id, 'pending')}
          >
            ↺
          </button>
        )}
      </span>
      {selected ? <FindingDetail f={f} /> : null}
    </li>
  );
}

/** Where the findings on screen came from, when a stored report (DICOM SR) brought them back. */
function StoredReportNote(): JSX.Element | null {
  const t = useT();
  const note = useAppState((s) => s.storedReport);
  const shown = useAppState((s) => s.findings.some((f) => f.origin?.kind === 'stored-report'));
  const reviewed = useAppState((s) => s.reviewSeriesKey);
  if (!note || note.seriesKey !== reviewed || (!shown && note.unplaced.length === 0)) return null;
  const date = note.date ?? t('findings.storedUndated');
  return (
    <div className="note stored-report-note" role="note" data-testid="stored-report-note">
      {shown ? (
        <p>
          {t(note.verified ? 'findings.storedSigned' : 'findings.storedUnsigned', { date })}
          {note.verified && note.reader ? ` ${t('findings.storedSignedBy', { reader: note.reader })}` : ''}
        </p>
      ) : null}
      {note.unplaced.length > 0 ? (
        <p>{t('findings.storedUnplaced', { count: note.unplaced.length, ids: note.unplaced.join(', ') })}</p>
      ) : null}
    </div>
  );
}

const SORTS: readonly FindingSort[] = ['category', 'score', 'size', 'id'];

export function FindingsPanel(): JSX.Element {
  const t = useT();
  const actions = useActions();
  const { store } = useApp();
  const hasImage = useAppState((s) => s.activeSeriesKey !== null);
  const findings = useAppState((s) => s.findings);
  const sort = useAppState((s) => s.findingSort);
  const ai = useAppState((s) => s.ai);
  const restored = useAppState((s) => s.restored);
  const remeasuring = useAppState((s) => s.remeasuring);
  const reviewError = useAppState((s) => s.reviewError);
  const hasModel = useAppState((s) => (s.models ?? []).length > 0);
  const evidenceAvailable = useAppState((s) => s.evidenceAvailable);
  const showHeatmap = useAppState((s) => s.showHeatmap);
  const heatmapOpacity = useAppState((s) => s.heatmapOpacity);
  const sorted = useMemo(() => sortFindings(findings, sort), [findings, sort]);
  const running = aiBusy(ai);
  return (
    <section className="panel findings-panel" aria-label="Findings">
      <h2 className="panel-title">{t('findings.region')}</h2>
      <div className="row">
        <button
          type="button"
          className="button primary"
          disabled={!hasImage || running}
          onClick={() => actions.runAi()}
        >
          {t('findings.runAi')}
        </button>
        {running ? (
          <button type="button" className="button" onClick={() => actions.cancelAi()}>
            {t('ai.cancel')}
          </button>
        ) : null}
        {ai.model || hasModel ? (
          <button
            type="button"
            className="button link"
            onClick={() => store.setState({ modelCardOpen: true })}
          >
            {t('findings.modelCard')}
          </button>
        ) : null}
      </div>
      <ModelPicker />
      {restored ? <p className="note">{t('findings.restored')}</p> : null}
      <StoredReportNote />
      {remeasuring ? (
        <div className="remeasure-banner" role="note">
          <span>{t('findings.remeasuring', { id: remeasuring })}</span>
          <button type="button" className="button small" onClick={() => actions.finishRemeasure()}>
            {t('findings.remeasureDone')}
          </button>
        </div>
      ) : null}
      {reviewError ? (
        <p className="error" role="alert">
          {t(reviewError)}
        </p>
      ) : null}
      {findings.length === 0 ? (
        <p className="empty">{ai.status === 'not-applicable' ? aiStatusText(ai, t) : t('findings.none')}</p>
      ) : (
        <>
          <CaseSummary />
          <div className="row">
            <label className="field-inline">
              <span>{t('findings.sort')}</span>
              <select value={sort} onChange={(e) => actions.setFindingSort(e.target.value as FindingSort)}>
                {SORTS.map((k) => (
                  <option key={k} value={k}>
                    {t(`findings.sort.${k}`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="button link" onClick={() => actions.exportAudit()}>
              {t('findings.exportAudit')}
            </button>
          </div>
          {evidenceAvailable ? (
            <div className="row">
              <label className="check">
                <input type="checkbox" checked={showHeatmap} onChange={() => actions.toggleHeatmap()} />
                {t('findings.heatmap')}
              </label>
              <label className="check">
                {t('findings.heatmapOpacity')}
                <input
                  type="range"
                  min="0.1"
                  max="1"
                  step="0.05"
                  value={heatmapOpacity}
                  disabled={!showHeatmap}
                  onChange={(e) => actions.setHeatmapOpacity(Number(e.target.value))}
                />
              </label>
            </div>
          ) : null}
          <ul className="findings-list" aria-label={t('findings.list')}>
            {sorted.map((f) => (
              <FindingItem key={f.id} f={f} />
            ))}
          </ul>
        </>
      )}
      <p className="note">{t('findings.aiNote')}</p>
      <Measurements />
    </section>
  );
}
