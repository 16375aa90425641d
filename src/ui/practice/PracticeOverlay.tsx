import { useMemo, type JSX } from 'react';
import { useActions, useAppState } from '../context';
import { useT } from '../hooks/useT';

/**
 * After a practice read is submitted: the true nodules (green rings) and the reader's marks (a cross,
 * green when it found a nodule, red when it did not) on a viewport cell, beside the AI's own marks.
 */
export function PracticeOverlay({ cell }: { cell: number }): JSX.Element | null {
  const t = useT();
  const actions = useActions();
  const p = useAppState((s) => s.practice);
  const readout = useAppState((s) => s.readouts[cell]);
  const shapes = useMemo(() => {
    if (!p?.result) return null;
    const hits = new Set(p.result.score.matching.hits.map((h) => h.mark.id));
    const truth = p.truth.flatMap((l, i) => {
      const q = actions.projectToCell(cell, l.centerMm, l.diameterMm / 2);
      return q ? [{ key: `t${i}`, ...q }] : [];
    });
    // A mark shows on the slices within 2 mm of its centre.
    const marks = p.result.score.matching.hits
      .map((h) => h.mark)
      .concat(p.result.score.matching.falsePositives)
      .flatMap((m) => {
        const q = actions.projectToCell(cell, m.centerMm, 2);
        return q ? [{ key: m.id, hit: hits.has(m.id), ...q }] : [];
      });
    return { truth, marks };
    // The readout changes on every render of the cell (scroll, zoom, pan).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p, readout, cell, actions]);
  if (!shapes || (shapes.truth.length === 0 && shapes.marks.length === 0)) return null;
  return (
    <svg className="practice-overlay" aria-hidden="true" data-testid={`practice-marks-${cell}`}>
      {shapes.truth.map((s) => (
        <g key={s.key} className="truth">
          <title>{t('practice.truthMark')}</title>
          <circle cx={s.x} cy={s.y} r={Math.max(5, s.r + 5)} />
        </g>
      ))}
      {shapes.marks.map((s) => (
        <g key={s.key} className={s.hit ? 'reader hit' : 'reader fp'}>
          <title>{t('practice.yourMark')}</title>
          <path
            d={`M${s.x - 5},${s.y - 5}L${s.x + 5},${s.y + 5}M${s.x - 5},${s.y + 5}L${s.x + 5},${s.y - 5}`}
          />
        </g>
      ))}
    </svg>
  );
}
