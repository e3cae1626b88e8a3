// readWindow copies tiles itself (typed arrays) for common files; it must give exactly what geotiff.js's
// readRasters gives, for tiled and stripped, pixel- and band-interleaved, predictor and LZW files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from './geotiffSource';
import { pixelGrid, sceneData, writeFixture } from './testing/fixtures';
import { writeEnvi } from './testing/gdal';

const dir = mkdtempSync(path.join(tmpdir(), 'cm-blocks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 157;
const H = 93;

async function expectSameAsReadRasters(file: string) {
  const source = await openGeoTiff(file);
  const tiff = await fromFile(file);
  const image = await tiff.getImage(0);
  const bands = source.metadata.bandCount;
  for (const w of [
    { x: 0, y: 0, width: W, height: H },
    { x: 13, y: 7, width: 70, height: 41 },
    { x: W - 20, y: H - 9, width: 20, height: 9 },
  ]) {
    const { data } = await source.readWindow(w, { bands: [2, 0] });
    const expected = (await image.readRasters({
      window: [w.x, w.y, w.x + w.width, w.y + w.height],
      samples: [2, 0],
      interleave: false,
    })) as unknown as ArrayLike<number>[];
    const n = w.width * w.height;
    expect(Array.from(data.subarray(0, n))).toEqual(Array.from(expected[0]));
    expect(Array.from(data.subarray(n, 2 * n))).toEqual(Array.from(expected[1]));
  }
  expect(bands).toBe(3);
  await source.close();
  await tiff.close();
}

describe('GeoTIFF block reads', () => {
  it('match readRasters on band-interleaved tiled DEFLATE files (the project writer)', async () => {
    const file = path.join(dir, 'planar.tif');
    await writeFixture(file, pixelGrid(W, H), 3, sceneData(pixelGrid(W, H), 3, 'uint16'), { tileSize: 32 });
    await expectSameAsReadRasters(file);
  });
  it.each([
    [
      'tiled DEFLATE with predictor',
      [
        '-co',
        'TILED=YES',
        '-co',
        'BLOCKXSIZE=32',
        '-co',
        'BLOCKYSIZE=16',
        '-co',
        'COMPRESS=DEFLATE',
        '-co',
        'PREDICTOR=2',
      ],
    ],
    ['stripped LZW', ['-co', 'COMPRESS=LZW', '-co', 'BLOCKYSIZE=10']],
    ['stripped uncompressed', []],
  ])('match readRasters on pixel-interleaved %s files (GDAL)', async (label, options) => {
    const raw = path.join(dir, `${label.replace(/\W/g, '')}.img`);
    writeEnvi(raw, sceneData(pixelGrid(W, H), 3, 'uint16') as Uint16Array, W, H, 3);
    const file = raw.replace(/\.img$/, '.tif');
    execFileSync('gdal_translate', ['-q', '-co', 'INTERLEAVE=PIXEL', ...options, raw, file]);
    await expectSameAsReadRasters(file);
  });
});

it('fills an array offered for reuse exactly as a fresh read, inside the image and past its edge', async () => {
  const grid = pixelGrid(W, H);
  const file = path.join(dir, 'reuse-into.tif');
  await writeFixture(file, grid, 3, sceneData(grid, 3, 'uint8'), { tileSize: 32 });
  const source = await openGeoTiff(file);
  for (const w of [
    { x: 13, y: 7, width: 70, height: 41 }, // inside: decoded straight into the array
    { x: W - 20, y: -5, width: 30, height: 20 }, // past two edges: 0 there, as in a fresh array
  ]) {
    const fresh = await source.readWindow(w, { bands: [2, 0] });
    const into = new Uint8Array(2 * w.width * w.height + 100).fill(77);
    const reused = await source.readWindow(w, { bands: [2, 0], into });
    expect(reused.data.buffer).toBe(into.buffer);
    expect(Array.from(reused.data)).toEqual(Array.from(fresh.data));
    expect(reused.valid).toEqual(fresh.valid);
    // An array of another sample type is not used.
    const wrongType = new Float32Array(3 * w.width * w.height);
    expect((await source.readWindow(w, { bands: [2, 0], into: wrongType })).data.buffer).not.toBe(
      wrongType.buffer,
    );
  }
  await source.close();
});
