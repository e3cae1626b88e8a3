import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GridSpec } from '../../core/raster/types';
import { openImagerySet, type ImagerySet } from '../imagery/imagerySet';
import { PIXEL_TILE_GRID } from '../../core/preview/pixelTiles';
import { pixelGrid, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import { ChunkStore } from '../runs/chunkStore';
import type { PreviewProgress } from '../../ipc/contract';
import { PreviewService, type RunForPreview } from './PreviewService';
import { centroidWhere, decodeTile, lonLatOfPixel, tilePixelOf } from './testing/tileMath';
import { SameThreadRenderer } from './tileWorkerPool';

let dir: string;
const services: PreviewService[] = [];
const sets: ImagerySet[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-preview-'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()));
  await Promise.all(sets.splice(0).map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function service(options: Partial<ConstructorParameters<typeof PreviewService>[0]> = {}) {
  const progress: PreviewProgress[] = [];
  const s = new PreviewService({
    dataDir: path.join(dir, 'data'),
    renderer: new SameThreadRenderer(),
    onProgress: (p) => progress.push(p),
    ...options,
  });
  services.push(s);
  return { s, progress };
}

async function open(file: string): Promise<ImagerySet> {
  const set = await openImagerySet([file]);
  sets.push(set);
  return set;
}

/** Dark background, a bright square of `side` pixels at (x0, y0). */
function squareScene(grid: GridSpec, x0: number, y0: number, side: number): Uint8Array {
  const n = grid.width * grid.height;
  const data = new Uint8Array(n * 3).fill(40);
  for (let b = 0; b < 3; b++)
    for (let y = y0; y < y0 + side; y++)
      for (let x = x0; x < x0 + side; x++) data[b * n + y * grid.width + x] = 250;
  return data;
}

describe('imagery tiles', () => {
  it('puts a bright square of a UTM image where web mercator says it is (within 1 px)', async () => {
    const grid = utmGrid(200, 200);
    const file = path.join(dir, 'square.tif');
    await writeFixture(file, grid, 3, squareScene(grid, 90, 90, 8));
    const set = await open(file);
    const { s } = service();
    const z = 15;
    const [lon, lat] = lonLatOfPixel(grid, 94, 94);
    const where = tilePixelOf(lon, lat, z);
    // The square must sit well inside its tile for the centroid to be meaningful.
    expect(Math.min(where.px, where.py, 256 - where.px, 256 - where.py)).toBeGreaterThan(20);
    const png = await s.imageryTile('before', set, z, where.x, where.y);
    expect(png).not.toBeNull();
    const tile = decodeTile(png!);
    expect([tile.width, tile.height]).toEqual([256, 256]);
    const bright = centroidWhere(tile, ([r, , , a]) => a === 255 && r > 145);
    expect(Math.abs(bright.x - where.px)).toBeLessThanOrEqual(1);
    expect(Math.abs(bright.y - where.py)).toBeLessThanOrEqual(1);
    // 8 source pixels of 10 m at ~3 m per tile pixel: about 26 px across, so about 700 px bright.
    expect(bright.count).toBeGreaterThan(400);
    expect(bright.count).toBeLessThan(1000);
    // The background next to it is the dark value, opaque.
    expect(tile.at(where.px + 40, where.py)).toEqual([40, 40, 40, 255]);
  });

  it('returns null for tiles outside the image, and for tiles outside the world', async () => {
    const grid = utmGrid(64, 64);
    const file = path.join(dir, 'small.tif');
    await writeFixture(file, grid, 3, squareScene(grid, 10, 10, 4));
    const set = await open(file);
    const { s } = service();
    expect(await s.imageryTile('before', set, 12, 0, 0)).toBeNull();
    expect(await s.imageryTile('before', set, 3, 100, 1)).toBeNull();
    // but the tile holding the image is drawn
    const [lon, lat] = lonLatOfPixel(grid, 32, 32);
    const where = tilePixelOf(lon, lat, 12);
    expect(await s.imageryTile('before', set, 12, where.x, where.y)).not.toBeNull();
  });

  it('stretches uint16 imagery from its p2..p98 range to the full byte range', async () => {
    const grid = utmGrid(100, 100);
    const n = grid.width * grid.height;
    const data = new Uint16Array(n * 3);
    for (let b = 0; b < 3; b++)
      for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) data[b * n + y * 100 + x] = 1000 + x * 10;
    const file = path.join(dir, 'u16.tif');
    await writeFixture(file, grid, 3, data);
    const set = await open(file);
    const { s } = service();
    const [lon, lat] = lonLatOfPixel(grid, 50, 50);
    const where = tilePixelOf(lon, lat, 13);
    const tile = decodeTile((await s.imageryTile('before', set, 13, where.x, where.y))!);
    let min = 255;
    let max = 0;
    for (let i = 0; i < tile.rgba.length; i += 4) {
      if (tile.rgba[i + 3] === 0) continue;
      min = Math.min(min, tile.rgba[i]);
      max = Math.max(max, tile.rgba[i]);
    }
    // A plain /65535 scaling would give 3..8; the stretch spreads p2 (1020) .. p98 (1970) over 0..255.
    expect(min).toBeLessThanOrEqual(5);
    expect(max).toBeGreaterThanOrEqual(250);
    const [r] = tile.at(where.px, where.py); // column 50: 1500 -> (1500-1020)/950*255 = 129
    expect(Math.abs(r - 129)).toBeLessThanOrEqual(8);
  });

  it('draws nodata pixels transparent', async () => {
    const grid = utmGrid(100, 100);
    const data = squareScene(grid, 0, 0, 1);
    const n = grid.width * grid.height;
    for (let b = 0; b < 3; b++)
      for (let y = 0; y < 100; y++) for (let x = 0; x < 50; x++) data[b * n + y * 100 + x] = 0;
    const file = path.join(dir, 'nodata.tif');
    await writeFixture(file, grid, 3, data, { nodata: 0 });
    const set = await open(file);
    const { s } = service();
    const z = 14;
    const [lonL, latL] = lonLatOfPixel(grid, 25, 50);
    const [lonR, latR] = lonLatOfPixel(grid, 75, 50);
    const left = tilePixelOf(lonL, latL, z);
    const right = tilePixelOf(lonR, latR, z);
    const tileOf = async (w: { x: number; y: number }) =>
      decodeTile((await s.imageryTile('before', set, z, w.x, w.y))!);
    expect((await tileOf(left)).at(left.px, left.py)[3]).toBe(0);
    expect((await tileOf(right)).at(right.px, right.py)).toEqual([40, 40, 40, 255]);
  });
});

describe('preview pyramid', () => {
  it('is built once in the background with progress, then serves zoomed-out tiles, and is reused', async () => {
    const grid = utmGrid(1100, 600);
    const file = path.join(dir, 'big.tif');
    await writeFixture(file, grid, 3, squareScene(grid, 500, 250, 100));
    const options = { pyramidMinPixels: 100 * 100, maxDirectReadPixels: 64 * 64 };
    const [lon, lat] = lonLatOfPixel(grid, 550, 300);
    const where = tilePixelOf(lon, lat, 9);

    const first = service(options);
    const set = await open(file);
    expect(await first.s.imageryTile('before', set, 9, where.x, where.y)).toBeNull(); // too large a read for now
    await first.s.whenPyramidReady('before');
    const fractions = first.progress.map((p) => p.fraction);
    expect(first.progress.length).toBeGreaterThanOrEqual(3); // two blocks of 1024 across, then done
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(first.progress.at(-1)).toEqual({ role: 'before', fraction: 1, done: true });
    expect(first.progress.slice(0, -1).every((p) => !p.done && p.role === 'before')).toBe(true);
    const previews = fs.readdirSync(path.join(dir, 'data', 'previews'));
    expect(previews).toHaveLength(1);
    expect(previews[0]).toMatch(/^before-[0-9a-f]{16}\.tif$/);
    const png = await first.s.imageryTile('before', set, 9, where.x, where.y);
    expect(png).not.toBeNull();
    const tile = decodeTile(png!);
    const opaque = centroidWhere(tile, ([, , , a]) => a > 0);
    expect(Math.abs(opaque.x - where.px)).toBeLessThanOrEqual(2);
    expect(Math.abs(opaque.y - where.py)).toBeLessThanOrEqual(2);

    const built = fs.statSync(path.join(dir, 'data', 'previews', previews[0])).mtimeMs;
    const second = service(options);
    const reopened = await open(file);
    expect(await second.s.imageryTile('before', reopened, 9, where.x, where.y)).not.toBeNull();
    expect(second.progress).toEqual([{ role: 'before', fraction: 1, done: true }]);
    expect(fs.statSync(path.join(dir, 'data', 'previews', previews[0])).mtimeMs).toBe(built);
  });
});

describe('imagery with overviews', () => {
  it('is read from its own overviews at once, without building a pyramid', async () => {
    const grid = utmGrid(1100, 600);
    const file = path.join(dir, 'cog.tif');
    await writeFixture(file, grid, 3, squareScene(grid, 500, 250, 100), { overviews: true, tileSize: 256 });
    const { s, progress } = service({ maxDirectReadPixels: 64 * 64, pyramidMinPixels: 200 * 200 });
    const set = await open(file);
    expect(set.summary.hasOverviews).toBe(true);
    let fullResolutionReads = 0;
    const read = set.readWindow;
    set.readWindow = (...args) => (fullResolutionReads++, read(...args));
    const [lon, lat] = lonLatOfPixel(grid, 550, 300);
    const where = tilePixelOf(lon, lat, 9);
    const tile = decodeTile((await s.imageryTile('before', set, 9, where.x, where.y))!);
    const opaque = centroidWhere(tile, ([, , , a]) => a > 0);
    expect(Math.abs(opaque.x - where.px)).toBeLessThanOrEqual(2);
    expect(Math.abs(opaque.y - where.py)).toBeLessThanOrEqual(2);
    await s.whenPyramidReady('before');
    expect(fullResolutionReads).toBe(0);
    expect(progress).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'data', 'previews'))).toBe(false);
  });
});

describe('probability tiles', () => {
  const grid = utmGrid(512, 512, 500000, 5600000, 3);
  const windows = [
    { x: 0, y: 0, width: 256, height: 256 },
    { x: 256, y: 0, width: 256, height: 256 },
    { x: 0, y: 256, width: 256, height: 256 },
    { x: 256, y: 256, width: 256, height: 256 },
  ];
  const centre = (i: number) => {
    const w = windows[i];
    const [lon, lat] = lonLatOfPixel(grid, w.x + 128, w.y + 128);
    return tilePixelOf(lon, lat, 14);
  };

  function runWith(store: ChunkStore, done: number[], extra: Partial<RunForPreview> = {}): RunForPreview {
    return {
      id: 1,
      status: 'running',
      grid,
      probabilityPath: null,
      chunks: windows.map((window, idx) => ({ idx, window, state: done.includes(idx) ? 'done' : 'running' })),
      readChunk: (idx) => store.read(idx),
      ...extra,
    };
  }

  it('assembles finished chunks while the run goes on, then reads the final raster', async () => {
    const store = new ChunkStore(path.join(dir, 'chunks'));
    const values = [254, 127, 0, 30];
    for (const idx of [0, 1, 3])
      await store.write({ idx, window: windows[idx], data: new Uint8Array(256 * 256).fill(values[idx]) });
    const { s } = service();
    const at = async (run: RunForPreview, i: number) => {
      const w = centre(i);
      const png = await s.probabilityTile(run, 14, w.x, w.y);
      return png ? decodeTile(png).at(w.px, w.py) : null;
    };
    const early = runWith(store, [0, 3]);
    const certain = (await at(early, 0))!;
    expect(certain[0]).toBeGreaterThan(200); // red
    expect(certain[1]).toBeLessThan(60);
    expect(certain[3]).toBeGreaterThan(200);
    expect((await at(early, 3))?.[3] ?? 0).toBe(0); // p = 0: transparent
    expect((await at(early, 1))?.[3] ?? 0).toBe(0); // not finished yet: nothing drawn
    // chunk 1 lands: p = 0.5 shows orange
    const later = runWith(store, [0, 1, 3]);
    const orange = (await at(later, 1))!;
    expect(orange[0]).toBe(255);
    expect(orange[1]).toBeGreaterThan(100);
    expect(orange[1]).toBeLessThan(200);
    expect(orange[3]).toBeGreaterThan(100);

    // The finished run: the probability raster (with overviews) written by the project's writer.
    const file = path.join(dir, 'probability.tif');
    const writer = await createGeoTiffWriter(file, {
      width: 512,
      height: 512,
      bands: 1,
      sampleType: 'uint8',
      grid,
      nodata: 255,
      overviews: true,
      overviewResampling: 'nearest',
    });
    for (const [idx, w] of windows.entries())
      await writer.writeWindow(w, new Uint8Array(256 * 256).fill(idx === 2 ? 255 : values[idx]));
    await writer.close();
    const done = runWith(store, [0, 1, 3], { status: 'done', probabilityPath: file });
    expect(await at(done, 0)).toEqual(certain);
    expect(await at(done, 1)).toEqual(orange);
    // zoomed out (reads an overview): still red at chunk 0
    const [lon, lat] = lonLatOfPixel(grid, 128, 128);
    const far = tilePixelOf(lon, lat, 9);
    const farTile = decodeTile((await s.probabilityTile(done, 9, far.x, far.y))!);
    expect(farTile.at(far.px, far.py)[0]).toBeGreaterThan(200);
  });

  it('returns null for a run with no finished chunk', async () => {
    const store = new ChunkStore(path.join(dir, 'chunks'));
    const { s } = service();
    const w = centre(0);
    expect(await s.probabilityTile(runWith(store, []), 14, w.x, w.y)).toBeNull();
  });
});

describe('tiles in pixel space (imagery without georeference)', () => {
  it('draws the image on the pixel tile grid: one image pixel per tile pixel at the native zoom', async () => {
    const grid = pixelGrid(300, 200);
    const file = path.join(dir, 'pixels.tif');
    await writeFixture(file, grid, 3, squareScene(grid, 100, 50, 8));
    const set = await open(file);
    const { s } = service();
    const z = PIXEL_TILE_GRID.nativeZoom;
    const tile = decodeTile((await s.imageryTile('before', set, z, 0, 0))!);
    const bright = centroidWhere(tile, ([r, , , a]) => a === 255 && r > 145);
    expect(Math.abs(bright.x - 104)).toBeLessThanOrEqual(1);
    expect(Math.abs(bright.y - 54)).toBeLessThanOrEqual(1);
    expect(bright.count).toBeGreaterThan(50);
    expect(bright.count).toBeLessThan(80);
    // Columns 256..299 of the image are in the next tile to the right; below row 200 there is no image.
    const right = decodeTile((await s.imageryTile('before', set, z, 1, 0))!);
    expect(right.at(20, 100)).toEqual([40, 40, 40, 255]);
    expect(right.at(60, 100)[3]).toBe(0);
    expect(await s.imageryTile('before', set, z, 0, 1)).toBeNull();
    // Zoomed out four times: the whole image in 75 x 50 tile pixels of tile (0, 0).
    const out = decodeTile((await s.imageryTile('before', set, z - 2, 0, 0))!);
    expect(out.at(70, 45)[3]).toBe(255);
    expect(out.at(80, 45)[3]).toBe(0);
  });
});
