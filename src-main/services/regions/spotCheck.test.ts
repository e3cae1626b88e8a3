import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { computeRegions } from './computeRegions';
import { memoryPairSource } from './fakes';
import { listRegions } from './listRegions';
import { memoryProbabilityReader } from './probabilityReader';
import { blobs, utmGrid } from './regions.testutil';
import { SpotCheckCache, spotCheckImages } from './spotCheck';

describe('spotCheckImages', () => {
  it('renders before, change and after at one scale with the outline, and caches them', async () => {
    const db = openMemoryProjectDb();
    const run = Number(
      db
        .prepare(
          `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
           VALUES ('done', 't', '1', '', 'cpu', '{}')`,
        )
        .run().lastInsertRowid,
    );
    const W = 120;
    const H = 120;
    const grid = utmGrid(W, H);
    const probability = memoryProbabilityReader(grid, blobs(W, H, [[60, 60, 20]]));
    await computeRegions(db, run, probability, {
      threshold: 0.5,
      openingRadius: 0,
      closingRadius: 0,
      minAreaM2: 0,
    });
    const before = new Float32Array(3 * W * H).fill(0.2);
    const after = new Float32Array(3 * W * H).fill(0.8);
    const pair = memoryPairSource(grid, 3, before, after);
    const fid = listRegions(db, { runId: run }).regions[0].fid;
    const cache = new SpotCheckCache(4);
    const images = await spotCheckImages(db, fid, pair, probability, { size: 128, cache });
    const [b, c, a] = [images.before, images.change, images.after].map((p) => decode(p));
    for (const img of [b, c, a]) expect([img.width, img.height]).toEqual([images.width, images.height]);
    expect(images.width).toBe(128);
    // Centre of the change picture is inside the region: red tint. A corner is outside: grey.
    const at = (img: typeof c, x: number, y: number) =>
      Array.from(img.data.slice((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
    const [r, g] = at(c, 64, 64);
    expect(r).toBeGreaterThan(g + 60);
    const corner = at(c, 2, 2);
    expect(corner[0]).toBe(corner[1]);
    // The outline (yellow) crosses the row through the centre.
    const yellow = Array.from({ length: 128 }, (_, x) => at(a, x, 64)).filter(
      ([rr, gg, bb]) => rr === 255 && gg === 221 && bb === 0,
    );
    expect(yellow.length).toBeGreaterThanOrEqual(2);
    expect(images.metresPerPixel).toBeGreaterThan(0);
    expect(await spotCheckImages(db, fid, pair, probability, { size: 128, cache })).toBe(images);
    await expect(spotCheckImages(db, 12345, pair, probability)).rejects.toMatchObject({
      code: 'REGION_NOT_FOUND',
    });
  });
});
