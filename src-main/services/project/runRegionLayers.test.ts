import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canValidateGeoPackage, gdalLayerSummary, gdalSql, validateGeoPackage } from '../exports/gdalProbe';
import { computeRegions } from '../regions/computeRegions';
import { memoryProbabilityReader } from '../regions/probabilityReader';
import { blobs, utmGrid } from '../regions/regions.testutil';
import { ProjectStore } from './projectStore';
import { runRegionLayerName } from './runRegionLayers';
import { insertFinishedRun } from './testing/finishedRun';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-run-layers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const settings = { threshold: 0.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0, chunkSize: 32 };

/** A project with two runs: the first finds 3 regions, the second 1. */
async function projectWithTwoRuns(name: string): Promise<{ file: string; runs: number[] }> {
  const file = path.join(dir, name);
  const store = ProjectStore.create(file);
  const grid = utmGrid(120, 90);
  const first = insertFinishedRun(store.db, { model: 'test-model' });
  await computeRegions(
    store.db,
    first,
    memoryProbabilityReader(
      grid,
      blobs(120, 90, [
        [30, 30, 12],
        [90, 60, 20],
        [100, 10, 3],
      ]),
    ),
    settings,
  );
  const second = insertFinishedRun(store.db, { model: 'test-model' });
  await computeRegions(
    store.db,
    second,
    memoryProbabilityReader(grid, blobs(120, 90, [[60, 45, 10]])),
    settings,
  );
  store.close();
  return { file, runs: [first, second] };
}

/** The project's region layers (its other feature layer, boundary_features, is not about runs). */
function layerNames(file: string): string[] {
  return gdalSql(file, "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")
    .map((r) => String(r.table_name))
    .filter((name) => name.startsWith('change_regions'));
}

describe('one GeoPackage layer per run', () => {
  it('QGIS and GDAL see change_regions_run_N beside change_regions, each with only its run’s regions', async () => {
    const { file, runs } = await projectWithTwoRuns('two-runs.gpkg');
    const [first, second] = runs.map(runRegionLayerName);
    expect(layerNames(file).sort()).toEqual(['change_regions', first, second].sort());
    expect(gdalLayerSummary(file, 'change_regions').featureCount).toBe(4);
    expect(gdalLayerSummary(file, first)).toEqual({
      featureCount: 3,
      geometryType: 'Multi Polygon',
      epsg: 4326,
    });
    expect(gdalLayerSummary(file, second).featureCount).toBe(1);
    expect(gdalSql(file, `SELECT DISTINCT run_id FROM "${second}"`)).toEqual([{ run_id: runs[1] }]);
    if (canValidateGeoPackage) validateGeoPackage(file);

    // A view, not a copy: a review saved in change_regions shows in the run's layer.
    const store = ProjectStore.open(file);
    store.db.prepare("UPDATE change_regions SET review_state = 'confirmed' WHERE run_id = ?").run(runs[1]);
    store.close();
    expect(gdalSql(file, `SELECT review_state FROM "${second}"`)).toEqual([{ review_state: 'confirmed' }]);
  });

  it('a run on imagery without georeference gets a layer in pixel coordinates (undefined Cartesian SRS)', async () => {
    const file = path.join(dir, 'pixels.gpkg');
    const store = ProjectStore.create(file);
    const run = insertFinishedRun(store.db, { model: 'test-model' });
    const grid = {
      ...utmGrid(120, 90),
      geoTransform: [0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number],
      crs: { code: null, name: 'pixels', proj4: null, units: 'pixel' as const },
    };
    await computeRegions(
      store.db,
      run,
      memoryProbabilityReader(grid, blobs(120, 90, [[60, 45, 10]])),
      settings,
    );
    store.close();
    const layer = runRegionLayerName(run);
    expect(gdalSql(file, `SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = '${layer}'`)).toEqual([
      { srs_id: -1 },
    ]);
    expect(gdalLayerSummary(file, layer)).toMatchObject({ featureCount: 1, epsg: null });
  });

  it('a project made before these layers gets them when opened, and a removed run loses its layer', async () => {
    const { file, runs } = await projectWithTwoRuns('older.gpkg');
    const [first, second] = runs.map(runRegionLayerName);
    const store = ProjectStore.open(file);
    // As a project from before per-run layers: no first-run layer. And the second run is gone.
    store.db.exec(`DELETE FROM gpkg_geometry_columns WHERE table_name = '${first}';
      DELETE FROM gpkg_contents WHERE table_name = '${first}'; DROP VIEW "${first}";`);
    store.db.prepare('DELETE FROM cm_runs WHERE id = ?').run(runs[1]);
    store.close();
    expect(layerNames(file).sort()).toEqual(['change_regions', second]);

    ProjectStore.open(file).close();
    expect(layerNames(file).sort()).toEqual(['change_regions', first]);
    expect(gdalLayerSummary(file, first).featureCount).toBe(3);
  });
});
