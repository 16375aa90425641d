import { useEffect, useMemo, useRef, type JSX } from 'react';
import type { CellSpec } from '../../imaging/viewer';
import { findSeries } from '../../store/selectors';
import type { AppState } from '../../store';
import { useActions, useAppState } from '../context';
import { useFailureText, useNumber, useT } from '../hooks/useT';
import { FindingOverlay } from './FindingOverlay';
import { PracticeOverlay } from '../practice/PracticeOverlay';

function cellSpecs(s: Pick<AppState, 'layout' | 'activeSeriesKey' | 'gridSeries'>): CellSpec[] {
  switch (s.layout) {
    case '1x1':
      return [{ plane: 'stack', seriesKey: s.activeSeriesKey }];
    case '1x3':
      return (['axial', 'coronal', 'sagittal'] as const).map((plane) => ({
        plane,
        seriesKey: s.activeSeriesKey,
      }));
    case '2x2':
      return [0, 1, 2, 3].map((i) => ({ plane: 'stack', seriesKey: s.gridSeries[i] ?? null }));
  }
}

const PLANE_LABEL = {
  stack: 'plane.stack',
  axial: 'plane.axial',
  coronal: 'plane.coronal',
  sagittal: 'plane.sagittal',
} as const;

function Overlay({ cell, spec }: { cell: number; spec: CellSpec }): JSX.Element | null {
  const t = useT();
  const n = useNumber();
  const readout = useAppState((s) => s.readouts[cell]);
  const series = useAppState((s) => findSeries(s, spec.seriesKey));
  if (!series) return null;
  return (
    <div className="overlay" data-testid={`overlay-${cell}`} aria-hidden="true">
      <div className="corner tl">
        <div>{series.description ?? series.modality}</div>
        <div>{t(PLANE_LABEL[spec.plane])}</div>
      </div>
      <div className="corner tr">
        {readout ? (
          <div data-overlay="image">
            {t('viewport.image', { index: readout.index + 1, total: readout.total })}
          </div>
        ) : null}
        {readout?.positionMm !== undefined ? (
          <div data-overlay="position">{t('viewport.position', { value: n(readout.positionMm) })}</div>
        ) : null}
        {readout?.thicknessMm !== undefined ? (
          <div>{t('viewport.thickness', { value: n(readout.thicknessMm, 2) })}</div>
        ) : null}
      </div>
      <div className="corner bl">
        {readout?.windowWidth !== undefined && readout.windowCenter !== undefined ? (
          <div data-overlay="wl">
            {t('viewport.wl', {
              width: Math.round(readout.windowWidth),
              center: Math.round(readout.windowCenter),
            })}
          </div>
        ) : null}
      </div>
      <div className="corner br">
        {readout ? <div>{t('viewport.zoom', { value: n(readout.zoom, 2) })}</div> : null}
      </div>
    </div>
  );
}

export function ViewportGrid(): JSX.Element {
  const t = useT();
  const said = useFailureText();
  const actions = useActions();
  const layout = useAppState((s) => s.layout);
  const activeSeriesKey = useAppState((s) => s.activeSeriesKey);
  const gridSeries = useAppState((s) => s.gridSeries);
  const activeCell = useAppState((s) => s.activeCell);
  const overlay = useAppState((s) => s.overlay);
  const cellErrors = useAppState((s) => s.cellErrors);
  const viewerError = useAppState((s) => s.viewerError);
  const active = useAppState((s) => findSeries(s, s.activeSeriesKey));
  const frameCounts = useAppState((s) =>
    cellSpecs(s)
      .map((c) => findSeries(s, c.seriesKey)?.frames.length ?? 0)
      .join(','),
  );
  const specs = useMemo(
    () => cellSpecs({ layout, activeSeriesKey, gridSeries }),
    [layout, activeSeriesKey, gridSeries],
  );
  const elements = useRef<(HTMLDivElement | null)[]>([]);
  const gridRef = useRef<HTMLDivElement>(null);
  const signature = `${JSON.stringify(specs)}|${frameCounts}`;
  const showImages = active?.kind === 'image';

  useEffect(() => {
    if (!showImages) {
      actions.mountViewports([]);
      return;
    }
    const cells = specs
      .map((spec, i) => ({ spec, element: elements.current[i] }))
      .filter(
        (c): c is { spec: CellSpec; element: HTMLDivElement } =>
          c.element !== null && c.element !== undefined,
      );
    actions.mountViewports(cells);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature, showImages]);

  useEffect(() => {
    const el = gridRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => actions.resizeViewports());
    ro.observe(el);
    return () => ro.disconnect();
  }, [actions]);

  let body: JSX.Element;
  if (viewerError)
    body = (
      <p className="viewport-message" role="alert">
        {t('viewport.renderError', { message: said(viewerError) })}
      </p>
    );
  else if (!active) body = <p className="viewport-message">{t('viewport.empty')}</p>;
  else if (active.kind !== 'image')
    body = <p className="viewport-message">{t('viewport.nonImage', { label: active.label })}</p>;
  else
    body = (
      <div className={`grid grid-${layout}`}>
        {specs.map((spec, i) => (
          <div
            key={`${layout}-${i}`}
            className={i === activeCell && specs.length > 1 ? 'cell active' : 'cell'}
            data-cell={i}
            data-plane={spec.plane}
            tabIndex={0}
            aria-label={`${t(PLANE_LABEL[spec.plane])} ${i + 1}`}
            onPointerDown={() => actions.setActiveCell(i)}
            onContextMenu={(e) => e.preventDefault()}
          >
            <div
              className="cs-element"
              ref={(el) => {
                elements.current[i] = el;
              }}
            />
            <FindingOverlay cell={i} />
            <PracticeOverlay cell={i} />
            {overlay ? <Overlay cell={i} spec={spec} /> : null}
            {cellErrors[i] ? (
              <p className="cell-error" role="alert">
                {said(cellErrors[i])}
              </p>
            ) : null}
          </div>
        ))}
      </div>
    );

  return (
    <section className="panel viewport-panel" aria-label="Viewport" id="viewport">
      <div className="viewport-area" ref={gridRef}>
        {body}
      </div>
    </section>
  );
}
