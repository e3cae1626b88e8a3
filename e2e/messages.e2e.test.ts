// Issue 10 item 10: messages belong to the project they came from. A toast and the status line of one project are
// gone when it closes, and never shown on the next; toasts sit clear of the spot check.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { Workbench } from './support/workbench';

describe('messages belong to their project', () => {
  let app: ChangeMapApp;
  let bench: Workbench;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
  });
  afterAll(async () => app?.dispose());

  it('clears the toasts and the status line when the project closes and another opens', async () => {
    await bench.newProject('First');
    await bench.typeImageryPath('before', path.join(app.workDir, 'no-such-image.tif'));
    const toast = bench.byTestId('toast').filter({ hasText: 'no-such-image.tif' });
    await toast.waitFor();
    const code = await toast.getAttribute('data-code');
    expect(code).toMatch(/^[A-Z_]+$/);
    expect(await bench.byTestId('status-latest').getAttribute('data-code')).toBe(code);
    // Toasts sit under the top bar, not over the bottom of the map where the spot check opens.
    const box = (await toast.boundingBox())!;
    const map = (await bench.byTestId('map').boundingBox())!;
    expect(box.y + box.height).toBeLessThan(map.y + map.height / 2);
    await app.screenshot('messages-error-toast');

    await app.closeProject();
    await bench.newProject('Second');
    expect(await bench.byTestId('toast').count()).toBe(0);
    expect(await bench.byTestId('status-latest').textContent()).toMatch(/Ready\./);
    expect(await bench.byTestId('status-latest').getAttribute('data-code')).toBe('');
  });

  it('lets the user dismiss a toast', async () => {
    await bench.typeImageryPath('after', path.join(app.workDir, 'also-missing.tif'));
    const toast = bench.byTestId('toast').filter({ hasText: 'also-missing.tif' });
    await toast.waitFor();
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    expect(await toast.count()).toBe(0);
  });
});
