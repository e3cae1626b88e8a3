// The join of regions to boundary features against GDAL's independent answer, on the sample scene: regions found
// from its change magnitude (CVA, many irregular shapes), parcels generated over it (convex quadrilaterals, L-shaped
// lots and a district with a hole, so both clipping paths run), stored through the GeoJSON reader with a UTM CRS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeMagnitude, otsuThreshold } from '../../core/baseline/cva';
import { decodeGpkgMultiPolygon, type FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { generateSampleScene, SAMPLE_SCENE_CRS } from '../../core/sampleScene/generateSampleScene';
import { createRandom } from '../../core/sampleScene/random';
import {
  canValidateGeoPackage,
  gdalFeatures,
  gdalLayerSummary,
  validateGeoPackage,
} from '../exports/gdalProbe';
import { openMemoryProjectDb } from '../project/memoryDb';
import { computeRegions } from '../regions/computeRegions';
import { listRegions } from '../regions/listRegions';
import { memoryProbabilityReader } from '../regions/probabilityReader';
import { joinBoundaryLayer, joinState } from './boundaryJoin';
import { addBoundaryLayer } from './boundaryLayers';
import { featureChangeRows } from './featureChange';
import { gdalOverlaps, type ReferencePolygon } from './gdalOverlapReference.testutil';
import { readBoundaryFile } from './readBoundaryFile';
import { exportBoundarySummary, SUMMARY_LAYER } from './summaryExport';
import { insertFinishedRun } from '../project/testing/finishedRun';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-join-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SIZE = 700;
const db = openMemoryProjectDb();
let runId = 0;
let layerId = 0;
const parcels: ReferencePolygon[] = [];

const ring = (points: [number, number][]): Float64Array => Float64Array.from([...points, points[0]].flat());

/** Jittered quadrilateral parcels over the scene, some L-shaped, and one district with a courtyard hole. */
function generateParcels(origin: [number, number], extent: number): ReferencePolygon[] {
  const random = createRandom(14);
  const n = 9;
  const step = extent / n;
  const corner = (i: number, j: number): [number, number] => {
    const edge = i === 0 || j === 0 || i === n || j === n;
    const jitter = edge ? 0 : 0.25 * step;
    return [
      origin[0] + i * step + (random.next() - 0.5) * jitter,
      origin[1] - j * step + (random.next() - 0.5) * jitter,
    ];
  };
  const corners = Array.from({ length: n + 1 }, (_, i) =>
    Array.from({ length: n + 1 }, (_, j) => corner(i, j)),
  );
  const out: ReferencePolygon[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const [a, b, c, d] = [corners[i][j], corners[i + 1][j], corners[i + 1][j + 1], corners[i][j + 1]];
      const id = `P${i}-${j}`;
      if ((i + j) % 7 === 3) {
        // An L: the quadrilateral minus its bottom-right quarter (concave, so polyclip-ts clips it).
        const mid = (p: [number, number], q: [number, number]): [number, number] => [
          (p[0] + q[0]) / 2,
          (p[1] + q[1]) / 2,
        ];
        const centre = mid(mid(a, c), mid(b, d));
        out.push({ id, geometry: [[ring([a, b, mid(b, c), centre, mid(c, d), d].reverse())]] });
      } else out.push({ id, geometry: [[ring([a, d, c, b])]] }); // counter-clockwise in y-up metres
    }
  // A district over the middle with a courtyard hole; it overlaps the parcels, as layers of different kinds do.
  const [cx, cy] = [origin[0] + extent / 2, origin[1] - extent / 2];
  const r = extent / 4;
  out.push({
    id: 'district',
    geometry: [
      [
        ring([
          [cx - r, cy - r],
          [cx + r, cy - r],
          [cx + r, cy + r],
          [cx - r, cy + r],
        ]),
        ring([
          [cx - r / 3, cy - r / 3],
          [cx - r / 3, cy + r / 3],
          [cx + r / 3, cy + r / 3],
          [cx + r / 3, cy - r / 3],
        ]),
      ],
    ],
  });
  return out;
}

beforeAll(async () => {
  const scene = generateSampleScene({ width: SIZE, height: SIZE });
  const magnitude = changeMagnitude(scene.before, scene.after, 3);
  let max = 0;
  for (const v of magnitude) max = Math.max(max, v);
  const probability = magnitude.map((v) => v / max);
  runId = insertFinishedRun(db, { model: 'cva', params: { grid: scene.grid } });
  await computeRegions(db, runId, memoryProbabilityReader(scene.grid, probability), {
    threshold: otsuThreshold(probability),
    openingRadius: 1,
    closingRadius: 0,
    minAreaM2: 50,
    chunkSize: 256,
  });
  // A few rejected regions, which count in the review figures but not in the changed area.
  db.prepare("UPDATE change_regions SET review_state = 'rejected' WHERE fid % 9 = 0").run();
  db.prepare("UPDATE change_regions SET review_state = 'confirmed' WHERE fid % 9 = 1").run();

  const [x0, , , y0] = scene.grid.geoTransform;
  parcels.push(...generateParcels([x0 + 30, y0 - 30], SIZE * 3 - 60));
  const file = path.join(dir, 'parcels.geojson');
  fs.writeFileSync(
    file,
    JSON.stringify({
      type: 'FeatureCollection',
      crs: {
        type: 'name',
        properties: { name: `urn:ogc:def:crs:${SAMPLE_SCENE_CRS.code.replace(':', '::')}` },
      },
      features: parcels.map((p) => ({
        type: 'Feature',
        properties: { parcel: p.id, owner: `owner ${p.id.length}` },
        geometry: {
          type: 'Polygon',
          coordinates: p.geometry[0].map((r) =>
            Array.from({ length: r.length / 2 }, (_, i) => [r[2 * i], r[2 * i + 1]]),
          ),
        },
      })),
    }),
  );
  const layer = addBoundaryLayer(db, await readBoundaryFile(file), { source: file, labelField: 'parcel' });
  layerId = layer.id;
  await joinBoundaryLayer(db, layerId, runId);
}, 120_000);

let referenceMemo: Map<string, number> | null = null;
/** GDAL's overlaps of the run's regions (as they are now) with every parcel; slow (SpatiaLite), so made once. */
function reference(): Map<string, number> {
  referenceMemo ??= gdalOverlaps(
    dir,
    32633,
    regionsOfRun().map((r) => ({ id: String(r.fid), geometry: r.geometry })),
    parcels,
  );
  return referenceMemo;
}

function regionsOfRun(): { fid: number; state: string; geometry: FlatMultiPolygon }[] {
  return (
    db.prepare('SELECT fid, review_state, geom_grid FROM change_regions WHERE run_id = ?').all(runId) as {
      fid: number;
      review_state: string;
      geom_grid: Uint8Array;
    }[]
  ).map((r) => ({
    fid: r.fid,
    state: r.review_state,
    geometry: decodeGpkgMultiPolygon(r.geom_grid).geometry,
  }));
}

describe('joinBoundaryLayer on the sample scene', () => {
  it('gives each feature the changed area GDAL finds (within 0.1%), rejected regions left out', () => {
    const regions = regionsOfRun();
    // Enough regions to exercise the join: the sample scene's corner gives about 80 (more before its fields had texture).
    expect(regions.length).toBeGreaterThan(60);
    const rejected = new Set(regions.filter((r) => r.state === 'rejected').map((r) => String(r.fid)));
    const expected = new Map<string, { area: number; regions: number }>();
    for (const [pair, area] of reference()) {
      const [region, feature] = pair.split('|');
      if (rejected.has(region)) continue;
      const e = expected.get(feature) ?? { area: 0, regions: 0 };
      e.area += area;
      e.regions++;
      expected.set(feature, e);
    }
    const rows = featureChangeRows(db, layerId, runId);
    expect(rows).toHaveLength(parcels.length);
    let checked = 0;
    for (const row of rows) {
      const e = expected.get(row.label) ?? { area: 0, regions: 0 };
      expect(Math.abs(row.changedM2 - e.area), row.label).toBeLessThanOrEqual(Math.max(0.001 * e.area, 0.01));
      if (e.area > 1) checked++;
    }
    expect(checked).toBeGreaterThan(25);
    // Largest first, and the district (which overlaps parcels) has its own figures.
    expect(rows[0].changedM2).toBeGreaterThanOrEqual(rows[rows.length - 1].changedM2);
    expect(rows.find((r) => r.label === 'district')!.changedM2).toBeGreaterThan(0);
  });

  it('gives each region the feature it overlaps most, as GDAL measures it', () => {
    const best = new Map<string, { feature: string; area: number }>();
    for (const [pair, area] of reference()) {
      const [region, feature] = pair.split('|');
      if (feature === 'district') continue;
      const b = best.get(region);
      if (!b || area > b.area) best.set(region, { feature, area });
    }
    // The layer holds the district too; compare only regions whose best parcel clearly beats the district.
    const stored = db
      .prepare(
        `SELECT o.region_fid AS fid, f.label AS label, o.overlap_m2 AS area FROM cm_region_overlaps o
         JOIN boundary_features f ON f.fid = o.feature_fid WHERE o.is_largest = 1 AND o.run_id = ?`,
      )
      .all(runId) as { fid: number; label: string; area: number }[];
    let compared = 0;
    for (const s of stored) {
      if (s.label === 'district') continue;
      const b = best.get(String(s.fid))!;
      expect(s.label).toBe(b.feature);
      expect(Math.abs(s.area - b.area)).toBeLessThanOrEqual(Math.max(0.001 * b.area, 0.01));
      compared++;
    }
    expect(compared).toBeGreaterThan(60);
  });

  it('filters the region list by a feature and counts its reviews', () => {
    const rows = featureChangeRows(db, layerId, runId);
    const busiest = rows.reduce((a, b) => (b.regionCount > a.regionCount ? b : a));
    const page = listRegions(db, {
      runId,
      filters: { boundaryFeature: { layerId, fid: busiest.fid } },
      limit: 1000,
    });
    const notRejected = page.regions.filter((r) => r.reviewState !== 'rejected');
    expect(notRejected.length).toBe(busiest.regionCount);
    expect(page.total).toBe(
      busiest.reviews.unreviewed + busiest.reviews.confirmed + busiest.reviews.rejected,
    );
    expect(busiest.transitions.length).toBeGreaterThan(0);
  });

  it('goes stale when the regions change, and the overlaps go with the old regions', async () => {
    expect(joinState(db, layerId, runId)?.current).toBe(true);
    const fid = (db.prepare('SELECT MAX(fid) AS f FROM change_regions').get() as { f: number }).f;
    db.prepare('DELETE FROM change_regions WHERE fid = ?').run(fid);
    expect(joinState(db, layerId, runId)?.current).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS n FROM cm_region_overlaps WHERE region_fid = ?').get(fid)).toEqual({
      n: 0,
    });
    const progress: number[] = [];
    await joinBoundaryLayer(db, layerId, runId, { onProgress: (f) => progress.push(f) });
    expect(joinState(db, layerId, runId)?.current).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('exports the summary as CSV and as a GeoPackage layer GDAL reads', async () => {
    const csv = path.join(dir, 'summary.csv');
    await exportBoundarySummary(db, { layerId, runId, format: 'csv', out: csv, overwrite: false });
    const rows = featureChangeRows(db, layerId, runId);
    const lines = fs.readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toContain('feature_id,name,layer,run_id,area_m2,changed_m2,changed_pct,regions');
    expect(lines).toHaveLength(rows.length + 1);
    expect(fs.existsSync(path.join(dir, 'summary.csvt'))).toBe(true);

    const gpkg = path.join(dir, 'summary.gpkg');
    await exportBoundarySummary(db, { layerId, runId, format: 'gpkg', out: gpkg, overwrite: false });
    if (canValidateGeoPackage) validateGeoPackage(gpkg);
    expect(gdalLayerSummary(gpkg, SUMMARY_LAYER)).toMatchObject({ featureCount: rows.length, epsg: 4326 });
    const features = gdalFeatures(gpkg, SUMMARY_LAYER);
    const top = features.find((f) => f.properties.name === rows[0].label)!;
    expect(Number(top.properties.changed_m2)).toBeCloseTo(rows[0].changedM2, 6);
    expect(top.geometry?.type).toMatch(/Polygon/);
    await expect(
      exportBoundarySummary(db, { layerId, runId, format: 'gpkg', out: gpkg, overwrite: false }),
    ).rejects.toMatchObject({ code: 'EXPORT_EXISTS' });
    // Replaced once the user said yes.
    await exportBoundarySummary(db, { layerId, runId, format: 'gpkg', out: gpkg, overwrite: true });
    expect(gdalLayerSummary(gpkg, SUMMARY_LAYER).featureCount).toBe(rows.length);
  });
});
