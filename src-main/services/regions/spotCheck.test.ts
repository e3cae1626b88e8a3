import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { computeRegions } from './computeRegions';
import { memoryPairSource } from './fakes';
import { listRegions } from './listRegions';
import { memoryProbabilityReader } from './probabilityReader';
import { blobs, utmGrid } from './regions.testutil';
import { imageryToRgba, type ByteStretch } from '../../core/preview/colourise';
import { pointSpotCheckImages, SpotCheckCache, spotCheckImages } from './spotCheck';
import { insertFinishedRun } from '../project/testing/finishedRun';

/** A finished run on a 120 x 120 grid with one round region at its centre, and flat dates of these band values. */
async function oneRegion(beforeValue: number, afterValue: number) {
  const db = openMemoryProjectDb();
  const run = insertFinishedRun(db, { model: 't' });
  const [W, H] = [120, 120];
  const grid = utmGrid(W, H);
  const probability = memoryProbabilityReader(grid, blobs(W, H, [[60, 60, 20]]));
  await computeRegions(db, run, probability, {
    threshold: 0.5,
    openingRadius: 0,
    closingRadius: 0,
    minAreaM2: 0,
  });
  const before = new Float32Array(3 * W * H).fill(beforeValue);
  const after = new Float32Array(3 * W * H).fill(afterValue);
  const pair = memoryPairSource(grid, 3, before, after);
  return { db, probability, pair, fid: listRegions(db, { runId: run }).regions[0].fid };
}

describe('spotCheckImages', () => {
  it('renders before, change and after at one scale with the outline, and caches them', async () => {
    const { db, probability, pair, fid } = await oneRegion(0.2, 0.8);
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

  it("shows each date in the colours the map draws it with (the map tiles' stretch, not the window's own)", async () => {
    // Band values as a uint16 scene might have them; each date with its own map stretch (p2..p98 of its image).
    const { db, probability, pair, fid } = await oneRegion(1200, 1500);
    const stretchOf = (lo: number, hi: number): ByteStretch[] =>
      [0, 1, 2].map(() => ({ scale: 255 / (hi - lo), offset: (-lo * 255) / (hi - lo) }));
    const stretch = { before: stretchOf(1000, 2000), after: stretchOf(1400, 1900) };
    const images = await spotCheckImages(db, fid, pair, probability, { size: 128, stretch });
    // What a map tile shows for the same value, through the tiles' own colouring (core/preview/colourise).
    const mapColour = (value: number, s: ByteStretch[]) => {
      const out = new Uint8Array(4);
      imageryToRgba(
        new Float32Array([value, value, value]),
        new Uint8Array([1]),
        s,
        { x: 0, y: 0, width: 1, height: 1 },
        1,
        out,
      );
      return Array.from(out.slice(0, 3));
    };
    const corner = (png: Uint8Array) =>
      Array.from(decode(png).data.slice((2 * 128 + 2) * 3, (2 * 128 + 2) * 3 + 3));
    expect(corner(images.before)).toEqual(mapColour(1200, stretch.before));
    expect(corner(images.after)).toEqual(mapColour(1500, stretch.after));
    // Without the map's stretch, the window's own range would make these flat dates black and white instead.
    expect(mapColour(1200, stretch.before)).toEqual([51, 51, 51]);
    // The accuracy sample-point check shows the same colours (its corner lies outside the point's frame).
    const point = await pointSpotCheckImages(
      pair,
      probability,
      { col: 60, row: 60, lat: 48 },
      0.5,
      128,
      stretch,
    );
    expect(corner(point.before)).toEqual(mapColour(1200, stretch.before));
    expect(corner(point.after)).toEqual(mapColour(1500, stretch.after));
  });
});
