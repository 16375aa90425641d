import type { JSX } from 'react';
import { useAppState } from '../context';
import { useT } from '../hooks/useT';
import { ReportEditor } from '../report/ReportEditor';
import { LlmDraftSection } from './LlmDraftSection';

export function ReportPanel(): JSX.Element {
  const t = useT();
  const hasDraft = useAppState((s) => s.reportDraft !== null);
  const model = useAppState((s) => s.ai.model);
  // Every AI-made element names its model on hover.
  const author = model ? t('findings.byModel', { model: model.id, version: model.version }) : undefined;
  return (
    <section className="panel report-panel" aria-label="Report">
      <h2 className="panel-title">{t('report.region')}</h2>
      {hasDraft ? (
        <div className="report-draft" title={author}>
          <ReportEditor />
        </div>
      ) : (
        <p className="empty">{t('report.empty')}</p>
      )}
      <LlmDraftSection />
    </section>
  );
}
