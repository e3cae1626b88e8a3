import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { resolve } from 'node:path';
import rendererConfig from './vite.renderer.config';

// Three bundles: Electron main (with the services and worker entries), the preload, and the renderer.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        // Main, the services utility process and the worker entries it starts (next to each other in out/main).
        input: {
          index: resolve(__dirname, 'src-main/app/main.ts'),
          'services.utility': resolve(__dirname, 'src-main/workers/services.utility.ts'),
          'inference.worker': resolve(__dirname, 'src-main/workers/inference.worker.ts'),
          'rasterTiles.worker': resolve(__dirname, 'src-main/workers/rasterTiles.worker.ts'),
          'pairRead.worker': resolve(__dirname, 'src-main/workers/pairRead.worker.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    build: {
      ...rendererConfig.build,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
