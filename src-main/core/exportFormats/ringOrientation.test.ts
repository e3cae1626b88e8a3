import { describe, expect, it } from 'vitest';
import {
  isCounterClockwise,
  orientForGeoJson,
  orientForShapefile,
  reverseRing,
  ringSignedArea2,
} from './ringOrientation';

// y up: (0,0) -> (10,0) -> (10,10) -> (0,10) turns left, i.e. counter-clockwise
const ccwSquare = [0, 0, 10, 0, 10, 10, 0, 10, 0, 0];
const cwHole = [2, 2, 2, 4, 4, 4, 4, 2, 2, 2];

describe('ring orientation', () => {
  it('measures twice the signed area, positive for counter-clockwise', () => {
    expect(ringSignedArea2(ccwSquare)).toBe(200);
    expect(ringSignedArea2(cwHole)).toBe(-8);
  });

  it('keeps precision at UTM-sized coordinates', () => {
    const far = ccwSquare.map((v, i) => v + (i % 2 === 0 ? 500_000 : 5_500_000));
    expect(ringSignedArea2(far)).toBe(200);
  });

  it('reverses a ring and keeps it closed', () => {
    const r = Array.from(reverseRing(ccwSquare));
    expect(r).toEqual([0, 0, 0, 10, 10, 10, 10, 0, 0, 0]);
    expect(isCounterClockwise(r)).toBe(false);
  });

  it('winds exteriors counter-clockwise and holes clockwise for GeoJSON, whatever they were', () => {
    const [polygon] = orientForGeoJson([[reverseRing(ccwSquare), reverseRing(cwHole)]]);
    expect(isCounterClockwise(polygon[0])).toBe(true);
    expect(isCounterClockwise(polygon[1])).toBe(false);
  });

  it('winds exteriors clockwise and holes counter-clockwise for Shapefile', () => {
    const [polygon] = orientForShapefile([[ccwSquare, cwHole]]);
    expect(isCounterClockwise(polygon[0])).toBe(false);
    expect(isCounterClockwise(polygon[1])).toBe(true);
  });
});
