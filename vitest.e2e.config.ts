import { defineConfig } from 'vitest/config';

// End-to-end tests: the production build served with its real headers, driven in Debian's Chromium,
// against a real Orthanc. One file at a time (2 cores: one browser, one server).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
