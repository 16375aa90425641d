import { useMemo, type JSX } from 'react';
import { matchMarks } from '../../practice/match';
import type { PracticeSession } from '../../practice/session';
import { aiBusy } from '../../store/selectors';
import { useActions, useAppState } from '../context';
import { useNumber, useT } from '../hooks/useT';
import { clock, lookalikeKey, noduleText, typeName, whyKey } from './words';

/**
 * The result of a submitted practice read, in the region **Practice result**: the scores (nodules found,
 * false positives, type, Lung-RADS, time), the AI's result on the same case (marked as AI output), and
 * every hit, miss and false positive with a button that goes there; each miss says why it is easy to miss,
 * each false positive what it most probably was.
 */
/** The numbered button that shows a hit, a miss or a false positive on the image. */
function GoTo({
  kind,
  n,
  at,
}: {
  kind: 'hit' | 'miss' | 'fp';
  n: number;
  at: readonly [number, number, number];
}): JSX.Element {
  const t = useT();
  const actions = useActions();
  return (
    <button
      type="button"
      className="button small"
      aria-label={t(`practice.goTo.${kind}`, { n })}
      onClick={() => actions.practice.goTo(at)}
    >
      {n}
    </button>
  );
}

export function PracticeResult({ p }: { p: PracticeSession }): JSX.Element | null {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const findings = useAppState((s) => s.findings);
  const aiStatus = useAppState((s) => s.ai.status);
  const activeSeriesKey = useAppState((s) => s.activeSeriesKey);
  const r = p.result;
  // An unaided read is scored without AI; once the model runs on the case, its result sits beside it.
  const ai = useMemo(() => {
    if (!r) return null;
    if (r.score.ai) return r.score.ai;
    const model = findings.filter((f) => f.source.kind === 'model' && f.seriesKey === activeSeriesKey);
    if (model.length === 0 && aiStatus !== 'done') return null;
    return matchMarks(
      p.truth,
      model.map((f) => ({ id: f.id, centerMm: f.centerMm, confidence: f.score ?? 1, type: f.type })),
    );
  }, [r, findings, activeSeriesKey, aiStatus, p.truth]);
  if (!r) return null;
  const s = r.score;
  return (
    <section className="practice-result" aria-label="Practice result" data-testid="practice-result">
      <h3 className="panel-subtitle">{t('practice.result')}</h3>
      <ul className="practice-scores">
        <li data-testid="practice-found">
          {s.lesions > 0
            ? `${t('practice.score.found', { found: s.matching.hits.length, total: s.lesions })} (${t(
                'practice.score.sensitivity',
                { percent: Math.round(s.sensitivity * 100) },
              )})`
            : t('practice.score.noNodules')}
        </li>
        <li data-testid="practice-fp">{t('practice.score.fp', { count: s.falsePositives })}</li>
        {s.matching.hits.length > 0 ? (
          <li>
            {t('practice.score.type', {
              right: s.matching.hits.filter((h) => h.typeRight).length,
              found: s.matching.hits.length,
            })}
          </li>
        ) : null}
        <li>
          {t('practice.score.lungRads', {
            given: s.lungRads.given ?? t('practice.lungRads.none'),
            truth: s.lungRads.truth,
          })}
        </li>
        <li>{t('practice.score.time', { time: clock(s.seconds) })}</li>
        <li className="ai-row" data-testid="practice-ai">
          {ai
            ? t('practice.score.ai', {
                found: ai.hits.length,
                total: s.lesions,
                fp: ai.falsePositives.length,
              })
            : t('practice.score.aiNone')}
        </li>
      </ul>
      {!ai && !aiBusy({ status: aiStatus }) ? (
        <button type="button" className="button small" onClick={() => actions.runAi()}>
          {t('practice.showAi')}
        </button>
      ) : null}

      <h4 className="panel-subtitle">{t('practice.hits')}</h4>
      {s.matching.hits.length === 0 ? (
        <p className="empty">{t('practice.none')}</p>
      ) : (
        <ol className="practice-list" aria-label={t('practice.hits')}>
          {s.matching.hits.map((h, i) => {
            const lesion = p.truth[h.lesion];
            if (!lesion) return null;
            return (
              <li key={h.mark.id} className="hit">
                <GoTo kind="hit" n={i + 1} at={lesion.centerMm} /> {noduleText(t, n, lesion, r.lungZ)}
                {h.typeRight ? '' : ` (${t('practice.typeWrong', { given: typeName(t, h.mark.type) })})`}
              </li>
            );
          })}
        </ol>
      )}

      <h4 className="panel-subtitle">{t('practice.misses')}</h4>
      {r.misses.length === 0 ? (
        <p className="empty">{t('practice.none')}</p>
      ) : (
        <ol className="practice-list" aria-label={t('practice.misses')}>
          {r.misses.map((m, i) => (
            <li key={m.lesion.centerMm.join(',')} className="miss">
              <GoTo kind="miss" n={i + 1} at={m.lesion.centerMm} /> {noduleText(t, n, m.lesion, r.lungZ)},{' '}
              {t('practice.slices', { slices: m.slices })}
              <ul className="why">
                {m.reasons.map((reason) => (
                  <li key={reason}>{t(whyKey(reason))}</li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}

      <h4 className="panel-subtitle">{t('practice.fps')}</h4>
      {s.matching.falsePositives.length === 0 ? (
        <p className="empty">{t('practice.none')}</p>
      ) : (
        <ol className="practice-list" aria-label={t('practice.fps')}>
          {s.matching.falsePositives.map((m, i) => {
            const fb = r.falsePositives?.find((f) => f.mark.id === m.id);
            return (
              <li key={m.id} className="fp">
                <GoTo kind="fp" n={i + 1} at={m.centerMm} />{' '}
                {r.falsePositives === null
                  ? t('practice.like.reading')
                  : t(lookalikeKey(fb?.lookalike ?? null))}
              </li>
            );
          })}
        </ol>
      )}

      <div className="practice-row">
        <button type="button" className="button primary" onClick={() => void actions.practice.next()}>
          {t('practice.next')}
        </button>
        <button type="button" className="button" onClick={() => actions.practice.open()}>
          {t('practice.menu')}
        </button>
        <button type="button" className="button" onClick={() => actions.practice.end()}>
          {t('practice.end')}
        </button>
      </div>
    </section>
  );
}
