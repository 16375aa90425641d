import { useMemo, type JSX } from 'react';
import { aiHidden } from '../../practice/session';
import { useActions, useAppState } from '../context';
import { useT } from '../hooks/useT';

/**
 * AI marks on a viewport cell: a circle where each finding crosses the displayed slice, coloured by type,
 * tagged "AI", dashed once rejected. Recomputed whenever the cell renders (its readout changes).
 */
export function FindingOverlay({ cell }: { cell: number }): JSX.Element | null {
  const t = useT();
  const actions = useActions();
  // Never during a blind practice read.
  const show = useAppState((s) => s.showAiMarks && !aiHidden(s.practice));
  const findings = useAppState((s) => s.findings);
  const selected = useAppState((s) => s.selectedFinding);
  const readout = useAppState((s) => s.readouts[cell]);
  const heat = useAppState((s) => s.showHeatmap && s.evidenceAvailable);
  const opacity = useAppState((s) => s.heatmapOpacity);
  const evidence = useMemo(
    () => (heat ? actions.evidenceImage(cell) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [heat, readout, cell, actions],
  );
  const marks = useMemo(
    () =>
      findings
        .map((f) => ({ f, p: actions.projectToCell(cell, f.centerMm, f.meanDiameterMm / 2 + 1) }))
        .filter(
          (m): m is { f: (typeof findings)[number]; p: { x: number; y: number; r: number } } => m.p !== null,
        ),
    // The readout changes on every render of the cell (scroll, zoom, pan).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [findings, readout, cell, actions],
  );
  const blind = useAppState((s) => aiHidden(s.practice));
  if (blind || ((!show || marks.length === 0) && !evidence)) return null;
  return (
    <svg className="finding-overlay" aria-hidden="true" data-testid={`ai-marks-${cell}`}>
      {evidence ? (
        <image
          data-testid={`ai-heatmap-${cell}`}
          href={evidence.href}
          x={evidence.x}
          y={evidence.y}
          width={evidence.width}
          height={evidence.height}
          opacity={opacity}
          preserveAspectRatio="none"
          style={{ imageRendering: 'auto' }}
        />
      ) : null}
      {(show ? marks : []).map(({ f, p }) => (
        <g
          key={f.id}
          className={`mark ${f.type} ${f.status}${f.id === selected ? ' selected' : ''}`}
          data-id={f.id}
        >
          <title>
            {f.source.kind === 'model'
              ? t('findings.byModel', { model: f.source.id, version: f.source.version })
              : f.id}
          </title>
          <circle cx={p.x} cy={p.y} r={Math.max(6, p.r + 3)} />
          <text x={p.x + Math.max(6, p.r + 3) + 3} y={p.y - Math.max(6, p.r + 3)}>
            {t('findings.aiTag')} {f.id}
          </text>
        </g>
      ))}
    </svg>
  );
}
