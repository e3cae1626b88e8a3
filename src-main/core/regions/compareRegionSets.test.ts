import { describe, expect, it } from 'vitest';
import { compareRegionSets, outlinesOverlap, type ComparedRegion } from './compareRegionSets';

/** An axis-aligned square region, counter-clockwise, closed. */
function square(
  id: number,
  x: number,
  y: number,
  size: number,
  hole?: [number, number, number],
): ComparedRegion {
  const ring = [x, y, x + size, y, x + size, y + size, x, y + size, x, y];
  const polygon: number[][] = [ring];
  if (hole) {
    const [hx, hy, hs] = hole;
    polygon.push([hx, hy, hx, hy + hs, hx + hs, hy + hs, hx + hs, hy, hx, hy]);
  }
  return { id, outline: [polygon] };
}

describe('compareRegionSets', () => {
  it('tells regions in both runs from regions only in one, by shared area', () => {
    const a = [square(1, 0, 0, 10), square(2, 100, 100, 10), square(3, 50, 0, 5)];
    const b = [square(11, 5, 5, 10), square(12, 200, 200, 10), square(13, 52, 2, 1)];
    expect(compareRegionSets(a, b)).toEqual({ onlyA: [2], onlyB: [12], bothA: [1, 3], bothB: [11, 13] });
  });

  it('does not count outlines that only touch along an edge, or whose boxes overlap but not their areas', () => {
    expect(outlinesOverlap(square(1, 0, 0, 10).outline, square(2, 10, 0, 10).outline)).toBe(false);
    // An L-shaped neighbour: its box covers the square, its area does not.
    const l: ComparedRegion = { id: 3, outline: [[[0, 0, 30, 0, 30, 30, 20, 30, 20, 10, 0, 10, 0, 0]]] };
    expect(outlinesOverlap(square(4, 5, 15, 5).outline, l.outline)).toBe(false);
    expect(compareRegionSets([square(4, 5, 15, 5)], [l])).toEqual({
      onlyA: [4],
      onlyB: [3],
      bothA: [],
      bothB: [],
    });
  });

  it('does not count a region lying in the other one’s hole', () => {
    const ring = square(1, 0, 0, 30, [10, 10, 10]);
    expect(outlinesOverlap(ring.outline, square(2, 12, 12, 5).outline)).toBe(false);
    expect(outlinesOverlap(ring.outline, square(3, 5, 5, 10).outline)).toBe(true);
  });

  it('handles an empty side', () => {
    expect(compareRegionSets([square(1, 0, 0, 1)], [])).toEqual({
      onlyA: [1],
      onlyB: [],
      bothA: [],
      bothB: [],
    });
    expect(compareRegionSets([], [square(2, 0, 0, 1)])).toEqual({
      onlyA: [],
      onlyB: [2],
      bothA: [],
      bothB: [],
    });
  });
});
