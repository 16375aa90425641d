import type { JSX } from 'react';
import { useT } from '../hooks/useT';

export function ReportPanel(): JSX.Element {
  const t = useT();
  return (
    <section className="panel report-panel" aria-label="Report">
      <h2 className="panel-title">{t('report.region')}</h2>
      <p className="empty">{t('report.empty')}</p>
    </section>
  );
}
