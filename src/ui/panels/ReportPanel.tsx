import type { JSX } from 'react';
import { useAppState } from '../context';
import { useT } from '../hooks/useT';
import { LlmDraftSection } from './LlmDraftSection';

export function ReportPanel(): JSX.Element {
  const t = useT();
  const report = useAppState((s) => s.report);
  const model = useAppState((s) => s.ai.model);
  // Every AI-made element names its model on hover.
  const author = model ? t('findings.byModel', { model: model.id, version: model.version }) : undefined;
  return (
    <section className="panel report-panel" aria-label="Report">
      <h2 className="panel-title">{t('report.region')}</h2>
      {report ? (
        <div className="report-draft" title={author}>
          <p className="note draft-tag">{t('report.draft')}</p>
          <h3 className="panel-subtitle">{t('report.findingsHeading')}</h3>
          <p className="report-text">{report.findings}</p>
          <h3 className="panel-subtitle">{t('report.impressionHeading')}</h3>
          <p className="report-text">{report.impression}</p>
        </div>
      ) : (
        <p className="empty">{t('report.empty')}</p>
      )}
      <LlmDraftSection />
    </section>
  );
}
