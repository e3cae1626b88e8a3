// Invalid pixel values in a pair: NaN and infinite values are no measurements.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openAlignedPair } from './alignedPair';
import { openImagerySet } from './imagerySet';
import { pixelGrid, sceneData, writeFixture } from './testing/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cm-aligned-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('marks NaN and infinite pixels of either date invalid and keeps them out of the band statistics', async () => {
  const grid = pixelGrid(64, 64);
  const n = 64 * 64;
  const before = Float32Array.from(sceneData(grid, 3, 'uint8'), (v) => v / 255);
  const after = Float32Array.from(sceneData(grid, 3, 'uint8', 1), (v) => v / 255);
  before[5] = Number.NaN; // band 0, pixel 5
  before[n + 70] = Infinity; // band 1, pixel 70
  after[2 * n + 300] = -Infinity; // band 2, pixel 300
  await writeFixture(join(dir, 'before.tif'), grid, 3, before);
  await writeFixture(join(dir, 'after.tif'), grid, 3, after);
  const pair = await openAlignedPair(
    await openImagerySet([join(dir, 'before.tif')]),
    await openImagerySet([join(dir, 'after.tif')]),
  );
  for (const stats of [...pair.beforeStats, ...pair.afterStats]) {
    for (const v of [stats.mean, stats.min, stats.max, stats.p2, stats.p98])
      expect(Number.isFinite(v)).toBe(true);
  }
  const { valid } = await pair.read({ x: 0, y: 0, width: 64, height: 64 });
  expect([valid[5], valid[70], valid[300]]).toEqual([0, 0, 0]);
  expect(valid.reduce((a, v) => a + v, 0)).toBe(n - 3);
});
