import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileGeoTransform } from '../../core/preview/webMercator';
import { crsFromEpsg } from '../imagery/crs';
import { utmGrid, writeFixture, sceneData } from '../imagery/testing/fixtures';
import { describeGeoTiff, GeoTiffFiles } from './geotiffLevels';
import type { TileJob } from './tileJob';
import { SameThreadRenderer, TileWorkerPool } from './tileWorkerPool';
import { lonLatOfPixel, tilePixelOf } from './testing/tileMath';

let dir: string;
let pool: TileWorkerPool;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-tile-pool-'));
  pool = new TileWorkerPool(2);
});
afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function jobs(): Promise<{ fromFile: TileJob; fromPixels: TileJob }> {
  const grid = utmGrid(128, 128);
  const file = path.join(dir, 'scene.tif');
  await writeFixture(file, grid, 3, sceneData(grid, 3, 'uint8'));
  const levels = await describeGeoTiff(new GeoTiffFiles(), file);
  const [lon, lat] = lonLatOfPixel(grid, 64, 64);
  const t = tilePixelOf(lon, lat, 13);
  const plan = {
    tileGeoTransform: tileGeoTransform(13, t.x, t.y),
    tilePixels: { x: 0, y: 0, width: 256, height: 256 },
    levelGeoTransform: grid.geoTransform,
    sourceCrs: crsFromEpsg(32633),
    style: { kind: 'imagery' as const, stretch: [0, 1, 2].map(() => ({ scale: 1, offset: 0 })) },
  };
  const window = { x: -2, y: -2, width: 132, height: 132 };
  const data = new Uint8Array(132 * 132 * 3);
  const valid = new Uint8Array(132 * 132);
  const scene = sceneData(grid, 3, 'uint8');
  for (let b = 0; b < 3; b++)
    for (let r = 0; r < 128; r++)
      for (let c = 0; c < 128; c++) {
        data[b * 132 * 132 + (r + 2) * 132 + c + 2] = scene[b * 128 * 128 + r * 128 + c];
        valid[(r + 2) * 132 + c + 2] = 1;
      }
  return {
    fromFile: {
      plan,
      source: {
        kind: 'geotiff',
        uri: file,
        imageIndex: levels.levels[0].imageIndex,
        sampleType: 'uint8',
        window,
        bands: [0, 1, 2],
        validity: { nodata: null, alphaBand: null },
      },
    },
    fromPixels: { plan, source: { kind: 'pixels', window, data, valid } },
  };
}

describe('tile worker pool', () => {
  it('renders in worker threads exactly what the calling thread renders, from a file or from pixels', async () => {
    expect(pool.workerCount).toBe(2);
    const { fromFile, fromPixels } = await jobs();
    const same = new SameThreadRenderer();
    const expected = await same.render(structuredClone(fromFile));
    await same.close();
    expect(expected).not.toBeNull();
    const [a, b] = await Promise.all([pool.render(fromFile), pool.render(fromPixels)]);
    expect(Buffer.from(a!).equals(Buffer.from(expected!))).toBe(true);
    expect(Buffer.from(b!).equals(Buffer.from(expected!))).toBe(true);
    // the pixels moved to the worker instead of being copied
    expect((fromPixels.source as { data: Uint8Array }).data.byteLength).toBe(0);
    expect(pool.failure).toBeNull();
  });

  it('gives up a tile whose signal aborts', async () => {
    const { fromFile } = await jobs();
    const controller = new AbortController();
    controller.abort();
    await expect(pool.render(fromFile, controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
