import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { TINY_CHANGE_MODEL, writeScenePair } from './support/fixtures';
import { Workbench } from './support/workbench';

describe('export dialog', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let outDir: string;
  let regionTotal: number;

  async function exportTo(file: string, setup: () => Promise<void> = async () => undefined): Promise<string> {
    if (!(await bench.byTestId('export-dialog').isVisible())) await bench.byTestId('topbar-export').click();
    await setup();
    await bench.byTestId('export-path').fill(file);
    await bench.expectSignal('export:done', () => bench.byTestId('export-submit').click());
    return (await bench.byTestId('export-result').textContent()) ?? '';
  }

  async function closeDialog(): Promise<void> {
    await bench.byTestId('export-close').click();
  }

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    outDir = path.join(app.workDir, 'exports');
    fs.mkdirSync(outDir);
    const scene = await writeScenePair(path.join(app.workDir, 'scene'), { size: 512 });
    await bench.finishedRun('Export check', scene, TINY_CHANGE_MODEL);
    await bench.computeRegions({ minAreaM2: 50 });
    regionTotal = Number(await bench.byTestId('region-list').getAttribute('data-total'));
  });
  afterAll(async () => app?.dispose());

  it('exports every region as GeoJSON in WGS 84 and says where and how many', async () => {
    expect(regionTotal).toBeGreaterThan(0);
    await bench.byTestId('topbar-export').click();
    // The suggested destination sits beside the project file.
    expect(await bench.byTestId('export-path').inputValue()).toBe(
      path.join(app.workDir, 'Export check-changes.geojson'),
    );
    await app.screenshot('export-dialog');
    const file = path.join(outDir, 'changes.geojson');
    const message = await exportTo(file);
    expect(message).toContain(file);
    expect(await bench.byTestId('export-count').textContent()).toBe(regionTotal.toLocaleString('en-GB'));
    const geojson = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.features).toHaveLength(regionTotal);
    const [lon, lat] = geojson.features[0].geometry.coordinates[0][0][0];
    expect(lon).toBeGreaterThan(15);
    expect(lon).toBeLessThan(16.5);
    expect(lat).toBeGreaterThan(48);
    expect(lat).toBeLessThan(48.7);
    await app.screenshot('export-done');
  });

  it('asks before replacing a file, and keeps it when told to', async () => {
    const file = path.join(outDir, 'changes.geojson');
    const before = fs.statSync(file).mtimeMs;
    await bench.byTestId('export-path').fill(file);
    await bench.expectSignal('export:confirm-overwrite', () => bench.byTestId('export-submit').click());
    expect(await bench.byTestId('export-overwrite').textContent()).toContain('already exists');
    await app.screenshot('export-overwrite');
    await bench.byTestId('export-overwrite-cancel').click();
    expect(fs.statSync(file).mtimeMs).toBe(before);

    await bench.expectSignal('export:confirm-overwrite', () => bench.byTestId('export-submit').click());
    await bench.expectSignal('export:done', () => bench.byTestId('export-overwrite-confirm').click());
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).features).toHaveLength(regionTotal);
    await closeDialog();
  });

  it('exports a zipped Shapefile in the grid CRS', async () => {
    const file = path.join(outDir, 'changes.zip');
    await exportTo(file, async () => {
      await bench.byTestId('export-format-shapefile').check();
      await bench.byTestId('export-crs-grid').check();
    });
    const entries = unzipSync(fs.readFileSync(file));
    const names = Object.keys(entries);
    for (const ext of ['.shp', '.shx', '.dbf', '.prj']) expect(names.some((n) => n.endsWith(ext))).toBe(true);
    const prj = strFromU8(entries[names.find((n) => n.endsWith('.prj'))!]);
    expect(prj).toMatch(/UTM zone 33N/);
    await closeDialog();
  });

  it('exports a GeoPackage and a CSV with WKT outlines', async () => {
    const gpkg = path.join(outDir, 'changes.gpkg');
    await exportTo(gpkg, () => bench.byTestId('export-format-gpkg').check());
    const db = new Database(gpkg, { readonly: true });
    try {
      const layer = db.prepare("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").get() as {
        table_name: string;
      };
      const { n } = db.prepare(`SELECT COUNT(*) AS n FROM "${layer.table_name}"`).get() as { n: number };
      expect(n).toBe(regionTotal);
    } finally {
      db.close();
    }

    const csv = path.join(outDir, 'changes.csv');
    await exportTo(csv, async () => {
      await bench.byTestId('export-format-csv').check();
      await bench.byTestId('export-wkt').check();
    });
    const lines = fs.readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/area_m2/);
    expect(lines[0]).toMatch(/wkt/);
    expect(lines).toHaveLength(regionTotal + 1);
    expect(lines[1]).toMatch(/MULTIPOLYGON|POLYGON/);
    await closeDialog();
  });

  it('exports only the confirmed regions', async () => {
    const first = bench.regionRows().first();
    const fid = Number(await first.getAttribute('data-fid'));
    await bench.expectSignal('spotcheck:ready', () => first.click());
    await bench.expectSignal('review:saved', () => bench.byTestId('review-confirm').click());
    await bench.byTestId('spot-close').click();

    await bench.byTestId('export-open').click();
    const file = path.join(outDir, 'confirmed.geojson');
    await exportTo(file, async () => {
      await bench.byTestId('export-format-geojson').check();
      await bench.byTestId('export-confirmed').check();
    });
    expect(await bench.byTestId('export-count').textContent()).toBe('1');
    const features = JSON.parse(fs.readFileSync(file, 'utf8')).features;
    expect(features).toHaveLength(1);
    expect(features[0].properties.id).toBe(fid);
    expect(features[0].properties.review_state).toBe('confirmed');
    await closeDialog();
  });

  it('leaves rejected regions out by default, and includes them when asked', async () => {
    const second = bench.regionRows().nth(1);
    const rejectedFid = Number(await second.getAttribute('data-fid'));
    await bench.expectSignal('spotcheck:ready', () => second.click());
    await bench.expectSignal('review:saved', () => bench.byTestId('review-reject').click());
    await bench.byTestId('spot-close').click();

    await bench.byTestId('export-open').click();
    expect(await bench.byTestId('export-not-rejected').isChecked()).toBe(true);
    const byDefault = path.join(outDir, 'not-rejected.geojson');
    await exportTo(byDefault, () => bench.byTestId('export-format-geojson').check());
    const kept = JSON.parse(fs.readFileSync(byDefault, 'utf8')).features as {
      properties: { id: number; review_state: string };
    }[];
    expect(kept).toHaveLength(regionTotal - 1);
    expect(kept.map((f) => f.properties.id)).not.toContain(rejectedFid);

    const everything = path.join(outDir, 'everything.geojson');
    await exportTo(everything, () => bench.byTestId('export-all').check());
    const all = JSON.parse(fs.readFileSync(everything, 'utf8')).features as typeof kept;
    expect(all).toHaveLength(regionTotal);
    expect(all.find((f) => f.properties.id === rejectedFid)?.properties.review_state).toBe('rejected');
    await closeDialog();
  });

  it('exports the change probability and the change mask as GeoTIFFs, choosing the file in the picker', async () => {
    await bench.byTestId('topbar-export').click();
    await bench.byTestId('export-format-probability').check();
    await bench.byTestId('export-browse').click();
    await bench.byTestId('file-picker-location').fill(outDir);
    await bench.byTestId('file-picker-location').press('Enter');
    await bench.byTestId('file-picker-name').fill('probability.tif');
    await bench.byTestId('file-picker-confirm').click();
    const probability = path.join(outDir, 'probability.tif');
    expect(await bench.byTestId('export-path').inputValue()).toBe(probability);
    await bench.expectSignal('export:done', () => bench.byTestId('export-submit').click());
    expect(fs.readFileSync(probability).subarray(0, 2).toString('latin1')).toMatch(/II|MM/);

    const mask = path.join(outDir, 'mask.tif');
    await exportTo(mask, async () => {
      await bench.byTestId('export-format-mask').check();
      await bench.byTestId('export-threshold').fill('0.7');
    });
    expect(fs.statSync(mask).size).toBeGreaterThan(100);
    await closeDialog();
  });
  it('a start folder the browser host may not list: the picker shows the home folder, says why, and a full path still picks', async () => {
    await bench.byTestId('topbar-export').click();
    await bench.byTestId('export-format-geojson').check();
    // /etc is outside the folders this host lists (the home folder and the test's work folder).
    await bench.byTestId('export-path').fill('/etc/changes.geojson');
    await bench.byTestId('export-browse').click();
    await expect
      .poll(() => bench.byTestId('file-picker-problem').textContent())
      .toMatch(/outside the folders ChangeMap's file browser shows/);
    await expect.poll(() => bench.byTestId('file-picker-location').inputValue()).toBe(os.homedir());
    const picked = path.join(outDir, 'picked.geojson');
    await bench.byTestId('file-picker-name').fill(picked);
    await bench.byTestId('file-picker-confirm').click();
    expect(await bench.byTestId('export-path').inputValue()).toBe(picked);
    await closeDialog();
  });
});
