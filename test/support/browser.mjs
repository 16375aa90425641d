// Launch Debian's Chromium through playwright-core (never a downloaded browser), with the flags that make
// Cornerstone render through SwiftShader WebGL2 headless on a machine without a GPU.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.LUCENT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Service workers are blocked unless asked for: a page controlled by the offline worker fetches through
 * it, and Playwright's request routing (the tests' fault injection) would no longer see those requests.
 * The offline e2e test allows them.
 */
export async function launchBrowser({ extraArgs = [], serviceWorkers = 'block', userDataDir } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install chromium"`);
  }
  // A profile the caller names outlives the browser (to start it again on the same profile); the caller
  // removes it. Otherwise each launch has a fresh profile, removed on close.
  const own = userDataDir === undefined;
  const profile = userDataDir ?? mkdtempSync(join(tmpdir(), 'lucent-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    serviceWorkers,
    args: [
      '--no-sandbox',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--enable-unsafe-swiftshader',
      '--use-angle=swiftshader',
      ...extraArgs,
    ],
  });
  const close = async () => {
    await context.close().catch(() => undefined);
    if (own) rmSync(profile, { recursive: true, force: true });
  };
  /** End every process of this browser at once (SIGKILL): no unload, no page hide, no clean shutdown. */
  const kill = () => {
    spawnSync('pkill', ['-KILL', '-f', `--user-data-dir=${profile}`]);
  };
  return { context, close, kill };
}
