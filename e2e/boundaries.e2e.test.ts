// Issue 14, boundaries in the app: add a parcel layer (GeoJSON in UTM 33N) over a finished run, see it on the map,
// join it, open its attribute table (sorted by changed area), filter the region list to one parcel, zoom to it, and
// export regions that carry their parcel. Screenshots of each screen land in artefacts/e2e/.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { TINY_CHANGE_MODEL, writeScenePair } from './support/fixtures';
import { Workbench } from './support/workbench';

/** A 4 x 4 grid of parcels over the 512-px sample scene (origin 551000, 5353200; 3 m pixels), in EPSG:32633. */
function writeParcels(file: string): void {
  const [x0, y0, step] = [551_000, 5_353_200, 384];
  const features = [];
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) {
      const [x, y] = [x0 + i * step, y0 - j * step];
      features.push({
        type: 'Feature',
        properties: { lot: `Lot ${'ABCD'[i]}${j + 1}`, zone: i < 2 ? 'west' : 'east' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [x, y],
              [x, y - step],
              [x + step, y - step],
              [x + step, y],
              [x, y],
            ],
          ],
        },
      });
    }
  fs.writeFileSync(
    file,
    JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32633' } },
      features,
    }),
  );
}

describe('boundary layers', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let parcels: string;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    const scene = await writeScenePair(path.join(app.workDir, 'scene'), { size: 512 });
    parcels = path.join(app.workDir, 'parcels.geojson');
    writeParcels(parcels);
    await bench.finishedRun('Boundaries check', scene, TINY_CHANGE_MODEL);
    await bench.computeRegions({ minAreaM2: 50 });
  });
  afterAll(async () => app?.dispose());

  it('adds a parcel layer from a file and draws it on the map with its labels', async () => {
    await bench.byTestId('boundary-add').click();
    await bench.byTestId('file-picker-name').fill(parcels);
    await bench.expectSignal('boundaries:added', () => bench.byTestId('file-picker-confirm').click());
    await app.waitForSignal('boundaries:outlines-loaded');
    expect(await bench.byTestId('boundary-layer-info').textContent()).toContain('16 features');
    expect(await bench.byTestId('boundary-layer-info').textContent()).toContain('EPSG:32633');
    expect(await bench.byTestId('boundary-label-field').inputValue()).toBe('lot');
    await app.screenshot('boundaries-layer');
  });

  it('joins it and shows the attribute table sorted by changed area, then by name', async () => {
    await bench.expectSignal('boundaries:joined', () => bench.byTestId('boundary-join').click(), 120_000);
    await bench.expectSignal('boundaries:table-loaded', () => bench.byTestId('boundary-open-table').click());
    const rows = bench.byTestId('attribute-row');
    expect(await rows.count()).toBe(16);
    const changed = await bench.byTestId('attribute-changed').allTextContents();
    const numbers = changed.map((t) => Number(t.replace(/[^0-9.]/g, '')) * (t.includes('ha') ? 1e4 : 1));
    expect(numbers[0]).toBeGreaterThan(0);
    expect([...numbers].sort((a, b) => b - a)).toEqual(numbers);
    await app.screenshot('boundaries-attribute-table');

    await bench.expectSignal('boundaries:table-loaded', () => bench.byTestId('attribute-sort-label').click());
    const names = await rows.locator('td.name').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    // Filtered by a word in an attribute.
    await bench.expectSignal('boundaries:table-loaded', () =>
      bench.byTestId('attribute-table-filter').fill('east'),
    );
    expect(await rows.count()).toBe(8);
    await bench.expectSignal('boundaries:table-loaded', () =>
      bench.byTestId('attribute-table-filter').fill(''),
    );
    await bench.expectSignal('boundaries:table-loaded', () =>
      bench.byTestId('attribute-sort-changed').click(),
    );
  });

  it('exports the summary table as a GeoPackage layer, replacing a file only once confirmed', async () => {
    const file = path.join(app.workDir, 'parcel-summary.gpkg');
    await bench.byTestId('boundary-summary-format').selectOption('gpkg');
    for (const replace of [false, true]) {
      await bench.byTestId('boundary-summary-export').click();
      await bench.byTestId('file-picker-name').fill(file);
      if (!replace) {
        await bench.expectSignal('boundaries:summary-exported', () =>
          bench.byTestId('file-picker-confirm').click(),
        );
        continue;
      }
      await bench.byTestId('file-picker-confirm').click();
      await bench.byTestId('boundary-summary-replace').waitFor();
      await bench.expectSignal('boundaries:summary-exported', () =>
        bench.byTestId('boundary-summary-replace').getByRole('button', { name: 'Replace it' }).click(),
      );
    }
    const db = new Database(file, { readonly: true });
    const rows = db
      .prepare('SELECT name, changed_m2 FROM boundary_summary ORDER BY changed_m2 DESC')
      .all() as {
      name: string;
      changed_m2: number;
    }[];
    db.close();
    expect(rows).toHaveLength(16);
    expect(rows[0].changed_m2).toBeGreaterThan(0);
  });

  it('filters the region list to the parcel with most change and zooms to it', async () => {
    const first = bench.byTestId('attribute-row').first();
    const label = (await first.locator('td.name').textContent())!.trim();
    const count = Number((await first.locator('td.num').nth(3).textContent())!.trim());
    expect(count).toBeGreaterThan(0);
    const before = Number(await bench.byTestId('region-list').getAttribute('data-total'));
    await first.getByTestId('attribute-regions').click();
    await expect.poll(() => bench.byTestId('region-list').getAttribute('data-total')).toBe(String(count));
    expect(count).toBeLessThan(before);
    expect(await bench.byTestId('boundary-filter').textContent()).toContain(label);
    const zoomBefore = Number(await bench.byTestId('map').getAttribute('data-zoom'));
    await first.getByTestId('attribute-zoom').click();
    await expect
      .poll(() => bench.byTestId('map').getAttribute('data-zoom').then(Number))
      .toBeGreaterThan(zoomBefore);
    await app.screenshot('boundaries-filtered-regions');
  });

  it('exports regions that carry the parcel they overlap most', async () => {
    await bench.byTestId('attribute-table').getByRole('button', { name: 'Close the table' }).click();
    const file = path.join(app.workDir, 'regions-with-parcels.geojson');
    await bench.exportTo(file);
    await app.screenshot('boundaries-export');
    const features = (
      JSON.parse(fs.readFileSync(file, 'utf8')) as { features: { properties: Record<string, unknown> }[] }
    ).features;
    expect(features.length).toBeGreaterThan(1);
    for (const f of features) expect(String(f.properties.boundary_name)).toMatch(/^Lot [A-D][1-4]$/);
  });
});
