import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assessChangeMap } from '../../core/accuracy/changeAccuracy';
import { allocateSample } from '../../core/accuracy/olofsson';
import { mapPoints } from '../../core/geo/rings';
import { gridToPixel } from '../../core/raster/geoTransform';
import { rasterizeOutline } from '../../core/regions/rasterizeOutline';
import { gridToMapFn } from '../imagery/crs';
import { openMemoryProjectDb } from '../project/memoryDb';
import { ProjectStore } from '../project/projectStore';
import { computeRegions } from '../regions/computeRegions';
import { memoryProbabilityReader } from '../regions/probabilityReader';
import { getRegion } from '../regions/regionRecords';
import { blobs, utmGrid } from '../regions/regions.testutil';
import { labelPoint, latestSample, samplePoints, saveSample } from './accuracyRecords';
import { drawSample } from './drawSample';
import { insertFinishedRun } from '../project/testing/finishedRun';

type Db = ReturnType<typeof openMemoryProjectDb>;

const W = 160;
const H = 120;
const NODATA = 255;
const grid = utmGrid(W, H);

/** Run probabilities as runs write them (uint8, x254, 255 nodata): three blobs of change, a nodata band on the left. */
function scene(): Uint8Array {
  const p = blobs(W, H, [
    [40, 40, 14],
    [110, 70, 22],
    [140, 15, 5],
  ]);
  const out = new Uint8Array(W * H);
  for (let i = 0; i < out.length; i++) out[i] = i % W < 10 ? NODATA : Math.round(p[i] * 254);
  return out;
}

async function sceneWithRegions(db: Db) {
  const runId = insertFinishedRun(db);
  const values = scene();
  const reader = memoryProbabilityReader(grid, values, NODATA);
  await computeRegions(db, runId, reader, {
    threshold: 0.5,
    openingRadius: 0,
    closingRadius: 0,
    minAreaM2: 0,
  });
  return { runId, values, reader };
}

describe('drawSample', () => {
  it('draws the allocated points per stratum: changed ones inside regions, unchanged ones outside and never nodata', async () => {
    const db = openMemoryProjectDb();
    const { runId, values, reader } = await sceneWithRegions(db);
    const drawn = await drawSample(db, runId, reader, { seed: 7, points: 80, minimumPerStratum: 25 });

    // The map as drawn: pixel centres inside the region outlines.
    const drawnMap = new Uint8Array(W * H);
    for (const { fid } of db.prepare('SELECT fid FROM change_regions').all() as { fid: number }[]) {
      const outline = mapPoints(getRegion(db, fid).outlineGrid, (x, y) =>
        gridToPixel(grid.geoTransform, x, y),
      );
      rasterizeOutline(outline, { x: 0, y: 0, width: W, height: H }).forEach((v, i) => (drawnMap[i] |= v));
    }
    const regionPixels = drawnMap.reduce((s, v) => s + v, 0);
    const valid = values.filter((v) => v !== NODATA).length;
    expect(drawn.strataPixels).toEqual({ changed: regionPixels, unchanged: valid - regionPixels });
    expect([drawn.allocation.changed, drawn.allocation.unchanged]).toEqual(
      allocateSample(80, [regionPixels, valid - regionPixels], 25),
    );
    // The changed stratum is small: proportional allocation would give it fewer than the minimum.
    expect(drawn.allocation.changed).toBe(25);
    const byStratum = { changed: 0, unchanged: 0 };
    const seen = new Set<number>();
    let agreeWithProbability = 0;
    for (const p of drawn.points) {
      byStratum[p.stratum]++;
      const i = p.row * W + p.col;
      expect(values[i]).not.toBe(NODATA);
      expect(drawnMap[i]).toBe(p.stratum === 'changed' ? 1 : 0);
      if (values[i] / 254 >= 0.5 === (p.stratum === 'changed')) agreeWithProbability++;
      seen.add(i);
    }
    // Outlines are simplified by under a pixel, so nearly every point also agrees with the raw probability.
    expect(agreeWithProbability / drawn.points.length).toBeGreaterThan(0.9);
    expect(byStratum).toEqual(drawn.allocation);
    expect(seen.size).toBe(drawn.points.length); // without replacement
  });

  it('sizes the sample from the target standard error when no count is given', async () => {
    const db = openMemoryProjectDb();
    const { runId, reader } = await sceneWithRegions(db);
    const loose = await drawSample(db, runId, reader, {
      seed: 1,
      targetStandardError: 0.05,
      minimumPerStratum: 5,
    });
    const tight = await drawSample(db, runId, reader, {
      seed: 1,
      targetStandardError: 0.025,
      minimumPerStratum: 5,
    });
    expect(tight.points.length / loose.points.length).toBeGreaterThan(3.5);
  });

  it('is reproducible: one seed gives the same points, another seed other points', async () => {
    const db = openMemoryProjectDb();
    const { runId, reader } = await sceneWithRegions(db);
    const a = await drawSample(db, runId, reader, { seed: 42, points: 40, minimumPerStratum: 10 });
    const b = await drawSample(db, runId, reader, { seed: 42, points: 40, minimumPerStratum: 10 });
    const c = await drawSample(db, runId, reader, { seed: 43, points: 40, minimumPerStratum: 10 });
    expect(b.points).toEqual(a.points);
    expect(c.points).not.toEqual(a.points);
  });

  it('refuses a run without regions, saying what to do', async () => {
    const db = openMemoryProjectDb();
    const runId = insertFinishedRun(db);
    await expect(
      drawSample(db, runId, memoryProbabilityReader(grid, scene(), NODATA), { seed: 1 }),
    ).rejects.toThrow(/has no change regions to sample; find its regions first/);
  });
});

describe('saved samples', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('keeps points and labels across closing and reopening the project, and the figures follow the labels', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-accuracy-'));
    dirs.push(dir);
    const file = path.join(dir, 'p.gpkg');
    const store = ProjectStore.create(file);
    const { runId, reader } = await sceneWithRegions(store.db);
    const drawn = await drawSample(store.db, runId, reader, { seed: 3, points: 30, minimumPerStratum: 10 });
    const design = {
      targetStandardError: 0.02,
      expectedUsersAccuracy: { changed: 0.7, unchanged: 0.95 },
      minimumPerStratum: 10,
    };
    const id = saveSample(store.db, runId, drawn, design, 100, gridToMapFn(grid.crs));
    const points = samplePoints(store.db, id);
    // Label every point as the map says, but one changed point that truly did not change.
    const wrong = points.find((p) => p.stratum === 'changed')!;
    for (const p of points)
      labelPoint(store.db, p.id, p.stratum === 'changed' && p !== wrong ? 'change' : 'no_change');
    store.close();

    const reopened = ProjectStore.open(file);
    try {
      const sample = latestSample(reopened.db, runId)!;
      expect(sample.id).toBe(id);
      expect(sample.seed).toBe(3);
      expect(sample.strataPixels).toEqual(drawn.strataPixels);
      expect(sample.design.points).toBe(30);
      const again = samplePoints(reopened.db, id);
      expect(again.map((p) => [p.stratum, p.col, p.row])).toEqual(
        drawn.points.map((p) => [p.stratum, p.col, p.row]),
      );
      expect(again.every((p) => p.label !== null)).toBe(true);
      expect(again[0].lon).toBeGreaterThan(12);
      const figures = assessChangeMap(again, sample.strataPixels, sample.m2PerPixel);
      expect(figures.matrix.changed).toEqual({ change: 9, no_change: 1 });
      expect(figures.usersAccuracy.change!.value).toBeCloseTo(0.9, 12);
      // One changed point in ten was wrong: the adjusted changed area is 90% of the mapped one.
      expect(figures.changedArea.adjusted.value).toBeCloseTo(0.9 * drawn.strataPixels.changed * 100, 6);
      expect(figures.changedArea.unit).toBe('m2');
    } finally {
      reopened.close();
    }
  });
});
