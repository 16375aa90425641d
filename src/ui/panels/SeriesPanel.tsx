import { useEffect, useRef, type JSX } from 'react';
import { imageCount, type Series, type Study } from '../../dicom/series';
import { useActions, useAppState } from '../context';
import { useNumber, useT } from '../hooks/useT';
import { SeriesExportControls } from './SeriesExportControls';

function Thumbnail({ series }: { series: Series }): JSX.Element {
  const ref = useRef<HTMLCanvasElement>(null);
  const actions = useActions();
  const frames = series.frames.length;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || series.kind !== 'image' || frames === 0) return;
    let cancelled = false;
    actions.renderThumbnail(canvas, series.key).catch(() => {
      if (!cancelled) canvas.dataset['failed'] = 'true';
    });
    return () => {
      cancelled = true;
    };
  }, [actions, series.key, series.kind, frames]);
  if (series.kind !== 'image') {
    return (
      <div className="thumb non-image" aria-hidden="true">
        {series.label}
      </div>
    );
  }
  return <canvas ref={ref} className="thumb" width={96} height={96} aria-hidden="true" />;
}

function seriesName(series: Series, t: ReturnType<typeof useT>): string {
  return (
    series.description ??
    (series.seriesNumber !== undefined
      ? t('series.untitled', { number: series.seriesNumber })
      : series.modality)
  );
}

function StudyBlock({ study }: { study: Study }): JSX.Element {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const active = useAppState((s) => s.activeSeriesKey);
  return (
    <div className="study">
      <div className="study-head">
        <div className="patient" title={t('series.patient')}>
          {study.patient.name?.replace(/\^/g, ' ') ?? '—'}
        </div>
        <div className="study-meta">
          {[
            study.date && `${study.date.slice(0, 4)}-${study.date.slice(4, 6)}-${study.date.slice(6, 8)}`,
            study.description,
          ]
            .filter(Boolean)
            .join(' · ')}
        </div>
      </div>
      <ul className="series-list">
        {study.series.map((s) => {
          const count = imageCount(s);
          const name = seriesName(s, t);
          return (
            <li key={s.key} className={s.key === active ? 'series active' : 'series'}>
              <button
                type="button"
                className="series-button"
                aria-current={s.key === active ? 'true' : undefined}
                aria-label={t('series.open', { name: `${name}, ${s.modality}` })}
                onClick={() => actions.selectSeries(s.key)}
              >
                <Thumbnail series={s} />
                <span className="series-text">
                  <span className="series-name">{name}</span>
                  <span className="series-meta">
                    {s.modality}
                    {s.seriesNumber !== undefined ? ` · #${s.seriesNumber}` : ''}
                  </span>
                  <span className="series-count">
                    {s.kind === 'image' ? t('series.images', { count }) : t('series.objects', { count })}
                  </span>
                  {s.kind !== 'image' ? <span className="series-note">{t('series.nonImage')}</span> : null}
                  {s.volume.isVolume ? (
                    <span className="series-note">
                      {t('series.volume', { spacing: n(s.volume.spacingMm, 2) })}
                    </span>
                  ) : null}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function SeriesPanel(): JSX.Element {
  const t = useT();
  const studies = useAppState((s) => s.studies);
  return (
    <section className="panel series-panel" aria-label="Series">
      <h2 className="panel-title">{t('series.region')}</h2>
      {studies.length === 0 ? (
        <p className="empty">{t('series.empty')}</p>
      ) : (
        studies.map((s) => <StudyBlock key={s.studyInstanceUID} study={s} />)
      )}
      <SeriesExportControls />
    </section>
  );
}
