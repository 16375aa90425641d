import type { JSX } from 'react';
import { NODULE_TYPES } from '../../findings/types';
import {
  PLACEMENTS,
  SIZE_BANDS,
  type SessionPoint,
  type Tally,
  type Weaknesses,
} from '../../practice/progress';
import { typeName, type FormatNumber, type Translate } from './words';

const W = 360;
const H = 140;
const PAD = { left: 34, right: 34, top: 10, bottom: 22 };

/**
 * Sensitivity (left axis, 0–100 %) and false positives per case (right axis) for each practice session,
 * oldest on the left; an SVG with a text alternative (the same numbers as a table follows it).
 */
function ProgressPlot({ points, t }: { points: readonly SessionPoint[]; t: Translate }): JSX.Element {
  const fpMax = Math.max(1, ...points.map((p) => Math.ceil(p.fpPerCase)));
  const x = (i: number): number =>
    PAD.left + (points.length === 1 ? 0.5 : i / (points.length - 1)) * (W - PAD.left - PAD.right);
  const ySens = (v: number): number => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);
  const yFp = (v: number): number => PAD.top + (1 - v / fpMax) * (H - PAD.top - PAD.bottom);
  const line = (ys: (number | null)[]): string =>
    ys
      .map((y, i) => (y === null ? null : `${x(i).toFixed(1)},${y.toFixed(1)}`))
      .filter((p): p is string => p !== null)
      .join(' ');
  const sens = points.map((p) => (Number.isFinite(p.sensitivity) ? ySens(p.sensitivity) : null));
  const fps = points.map((p) => yFp(p.fpPerCase));
  return (
    <svg
      className="practice-plot"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={t('practice.progress.plot')}
      data-testid="practice-progress-plot"
    >
      <line className="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
      <text className="tick" x={PAD.left - 4} y={ySens(1) + 4} textAnchor="end">
        100%
      </text>
      <text className="tick" x={PAD.left - 4} y={ySens(0) + 4} textAnchor="end">
        0%
      </text>
      <text className="tick fp" x={W - PAD.right + 4} y={yFp(fpMax) + 4}>
        {fpMax}
      </text>
      <text className="tick fp" x={W - PAD.right + 4} y={yFp(0) + 4}>
        0
      </text>
      <polyline className="sens" points={line(sens)} />
      <polyline className="fp" points={line(fps)} />
      {points.map((p, i) => (
        <g key={p.at}>
          {sens[i] !== null && sens[i] !== undefined ? (
            <circle className="sens" cx={x(i)} cy={sens[i]} r={3} />
          ) : null}
          <rect className="fp" x={x(i) - 3} y={(fps[i] ?? 0) - 3} width={6} height={6} />
        </g>
      ))}
      <text className="legend sens" x={PAD.left} y={H - 6}>
        ● {t('practice.progress.sensitivity')}
      </text>
      <text className="legend fp" x={W / 2} y={H - 6}>
        ■ {t('practice.progress.fp')}
      </text>
    </svg>
  );
}

function TallyCell({ tally, t }: { tally: Tally; t: Translate }): JSX.Element {
  return <td>{tally.seen ? t('practice.weak.row', { found: tally.found, seen: tally.seen }) : '–'}</td>;
}

export function ProgressView(props: {
  points: readonly SessionPoint[];
  weak: Weaknesses;
  reads: number;
  t: Translate;
  n: FormatNumber;
}): JSX.Element {
  const { points, weak, t, n } = props;
  const rows: { name: string; tally: Tally }[] = [
    ...NODULE_TYPES.map((k) => ({ name: typeName(t, k), tally: weak.byType[k] })),
    ...SIZE_BANDS.map((k) => ({ name: t(`practice.size.${k}`), tally: weak.bySize[k] })),
    ...PLACEMENTS.map((k) => ({ name: t(`practice.place.${k}`), tally: weak.byPlacement[k] })),
  ].filter((r) => r.tally.seen > 0);
  return (
    <div className="practice-progress">
      <p className="note">{t('practice.progress.sessions', { count: points.length, reads: props.reads })}</p>
      {points.length > 0 ? <ProgressPlot points={points} t={t} /> : null}
      <table className="practice-table" aria-label={t('practice.progress.plot')}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('practice.progress.sensitivity')}</th>
            <th scope="col">{t('practice.progress.fp')}</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p, i) => (
            <tr key={p.at}>
              <td title={p.at}>{i + 1}</td>
              <td>{Number.isFinite(p.sensitivity) ? `${Math.round(p.sensitivity * 100)} %` : '–'}</td>
              <td>{n(p.fpPerCase, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 0 ? (
        <table className="practice-table" aria-label={t('practice.weak')}>
          <caption>{t('practice.weak')}</caption>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <TallyCell tally={r.tally} t={t} />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
