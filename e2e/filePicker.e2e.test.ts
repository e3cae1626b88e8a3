import path from 'node:path';
import type { WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';

/**
 * The file dialog while its folder listing is slow (a loaded machine, a network share): a full path typed and
 * confirmed before the listing arrives must still be taken, not silently dropped with the dialog left open.
 */
describe('file dialog before its folder listing arrives', () => {
  let app: ChangeMapApp;
  let holdListings = false;
  const heldReplies: (() => void)[] = [];

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    // Sit between the page and the host: pass every message on, but keep the replies to fs:list while asked to.
    await app.page.routeWebSocket('**/api', (page: WebSocketRoute) => {
      const host = page.connectToServer();
      const listingCalls = new Set<number>();
      page.onMessage((message) => {
        const request = JSON.parse(String(message)) as { seq?: number; type?: string };
        if (request.type === 'fs:list' && typeof request.seq === 'number') listingCalls.add(request.seq);
        host.send(message);
      });
      host.onMessage((message) => {
        const reply = JSON.parse(String(message)) as { seq?: number };
        if (holdListings && typeof reply.seq === 'number' && listingCalls.has(reply.seq))
          heldReplies.push(() => page.send(message));
        else page.send(message);
      });
    });
    // Only sockets opened after the route go through it.
    await app.page.reload();
    await app.waitForSignal('start:ready');
  });
  afterAll(async () => {
    holdListings = false;
    for (const release of heldReplies.splice(0)) release();
    await app?.dispose();
  });

  it('opens a full path confirmed while the listing is still on its way', async () => {
    holdListings = true;
    const missing = path.join(app.workDir, 'not-there.gpkg');
    await app.openThroughDialog(missing);
    await app.page.getByTestId('file-picker').waitFor({ state: 'detached', timeout: 10_000 });
    expect(heldReplies.length).toBeGreaterThan(0);
    // The path reached the host, which says what is wrong with it.
    const banner = app.page.getByTestId('error-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/not-there\.gpkg/);
  });

  it('keeps Open disabled for a bare file name until the listing says which folder it is in', async () => {
    await app.page.getByTestId('open-project').click();
    await app.page.getByTestId('file-picker-name').fill('relative.gpkg');
    expect(await app.page.getByTestId('file-picker-confirm').isDisabled()).toBe(true);
    holdListings = false;
    for (const release of heldReplies.splice(0)) release();
    await expect.poll(() => app.page.getByTestId('file-picker-confirm').isDisabled()).toBe(false);
    await app.page.getByRole('button', { name: 'Cancel' }).click();
  });
});
