import type { BrowserContext } from 'playwright-core';
export const CHROMIUM: string;
export function launchBrowser(options?: {
  extraArgs?: string[];
}): Promise<{ context: BrowserContext; close: () => Promise<void> }>;
