// Imagery bench: read + align + normalise of a generated before/after pair at 10000² and 20000² pixels, Mpx/s
// and peak resident memory per size (each size in its own process, so peaks do not mix). Inputs are written to
// a temp dir by the project's streaming writer (tiled, DEFLATE level 1) and deleted afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseInPlace } from '../src-main/core/raster/scaling';
import { openAlignedPair } from '../src-main/services/imagery/alignedPair';
import { openImagerySet } from '../src-main/services/imagery/imagerySet';
import { writeBenchImage } from './benchImage';

const CHUNK = 2048;

async function runOne(size: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-'));
  try {
    const t0 = performance.now();
    await writeBenchImage(join(dir, 'before.tif'), size, { pixelM: 3, tileSize: 512, overviews: false });
    await writeBenchImage(join(dir, 'after.tif'), size, {
      pixelM: 3,
      shift: 7,
      tileSize: 512,
      overviews: false,
    });
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
