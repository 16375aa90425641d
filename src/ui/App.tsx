import { useCallback, useEffect, useState, type DragEvent, type JSX } from 'react';
import { HelpDialog } from './components/HelpDialog';
import { ModelCardDialog } from './components/ModelCardDialog';
import { PacsDialog } from './components/PacsDialog';
import { StatusBar } from './components/StatusBar';
import { Toolbar } from './components/Toolbar';
import { useActions, useApp, useAppState } from './context';
import { aiHidden } from '../practice/session';
import { PracticeDialog } from './practice/PracticeDialog';
import { PracticePanel } from './practice/PracticePanel';
import { storageProblemText } from './failureText';
import { filesFromDrop } from './files';
import { useT } from './hooks/useT';
import { handleKey } from './keyboard';
import { DemoPanel } from './panels/DemoPanel';
import { FindingsPanel } from './panels/FindingsPanel';
import { LoadErrorsPanel } from './panels/LoadErrorsPanel';
import { ReportPanel } from './panels/ReportPanel';
import { SeriesPanel } from './panels/SeriesPanel';
import { ViewportGrid } from './panels/ViewportGrid';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

function hostOf(url: string): string {
  if (!url) return '';
  try {
    return new URL(url, window.location.href).host;
  } catch {
    return '';
  }
}

export function App(): JSX.Element {
  const t = useT();
  const actions = useActions();
  const { store } = useApp();
  const helpOpen = useAppState((s) => s.helpOpen);
  const pacsOpen = useAppState((s) => s.pacsOpen);
  const cardOpen = useAppState((s) => s.modelCardOpen);
  const pacsUrl = useAppState((s) => s.pacsUrl);
  const studies = useAppState((s) => s.studies);
  const activeSeriesKey = useAppState((s) => s.activeSeriesKey);
  const cpu = useAppState((s) => s.cpuRendering);
  const practiceOpen = useAppState((s) => s.practiceOpen);
  const storageProblem = useAppState((s) => s.storageProblem);
  const language = useAppState((s) => s.language);
  // A blind practice read: no AI output (findings, report) and no demo-case answers on screen.
  const blind = useAppState((s) => aiHidden(s.practice));
  const [dragging, setDragging] = useState(false);

  const toggleOverlay = useCallback(() => {
    store.setState((s) => ({ overlay: !s.overlay }));
  }, [store]);
  const toggleHelp = useCallback(() => store.setState((s) => ({ helpOpen: !s.helpOpen })), [store]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.key === 'Enter' && (e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      const s = store.getState();
      if (s.helpOpen || s.pacsOpen || s.modelCardOpen || s.practiceOpen) return;
      if (handleKey(e.key, actions, s, { toggleHelp, toggleOverlay })) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions, store, toggleHelp, toggleOverlay]);

  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    setDragging(false);
    void filesFromDrop(e.dataTransfer).then((files) => actions.openFiles(files));
  };

  // The patient and study of the series on screen (several studies may be open at once).
  const study = studies.find((st) => st.series.some((se) => se.key === activeSeriesKey)) ?? studies[0];
  const patient = study?.patient.name?.replace(/\^/g, ' ');
  const headline = study
    ? [
        patient,
        study.description,
        studies.length > 1 ? t('app.otherStudies', { count: studies.length }) : null,
      ]
        .filter(Boolean)
        .join(' · ')
    : t('app.tagline');
  const pacsHost = hostOf(pacsUrl);

  return (
    <div
      className={dragging ? 'app dragging' : 'app'}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <a className="skip-link" href="#viewport">
        {t('app.skipToViewport')}
      </a>
      <header className="header">
        <h1 className="brand">{t('app.title')}</h1>
        <div className="headline">{headline}</div>
        <div className="privacy" title={t('app.privacy.detail')}>
          <svg className="lock" aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
            <path fill="currentColor" d="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 0 0-4 0v2z" />
          </svg>{' '}
          {pacsHost ? t('app.privacy.pacs', { host: pacsHost }) : t('app.privacy')}
        </div>
        <button
          type="button"
          className="button practice-open"
          aria-haspopup="dialog"
          onClick={() => actions.practice.open()}
        >
          {t('practice.open')}
        </button>
      </header>
      <Toolbar onToggleOverlay={toggleOverlay} onHelp={toggleHelp} />
      {cpu ? <div className="banner">{t('viewport.cpuRendering')}</div> : null}
      {storageProblem ? (
        <div className="banner" role="alert">
          {storageProblemText(t, language, storageProblem)}{' '}
          {storageProblem.code === 'unavailable' ? null : (
            <button type="button" className="button" onClick={() => store.setState({ helpOpen: true })}>
              {t('storage.freeSpace')}
            </button>
          )}
        </div>
      ) : null}
      <main className="workspace">
        <aside className="left">
          <SeriesPanel />
          <LoadErrorsPanel />
          {blind ? null : <DemoPanel />}
        </aside>
        <ViewportGrid />
        <aside className="right">
          <PracticePanel />
          {blind ? null : (
            <>
              <FindingsPanel />
              <ReportPanel />
            </>
          )}
        </aside>
      </main>
      <StatusBar />
      <div className="disclaimer">{t('app.disclaimer')}</div>
      {helpOpen ? <HelpDialog onClose={() => store.setState({ helpOpen: false })} /> : null}
      {pacsOpen ? <PacsDialog /> : null}
      {cardOpen ? <ModelCardDialog /> : null}
      {practiceOpen ? <PracticeDialog /> : null}
    </div>
  );
}
