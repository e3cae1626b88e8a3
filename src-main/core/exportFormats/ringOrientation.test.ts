import { describe, expect, it } from 'vitest';
import { isCounterClockwise, reverseRing } from '../geo/rings';
import { orientForGeoJson, orientForShapefile } from './ringOrientation';

// y up: (0,0) -> (10,0) -> (10,10) -> (0,10) turns left, i.e. counter-clockwise
const ccwSquare = [0, 0, 10, 0, 10, 10, 0, 10, 0, 0];
const cwHole = [2, 2, 2, 4, 4, 4, 4, 2, 2, 2];

describe('ring orientation', () => {
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
