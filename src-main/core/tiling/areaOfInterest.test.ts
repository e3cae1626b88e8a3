import { describe, expect, it } from 'vitest';
import { maskOutsidePolygon, toPixel, windowOfPoints } from './areaOfInterest';
import type { GeoTransform } from '../raster/types';

const gt: GeoTransform = [1000, 10, 0, 2000, 0, -10];

describe('area of interest', () => {
  it('maps grid coordinates to pixels and windows', () => {
    expect(toPixel(gt, 1050, 1950)).toEqual([5, 5]);
    expect(
      windowOfPoints(
        gt,
        [
          [1005, 1995],
          [1100, 1900],
        ],
        50,
        50,
      ),
    ).toEqual({ x: 0, y: 0, width: 10, height: 10 });
    expect(() =>
      windowOfPoints(
        gt,
        [
          [0, 0],
          [10, 10],
        ],
        50,
        50,
      ),
    ).toThrow(/does not overlap/);
  });
  it('masks pixels outside a polygon with a hole', () => {
    const valid = new Uint8Array(100).fill(1);
    const outer: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ];
    const hole: [number, number][] = [
      [3, 3],
      [7, 3],
      [7, 7],
      [3, 7],
    ];
    maskOutsidePolygon(valid, { x: 0, y: 0, width: 10, height: 10 }, [outer, hole]);
    expect(valid[0]).toBe(1);
    expect(valid[5 * 10 + 5]).toBe(0);
    expect(valid.reduce((a, b) => a + b, 0)).toBe(100 - 16);
  });
});
