import { describe, expect, it } from 'vitest';
import { ByteLru } from './byteLru';
import { byteStretchFor, probabilityRamp, PROBABILITY_RAMP_START } from './colourise';
import { chooseLevel, windowAtLevel } from './levels';
import { MERCATOR_HALF_WORLD, tileExtent, tilePixelsCovering, tileGeoTransform } from './webMercator';

describe('web-mercator tiles', () => {
  it('splits the world square into 2^z tiles, y from the north', () => {
    expect(tileExtent(0, 0, 0)).toEqual([
      -MERCATOR_HALF_WORLD,
      -MERCATOR_HALF_WORLD,
      MERCATOR_HALF_WORLD,
      MERCATOR_HALF_WORLD,
    ]);
    const [minX, minY, maxX, maxY] = tileExtent(1, 1, 0);
    expect([minX, minY, maxX, maxY]).toEqual([0, 0, MERCATOR_HALF_WORLD, MERCATOR_HALF_WORLD]);
  });

  it('finds the tile pixels a box touches, with one pixel to spare, or none', () => {
    const gt = tileGeoTransform(1, 1, 0);
    const res = gt[1];
    expect(
      tilePixelsCovering(gt, [
        10 * res,
        MERCATOR_HALF_WORLD - 20 * res,
        30 * res,
        MERCATOR_HALF_WORLD - 5 * res,
      ]),
    ).toEqual({
      x: 9,
      y: 4,
      width: 22,
      height: 17,
    });
    expect(tilePixelsCovering(gt, [-30 * res, 0, -10 * res, 10])).toBeNull();
  });
});

describe('levels', () => {
  const levels = [
    { width: 4000, height: 3000 },
    { width: 2000, height: 1500 },
    { width: 1000, height: 750 },
    { width: 500, height: 375 },
  ];
  it('reads the coarsest level still about as fine as the tile', () => {
    expect(chooseLevel(levels, 0.5)).toBe(0);
    expect(chooseLevel(levels, 1.9)).toBe(1);
    expect(chooseLevel(levels, 3.5)).toBe(2); // 4x is at most 20 % coarser than 3.5x
    expect(chooseLevel(levels, 100)).toBe(3);
    expect(chooseLevel([levels[0]], 100)).toBe(0);
  });
  it('scales windows outwards', () => {
    expect(windowAtLevel({ x: 3, y: 5, width: 10, height: 2 }, levels[0], levels[2])).toEqual({
      x: 0,
      y: 1,
      width: 4,
      height: 1,
    });
  });
});

describe('colours', () => {
  it('stretches uint8 as it is and other types over p2..p98', () => {
    expect(byteStretchFor('uint8', null)).toEqual({ scale: 1, offset: 0 });
    const s = byteStretchFor('uint16', {
      count: 10,
      mean: 0,
      std: 0,
      min: 0,
      max: 5000,
      p2: 1000,
      p98: 2000,
    });
    expect(1000 * s.scale + s.offset).toBeCloseTo(0);
    expect(2000 * s.scale + s.offset).toBeCloseTo(255);
  });
  it('ramps probability from transparent to opaque red, 255 transparent', () => {
    const lut = probabilityRamp();
    const below = Math.floor(PROBABILITY_RAMP_START * 254) - 1;
    expect(lut[below * 4 + 3]).toBe(0);
    expect(lut[255 * 4 + 3]).toBe(0);
    expect(lut[254 * 4]).toBeGreaterThan(200);
    expect(lut[254 * 4 + 1]).toBeLessThan(40);
    for (let v = below + 2; v < 254; v++) expect(lut[(v + 1) * 4 + 3]).toBeGreaterThanOrEqual(lut[v * 4 + 3]);
  });
});

describe('byte-bounded LRU', () => {
  it('evicts the least recently used entries past its budget', () => {
    const lru = new ByteLru<Uint8Array>(10, (v) => v.byteLength);
    lru.set('a', new Uint8Array(4));
    lru.set('b', new Uint8Array(4));
    lru.get('a');
    lru.set('c', new Uint8Array(4));
    expect([lru.has('a'), lru.has('b'), lru.has('c')]).toEqual([true, false, true]);
    expect(lru.bytes).toBe(8);
    lru.set('huge', new Uint8Array(11));
    expect(lru.has('huge')).toBe(false);
    lru.deletePrefix('a');
    expect(lru.size).toBe(1);
  });
});
