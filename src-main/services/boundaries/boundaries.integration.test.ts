// The join on real boundary layers over real scenes (../shared/data/boundaries over ../shared/data/oscd, or
// CHANGEMAP_DATA; see its PROVENANCE.md for sources and licences; nothing is copied into the repository): quartiers,
// arrondissements, communes, census tracts, NIL (a zipped Shapefile) and wards, each joined to the change regions of
// its scene (its real before/after imagery, change vector analysis: the top 5% of the magnitude), and every feature's changed area checked against
// GDAL's ST_Intersection measured on the ellipsoid, within 0.1%.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changeMagnitude } from '../../core/baseline/cva';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { openGeoTiff } from '../imagery/geotiffSource';
import { openMemoryProjectDb } from '../project/memoryDb';
import { computeRegions } from '../regions/computeRegions';
import { memoryProbabilityReader } from '../regions/probabilityReader';
import { joinBoundaryLayer } from './boundaryJoin';
import { addBoundaryLayer } from './boundaryLayers';
import { featureChangeRows } from './featureChange';
import { gdalOverlaps } from './gdalOverlapReference.testutil';
import { readBoundaryFile } from './readBoundaryFile';
import { insertFinishedRun } from '../project/testing/finishedRun';

const DATA = process.env.CHANGEMAP_DATA ?? path.join(process.cwd(), '..', 'shared', 'data');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-boundaries-real-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const CASES: { scene: string; layer: string; inScene: number }[] = [
  { scene: 'bercy', layer: 'bercy/paris_quartiers_80.geojson', inScene: 22 },
  { scene: 'bercy', layer: 'bercy/paris_arrondissements_20.geojson', inScene: 7 },
  { scene: 'nantes', layer: 'nantes/nantes_metropole_quartiers.geojson', inScene: 20 },
  { scene: 'lasvegas', layer: 'lasvegas/cb_2018_32_tract_500k.geojson', inScene: 20 },
  { scene: 'saclay_e', layer: 'saclay_e/communes-91-essonne_geofla.geojson', inScene: 14 },
  { scene: 'milano', layer: 'milano/ds964_nil_wm.zip', inScene: 29 },
  { scene: 'mumbai', layer: 'mumbai/BMC_Wards.geojson', inScene: 5 },
];

/** A run over the scene: change regions from change vector analysis of its two dates. */
async function sceneRun(db: ReturnType<typeof openMemoryProjectDb>, scene: string): Promise<number> {
  const t1 = await openGeoTiff(path.join(DATA, 'oscd', scene, 't1_RGBN_10m.tif'));
  const t2 = await openGeoTiff(path.join(DATA, 'oscd', scene, 't2_RGBN_10m.tif'));
  const grid = t1.metadata.grid;
  const window = { x: 0, y: 0, width: grid.width, height: grid.height };
  const before = (await t1.readWindow(window, { bands: [0, 1, 2] })).data;
  const after = (await t2.readWindow(window, { bands: [0, 1, 2] })).data;
  await Promise.all([t1.close(), t2.close()]);
  const magnitude = changeMagnitude(before, after, 3);
  // The brightest 5% of the change magnitude is change (robust where a few saturated pixels dwarf the rest).
  const p95 = Float32Array.from(magnitude).sort()[Math.floor(0.95 * magnitude.length)];
  const probability = magnitude.map((v) => Math.min(1, v / (2 * p95)));
  const runId = insertFinishedRun(db, { model: 'cva', params: { grid } });
  await computeRegions(db, runId, memoryProbabilityReader(grid, probability), {
    threshold: 0.5,
    openingRadius: 1,
    closingRadius: 0,
    minAreaM2: 500,
  });
  return runId;
}

describe('the join on real boundary layers over OSCD scenes', () => {
  for (const c of CASES)
    it(`${c.layer} over ${c.scene}: every feature's changed area as GDAL measures it`, async () => {
      const db = openMemoryProjectDb();
      const runId = await sceneRun(db, c.scene);
      const file = path.join(DATA, 'boundaries', c.layer);
      const layer = addBoundaryLayer(db, await readBoundaryFile(file), { source: file });
      const joined = await joinBoundaryLayer(db, layer.id, runId);
      expect(joined.features).toBeGreaterThanOrEqual(c.inScene);
      expect(joined.regionsJoined).toBeGreaterThan(10);

      const regions = (
        db.prepare('SELECT fid, geom_grid FROM change_regions WHERE run_id = ?').all(runId) as {
          fid: number;
          geom_grid: Uint8Array;
        }[]
      ).map((r) => ({ id: String(r.fid), geometry: decodeGpkgMultiPolygon(r.geom_grid).geometry }));
      const rows = featureChangeRows(db, layer.id, runId).filter((r) => r.regionCount > 0);
      const features = (
        db
          .prepare(`SELECT fid, geom FROM boundary_features WHERE fid IN (SELECT value FROM json_each(?))`)
          .all(JSON.stringify(rows.map((r) => r.fid))) as { fid: number; geom: Uint8Array }[]
      ).map((f) => ({ id: String(f.fid), geometry: decodeGpkgMultiPolygon(f.geom).geometry }));
      const reference = new Map<string, number>();
      for (const [pair, area] of gdalOverlaps(path.join(dir), 4326, regions, features)) {
        const feature = pair.split('|')[1];
        reference.set(feature, (reference.get(feature) ?? 0) + area);
      }
      expect(rows.length).toBeGreaterThan(2);
      for (const row of rows) {
        const expected = reference.get(String(row.fid)) ?? 0;
        expect(
          Math.abs(row.changedM2 - expected),
          `${row.label}: ${row.changedM2} vs ${expected}`,
        ).toBeLessThanOrEqual(Math.max(0.001 * expected, 1));
      }
    });
});
