import { defineConfig } from 'vitest/config';

// End-to-end tests drive Debian's Chromium against the real services through the browser host.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    setupFiles: ['e2e/support/onFailure.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
