// Imagery without georeference (a pixel-aligned pair): regions in pixel coordinates, areas in square pixels or
// in m² with the user's pixel size, exports that hold pixel coordinates without a CRS, and GeoJSON refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import type { GridSpec } from '../../core/raster/types';
import { exportRegions } from '../exports/exportRegions';
import {
  gdalFeatures,
  gdalLayerSummary,
  validateGeoPackage,
  canValidateGeoPackage,
} from '../exports/gdalProbe';
import { PIXEL_CRS, PIXEL_GEOTRANSFORM } from '../imagery/crs';
import { MIGRATIONS } from '../project/schema';
import { runDetail } from '../runs/runView';
import type { RunRecord } from '../runs/runTypes';
import { computeRegions } from './computeRegions';
import { listRegions } from './listRegions';
import { memoryProbabilityReader } from './probabilityReader';
import { blobs } from './regions.testutil';
import { insertFinishedRun } from '../project/testing/finishedRun';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-pixel-regions-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const grid: GridSpec = { width: 120, height: 90, geoTransform: PIXEL_GEOTRANSFORM, crs: PIXEL_CRS };
const settings = { threshold: 0.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0 };

function projectWithRun(name: string): { db: Database.Database; runId: number } {
  const db = new Database(path.join(dir, `${name}.gpkg`));
  for (const migration of MIGRATIONS) db.exec(migration.sql);
  const runId = insertFinishedRun(db, { params: { grid } });
  return { db, runId };
}

const values = blobs(120, 90, [
  [30, 30, 12],
  [90, 60, 20],
]);

describe('regions of imagery without georeference', () => {
  it('are found in pixel coordinates (x = column, y = -row), with areas in square pixels', async () => {
    const { db, runId } = projectWithRun('pixels');
    const summary = await computeRegions(db, runId, memoryProbabilityReader(grid, values), settings);
    expect(summary.regionCount).toBe(2);
    const [largest] = listRegions(db, { runId }).regions;
    expect(largest.centroid.x).toBeCloseTo(90, 0);
    expect(largest.centroid.y).toBeCloseTo(-60, 0);
    // The map coordinates are the pixel coordinates themselves.
    expect([largest.centroid.lon, largest.centroid.lat]).toEqual([largest.centroid.x, largest.centroid.y]);
    expect(largest.areaM2).toBe(largest.pixelCount);
    const geom = db.prepare('SELECT geom FROM change_regions WHERE fid = ?').get(largest.fid) as {
      geom: Uint8Array;
    };
    expect(decodeGpkgMultiPolygon(geom.geom).srsId).toBe(-1);
    db.close();
  });

  it('have areas in m² and perimeters in metres when the user gives a pixel size', async () => {
    const { db, runId } = projectWithRun('sized');
    await computeRegions(db, runId, memoryProbabilityReader(grid, values), { ...settings, pixelSizeM: 0.5 });
    const [largest] = listRegions(db, { runId }).regions;
    expect(largest.areaM2).toBeCloseTo(largest.pixelCount * 0.25, 9);
    // The minimum area is in m² too: 0.25 m² per pixel, so 200 m² keeps only regions over 800 pixels.
    await computeRegions(db, runId, memoryProbabilityReader(grid, values), {
      ...settings,
      minAreaM2: 200,
      pixelSizeM: 0.5,
    });
    expect(listRegions(db, { runId }).regions.every((r) => r.pixelCount > 800)).toBe(true);
    db.close();
  });

  it('export without a CRS where the format allows one, and GeoJSON says why it cannot', async () => {
    const { db, runId } = projectWithRun('export');
    await computeRegions(db, runId, memoryProbabilityReader(grid, values), settings);
    const geojson = path.join(dir, 'regions.geojson');
    await expect(exportRegions(db, { runId, format: 'geojson', out: geojson })).rejects.toMatchObject({
      code: 'EXPORT_NO_GEOREFERENCE',
      message: expect.stringMatching(/GeoPackage, Shapefile or CSV/),
    });
    expect(fs.existsSync(geojson)).toBe(false);

    const gpkg = path.join(dir, 'regions.gpkg');
    await exportRegions(db, { runId, format: 'gpkg', out: gpkg });
    expect(gdalLayerSummary(gpkg)).toMatchObject({ featureCount: 2, epsg: null });
    if (canValidateGeoPackage) validateGeoPackage(gpkg);
    const [feature] = gdalFeatures(gpkg);
    const ring = (feature.geometry!.coordinates as number[][][][])[0][0];
    // Pixel coordinates: x within the image's columns, y = -row within its rows.
    for (const [x, y] of ring) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(120);
      expect(y).toBeLessThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(-90);
    }
    // No pixel size: the area is not known in m², so area_m2 is empty rather than a number of pixels.
    expect(feature.properties.area_m2).toBeNull();

    const zip = path.join(dir, 'regions.zip');
    await exportRegions(db, { runId, format: 'shapefile', out: zip });
    const parts = Object.keys(unzipSync(fs.readFileSync(zip)));
    expect(parts.some((p) => p.endsWith('.shp'))).toBe(true);
    expect(parts.some((p) => p.endsWith('.prj'))).toBe(false);

    const csv = path.join(dir, 'regions.csv');
    await exportRegions(db, { runId, format: 'csv', out: csv });
    const header = fs.readFileSync(csv, 'utf8').split(/\r?\n/)[0];
    expect(header).toMatch(/centroid_x,centroid_y/);
    expect(header).not.toMatch(/centroid_lon/);
    db.close();
  });

  it('runs show their chunks and extent in pixel coordinates', () => {
    const run = {
      id: 1,
      status: 'done',
      params: { grid },
      chunks: [{ idx: 0, state: 'done', window: { x: 64, y: 0, width: 56, height: 90 } }],
      warnings: [],
    } as unknown as RunRecord;
    const detail = runDetail(run, { threshold: 0.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0 });
    expect(detail.extent).toEqual([0, -90, 120, 0]);
    const xs = detail.chunks[0].ring.map((p) => p[0]);
    const ys = detail.chunks[0].ring.map((p) => p[1]);
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([64, 120, -90, 0]);
  });
});
