/**
 * The top-level error boundary: a rendering error anywhere in the app shows a notice instead of a blank
 * page. Nothing the reader made is lost: findings, decisions and the report live in the store (and on this
 * device, app/persistence.ts), not in the components that failed; the notice lists them and shows the
 * report text, and "Show the viewer again" renders the app afresh from the same store.
 */
import { Component, type JSX, type ReactNode } from 'react';
import { log } from '../../lib/logger';
import { useAppState } from '../context';
import { useT } from '../hooks/useT';

interface Props {
  readonly children: ReactNode;
}

interface State {
  readonly failed: boolean;
  /** Bumped by "show again", so that the children mount afresh. */
  readonly generation: number;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false, generation: 0 };

  static getDerivedStateFromError(): Partial<State> {
    return { failed: true };
  }

  override componentDidCatch(): void {
    // That it happened, nothing more: an error's message or stack could quote what was on screen.
    log('error', 'ui-crashed', {}, 'render-error');
  }

  private readonly again = (): void => {
    this.setState((s) => ({ failed: false, generation: s.generation + 1 }));
  };

  override render(): ReactNode {
    if (this.state.failed) return <CrashNotice onAgain={this.again} />;
    return <Generation key={this.state.generation}>{this.props.children}</Generation>;
  }
}

function Generation({ children }: Props): JSX.Element {
  return <>{children}</>;
}

function CrashNotice({ onAgain }: { readonly onAgain: () => void }): JSX.Element {
  const t = useT();
  const findings = useAppState((s) => s.findings);
  const report = useAppState((s) => s.report);
  return (
    <div className="crash-notice" role="alert" aria-labelledby="crash-title">
      <h1 id="crash-title">{t('crash.title')}</h1>
      <p>{t('crash.detail')}</p>
      <button type="button" className="button" onClick={onAgain} autoFocus>
        {t('crash.again')}
      </button>
      <section aria-label={t('crash.findings')}>
        <h2>{t('crash.findings')}</h2>
        {findings.length === 0 ? (
          <p>{t('crash.noFindings')}</p>
        ) : (
          <ul>
            {findings.map((f) => (
              <li key={f.id} data-id={f.id}>
                {`${t(`type.${f.type}`)} · ${f.meanDiameterMm.toFixed(1)} mm · ${t(`findings.status.${f.status}`)}`}
              </li>
            ))}
          </ul>
        )}
      </section>
      {report ? (
        <section aria-label={t('report.region')}>
          <h2>{t('report.region')}</h2>
          <p className="crash-report">{report.findings}</p>
          <p className="crash-report">{report.impression}</p>
        </section>
      ) : null}
    </div>
  );
}
