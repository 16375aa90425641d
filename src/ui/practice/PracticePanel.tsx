import { useEffect, useState, type JSX } from 'react';
import {
  LUNG_RADS_CATEGORIES,
  NODULE_TYPES,
  type LungRadsCategory,
  type NoduleType,
} from '../../findings/types';
import { progressOf } from '../../practice/protocol';
import type { PracticeSession } from '../../practice/session';
import { MAX_CONFIDENCE, MIN_CONFIDENCE } from '../../practice/types';
import { aiBusy } from '../../store/selectors';
import { useActions, useAppState } from '../context';
import { useFailureText, useT } from '../hooks/useT';
import { PracticeResult } from './PracticeResult';
import { clock, problemText, truthSourceText, typeName } from './words';

const CONFIDENCES = Array.from({ length: MAX_CONFIDENCE - MIN_CONFIDENCE + 1 }, (_, i) => MIN_CONFIDENCE + i);

function Timer({ startedAt }: { startedAt: number }): JSX.Element {
  const t = useT();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return (
    <span className="practice-timer" data-testid="practice-timer">
      {t('practice.timer', { time: clock((now - startedAt) / 1000) })}
    </span>
  );
}

function Reading({ p }: { p: PracticeSession }): JSX.Element {
  const t = useT();
  const actions = useActions();
  // A read with AI is scored with what the AI showed: it is submitted once the AI has finished.
  const aiRunning = useAppState((s) => aiBusy(s.ai));
  const waitForAi = p.modality === 'aided' && aiRunning;
  return (
    <>
      <p className="note practice-mode">
        {t(p.modality === 'unaided' ? 'practice.blind' : 'practice.aided')}
      </p>
      {p.startedAt ? <Timer startedAt={p.startedAt} /> : null}
      <p className="note">{t('practice.howTo')}</p>
      <h3 className="panel-subtitle">{t('practice.marks')}</h3>
      {p.marks.length === 0 ? (
        <p className="empty">{t('practice.marks.empty')}</p>
      ) : (
        <ol className="practice-marks" aria-label={t('practice.marks')}>
          {p.marks.map((m, i) => (
            <li key={m.id} data-id={m.id}>
              <button
                type="button"
                className="button small"
                onClick={() => actions.practice.goTo(m.centerMm)}
              >
                <span aria-hidden="true">{t('practice.mark', { n: i + 1 })}</span>
                <span className="visually-hidden">{t('practice.mark.goTo', { n: i + 1 })}</span>
              </button>
              <select
                aria-label={t('practice.mark.type', { n: i + 1 })}
                value={m.type}
                onChange={(e) =>
                  actions.practice.setMark(m.id, { type: e.currentTarget.value as NoduleType })
                }
              >
                {NODULE_TYPES.map((x) => (
                  <option key={x} value={x}>
                    {typeName(t, x)}
                  </option>
                ))}
              </select>
              <select
                aria-label={t('practice.mark.confidence', { n: i + 1 })}
                value={m.confidence}
                onChange={(e) =>
                  actions.practice.setMark(m.id, { confidence: Number(e.currentTarget.value) })
                }
              >
                {CONFIDENCES.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="button small"
                aria-label={t('practice.mark.remove', { n: i + 1 })}
                onClick={() => actions.practice.removeMark(m.id)}
              >
                ×
              </button>
            </li>
          ))}
        </ol>
      )}
      <label className="field">
        <span>{t('practice.lungRads')}</span>
        <select
          value={p.lungRads ?? ''}
          onChange={(e) =>
            actions.practice.answer({
              lungRads: e.currentTarget.value === '' ? null : (e.currentTarget.value as LungRadsCategory),
            })
          }
        >
          <option value="">{t('practice.lungRads.none')}</option>
          {LUNG_RADS_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('practice.impression')}</span>
        <input
          value={p.impression}
          maxLength={300}
          onChange={(e) => actions.practice.answer({ impression: e.currentTarget.value })}
        />
      </label>
      {waitForAi ? (
        <p className="muted" role="status" data-testid="practice-wait-ai">
          {t('practice.waitForAi')}
        </p>
      ) : null}
      <div className="practice-row">
        <button
          type="button"
          className="button primary"
          disabled={waitForAi}
          onClick={() => actions.practice.submit()}
        >
          {t('practice.submit')}
        </button>
        <button type="button" className="button" onClick={() => actions.practice.end()}>
          {t('practice.end')}
        </button>
      </div>
    </>
  );
}

/** Where a reader-study read stands in its protocol ("session 1, read 3 of 7"). */
function StudyLine({ id }: { id: string }): JSX.Element | null {
  const t = useT();
  const plan = useAppState((s) => s.readerStudies.find((x) => x.id === id));
  if (!plan) return null;
  const at = progressOf(plan);
  const session = Math.max(
    0,
    at.findIndex((s) => s.done < s.total),
  );
  const here = at[session] ?? { done: 0, total: 0 };
  return (
    <p className="note" data-testid="study-line">
      {t('study.reading', {
        session: session + 1,
        n: Math.min(here.total, here.done + 1),
        total: here.total,
      })}
    </p>
  );
}

/**
 * The practice session in the right column: preparing the case (generation progress, errors), the read
 * (timer, the reader's marks with type and confidence, Lung-RADS, impression, **Submit read**), then the
 * result (PracticeResult). During a blind read the app shows this instead of Findings and Report.
 */
export function PracticePanel(): JSX.Element | null {
  const t = useT();
  const said = useFailureText();
  const actions = useActions();
  const p = useAppState((s) => s.practice);
  if (!p) return null;
  return (
    <section className="panel practice-panel" aria-label="Practice">
      <h2 className="panel-title">
        {t('practice.region')} · {p.label}
      </h2>
      {p.studyId && p.phase !== 'result' ? <StudyLine id={p.studyId} /> : null}
      {p.truthSource ? (
        <p className="note" data-testid="practice-truth-source">
          {truthSourceText(t, p.truthSource)}
        </p>
      ) : null}
      {p.error || p.problem ? (
        <>
          <p className="error" role="alert">
            {p.problem
              ? problemText(t, p.problem)
              : t('practice.error', {
                  message: said(p.error ?? { code: 'failed', detail: {}, message: '' }),
                })}
          </p>
          <button type="button" className="button" onClick={() => actions.practice.end()}>
            {t('practice.end')}
          </button>
        </>
      ) : p.phase === 'preparing' ? (
        <>
          <p className="note" aria-live="polite">
            {p.progress?.stage === 'generating' && p.progress.total > 0
              ? t('practice.generating', { done: p.progress.done, total: p.progress.total })
              : t('practice.loading')}
          </p>
          <button type="button" className="button" onClick={() => actions.practice.end()}>
            {t('practice.cancel')}
          </button>
        </>
      ) : p.phase === 'reading' ? (
        <Reading p={p} />
      ) : (
        <PracticeResult p={p} />
      )}
    </section>
  );
}
