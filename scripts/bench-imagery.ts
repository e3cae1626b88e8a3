// Imagery bench: read + align + normalise of a generated before/after pair at 10000² and 20000² pixels, Mpx/s
// and peak resident memory per size (each size in its own process, so peaks do not mix). Inputs are written to
// a temp dir by the project's streaming writer (tiled, DEFLATE level 1) and deleted afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseInPlace } from '../src-main/core/raster/scaling';
import { openAlignedPair } from '../src-main/services/imagery/alignedPair';
import { crsFromEpsg } from '../src-main/services/imagery/crs';
import { createGeoTiffWriter } from '../src-main/services/imagery/geotiffWriter';
import { openImagerySet } from '../src-main/services/imagery/imagerySet';

const CHUNK = 2048;

async function generate(path: string, size: number, shift: number): Promise<void> {
  const grid = {
    width: size,
    height: size,
    geoTransform: [500000, 3, 0, 5600000, 0, -3] as [number, number, number, number, number, number],
    crs: crsFromEpsg(32633),
  };
  const writer = await createGeoTiffWriter(path, {
    width: size,
    height: size,
    bands: 3,
    sampleType: 'uint8',
    grid,
    deflateLevel: 1,
    overviews: false,
    tileSize: 512,
  });
  const rows = 512;
  for (let y = 0; y < size; y += rows) {
    const h = Math.min(rows, size - y);
    const data = new Uint8Array(size * h * 3);
    for (let b = 0; b < 3; b++)
      for (let r = 0; r < h; r++)
        for (let x = 0; x < size; x++)
          data[b * size * h + r * size + x] = ((x >> 4) + ((y + r) >> 4) * 3 + b * 40 + shift) & 255;
    await writer.writeWindow({ x: 0, y, width: size, height: h }, data);
  }
  await writer.close();
}

async function runOne(size: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-'));
  try {
    const t0 = performance.now();
    await generate(join(dir, 'before.tif'), size, 0);
    await generate(join(dir, 'after.tif'), size, 7);
    const genS = (performance.now() - t0) / 1000;
    const before = await openImagerySet([join(dir, 'before.tif')]);
    const after = await openImagerySet([join(dir, 'after.tif')]);
    const t1 = performance.now();
    const pair = await openAlignedPair(before, after);
    for (let y = 0; y < size; y += CHUNK)
      for (let x = 0; x < size; x += CHUNK) {
        const chunk = await pair.read({
          x,
          y,
          width: Math.min(CHUNK, size - x),
          height: Math.min(CHUNK, size - y),
        });
        normaliseInPlace(chunk.before, 3, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);
        normaliseInPlace(chunk.after, 3, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);
      }
    const s = (performance.now() - t1) / 1000;
    const mpx = (size * size) / 1e6;
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    console.log(
      `${size}x${size} pair: ${mpx.toFixed(0)} Mpx per date, read+align+normalise ${s.toFixed(1)} s = ${(mpx / s).toFixed(1)} Mpx/s, ` +
        `peak RSS ${peakMiB.toFixed(0)} MiB (generation ${genS.toFixed(1)} s, chunk ${CHUNK})`,
    );
    await before.close();
    await after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const arg = process.argv[2];
if (arg) {
  await runOne(Number(arg));
} else {
  const sizes = (process.env.BENCH_SIZES ?? '10000,20000').split(',');
  for (const size of sizes) {
    execFileSync(process.execPath, [...process.execArgv, process.argv[1], size], { stdio: 'inherit' });
  }
}
