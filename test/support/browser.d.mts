import type { BrowserContext } from 'playwright-core';
export const CHROMIUM: string;
export function launchBrowser(options?: {
  serviceWorkers?: 'allow' | 'block';
  userDataDir?: string;
  extraArgs?: string[];
}): Promise<{ context: BrowserContext; close: () => Promise<void>; kill: () => void }>;
