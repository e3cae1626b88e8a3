import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['**/*.integration.test.ts', 'node_modules/**'],
    environment: 'node',
    // Guards against a hang, not speed limits (those are the bench's): generous, because CI's 2 cores may be busy
    // and a beforeAll writing fixtures (COGs, catalogues) took over 10 s there under load.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['src-main/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
      {
        // The renderer's stores (*.svelte.ts) compiled by Svelte for the browser as in the app (so $state, $derived
        // and $effect.root behave as they do in the window), against fake services.
        extends: true,
        plugins: [svelte()],
        test: {
          name: 'renderer',
          environment: './src-renderer/src/testing/rendererEnvironment.ts',
          include: ['src-renderer/**/*.test.ts'],
          setupFiles: ['src-renderer/src/testing/setup.ts'],
        },
      },
    ],
  },
});
