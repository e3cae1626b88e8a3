import { describe, expect, it } from 'vitest';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { openMemoryProjectDb } from '../project/memoryDb';
import { computeRegions } from './computeRegions';
import { geodesicArea } from './groundArea';
import { listRegions } from './listRegions';
import { memoryProbabilityReader } from './probabilityReader';
import { getRegion, regionFeatures, setReview } from './regionRecords';
import { blobs, geographicGrid, utmGrid } from './regions.testutil';
import { insertFinishedRun } from '../project/testing/finishedRun';

const base = { threshold: 0.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0 };

describe('computeRegions', () => {
  it('writes regions largest first with areas, centroids and outlines QGIS can read', async () => {
    const db = openMemoryProjectDb();
    const run = insertFinishedRun(db);
    const grid = utmGrid(120, 90);
    const values = blobs(120, 90, [
      [30, 30, 12],
      [90, 60, 20],
      [100, 10, 3],
    ]);
    const summary = await computeRegions(db, run, memoryProbabilityReader(grid, values), {
      ...base,
      chunkSize: 32,
    });
    expect(summary.regionCount).toBe(3);
    const page = listRegions(db, { runId: run });
    expect(page.total).toBe(3);
    const areas = page.regions.map((r) => r.areaM2);
    expect([...areas].sort((a, b) => b - a)).toEqual(areas);
    const largest = page.regions[0];
    expect(largest.centroid.x).toBeCloseTo(300_000 + 90 * 10, -1);
    expect(largest.centroid.y).toBeCloseTo(5_000_000 - 60 * 10, -1);
    expect(largest.centroid.lon).toBeGreaterThan(12);
    expect(largest.centroid.lon).toBeLessThan(13);
    expect(largest.areaHa).toBeCloseTo(largest.areaM2 / 10_000, 9);
    const full = getRegion(db, largest.fid);
    expect(full.outlineLonLat[0][0].length).toBeGreaterThan(8);
    const blob = db.prepare('SELECT geom FROM change_regions WHERE fid = ?').get(largest.fid) as {
      geom: Uint8Array;
    };
    expect(decodeGpkgMultiPolygon(blob.geom).srsId).toBe(4326);
    const features = regionFeatures(db, run, { limit: 2 });
    expect(features.map((f) => f.id)).toEqual(page.regions.slice(0, 2).map((r) => r.fid));
    const ring = features[0].geometry.coordinates[0][0];
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    expect(regionFeatures(db, run, { bbox: [0, 0, 1, 1] })).toHaveLength(0);
  });

  it('matches the geodesic area of the same polygon: 0.01% on a UTM grid, 0.5% on a geographic grid', async () => {
    for (const [grid, tolerance] of [
      [utmGrid(200, 200, 10, 260_000), 1e-4],
      [utmGrid(200, 200, 10, 500_000), 1e-4],
      [geographicGrid(200, 200, 0.0005), 5e-3],
    ] as const) {
      const db = openMemoryProjectDb();
      const run = insertFinishedRun(db);
      const values = blobs(200, 200, [
        [60, 60, 40],
        [150, 150, 30],
      ]);
      await computeRegions(db, run, memoryProbabilityReader(grid, values), {
        ...base,
        chunkSize: 64,
        simplifyTolerancePx: 0,
      });
      for (const r of listRegions(db, { runId: run }).regions) {
        const reference = geodesicArea(getRegion(db, r.fid).outlineLonLat);
        expect(Math.abs(r.areaM2 - reference) / reference).toBeLessThan(tolerance);
      }
    }
  });

  it('keeps reviews of regions that still exist after a threshold change', async () => {
    const db = openMemoryProjectDb();
    const run = insertFinishedRun(db);
    const grid = utmGrid(100, 100);
    const reader = memoryProbabilityReader(
      grid,
      blobs(100, 100, [
        [25, 25, 15],
        [75, 75, 15],
      ]),
    );
    await computeRegions(db, run, reader, base);
    const [a, b] = listRegions(db, { runId: run, sort: { key: 'fid' } }).regions;
    setReview(db, a.fid, 'confirmed', 'new warehouse');
    setReview(db, b.fid, 'rejected');
    const summary = await computeRegions(db, run, reader, { ...base, threshold: 0.7 });
    expect(summary.reviewsCarried).toBe(2);
    const after = listRegions(db, { runId: run, sort: { key: 'fid' } }).regions;
    expect(after.map((r) => [r.reviewState, r.note])).toEqual([
      ['confirmed', 'new warehouse'],
      ['rejected', ''],
    ]);
    expect(after[0].areaM2).toBeLessThan(a.areaM2);
    expect(listRegions(db, { runId: run, filters: { reviewStates: ['confirmed'] } }).total).toBe(1);
  });

  it('drops regions under the minimum area and refuses unknown runs', async () => {
    const db = openMemoryProjectDb();
    const run = insertFinishedRun(db);
    const grid = utmGrid(60, 60);
    const reader = memoryProbabilityReader(
      grid,
      blobs(60, 60, [
        [15, 15, 10],
        [45, 45, 2],
      ]),
    );
    const summary = await computeRegions(db, run, reader, { ...base, minAreaM2: 5000 });
    expect(summary.regionCount).toBe(1);
    expect(summary.droppedSmall).toBe(1);
    await expect(computeRegions(db, run + 1, reader, base)).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    expect(() => setReview(db, 9999, 'confirmed')).toThrow(
      expect.objectContaining({ code: 'REGION_NOT_FOUND' }),
    );
  });
});
