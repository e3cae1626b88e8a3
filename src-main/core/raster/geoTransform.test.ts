import { describe, expect, it } from 'vitest';
import { gridToPixel, pixelToGrid, windowGeoTransform } from './geoTransform';
import type { GeoTransform } from './types';

// A rotated grid, so the row and column terms both count.
const GT: GeoTransform = [500000, 10, 2, 5600000, 1, -10];

describe('geotransform', () => {
  it('maps pixel corners to the grid and back', () => {
    expect(pixelToGrid(GT, 0, 0)).toEqual([500000, 5600000]);
    expect(pixelToGrid(GT, 3, 5)).toEqual([500000 + 30 + 10, 5600000 + 3 - 50]);
    const [c, r] = gridToPixel(GT, ...pixelToGrid(GT, 12.5, 7.25));
    expect(c).toBeCloseTo(12.5, 9);
    expect(r).toBeCloseTo(7.25, 9);
  });

  it("gives a window's pixels the same place on the ground as the grid's", () => {
    const window = { x: 40, y: 24 };
    const sub = windowGeoTransform(GT, window);
    for (const [c, r] of [
      [0, 0],
      [5, 9],
    ])
      expect(pixelToGrid(sub, c, r)).toEqual(pixelToGrid(GT, window.x + c, window.y + r));
  });
});
