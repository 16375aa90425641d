import type { BrowserContext } from 'playwright-core';
export const CHROMIUM: string;
export function launchBrowser(options?: {
  serviceWorkers?: 'allow' | 'block';
  extraArgs?: string[];
}): Promise<{ context: BrowserContext; close: () => Promise<void> }>;
