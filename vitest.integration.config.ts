import { defineConfig } from 'vitest/config';

// Integration suites: real public data under ../shared/data (see /work/shared/data/README.md). Not part of the
// default run; `npx vitest run --config vitest.integration.config.ts`.
export default defineConfig({
  test: {
    include: ['**/*.integration.test.ts'],
    exclude: ['node_modules/**', 'out/**', 'dist/**'],
    environment: 'node',
    testTimeout: 120_000,
    pool: 'forks',
  },
});
