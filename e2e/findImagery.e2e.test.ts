// Issue 16: from a catalogue search to regions. A STAC API on loopback (the tests cannot reach the internet) serves
// the generated sample scene's two dates as Cloud-Optimized GeoTIFFs with range requests.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_AFTER_ID,
  SAMPLE_BEFORE_ID,
  startSampleCatalogue,
  type SampleCatalogue,
} from '../src-main/services/stac/testing/sampleCatalogue';
import { ChangeMapApp } from './support/changeMapApp';
import { fillSceneSearch, listedSceneIds, projectImagery } from './support/findImagery';
import { Workbench } from './support/workbench';

describe('Find imagery', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let catalogue: SampleCatalogue;
  let projectFile: string;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    catalogue = await startSampleCatalogue(path.join(app.workDir, 'scene'), 600);
    await app.waitForSignal('start:ready');
    projectFile = await bench.newProject('From a catalogue');
    await bench.byTestId('panel-find-imagery').getByRole('button').first().click();
  });
  afterAll(async () => {
    await app?.dispose();
    await catalogue?.close();
  });

  const fillSearch = (apiUrl: string) =>
    fillSceneSearch(bench, { apiUrl, collection: 'sample-aerial', bbox: catalogue.bbox });

  it('lists the scenes per date with their thumbnails and draws their footprints', async () => {
    // The known catalogues arrive after the panel opens: at least one besides "Another STAC API".
    await bench.byTestId('stac-catalogue').locator('option').nth(1).waitFor({ state: 'attached' });
    await fillSearch(catalogue.stac.url);
    const rendered = await app.signalCount('map:rendered');
    await bench.expectSignal('stac:thumbnails', () => bench.byTestId('stac-search').click());
    // The cloudy 2019 scene is left out by the cloud-cover limit.
    expect(await listedSceneIds(bench, 'before')).toEqual([SAMPLE_BEFORE_ID]);
    expect(await listedSceneIds(bench, 'after')).toEqual([
      SAMPLE_AFTER_ID,
      'SAMPLE_2021-06-15_missing',
      'SAMPLE_2021-06-20_bands',
    ]);
    expect(await bench.byTestId('stac-thumb').count()).toBe(4);
    // A scene with one file per band can be picked: its bands are stacked (findImageryBands.e2e.test.ts).
    const bands = bench.page.locator('[data-id="SAMPLE_2021-06-20_bands"]');
    expect(await bands.getByTestId('stac-pick').isDisabled()).toBe(false);
    expect(await bands.getByTestId('stac-per-band').textContent()).toBe('One file per band: stacked');
    // Their footprints are on the map.
    const drawn = await bench.page.evaluate(() => document.querySelectorAll('canvas').length);
    expect(drawn).toBeGreaterThan(0);
    // The map has moved to the scenes found (and drawn them) since the search.
    await app.waitForSignal('map:rendered', rendered + 1);
    await app.screenshot('find-imagery-results');
  });

  it('picks one scene per date, uses them by reference, runs and finds regions', async () => {
    await bench.page.locator(`[data-id="${SAMPLE_BEFORE_ID}"]`).getByTestId('stac-pick').check();
    await bench.page.locator(`[data-id="${SAMPLE_AFTER_ID}"]`).getByTestId('stac-pick').check();
    await bench.expectSignal('stac:used', () => bench.byTestId('stac-use').click());
    await bench.byTestId('preflight-ok').waitFor();
    await app.screenshot('find-imagery-used');
    await bench.startRun();
    await bench.waitForRunDone();
    // Regions are found by the services when the run finishes; the project then holds them.
    await expect.poll(() => projectImagery(projectFile).regionCount, { timeout: 120_000 }).toBeGreaterThan(0);
    const sources = Object.values(projectImagery(projectFile).sources);
    expect(sources.map((s) => s.itemId).sort()).toEqual([SAMPLE_BEFORE_ID, SAMPLE_AFTER_ID]);
    expect(sources.every((s) => s.catalogue === catalogue.stac.url)).toBe(true);
    await app.screenshot('find-imagery-run');
  });

  it('a catalogue that fails says so in one sentence and leaves the project as it was', async () => {
    const before = await bench.byTestId('panel-imagery').textContent();
    await fillSearch(catalogue.stac.urlFor('http500'));
    await bench.expectSignal('stac:failed', () => bench.byTestId('stac-search').click());
    const banner = bench.byTestId('panel-find-imagery').getByTestId('error-banner');
    expect(await banner.getAttribute('data-code')).toBe('STAC_SERVER_ERROR');
    expect(await banner.textContent()).toMatch(/failed to answer \(HTTP 500\); try again later/);
    expect(await bench.byTestId('panel-imagery').textContent()).toBe(before);
  });
});
