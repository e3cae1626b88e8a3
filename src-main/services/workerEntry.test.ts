import { describe, expect, it } from 'vitest';
import { workerEntryUrl } from './workerEntry';

describe('workerEntryUrl', () => {
  const source = new URL('file:///repo/src-main/workers/inference.worker.ts');
  it('runs the TypeScript source in a checkout', () => {
    expect(workerEntryUrl('inference', source, {})).toBe(source);
  });
  it('runs the bundled entry beside the services in the Electron build', () => {
    expect(workerEntryUrl('inference', source, { CHANGEMAP_WORKERS_DIR: '/app/out/main' }).href).toBe(
      'file:///app/out/main/inference.worker.js',
    );
  });
});
