// A real public change-detection pair (SZTAKI AirChange, Szada/2: two 952 x 640 aerial PNGs without georeference)
// from "add imagery" to an exported GeoPackage in the app, with the shipped change model. Reads ../shared/data (or
// CHANGEMAP_DATA), so it lives in the integration suite (`npm run test:integration`, after `npm run
// build:renderer`); missing data is a failure, never a skip.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { REPO_ROOT } from './support/fixtures';
import { addPixelPair, exportPixelRegions, reviewPixelRegions } from './support/pixelPairFlow';
import { Workbench } from './support/workbench';

const DATA = process.env.CHANGEMAP_DATA ?? path.join(REPO_ROOT, '..', 'shared', 'data');
const PAIR = {
  before: path.join(DATA, 'sztaki_airchange', 'Szada', '2', 'im1.png'),
  after: path.join(DATA, 'sztaki_airchange', 'Szada', '2', 'im2.png'),
};

describe('SZTAKI AirChange pair in the app', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let total = 0;

  beforeAll(async () => {
    for (const file of Object.values(PAIR)) expect(fs.existsSync(file), `${file} is missing`).toBe(true);
    app = await ChangeMapApp.launch({ roots: [DATA] }); // the picker browses the data folder
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    await bench.newProject('SZTAKI Szada 2');
  });
  afterAll(async () => app?.dispose());

  it('adds both PNGs as a pixel-aligned pair drawn in pixel space', async () => {
    await addPixelPair(bench, PAIR);
    expect(await bench.byTestId('imagery-meta-before').getByTestId('size').textContent()).toMatch(
      /952 × 640 px/,
    );
    await app.waitForMapSettled();
    await app.screenshot('sztaki-imagery');
    // SZTAKI's files carry no date: the user enters it, and the export carries it.
    await bench.expectSignal('imagery:date:before', () =>
      bench.byTestId('acquired-input-before').fill('2000-06-01'),
    );
  });

  it('runs the shipped change model and finds, spot-checks and reviews regions', async () => {
    await bench.startRun();
    await bench.waitForRunDone();
    total = await reviewPixelRegions(bench);
    await app.screenshot('sztaki-regions');
  });

  it('exports the regions as a GeoPackage in pixel coordinates', async () => {
    await exportPixelRegions(bench, path.join(app.workDir, 'exports'), { total, beforeDate: '2000-06-01' });
  });
});
