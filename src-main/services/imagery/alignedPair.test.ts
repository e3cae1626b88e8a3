// Invalid pixel values in a pair: NaN and infinite values are no measurements.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { normalisePairInPlace } from '../../core/tiling/chips';
import { mapSample } from '../../core/raster/scaling';
import { openAlignedPair, sampleBandStatistics } from './alignedPair';
import { openImagerySet } from './imagerySet';
import { converter, WGS84 } from './crs';
import { pixelGrid, sceneData, utmGrid, writeFixture } from './testing/fixtures';

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
  const beforeSet = await openImagerySet([join(dir, 'before.tif')]);
  const afterSet = await openImagerySet([join(dir, 'after.tif')]);
  const pair = await openAlignedPair(beforeSet, afterSet);
  // Float values are used as they are: no statistics are sampled for the pair. Where statistics are sampled
  // (the display stretch of previews), the non-finite values stay out of them.
  expect([pair.beforeStats, pair.afterStats]).toEqual([null, null]);
  for (const set of [beforeSet, afterSet]) {
    for (const stats of await sampleBandStatistics(set, [0, 1, 2])) {
      for (const v of [stats.mean, stats.min, stats.max, stats.p2, stats.p98])
        expect(Number.isFinite(v)).toBe(true);
    }
  }
  const { valid } = await pair.read({ x: 0, y: 0, width: 64, height: 64 });
  expect([valid[5], valid[70], valid[300]]).toEqual([0, 0, 0]);
  expect(valid.reduce((a, v) => a + v, 0)).toBe(n - 3);
});

it('marks every pixel of a read window outside the analysis grid invalid, on each side and past the corners', async () => {
  // An area of interest well inside both dates makes the analysis grid a part of them, with valid imagery all
  // around it: only the grid's own edge says where a halo read stops being valid.
  const grid = utmGrid(60, 50, 500000, 5600000);
  const planes = Float32Array.from(sceneData(grid, 3, 'uint8'), (v) => 0.2 + (0.6 * v) / 255);
  await writeFixture(join(dir, 'halo.tif'), grid, 3, planes);
  const toLonLat = converter(grid.crs, WGS84());
  const ring = [
    [500100, 5599600],
    [500400, 5599600],
    [500400, 5599900],
    [500100, 5599900],
    [500100, 5599600],
  ].map((p) => toLonLat.forward(p));
  const pair = await openAlignedPair(
    await openImagerySet([join(dir, 'halo.tif')]),
    await openImagerySet([join(dir, 'halo.tif')]),
    { aoi: { type: 'Polygon', coordinates: [ring] } },
  );
  expect(pair.beforeWindow.x).toBeGreaterThan(5);
  expect(pair.beforeWindow.y).toBeGreaterThan(5);
  expect(pair.beforeWindow.x + pair.grid.width).toBeLessThan(55);
  expect(pair.beforeWindow.y + pair.grid.height).toBeLessThan(45);
  for (const window of [
    { x: -4, y: -3, width: 12, height: 10 }, // over the top-left corner
    { x: 25, y: 22, width: 12, height: 12 }, // over the bottom-right corner
    { x: -3, y: 4, width: 40, height: 6 }, // wider than the grid
    { x: 31, y: 0, width: 4, height: 5 }, // wholly right of it
    { x: 2, y: -5, width: 5, height: 4 }, // wholly above it
  ]) {
    const { valid } = await pair.read(window);
    for (let r = 0; r < window.height; r++) {
      for (let c = 0; c < window.width; c++) {
        const gx = window.x + c;
        const gy = window.y + r;
        const inside = gx >= 0 && gy >= 0 && gx < pair.grid.width && gy < pair.grid.height;
        expect(valid[r * window.width + c], `pixel ${gx},${gy} of ${JSON.stringify(window)}`).toBe(
          inside ? 1 : 0,
        );
      }
    }
  }
});

it('stretches 16-bit dates by their sampled 2nd to 98th percentiles, and 8-bit ones by 1/255 without sampling', async () => {
  const grid = pixelGrid(64, 64);
  await writeFixture(join(dir, 'u16.tif'), grid, 3, sceneData(grid, 3, 'uint16'));
  await writeFixture(join(dir, 'u8.tif'), grid, 3, sceneData(grid, 3, 'uint8'));
  const pair = await openAlignedPair(
    await openImagerySet([join(dir, 'u16.tif')]),
    await openImagerySet([join(dir, 'u8.tif')]),
  );
  expect(pair.afterStats).toBeNull();
  const stats = pair.beforeStats!;
  expect(stats).toHaveLength(3);
  const { before, after } = await pair.read({ x: 0, y: 0, width: 64, height: 64 });
  const raw16 = sceneData(grid, 3, 'uint16');
  const raw8 = sceneData(grid, 3, 'uint8');
  for (let i = 0; i < before.length; i += 97) {
    const b = Math.floor(i / (64 * 64));
    const expected = (raw16[i] - stats[b].p2) / (stats[b].p98 - stats[b].p2);
    expect(before[i]).toBeCloseTo(Math.min(1.5, Math.max(-0.5, expected)), 5);
    expect(after[i]).toBeCloseTo(raw8[i] / 255, 6);
  }
});

it('fills planes offered for reuse exactly as fresh ones, direct and resampled, and ignores planes of another size', async () => {
  const beforeGrid = utmGrid(64, 64, 500000, 5600000);
  // Half a pixel off the before grid: the after date is resampled.
  const afterGrid = utmGrid(64, 64, 500005, 5599995);
  const scaled = (grid: typeof beforeGrid, shift = 0) =>
    Float32Array.from(sceneData(grid, 3, 'uint8', shift), (v) => 0.1 + (0.8 * v) / 255);
  await writeFixture(join(dir, 'reuse-before.tif'), beforeGrid, 3, scaled(beforeGrid));
  await writeFixture(join(dir, 'reuse-same.tif'), beforeGrid, 3, scaled(beforeGrid, 5));
  await writeFixture(join(dir, 'reuse-shifted.tif'), afterGrid, 3, scaled(afterGrid, 9));
  for (const afterFile of ['reuse-same.tif', 'reuse-shifted.tif']) {
    const pair = await openAlignedPair(
      await openImagerySet([join(dir, 'reuse-before.tif')]),
      await openImagerySet([join(dir, afterFile)]),
    );
    for (const window of [
      { x: 3, y: 5, width: 20, height: 16 },
      { x: 200, y: 200, width: 20, height: 16 }, // no source pixels at all
    ]) {
      const fresh = await pair.read(window);
      // Larger than the window needs, as a spare from a bigger chunk is: the read fills views of their start.
      const stale = () => new Float32Array(3 * 20 * 16 + 50).fill(Number.NaN);
      const reuse = { before: stale(), after: stale() };
      const reused = await pair.read(window, { reuse });
      expect(reused.before.buffer).toBe(reuse.before.buffer);
      expect(reused.after.buffer).toBe(reuse.after.buffer);
      expect(reused.before).toEqual(fresh.before);
      expect(reused.after).toEqual(fresh.after);
      expect(reused.valid).toEqual(fresh.valid);
      const wrongSize = { before: new Float32Array(7), after: new Float32Array(7) };
      expect((await pair.read(window, { reuse: wrongSize })).before).not.toBe(wrongSize.before);
    }
  }
});

it('reads windows of changing sizes into kept arrays exactly as a pair that never read before would', async () => {
  const beforeGrid = utmGrid(64, 64, 500000, 5600000);
  const afterGrid = utmGrid(64, 64, 500005, 5599995); // half a pixel off: resampled
  await writeFixture(join(dir, 'sizes-before.tif'), beforeGrid, 3, sceneData(beforeGrid, 3, 'uint8', 2), {
    nodata: 0,
  });
  await writeFixture(join(dir, 'sizes-same.tif'), beforeGrid, 3, sceneData(beforeGrid, 3, 'uint8', 6));
  await writeFixture(join(dir, 'sizes-shifted.tif'), afterGrid, 3, sceneData(afterGrid, 3, 'uint8', 8));
  const windows = [
    { x: 0, y: 0, width: 30, height: 20 },
    { x: 10, y: 30, width: 12, height: 9 },
    { x: 40, y: 40, width: 40, height: 40 }, // reaches past the image
    { x: 5, y: 5, width: 31, height: 21 },
  ];
  const capacity = 3 * 40 * 40;
  for (const afterFile of ['sizes-same.tif', 'sizes-shifted.tif']) {
    const open = async () =>
      openAlignedPair(
        await openImagerySet([join(dir, 'sizes-before.tif')]),
        await openImagerySet([join(dir, afterFile)]),
      );
    const pair = await open();
    let reuse = { before: new Float32Array(capacity), after: new Float32Array(capacity) };
    for (const window of windows) {
      const reused = await pair.read(window, { reuse });
      const fresh = await (await open()).read(window);
      expect(reused.before).toEqual(fresh.before);
      expect(reused.after).toEqual(fresh.after);
      expect(reused.valid).toEqual(fresh.valid);
      reuse = { before: new Float32Array(capacity).fill(Number.NaN), after: new Float32Array(capacity) };
    }
  }
});

it('normalises as it reads when asked, as the run engine would after it, with the fill where either date is invalid', async () => {
  const beforeGrid = utmGrid(64, 64, 500000, 5600000);
  const afterGrid = utmGrid(64, 64, 500005, 5599995); // half a pixel off: resampled
  const n = 64 * 64;
  const u16 = sceneData(beforeGrid, 3, 'uint16');
  for (let b = 0; b < 3; b++) for (let i = 0; i < 40; i++) u16[b * n + i * 61] = 0; // nodata in every band
  await writeFixture(join(dir, 'norm-u16.tif'), beforeGrid, 3, u16, { nodata: 0 });
  await writeFixture(join(dir, 'norm-u8.tif'), beforeGrid, 3, sceneData(beforeGrid, 3, 'uint8', 4));
  const shifted = Float32Array.from(sceneData(afterGrid, 3, 'uint8', 7), (v) => v / 255);
  shifted[n + 333] = Number.NaN;
  await writeFixture(join(dir, 'norm-shifted.tif'), afterGrid, 3, shifted);
  const norm = { mean: [0.4, 0.45, 0.5], std: [0.2, 0.25, 0.3], fill: [0.3, 0.3, 0.3] };
  for (const [beforeFile, afterFile] of [
    ['norm-u16.tif', 'norm-u8.tif'], // stretched and clamped, then 1/255: read directly
    ['norm-u8.tif', 'norm-shifted.tif'], // float after date, resampled, with a NaN
  ]) {
    const pair = await openAlignedPair(
      await openImagerySet([join(dir, beforeFile)]),
      await openImagerySet([join(dir, afterFile)]),
    );
    const window = { x: -6, y: 3, width: 50, height: 40 }; // a halo past the left edge
    const plain = await pair.read(window);
    expect(plain.normalisedBy).toBeUndefined();
    const marked = normalisePairInPlace(plain.before, plain.after, plain.valid, 3, norm);
    const fused = await pair.read(window, { normalise: norm });
    expect(fused.normalisedBy).toBe(norm);
    expect(fused.valid).toEqual(plain.valid);
    expect(plain.valid.includes(0)).toBe(true);
    expect(marked).toBe(0); // the source had already marked NaN and nodata invalid
    for (let i = 0; i < fused.before.length; i++) {
      expect(Math.abs(fused.before[i] - plain.before[i])).toBeLessThan(1e-5);
      expect(Math.abs(fused.after[i] - plain.after[i])).toBeLessThan(1e-5);
    }
  }
});

it('marks a float value that overflows once normalised invalid, as the run engine does', async () => {
  const grid = pixelGrid(16, 16);
  const data = Float32Array.from(sceneData(grid, 3, 'uint8'), (v) => v / 255);
  data[40] = 3e38; // finite in float32, infinite after dividing by a std below 1
  await writeFixture(join(dir, 'huge.tif'), grid, 3, data);
  await writeFixture(join(dir, 'plain.tif'), grid, 3, sceneData(grid, 3, 'uint8'));
  const pair = await openAlignedPair(
    await openImagerySet([join(dir, 'plain.tif')]),
    await openImagerySet([join(dir, 'huge.tif')]),
  );
  const norm = { mean: [0.5, 0.5, 0.5], std: [0.1, 0.1, 0.1] };
  const chunk = await pair.read({ x: 0, y: 0, width: 16, height: 16 }, { normalise: norm });
  expect(chunk.valid[40]).toBe(0);
  expect([chunk.before[40], chunk.after[40]]).toEqual([0, 0]); // the fill: the band mean, 0 once normalised
  expect(chunk.valid.reduce((a, v) => a + v, 0)).toBe(255);
});

it('keeps 8- and 16-bit dates on one grid as samples that stand for the normalised planes a read gives, and only those', async () => {
  const beforeGrid = utmGrid(64, 64, 500000, 5600000);
  // Whole pixels off the before grid: still read as it lies, not resampled.
  const afterGrid = utmGrid(64, 64, 500020, 5599990);
  await writeFixture(join(dir, 'samples-before.tif'), beforeGrid, 3, sceneData(beforeGrid, 3, 'uint8', 2), {
    nodata: 0,
  });
  await writeFixture(join(dir, 'samples-after.tif'), afterGrid, 3, sceneData(afterGrid, 3, 'uint8', 6));
  await writeFixture(
    join(dir, 'samples-shifted.tif'),
    utmGrid(64, 64, 500005, 5599995),
    3,
    sceneData(afterGrid, 3, 'uint8', 8),
  );
  await writeFixture(join(dir, 'samples-16.tif'), afterGrid, 3, sceneData(afterGrid, 3, 'uint16', 6));
  await writeFixture(join(dir, 'samples-float.tif'), afterGrid, 3, new Float32Array(3 * 64 * 64).fill(0.5));
  const open = async (afterFile: string) =>
    openAlignedPair(
      await openImagerySet([join(dir, 'samples-before.tif')]),
      await openImagerySet([join(dir, afterFile)]),
    );
  expect((await open('samples-shifted.tif')).samples).toBeUndefined();
  expect((await open('samples-float.tif')).samples).toBeUndefined();
  const norm = { mean: [0.4, 0.5, 0.3], std: [0.2, 0.25, 0.15], fill: [0.1, 0.9, 0.5] };
  for (const [afterFile, AfterArray] of [
    ['samples-after.tif', Uint8Array],
    ['samples-16.tif', Uint16Array], // stretched by its 2nd to 98th percentiles
  ] as const) {
    const pair = await open(afterFile);
    const reuse = pair.samples!.planes(3 * 40 * 40);
    expect(reuse.before).toBeInstanceOf(Uint8Array);
    expect(reuse.after).toBeInstanceOf(AfterArray);
    reuse.before.fill(77);
    reuse.after.fill(77);
    for (const window of [
      { x: 0, y: 0, width: 30, height: 20 },
      { x: 40, y: 40, width: 40, height: 40 }, // reaches past the grid
    ]) {
      const floats = await pair.read(window, { normalise: norm });
      const samples = await pair.samples!.read(window, { normalise: norm, reuse });
      expect(samples.before.buffer).toBe(reuse.before.buffer);
      expect(samples.after.buffer).toBe(reuse.after.buffer);
      expect(samples.valid).toEqual(floats.valid);
      const n = window.width * window.height;
      const invalid = samples.valid.filter((v) => v === 0).length;
      expect(invalid).toBeLessThan(n);
      if (window.x + window.width > 64) expect(invalid).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const date of ['before', 'after'] as const) {
        for (let i = 0; i < 3 * n; i++) {
          if (samples.valid[i % n] === 0) continue;
          const b = Math.floor(i / n);
          if (Math.fround(mapSample(samples.maps[date][b], samples[date][i])) !== floats[date][i])
            wrong.push(`${date} ${i}`);
        }
      }
      expect(wrong, afterFile).toEqual([]);
    }
  }
});
