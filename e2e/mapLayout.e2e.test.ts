// The main screen at 1280x720 (the smallest supported window): no control over another, none over the graticule
// labels' edges, toasts clear of the spot check, the side panel opening at its top; and a user basemap added by
// URL from a local XYZ server the test starts, drawn under the imagery with its attribution.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { TINY_CHANGE_MODEL, writeScenePair } from './support/fixtures';
import { cropOf } from './support/mapPixels';
import { Workbench } from './support/workbench';

type Box = { x: number; y: number; width: number; height: number };

const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;

/** Latitude labels run down the map's left edge, longitude labels along its bottom (createMap.ts). */
const LABEL_BAND_PX = { left: 72, bottom: 18 };

describe('map layout at 1280x720 and user basemaps', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let server: http.Server;
  let tileUrl: string;
  const tileRequests: string[] = [];
  let projectFile: string;

  beforeAll(async () => {
    // Magenta 256-px PNG tiles for every z/x/y: easy to find on the map.
    const tile = Buffer.from(
      encode({
        width: 256,
        height: 256,
        channels: 3,
        depth: 8,
        data: new Uint8Array(256 * 256 * 3).map((_, i) => (i % 3 === 1 ? 0 : 255)),
      }),
    );
    server = http.createServer((req, res) => {
      tileRequests.push(req.url ?? '');
      if (/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(req.url ?? ''))
        res.writeHead(200, { 'content-type': 'image/png' }).end(tile);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiles/{z}/{x}/{y}.png`;

    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.page.setViewportSize({ width: 1280, height: 720 });
    await app.waitForSignal('start:ready');
    const scene = await writeScenePair(path.join(app.workDir, 'scene'), { size: 512 });
    await bench.finishedRun('Layout', scene, TINY_CHANGE_MODEL);
    projectFile = path.join(app.workDir, 'Layout.gpkg');
    await bench.regionRows().first().waitFor({ timeout: 120_000 });
  });
  afterAll(async () => {
    await app?.dispose();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('opens a project with a finished run with the side panel at its top', async () => {
    await app.closeProject();
    await bench.openProject(projectFile);
    await bench.regionRows().first().waitFor({ timeout: 60_000 });
    await app.waitForMapSettled();
    expect(await app.page.locator('.sidebar').evaluate((el) => el.scrollTop)).toBe(0);
    expect(await bench.byTestId('panel-imagery').isVisible()).toBe(true);
  });

  it('keeps every control clear of the others and of the graticule labels, spot check and toasts included', async () => {
    await bench.expectSignal('spotcheck:ready', () => bench.regionRows().first().click());
    // A message while the spot check is open.
    await bench.typeImageryPath('before', path.join(app.workDir, 'no-such-image.tif'));
    const toast = bench.byTestId('toast').filter({ hasText: 'no-such-image.tif' });
    await toast.waitFor();

    const box = async (selector: string): Promise<Box> => {
      const found = await app.page.locator(selector).first().boundingBox();
      if (!found) throw new Error(`${selector} is not on screen`);
      return found;
    };
    const controls: Record<string, Box> = {
      zoom: await box('.ol-zoom'),
      layers: await box('[data-testid="layer-switcher"]'),
      toolbar: await box('[data-testid="map-toolbar"]'),
      scale: await box('[data-testid="scale-line"]'),
      pointer: await box('[data-testid="pointer-position"]'),
      spotCheck: await box('[data-testid="spot-check"]'),
      toast: (await toast.boundingBox())!,
      sidebar: await box('.sidebar'),
    };
    const names = Object.keys(controls);
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++)
        expect(overlaps(controls[names[i]], controls[names[j]]), `${names[i]} overlaps ${names[j]}`).toBe(
          false,
        );
    for (const [name, b] of Object.entries(controls)) {
      expect(b.x, name).toBeGreaterThanOrEqual(0);
      expect(b.y, name).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, name).toBeLessThanOrEqual(1280);
      expect(b.y + b.height, name).toBeLessThanOrEqual(720);
    }
    // Controls drawn over the map keep off the edges where the graticule writes its labels.
    const map = await box('[data-testid="map"]');
    const leftBand = { x: map.x, y: map.y, width: LABEL_BAND_PX.left, height: map.height };
    const bottomBand = {
      x: map.x,
      y: map.y + map.height - LABEL_BAND_PX.bottom,
      width: map.width,
      height: LABEL_BAND_PX.bottom,
    };
    for (const name of ['zoom', 'layers', 'toast'])
      for (const band of [leftBand, bottomBand])
        expect(overlaps(controls[name], band), `${name} over the labels`).toBe(false);
    await app.screenshot('main-1280x720');
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await bench.byTestId('spot-close').click();
  });

  it('refuses a basemap address that is not http(s), saying why', async () => {
    await bench.byTestId('basemap-add').click();
    await bench.byTestId('basemap-name').fill('Bad');
    await bench.byTestId('basemap-url').fill('file:///etc/{z}/{x}/{y}.png');
    await bench.byTestId('basemap-submit').click();
    await bench.byTestId('basemap-error').waitFor();
    expect(await bench.byTestId('basemap-error').textContent()).toMatch(
      /http or https.*BASEMAP_URL_INVALID/s,
    );
  });

  it('adds an XYZ basemap from a local tile server and draws it under the imagery, attributed', async () => {
    await bench.byTestId('basemap-name').fill('Local tiles');
    await bench.byTestId('basemap-url').fill(tileUrl);
    await app.page.getByPlaceholder('Attribution (shown on the map)').fill('Local test tiles');
    await bench.expectSignal('tile:basemap', () => bench.byTestId('basemap-submit').click());
    await app.waitForMapSettled();
    expect(tileRequests.some((u) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(u))).toBe(true);
    expect(await app.page.locator('.ol-attribution').textContent()).toContain('Local test tiles');
    expect(await bench.byTestId('basemap-select').inputValue()).not.toBe('');
    // Zoomed out, the map around the scene shows the basemap's magenta tiles.
    await bench.byTestId('goto-input').fill('48.3, 15.7');
    await bench.expectSignal('map:goto', () => bench.byTestId('goto-submit').click());
    for (let i = 0; i < 4; i++) await app.page.locator('.ol-zoom-out').first().click();
    await app.waitForMapSettled();
    const map = (await bench.byTestId('map').boundingBox())!;
    const corner = await cropOf(app.page, {
      x: map.x + 90,
      y: map.y + map.height - 80,
      width: 20,
      height: 20,
    });
    let magenta = 0;
    for (let i = 0; i < corner.data.length; i += 4)
      if (corner.data[i] > 200 && corner.data[i + 1] < 60 && corner.data[i + 2] > 200) magenta++;
    expect(magenta).toBeGreaterThan(300);
    await app.screenshot('basemap-xyz');

    // Saved in the project: it is there again after a reopen.
    await app.closeProject();
    await bench.openProject(projectFile);
    await app.waitForSignal('basemaps:loaded', 2);
    expect(await bench.byTestId('basemap-select').locator('option').allTextContents()).toContain(
      'Local tiles',
    );
  });
});
