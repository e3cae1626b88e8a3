import { describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { ensureRegionIndexes, listRegions, regionFacets } from './listRegions';
import { setReview } from './regionRecords';
import { insertFinishedRun } from '../project/testing/finishedRun';

function seed(count: number) {
  const db = openMemoryProjectDb();
  const run = insertFinishedRun(db, { model: 't' });
  const classes = ['forest', 'cropland', 'bare/construction', 'water'];
  const insert =
    db.prepare(`INSERT INTO change_regions (run_id, pixel_count, area_m2, perimeter_m, prob_mean, prob_max,
    centroid_x, centroid_y, centroid_lon, centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y,
    from_class, from_conf, to_class, to_conf) VALUES (?, ?, ?, 0, ?, 1, 0, 0, 0, 0, 0, 0, 0, 0, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const area = ((i * 7919) % count) * 9 + 9;
      insert.run(
        run,
        area / 9,
        area,
        ((i * 31) % 100) / 100,
        classes[i % 4],
        ((i * 13) % 100) / 100,
        classes[(i >> 2) % 4],
        0.9,
      );
    }
  })();
  return { db, run };
}

describe('listRegions', () => {
  it('pages 100,000 regions by area through an index, largest first', () => {
    const { db, run } = seed(100_000);
    ensureRegionIndexes(db);
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(run) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
    const byArea = plan(
      'SELECT fid FROM change_regions WHERE run_id = ? ORDER BY area_m2 DESC, fid ASC LIMIT 100',
    );
    expect(byArea).toMatch(/USING (COVERING )?INDEX change_regions_run_area/);
    expect(byArea).not.toMatch(/TEMP B-TREE/);
    const page = listRegions(db, { runId: run, offset: 200, limit: 50 });
    expect(page.total).toBe(100_000);
    expect(page.regions).toHaveLength(50);
    const all = listRegions(db, { runId: run, offset: 199, limit: 52 }).regions.map((r) => r.areaM2);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]).toBeGreaterThanOrEqual(all[i]);
    expect(page.regions[0].areaM2).toBe(all[1]);
  });

  it('filters by transition, class, confidence, area and review state', () => {
    const { db, run } = seed(400);
    const t = listRegions(db, {
      runId: run,
      filters: { fromClass: 'forest', toClass: 'cropland' },
      limit: 1000,
    });
    expect(t.total).toBeGreaterThan(0);
    expect(t.regions.every((r) => r.transition === 'forest -> cropland')).toBe(true);
    const conf = listRegions(db, { runId: run, filters: { minConfidence: 0.5 }, limit: 1000 });
    expect(conf.regions.every((r) => r.from!.confidence >= 0.5 && r.to!.confidence >= 0.5)).toBe(true);
    expect(conf.total).toBeLessThan(400);
    const area = listRegions(db, { runId: run, filters: { minAreaM2: 1000, maxAreaM2: 2000 }, limit: 1000 });
    expect(area.regions.every((r) => r.areaM2 >= 1000 && r.areaM2 <= 2000)).toBe(true);
    setReview(db, t.regions[0].fid, 'rejected', 'shadow');
    const rejected = listRegions(db, { runId: run, filters: { reviewStates: ['rejected'] } });
    expect(rejected.regions.map((r) => [r.fid, r.note])).toEqual([[t.regions[0].fid, 'shadow']]);
    expect(regionFacets(db, run).reviewStates).toEqual({ unreviewed: 399, confirmed: 0, rejected: 1 });
    const byProb = listRegions(db, {
      runId: run,
      sort: { key: 'probability', direction: 'asc' },
      limit: 5,
    }).regions;
    expect(byProb[0].probMean).toBe(0);
    expect(() => listRegions(db, { runId: run, sort: { key: 'colour' as 'area' } })).toThrow(
      expect.objectContaining({ code: 'REGIONS_BAD_SORT' }),
    );
    expect(() => setReview(db, t.regions[0].fid, 'maybe' as 'confirmed')).toThrow(
      expect.objectContaining({ code: 'REGIONS_BAD_REVIEW_STATE' }),
    );
  });
});
