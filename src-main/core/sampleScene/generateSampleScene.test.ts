import { beforeAll, describe, expect, it } from 'vitest';
import { generateSampleScene, type SampleScene } from './generateSampleScene';
import { LAND_COVER_CLASSES } from './surfaces';

describe('generateSampleScene', () => {
  let scene: SampleScene;
  beforeAll(() => {
    scene = generateSampleScene();
  }, 120_000);

  it('is georeferenced at 3 m in UTM zone 33N', () => {
    const { grid } = scene;
    expect(grid.width).toBe(2000);
    expect(grid.height).toBe(2000);
    expect(grid.crs.code).toBe('EPSG:32633');
    expect(grid.geoTransform[1]).toBe(3);
    expect(grid.geoTransform[5]).toBe(-3);
    expect(scene.before.length).toBe(3 * 2000 * 2000);
    const [x0, , , y0] = grid.geoTransform;
    for (const change of scene.changes) {
      for (const [x, y] of change.polygon) {
        expect(x).toBeGreaterThanOrEqual(x0);
        expect(x).toBeLessThanOrEqual(x0 + 6000);
        expect(y).toBeLessThanOrEqual(y0);
        expect(y).toBeGreaterThanOrEqual(y0 - 6000);
      }
      expect(change.polygon[0]).toEqual(change.polygon[change.polygon.length - 1]);
    }
  });

  it('plants every kind of change, each visible as a land-cover change inside its polygon', () => {
    const kinds = new Set(scene.changes.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(
      ['construction-site', 'forest-cleared', 'new-houses', 'new-pond', 'new-road', 'new-warehouse'].sort(),
    );
    let truthPixels = 0;
    for (const v of scene.truth) truthPixels += v;
    expect(truthPixels).toBe(scene.changes.reduce((s, c) => s + c.pixelCount, 0));
    // A few percent of the scene changed, as in real change-detection scenes.
    expect(truthPixels / scene.truth.length).toBeGreaterThan(0.003);
    expect(truthPixels / scene.truth.length).toBeLessThan(0.05);
    for (const change of scene.changes) expect(change.from).not.toBe(change.to);
  });

  it('plants new estates at the size of a real suburb extension, clear-cuts as felled forest', () => {
    const estates = scene.changes.filter((c) => c.kind === 'new-houses');
    expect(estates.length).toBe(2);
    // 6-20 ha: several streets of houses, large enough to be seen as residential, not a few houses in a field.
    for (const estate of estates) {
      expect(estate.areaM2).toBeGreaterThan(60_000);
      expect(estate.areaM2).toBeLessThan(200_000);
    }
    for (const cut of scene.changes.filter((c) => c.kind === 'forest-cleared')) {
      expect(cut.from).toBe('forest');
      expect(cut.to).toBe('bare/construction');
    }
  });

  it('changes land cover only inside the truth mask, and mostly changes it there', () => {
    let outsideChanged = 0;
    let insideChanged = 0;
    let inside = 0;
    for (let i = 0; i < scene.truth.length; i++) {
      const changed = scene.landCoverBefore[i] !== scene.landCoverAfter[i];
      if (scene.truth[i]) {
        inside++;
        if (changed) insideChanged++;
      } else if (changed) outsideChanged++;
    }
    expect(outsideChanged).toBe(0);
    expect(insideChanged / inside).toBeGreaterThan(0.6);
  });

  it('has plausible land-cover proportions', () => {
    const counts = new Array(LAND_COVER_CLASSES.length).fill(0);
    for (const v of scene.landCoverBefore) counts[v]++;
    const share = Object.fromEntries(
      LAND_COVER_CLASSES.map((name, k) => [name, counts[k] / scene.truth.length]),
    );
    expect(share.cropland + share.grassland).toBeGreaterThan(0.45);
    expect(share.cropland + share.grassland).toBeLessThan(0.8);
    expect(share.forest).toBeGreaterThan(0.12);
    expect(share.forest).toBeLessThan(0.35);
    expect(share.water).toBeGreaterThan(0.01);
    expect(share.water).toBeLessThan(0.06);
    expect(share.residential).toBeGreaterThan(0.02);
    expect(share.residential).toBeLessThan(0.15);
    expect(share.transport).toBeGreaterThan(0.005);
    expect(share.transport).toBeLessThan(0.06);
  });

  it('differs between dates outside the changes by illumination, haze and season', () => {
    const n = scene.truth.length;
    const forest = LAND_COVER_CLASSES.indexOf('forest');
    const meanDiff = [0, 0, 0];
    let count = 0;
    for (let i = 0; i < n; i += 7) {
      if (scene.truth[i] || scene.landCoverBefore[i] !== forest) continue;
      count++;
      for (let b = 0; b < 3; b++) meanDiff[b] += scene.after[b * n + i] - scene.before[b * n + i];
    }
    const mean = meanDiff.map((d) => d / count);
    // Unchanged forest: the "after" date is hazier (blue offset +9, gain 0.95 on a dark canopy) so blue rises by
    // several grey levels, but no band moves by more than ~20 on average.
    expect(mean[2]).toBeGreaterThan(4);
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(20);
  });
});

describe('generateSampleScene determinism', () => {
  it('gives identical bytes for the same seed and different bytes for another seed', () => {
    const a = generateSampleScene({ seed: 5, width: 700, height: 700 });
    const b = generateSampleScene({ seed: 5, width: 700, height: 700 });
    const c = generateSampleScene({ seed: 6, width: 700, height: 700 });
    expect(Buffer.compare(Buffer.from(a.before), Buffer.from(b.before))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.after), Buffer.from(b.after))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.truth), Buffer.from(b.truth))).toBe(0);
    expect(a.changes).toEqual(b.changes);
    expect(Buffer.compare(Buffer.from(a.before), Buffer.from(c.before))).not.toBe(0);
  }, 120_000);
});
