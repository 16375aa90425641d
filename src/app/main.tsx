/**
 * Browser entry: restore settings, start Cornerstone, create the controller and render the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { preferredLanguage, translate, type Language } from '../i18n';
import { initImaging } from '../imaging/init';
import { isReportedLoadFailure } from '../imaging/loader';
import { Viewer } from '../imaging/viewer';
import { createAppStore } from '../store';
import { loadSettings } from '../store/persist';
import { App } from '../ui/App';
import { ErrorBoundary } from '../ui/components/ErrorBoundary';
import { AppContext } from '../ui/context';
import { Controller } from './controller';
import { openDeviceStore } from './deviceStore';
import '../ui/styles.css';
import { failureOf } from '../lib/errors';
import { registerOffline } from '../offline/register';

const saved = loadSettings(globalThis.localStorage);
const store = createAppStore({
  language: saved.language ?? preferredLanguage(navigator.languages ?? [navigator.language]),
  pacsUrl: saved.pacsUrl ?? (import.meta.env['VITE_LUCENT_DICOMWEB_URL'] as string | undefined) ?? '',
  overlay: saved.overlay ?? true,
});
const showLanguage = (language: Language): void => {
  document.documentElement.lang = language;
  document.title = `${translate(language, 'app.title')} · ${translate(language, 'app.tagline')}`;
};
showLanguage(store.getState().language);
store.subscribe((s, prev) => {
  if (s.language !== prev.language) showLanguage(s.language);
});

// Reviews, reports and practice results: IndexedDB, read into memory before the app starts.
const device = await openDeviceStore({ onProblem: (p) => store.setState({ storageProblem: p }) });
const controller = new Controller(store, device);
// Settings and reviews are kept on this device from here on (app/persistence.ts).
controller.persistence.start();
void controller.loadDemoIndex();
void controller.loadModelIndex();

// Image load failures are listed under Load errors; Cornerstone re-raises some of them on promise chains
// it leaves unhandled. Swallow exactly those duplicates, nothing else.
window.addEventListener('unhandledrejection', (e) => {
  if (isReportedLoadFailure(e.reason)) e.preventDefault();
});

initImaging()
  .then(({ cpuRendering }) => {
    const viewer = new Viewer(controller.viewerEvents());
    store.setState({ cpuRendering });
    controller.attachViewer(viewer);
    window.addEventListener('beforeunload', () => viewer.destroy());
  })
  .catch((e: unknown) => store.setState({ viewerError: failureOf(e, 'viewer-failed') }));

// The production build keeps itself for offline use once the page has loaded (offline/sw.ts).
// (This module awaits the device store above, so the page may have finished loading already.)
if (document.readyState === 'complete') void registerOffline();
else window.addEventListener('load', () => void registerOffline());

// A review edit made just before the tab is closed or reloaded is saved, not left in a timer.
window.addEventListener('pagehide', () => controller.persistence.flush());

// Read-only diagnostics (pixel statistics, readouts, measurements, AI timing) for support and tests.
(window as unknown as { __lucent: unknown }).__lucent = controller.diagnostics();
// Hooks that change behaviour (slower sweeps, a rendering crash): only on a page opened with ?test-hooks.
const testHooks = new URLSearchParams(window.location.search).has('test-hooks')
  ? await import('./testHooks')
  : null;
testHooks?.installTestHooks(controller);
const CrashOnRequest = testHooks?.CrashOnRequest;

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <AppContext.Provider value={{ store, actions: controller }}>
      {/* A rendering error shows a notice with the findings and report, never a blank page. */}
      <ErrorBoundary>
        {CrashOnRequest ? <CrashOnRequest /> : null}
        <App />
      </ErrorBoundary>
    </AppContext.Provider>
  </StrictMode>,
);
