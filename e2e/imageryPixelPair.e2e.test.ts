// Two same-size PNGs without georeference, generated here: a pixel-aligned pair from "add imagery" to an exported
// GeoPackage, drawn on the map in pixel space.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { TINY_CHANGE_MODEL } from './support/fixtures';
import {
  addPixelPair,
  exportPixelRegions,
  reviewPixelRegions,
  writePngScenePair,
} from './support/pixelPairFlow';
import { Workbench } from './support/workbench';

describe('a pixel-aligned PNG pair', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let total = 0;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    await bench.newProject('Pixel pair');
  });
  afterAll(async () => app?.dispose());

  it('opens both PNGs, reads their dates from the names and draws them in pixel space', async () => {
    const pair = writePngScenePair(path.join(app.workDir, 'pngs'));
    await addPixelPair(bench, pair);
    expect(await bench.byTestId('acquired-input-before').inputValue()).toBe('2019-06-01');
    expect(await bench.byTestId('acquired-input-after').inputValue()).toBe('2021-07-15');
    await app.waitForMapSettled();
    await app.screenshot('imagery-pixel-pair');
  });

  it('runs, finds regions in pixels, spot-checks and reviews them', async () => {
    await bench.addModel(TINY_CHANGE_MODEL);
    await bench.startRun();
    await bench.waitForRunDone();
    total = await reviewPixelRegions(bench);
    await app.screenshot('imagery-pixel-regions');
  });

  it('gives areas in m² once the user gives the pixel size: the regions are found again', async () => {
    const pixels = Number((await bench.byTestId('region-area').first().textContent())!.replace(/\D/g, ''));
    const input = bench.byTestId('pixel-size-input-before');
    await bench.expectSignal('regions:ready', async () => {
      await input.fill('0.5');
      await input.press('Enter');
    });
    const area = (await bench.byTestId('region-area').first().textContent()) ?? '';
    expect(area).toMatch(/m²/);
    // The largest region keeps its pixels: 0.25 m² each.
    expect(Number(area.split(' m²')[0].replace(/,/g, ''))).toBeCloseTo(pixels * 0.25, -1);
    total = Number(await bench.byTestId('region-list').getAttribute('data-total'));
  });

  it('exports a GeoPackage in pixel coordinates and says why GeoJSON cannot hold them', async () => {
    await exportPixelRegions(bench, path.join(app.workDir, 'exports'), { total, beforeDate: '2019-06-01' });
  });
});
