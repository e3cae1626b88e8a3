// Issue 16: a catalogue whose scenes come only as one COG per band (as Sentinel-2 L2A and Landsat do) on storage
// that needs Planetary Computer tokens. The loopback server hands out the tokens and refuses unsigned reads; the
// picked scenes' red, green and blue bands are stacked by reference, and a run on them finds regions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAssetSigner } from '../src-main/services/stac/assetSigning';
import {
  SAMPLE_AFTER_ID,
  SAMPLE_BEFORE_ID,
  startSampleCatalogue,
  type SampleCatalogue,
} from '../src-main/services/stac/testing/sampleCatalogue';
import { ChangeMapApp } from './support/changeMapApp';
import { fillSceneSearch, projectImagery, setEnv } from './support/findImagery';
import { Workbench } from './support/workbench';

describe('Find imagery: per-band scenes on signed storage', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let catalogue: SampleCatalogue;
  let projectFile: string;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'changemap-e2e-bands-'));
  let restoreEnv = () => {};

  beforeAll(async () => {
    catalogue = await startSampleCatalogue(folder, 600, { perBand: true, signed: true });
    // The services (and any worker they start) sign with the loopback token API, as they would the real one.
    restoreEnv = setEnv({
      CHANGEMAP_PC_SAS_API: catalogue.stac.sasApi,
      CHANGEMAP_PC_STORAGE_EMULATOR: catalogue.stac.storageEmulator,
    });
    setAssetSigner(null);
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    projectFile = await bench.newProject('Stacked bands');
    await bench.byTestId('panel-find-imagery').getByRole('button').first().click();
  });
  afterAll(async () => {
    await app?.dispose();
    await catalogue?.close();
    restoreEnv();
    setAssetSigner(null);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('searches, picks one per-band scene per date, stacks red, green, blue by reference, runs and finds regions', async () => {
    await fillSceneSearch(bench, {
      apiUrl: catalogue.stac.url,
      collection: 'sample-aerial',
      bbox: catalogue.bbox,
    });
    await bench.expectSignal('stac:thumbnails', () => bench.byTestId('stac-search').click());
    // Thumbnails live on the signed storage too.
    expect(await bench.byTestId('stac-thumb').count()).toBe(4);
    const before = bench.page.locator(`[data-id="${SAMPLE_BEFORE_ID}"]`);
    const after = bench.page.locator(`[data-id="${SAMPLE_AFTER_ID}"]`);
    expect(await before.getByTestId('stac-per-band').count()).toBe(1);
    await before.getByTestId('stac-pick').check();
    await after.getByTestId('stac-pick').check();
    // Scenes without an image of their own open the band picker: red, green, blue by default, nir08 offered.
    const picker = bench.byTestId('stac-bands');
    await picker.waitFor();
    expect(await bench.byTestId('stac-band-0').inputValue()).toBe('red');
    expect(await bench.byTestId('stac-band-1').inputValue()).toBe('green');
    expect(await bench.byTestId('stac-band-2').inputValue()).toBe('blue');
    expect(await bench.byTestId('stac-band-3').locator('option').allTextContents()).toEqual([
      'none',
      'red',
      'green',
      'blue',
      'nir08',
    ]);
    await picker.scrollIntoViewIfNeeded();
    await app.screenshot('find-imagery-bands');
    await bench.expectSignal('stac:used', () => bench.byTestId('stac-use').click());
    await bench.byTestId('preflight-ok').waitFor();
    await bench.startRun();
    await bench.waitForRunDone();
    await expect.poll(() => projectImagery(projectFile).regionCount, { timeout: 120_000 }).toBeGreaterThan(0);
    const { sources } = projectImagery(projectFile);
    const stacks = Object.entries(sources);
    expect(stacks.map(([, s]) => s.itemId).sort()).toEqual([SAMPLE_BEFORE_ID, SAMPLE_AFTER_ID]);
    for (const [uri, source] of stacks) {
      // By reference: a VRT in the project's data folder naming the bands' unsigned addresses.
      expect(uri).toMatch(/stacks[\\/]sample-aerial[\\/]SAMPLE_\d{4}-\d{2}-\d{2}-red-green-blue\.vrt$/);
      expect(fs.readFileSync(uri, 'utf8')).not.toContain('sig=');
      expect(source.bands?.map((b) => b.commonName)).toEqual(['red', 'green', 'blue']);
    }
    // The storage was read with tokens the services asked for.
    expect(catalogue.stac.requests.some((r) => r.path.startsWith('/api/sas/v1/token/sampleaccount/'))).toBe(
      true,
    );
    expect(catalogue.stac.requests.some((r) => r.path.startsWith('/blob/') && r.path.includes('sig='))).toBe(
      true,
    );
    await app.screenshot('find-imagery-bands-run');
  });
});
