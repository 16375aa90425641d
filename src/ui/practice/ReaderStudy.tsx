import { useMemo, useState, type JSX } from 'react';
import {
  MIN_STUDY_CASES,
  nextStep,
  progressOf,
  studyCases,
  studyResults,
  type Design,
  type ReaderStudyPlan,
} from '../../practice/protocol';
import type { StudyReport, Summary } from '../../practice/study';
import { useActions, useAppState } from '../context';
import { demoName } from '../demo';
import { useNumber, useT } from '../hooks/useT';
import type { FormatNumber, Translate } from './words';

const W = 360;
const ROW = 22;
const PAD = { left: 70, right: 16, top: 8, bottom: 22 };

/** Each reader's (and the pooled) sensitivity unaided (○) and with AI (●), joined by a line. */
function SensitivityPlot({ report, t }: { report: StudyReport; t: Translate }): JSX.Element {
  const readers = [...report.readers, 'pooled'];
  const H = PAD.top + PAD.bottom + ROW * readers.length;
  const x = (v: number): number => PAD.left + v * (W - PAD.left - PAD.right);
  const of = (r: string, m: Summary['modality']): number | undefined =>
    report.rows.find((s) => s.reader === r && s.modality === m)?.sensitivity;
  return (
    <svg
      className="practice-plot study-plot"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={t('study.plot')}
      data-testid="study-plot"
    >
      <line className="axis" x1={x(0)} y1={H - PAD.bottom} x2={x(1)} y2={H - PAD.bottom} />
      <text className="tick" x={x(0)} y={H - 6} textAnchor="middle">
        0%
      </text>
      <text className="tick" x={x(1)} y={H - 6} textAnchor="middle">
        100%
      </text>
      {readers.map((r, i) => {
        const y = PAD.top + ROW * i + ROW / 2;
        const u = of(r, 'unaided');
        const a = of(r, 'aided');
        return (
          <g key={r}>
            <text className="tick" x={PAD.left - 6} y={y + 4} textAnchor="end">
              {r === 'pooled' ? t('study.pooled') : r}
            </text>
            {u !== undefined && a !== undefined && Number.isFinite(u) && Number.isFinite(a) ? (
              <line className="axis" x1={x(u)} y1={y} x2={x(a)} y2={y} />
            ) : null}
            {u !== undefined && Number.isFinite(u) ? (
              <circle className="unaided" cx={x(u)} cy={y} r={4} />
            ) : null}
            {a !== undefined && Number.isFinite(a) ? (
              <circle className="sens" cx={x(a)} cy={y} r={4} />
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

const pct = (v: number): string => (Number.isFinite(v) ? `${Math.round(v * 100)} %` : '–');

/** Per reader and pooled: sensitivity, false positives per case, wAFROC, unaided and with AI; the differences. */
function Results({ report, t, n }: { report: StudyReport; t: Translate; n: FormatNumber }): JSX.Element {
  const diffs = report.differences.filter((d) => d.metric === 'sensitivity' || d.metric === 'wafroc');
  return (
    <div className="study-results" role="region" aria-label={t('study.results')}>
      <SensitivityPlot report={report} t={t} />
      <table className="practice-table">
        <caption>{t('study.results')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('study.col.reader')}</th>
            <th scope="col">{t('practice.modality')}</th>
            <th scope="col">{t('practice.progress.sensitivity')}</th>
            <th scope="col">{t('practice.progress.fp')}</th>
            <th scope="col">wAFROC</th>
          </tr>
        </thead>
        <tbody>
          {report.rows
            .filter((r) => r.modality !== 'standalone')
            .map((r) => (
              <tr key={`${r.reader}-${r.modality}`}>
                <th scope="row">{r.reader === 'pooled' ? t('study.pooled') : r.reader}</th>
                <td>{t(r.modality === 'aided' ? 'practice.modality.aided' : 'study.unaided')}</td>
                <td>{pct(r.sensitivity)}</td>
                <td>{n(r.fpPerCase, 2)}</td>
                <td>{n(r.wafroc, 3)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <ul className="study-diffs">
        {diffs.map((d) => (
          <li key={`${d.reader}-${d.metric}`}>
            {t('study.diff', {
              reader: d.reader === 'pooled' ? t('study.pooled') : d.reader,
              metric: t(d.metric === 'sensitivity' ? 'practice.progress.sensitivity' : 'study.wafroc'),
              diff: n(d.difference, 3),
              lo: n(d.ci95[0], 3),
              hi: n(d.ci95[1], 3),
              cases: d.cases,
            })}
          </li>
        ))}
      </ul>
    </div>
  );
}

function StudyItem({ plan, t }: { plan: ReaderStudyPlan; t: Translate }): JSX.Element {
  const actions = useActions();
  const step = nextStep(plan, new Date());
  const progress = progressOf(plan)
    .map((s, i) => t('study.progress', { session: i + 1, done: s.done, total: s.total }))
    .join(' · ');
  return (
    <li>
      <span>
        {plan.reader} · {t(`study.design.${plan.design.kind}.short`, { days: plan.design.washoutDays })} ·{' '}
        {progress}
      </span>{' '}
      {step.kind === 'read' ? (
        <button type="button" className="button" onClick={() => void actions.practice.continueStudy(plan.id)}>
          {t('study.continue', { reader: plan.reader })}
        </button>
      ) : step.kind === 'washout' ? (
        <span className="note" data-testid="study-washout">
          {t('study.opens', { session: step.session + 1, date: new Date(step.opensAt).toLocaleString() })}
        </span>
      ) : (
        <span className="note">{t('study.done')}</span>
      )}
    </li>
  );
}

/**
 * The reader study in the practice dialog: start a protocol over the demo cases ticked (all of them, or a
 * subset of at least MIN_STUDY_CASES; sequential with a washout, or crossed), continue the studies kept on this device, and their results (per reader and pooled).
 */
export function ReaderStudy({ reader }: { reader: string }): JSX.Element {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const demos = useAppState((s) => s.demoCases) ?? [];
  const plans = useAppState((s) => s.readerStudies);
  const history = useAppState((s) => s.practiceHistory);
  const [kind, setKind] = useState<Design['kind']>('sequential');
  const [washout, setWashout] = useState(28);
  // The cases left out (every demo case is in the study until it is unticked, those listed later too).
  const [left, setLeft] = useState<ReadonlySet<string>>(new Set());
  const chosen = studyCases(
    demos.map((d) => d.id),
    demos.map((d) => d.id).filter((id) => !left.has(id)),
  );
  const count = demos.length - demos.filter((d) => left.has(d.id)).length;
  const toggle = (id: string, on: boolean): void =>
    setLeft((s) => {
      const next = new Set(s);
      if (on) next.delete(id);
      else next.add(id);
      return next;
    });
  const report = useMemo(
    () =>
      studyResults(
        plans.filter((p) => p.caseSet === 'demo'),
        history,
      ),
    [plans, history],
  );
  return (
    <section aria-labelledby="practice-study">
      <h3 id="practice-study" className="panel-subtitle">
        {t('study.title')}
      </h3>
      <p className="note">{t('study.note', { count, min: MIN_STUDY_CASES })}</p>
      <fieldset className="field study-cases">
        <legend>{t('study.cases')}</legend>
        {demos.map((c) => (
          <label key={c.id} className="radio">
            <input
              type="checkbox"
              checked={!left.has(c.id)}
              onChange={(e) => toggle(c.id, e.currentTarget.checked)}
            />
            {demoName(t, c)}
          </label>
        ))}
      </fieldset>
      <div className="practice-row">
        <label className="field">
          <span>{t('study.design')}</span>
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as Design['kind'])}>
            <option value="sequential">{t('study.design.sequential')}</option>
            <option value="crossed">{t('study.design.crossed')}</option>
          </select>
        </label>
        <label className="field">
          <span>{t('study.washout')}</span>
          <input
            type="number"
            min={0}
            max={365}
            value={washout}
            onChange={(e) =>
              setWashout(Math.max(0, Math.min(365, Math.round(Number(e.currentTarget.value) || 0))))
            }
          />
        </label>
        <button
          type="button"
          className="button primary"
          disabled={!chosen}
          onClick={() => {
            if (chosen) void actions.practice.startStudy(reader, { kind, washoutDays: washout }, chosen);
          }}
        >
          {t('study.start')}
        </button>
      </div>
      {plans.length > 0 ? (
        <ul className="study-list" aria-label={t('study.list')}>
          {plans.map((p) => (
            <StudyItem key={p.id} plan={p} t={t} />
          ))}
        </ul>
      ) : null}
      {report ? (
        <Results report={report} t={t} n={n} />
      ) : plans.length > 0 ? (
        <p className="empty">{t('study.results.none')}</p>
      ) : null}
    </section>
  );
}
