import { useState, type JSX } from 'react';
import type { MessageKey } from '../../i18n';
import type { SeriesExportStatus } from '../../store';
import { useActions, useAppState } from '../context';
import { fileLabel } from '../failureText';
import { useT } from '../hooks/useT';

type T = ReturnType<typeof useT>;

/** How many file names a reason lists before "…". */
const NAMES_SHOWN = 5;

/** Reasons of the export's own; the others are the parser's codes, worded as under Load errors. */
const OWN_REASONS = new Set(['burned-in-annotation', 'unsupported-object', 'zip-limit']);

function reasonText(code: string, t: T): string {
  return t((OWN_REASONS.has(code) ? `seriesExport.reason.${code}` : `errors.code.${code}`) as MessageKey);
}

function LeftOut({ files, t }: { files: readonly { file: string; code: string }[]; t: T }): JSX.Element {
  const byCode = new Map<string, string[]>();
  for (const f of files) byCode.set(f.code, [...(byCode.get(f.code) ?? []), fileLabel(t, f.file)]);
  return (
    <>
      <p>{t('seriesExport.leftOut', { count: files.length })}</p>
      <ul className="series-export-left-out">
        {[...byCode].map(([code, names]) => (
          <li key={code} data-code={code}>
            {t('seriesExport.leftOutReason', {
              reason: reasonText(code, t),
              count: names.length,
              files: names.slice(0, NAMES_SHOWN).join(', ') + (names.length > NAMES_SHOWN ? ', …' : ''),
            })}
          </li>
        ))}
      </ul>
    </>
  );
}

function Status({ status, t }: { status: SeriesExportStatus; t: T }): JSX.Element | null {
  switch (status.state) {
    case 'working':
      return null;
    case 'cancelled':
      return <p>{t('seriesExport.cancelled')}</p>;
    case 'failed':
      return <p className="error">{t(`seriesExport.failed.${status.reason}`)}</p>;
    case 'done':
      return (
        <>
          <p className={status.identified ? 'warn' : undefined}>
            {status.written === 0
              ? t('seriesExport.none')
              : t(status.identified ? 'seriesExport.doneIdentified' : 'seriesExport.done', {
                  count: status.written,
                })}
          </p>
          {status.leftOut.length > 0 ? <LeftOut files={status.leftOut} t={t} /> : null}
        </>
      );
  }
}

/**
 * Export series: the series on screen as one ZIP of DICOM files, de-identified unless the reader ticks the
 * box to keep the patient's identifiers (then the button and the message say so). Progress with cancel;
 * afterwards what was written and what was left out, and why.
 */
export function SeriesExportControls(): JSX.Element | null {
  const t = useT();
  const actions = useActions();
  const active = useAppState((s) => s.activeSeriesKey);
  const status = useAppState((s) => s.seriesExport);
  const [withPatient, setWithPatient] = useState(false);
  if (!active) return null;
  const working = status?.state === 'working';
  return (
    <div className="series-export" role="group" aria-label={t('seriesExport.group')}>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={withPatient}
          disabled={working}
          onChange={(e) => setWithPatient(e.target.checked)}
        />
        {t('seriesExport.withPatient')}
      </label>
      <button
        type="button"
        className={withPatient ? 'button warn' : 'button'}
        disabled={working}
        onClick={() => actions.exportSeries(withPatient)}
      >
        {t(withPatient ? 'seriesExport.buttonIdentified' : 'seriesExport.button')}
      </button>
      {working ? (
        <div className="series-export-progress">
          <progress max={status.total} value={status.done} aria-label={t('seriesExport.group')} />
          <span>{t('seriesExport.working', { done: status.done, total: status.total })}</span>
          <button type="button" className="button small" onClick={() => actions.cancelSeriesExport()}>
            {t('seriesExport.cancel')}
          </button>
        </div>
      ) : null}
      <div className="series-export-status" aria-live="polite">
        {status ? <Status status={status} t={t} /> : null}
      </div>
    </div>
  );
}
