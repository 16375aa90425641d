import { useMemo, useState, type JSX } from 'react';
import type { MessageKey } from '../../i18n';
import type { GroundedSentence } from '../../report/ground';
import { reportGrounding } from '../../report/session';
import { isConfirmed, type SignOffBlock } from '../../report/signoff';
import { useActions, useAppState } from '../context';
import { useFailureText, useT } from '../hooks/useT';

type T = ReturnType<typeof useT>;

function reasons(s: GroundedSentence, t: T): string {
  return s.problems
    .map((p) =>
      t('report.problem', {
        kind: t(`report.kind.${p.kind}` as MessageKey),
        found: p.found,
        expected: p.expected,
      }),
    )
    .join('; ');
}

function blockText(b: SignOffBlock, t: T): string {
  switch (b.code) {
    case 'no-reader':
      return t('report.block.noReader');
    case 'empty':
      return t('report.block.empty');
    case 'pending-findings':
      return t('report.block.pending', { ids: b.ids.join(', ') });
    case 'ungrounded':
      return t('report.block.ungrounded', { count: b.sentences.length });
  }
}

/**
 * The editable report: the text (sections of the structured draft, edited freely), each sentence with
 * the findings it speaks of (a click selects the finding; the selected finding's sentences are marked)
 * and the grounding check's reason where a sentence is not grounded, then sign-off and export.
 */
export function ReportEditor(): JSX.Element | null {
  const t = useT();
  const said = useFailureText();
  const actions = useActions();
  const text = useAppState((s) => s.reportText);
  const hasDraft = useAppState((s) => s.reportDraft !== null);
  const findings = useAppState((s) => s.findings);
  const language = useAppState((s) => s.language);
  const category = useAppState((s) => s.caseLungRads?.category);
  const selected = useAppState((s) => s.selectedFinding);
  const signed = useAppState((s) => s.signedReport);
  const reader = useAppState((s) => s.reportReader);
  const confirmations = useAppState((s) => s.reportConfirmations);
  const blocks = useAppState((s) => s.reportBlocks);
  const exported = useAppState((s) => s.reportExport);
  const addendum = useAppState((s) => s.addendumText);
  const [withPatient, setWithPatient] = useState(false);
  const grounding = useMemo(
    () => reportGrounding(text, findings, language, category),
    [text, findings, language, category],
  );
  if (!hasDraft) return null;
  const report = actions.report;
  // Who signs: the report, or later an addendum.
  const readerField = (
    <label>
      {t('report.reader')}
      <input type="text" value={reader} onChange={(e) => report.setReader(e.target.value)} />
    </label>
  );
  const select = (s: GroundedSentence | undefined): void => {
    const id = s?.findingIds[0];
    if (id) actions.selectFinding(id);
  };
  return (
    <div className="report-editor">
      {!signed && <p className="note draft-tag">{t('report.draft')}</p>}
      <textarea
        className="report-textarea"
        aria-label={t('report.text')}
        value={text}
        readOnly={signed !== null}
        rows={16}
        spellCheck={false}
        onChange={(e) => report.edit(e.target.value)}
        onClick={(e) => {
          const at = e.currentTarget.selectionStart;
          select(grounding.sentences.find((s) => at >= s.start && at <= s.end));
        }}
      />
      <ol className="report-sentences" aria-label={t('report.sentences')}>
        {grounding.sentences.map((s) => {
          const flagged = !s.grounded;
          const confirmed = flagged && isConfirmed(s, confirmations);
          const reasonId = `report-reason-${s.start}`;
          const linked = selected !== null && s.findingIds.includes(selected);
          return (
            <li
              key={`${s.start}-${s.end}`}
              className={`report-sentence${flagged ? ' ungrounded' : ''}${linked ? ' linked' : ''}`}
            >
              <button
                type="button"
                className="report-sentence-text"
                aria-current={linked ? 'true' : undefined}
                aria-describedby={flagged ? reasonId : undefined}
                onClick={() => select(s)}
              >
                {s.findingIds.length > 0 && <span className="report-ids">{s.findingIds.join(' ')}</span>}
                {s.text}
              </button>
              {flagged && (
                <span id={reasonId} className="report-reason">
                  {t('report.notGrounded', { reasons: reasons(s, t) })}
                </span>
              )}
              {flagged && !signed && !confirmed && (
                <button type="button" className="report-confirm" onClick={() => report.confirm(s.start)}>
                  {t('report.confirm')}
                </button>
              )}
              {confirmed && <span className="note">{t('report.confirmed')}</span>}
            </li>
          );
        })}
      </ol>
      {signed ? (
        <div className="report-signed">
          <p className="note" aria-live="polite">
            {signed.version > 1
              ? t('report.addendum.signed', {
                  version: signed.version,
                  reader: signed.reader,
                  at: signed.signedAt,
                })
              : t('report.signed', { reader: signed.reader, at: signed.signedAt })}
          </p>
          {addendum === null ? (
            <button type="button" onClick={() => report.startAddendum()}>
              {t('report.addendum.start')}
            </button>
          ) : (
            <div className="report-addendum">
              <textarea
                aria-label={t('report.addendum.text')}
                value={addendum}
                rows={4}
                onChange={(e) => report.editAddendum(e.target.value)}
              />
              {readerField}
              <button type="button" onClick={() => report.signAddendum()}>
                {t('report.addendum.sign')}
              </button>
            </div>
          )}
          <label className="checkbox">
            <input type="checkbox" checked={withPatient} onChange={(e) => setWithPatient(e.target.checked)} />
            {t('report.withPatient')}
          </label>
          <div className="report-actions">
            <button type="button" onClick={() => report.exportSr(withPatient)}>
              {t('report.exportSr')}
            </button>
            <button
              type="button"
              disabled={exported?.state === 'working'}
              onClick={() => void report.sendToPacs()}
            >
              {t('report.sendPacs')}
            </button>
          </div>
        </div>
      ) : (
        <div className="report-signoff">
          {readerField}
          <button type="button" onClick={() => report.sign()}>
            {t('report.signOff')}
          </button>
        </div>
      )}
      {blocks.length > 0 && (
        <ul className="error report-blocks" role="alert">
          {blocks.map((b) => (
            <li key={b.code}>{blockText(b, t)}</li>
          ))}
        </ul>
      )}
      {exported && (
        <p className={exported.state === 'failed' ? 'error' : 'note'} aria-live="polite">
          {exported.state === 'failed'
            ? exported.detail === 'no-server'
              ? t('report.export.noServer')
              : t('report.export.failed', {
                  detail: said(exported.failure ?? { code: 'failed', detail: {}, message: '' }),
                })
            : exported.state === 'exported' && exported.detail === 'deidentified'
              ? t('report.export.deidentified')
              : t(`report.export.${exported.state}`)}
        </p>
      )}
    </div>
  );
}
