/**
 * Hooks that change the app's behaviour, for end-to-end tests and support sessions only: slow the AI
 * sweep down (so that cancel and a dying worker can be exercised mid-sweep) and make the app throw while
 * rendering (to see the error boundary at work). Loaded, as a chunk of its own, only when the page is
 * opened with `?test-hooks` in its address; a user's page has none of them. The read-only diagnostics
 * (pixel statistics, readouts, timing) stay in `window.__lucent` for everyone.
 */
import { useEffect, useState } from 'react';
import type { Controller } from './controller';

const CRASH_UI_EVENT = 'lucent:test-crash-ui';

/** Adds the hooks to `window.__lucent`. */
export function installTestHooks(controller: Controller): void {
  const w = window as unknown as { __lucent?: Record<string, unknown> };
  w.__lucent = {
    ...w.__lucent,
    setAiBatchDelay: (ms: number) => controller.setAiBatchDelay(ms),
    crashUi: () => window.dispatchEvent(new Event(CRASH_UI_EVENT)),
  };
}

/** Renders nothing; throws while rendering once `crashUi()` is called. */
export function CrashOnRequest(): null {
  const [crash, setCrash] = useState(false);
  useEffect(() => {
    const on = (): void => setCrash(true);
    window.addEventListener(CRASH_UI_EVENT, on);
    return () => window.removeEventListener(CRASH_UI_EVENT, on);
  }, []);
  if (crash) throw new Error('A rendering error asked for by the test hooks (crashUi).');
  return null;
}
