import fs from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';

describe('foundation: projects through the browser host', () => {
  let app: ChangeMapApp;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    await app.waitForSignal('start:ready');
  });
  afterAll(async () => app?.dispose());

  it('shows the start screen', async () => {
    await expect(app.page.getByTestId('start-screen')).toBeDefined();
    expect(await app.page.getByTestId('new-project').isVisible()).toBe(true);
    await app.screenshot('start-screen');
  });

  it('creates a project, closes it and reopens it from Recent', async () => {
    const file = path.join(app.workDir, 'Riverside survey.gpkg');
    await app.createProject(file);
    expect(fs.existsSync(file)).toBe(true);
    expect(await app.page.getByTestId('project-name').textContent()).toBe('Riverside survey');
    await app.waitForSignal('map:ready');
    await app.page.mouse.move(900, 450);
    await app.page.waitForFunction(() =>
      /°/.test(document.querySelector('[data-testid="pointer-position"]')?.textContent ?? ''),
    );
    await app.screenshot('main-window');

    await app.closeProject();
    const item = app.page.getByTestId('recent-item').filter({ hasText: 'Riverside survey' });
    expect(await item.count()).toBe(1);
    const loaded = await app.signalCount('project:loaded');
    await item.locator('button.open').click();
    await app.waitForSignal('project:loaded', loaded + 1);
    expect(await app.page.getByTestId('project-name').textContent()).toBe('Riverside survey');
    await app.closeProject();
  });

  it('refuses a corrupt file with a clear message and leaves its bytes unchanged', async () => {
    const file = path.join(app.workDir, 'damaged.gpkg');
    // A SQLite header followed by garbage: looks like a project at first glance, but is not readable.
    const bytes = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0xab)]);
    fs.writeFileSync(file, bytes);
    await app.openThroughDialog(file);
    await app.waitForSignal('error:PROJECT_CORRUPT');
    const banner = app.page.getByTestId('error-banner');
    expect(await banner.getAttribute('data-code')).toBe('PROJECT_CORRUPT');
    expect(await banner.textContent()).toMatch(/damaged/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    await app.screenshot('corrupt-project-error');
  });

  it('refuses requests and sockets without the token', async () => {
    const plain = await fetch(app.host.url);
    expect(plain.status).toBe(401);
    const wrong = await fetch(`${app.host.url}?token=not-the-token`);
    expect(wrong.status).toBe(401);
    const withToken = await fetch(app.host.launchUrl, { redirect: 'manual' });
    expect(withToken.status).toBe(303);

    const socketStatus = await new Promise<number | string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${app.host.port}/api`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => undefined);
    });
    expect(socketStatus).toBe(401);
  });
});
