import { describe, expect, it } from 'vitest';
import {
  isCounterClockwise,
  mapPoints,
  nestedMultiPolygon,
  orientMultiPolygon,
  planarArea,
  pointInRing,
  reverseRing,
  signedRingArea,
} from './rings';

// y up: (0,0) -> (10,0) -> (10,10) -> (0,10) turns left, i.e. counter-clockwise
const ccwSquare = [0, 0, 10, 0, 10, 10, 0, 10, 0, 0];
const cwHole = [2, 2, 2, 4, 4, 4, 4, 2, 2, 2];

describe('rings', () => {
  it('measure a signed area, positive counter-clockwise, precise at UTM-sized coordinates', () => {
    expect(signedRingArea(ccwSquare)).toBe(100);
    expect(signedRingArea(cwHole)).toBe(-4);
    const far = ccwSquare.map((v, i) => v + (i % 2 === 0 ? 500_000.1 : 5_500_000.3));
    expect(signedRingArea(far)).toBe(100);
    expect(signedRingArea([0, 0, 1, 1])).toBe(0);
  });

  it('reverse, and orient exteriors and holes whichever way a format wants', () => {
    expect(Array.from(reverseRing(ccwSquare))).toEqual([0, 0, 0, 10, 10, 10, 10, 0, 0, 0]);
    const [[shell, hole]] = orientMultiPolygon([[reverseRing(ccwSquare), reverseRing(cwHole)]], 'ccw');
    expect([isCounterClockwise(shell), isCounterClockwise(hole)]).toEqual([true, false]);
    const [[esriShell, esriHole]] = orientMultiPolygon([[ccwSquare, cwHole]], 'cw');
    expect([isCounterClockwise(esriShell), isCounterClockwise(esriHole)]).toEqual([false, true]);
  });

  it('measure a polygon’s area with its holes, tell inside from outside, map and nest points', () => {
    expect(planarArea([[reverseRing(ccwSquare), cwHole]])).toBe(96);
    expect(pointInRing(ccwSquare, 5, 5)).toBe(true);
    expect(pointInRing(ccwSquare, 15, 5)).toBe(false);
    const moved = mapPoints([[ccwSquare]], (x, y) => [x + 1, y * 2]);
    expect(nestedMultiPolygon(moved)[0][0].slice(0, 2)).toEqual([
      [1, 0],
      [11, 0],
    ]);
  });
});
