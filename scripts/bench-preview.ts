// Map preview bench: web-mercator tiles per second over a generated 10000² image (3 m pixels, tiled, with internal
// overviews) at a few zooms, in the tile worker pool and on the calling thread, every tile a cache miss; plus
// the preview pyramid's build rate for a 4096² image without overviews. Inputs go to a temp dir, deleted after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crsFromEpsg, converter, WGS84 } from '../src-main/services/imagery/crs';
import { openImagerySet } from '../src-main/services/imagery/imagerySet';
import { PreviewService } from '../src-main/services/preview/PreviewService';
import {
  SameThreadRenderer,
  TileWorkerPool,
  type TileRenderer,
} from '../src-main/services/preview/tileWorkerPool';
import { writeBenchImage } from './benchImage';

const PIXEL_M = 3;

/** Tiles of zoom z over the image's centre area, nearest the centre first. */
function tilesAround(size: number, z: number, count: number): [number, number][] {
  const c = size / 2;
  const [lon, lat] = converter(crsFromEpsg(32633), WGS84()).forward([
    500000 + c * PIXEL_M,
    5600000 - c * PIXEL_M,
  ]);
  const n = 2 ** z;
  const cx = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const cy = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  const out: [number, number][] = [];
  for (let r = 0; out.length < count && r < 64; r++)
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++)
        if (Math.max(Math.abs(dx), Math.abs(dy)) === r && out.length < count) out.push([cx + dx, cy + dy]);
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-preview-'));
  try {
    const size = 10_000;
    const t0 = performance.now();
    await writeBenchImage(join(dir, 'scene.tif'), size, { pixelM: PIXEL_M, tileSize: 256, overviews: true });
    console.log(`generated ${size}² RGB with overviews in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Native zoom: a tile pixel about one image pixel (3 m ground at latitude 50.5°: z 15 is 3.1 m).
    const zooms = [15, 13, 11, 9];
    for (const [label, make] of [
      ['worker pool', () => new TileWorkerPool()],
      ['same thread', () => new SameThreadRenderer()],
    ] as [string, () => TileRenderer][]) {
      const renderer = make();
      const workers = renderer instanceof TileWorkerPool ? ` (${renderer.workerCount} workers)` : '';
      const service = new PreviewService({ dataDir: join(dir, 'data'), renderer });
      const set = await openImagerySet([join(dir, 'scene.tif')]);
      await service.imageryTile('before', set, 5, 0, 0); // warm up: stretch, file levels, workers
      for (const z of zooms) {
        const tiles = tilesAround(size, z, 48);
        const t = performance.now();
        let drawn = 0;
        for (let i = 0; i < tiles.length; i += 8) {
          const batch = tiles.slice(i, i + 8).map(([x, y]) => service.imageryTile('before', set, z, x, y));
          drawn += (await Promise.all(batch)).filter(Boolean).length;
        }
        const s = (performance.now() - t) / 1000;
        console.log(
          `preview ${label}${workers}: z${z} ${(tiles.length / s).toFixed(1)} tiles/s (${drawn}/${tiles.length} with data, 8 in flight)`,
        );
      }
      await service.dispose();
      await set.close();
    }

    const pyramidSize = 4096;
    await writeBenchImage(join(dir, 'plain.tif'), pyramidSize, {
      pixelM: PIXEL_M,
      tileSize: 256,
      overviews: false,
    });
    const progress: number[] = [];
    const service = new PreviewService({
      dataDir: join(dir, 'data'),
      renderer: new SameThreadRenderer(),
      pyramidMinPixels: 1024 * 1024,
      onProgress: (p) => progress.push(p.fraction),
    });
    const plain = await openImagerySet([join(dir, 'plain.tif')]);
    const t1 = performance.now();
    await service.imageryTile('after', plain, 10, 0, 0);
    await service.whenPyramidReady('after');
    const s = (performance.now() - t1) / 1000;
    console.log(
      `preview pyramid: ${pyramidSize}² without overviews built in ${s.toFixed(1)} s (${((pyramidSize * pyramidSize) / 1e6 / s).toFixed(1)} Mpx/s, ${progress.length} progress events)`,
    );
    await service.dispose();
    await plain.close();
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
