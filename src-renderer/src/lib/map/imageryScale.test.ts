import { fromLonLat } from 'ol/proj';
import { describe, expect, it } from 'vitest';
import { closestResolution, finestPixelSize, groundResolution } from './imageryScale';
import { mapSpaceOf } from './mapSpace';

const mercator = mapSpaceOf({ kind: 'wgs84' });

describe('zooming at the imagery scale', () => {
  it('stops at two screen pixels per image pixel, in ground metres at the place', () => {
    const center = fromLonLat([15.7, 48.3]);
    for (const pixelSize of [3, 10]) {
      const resolution = closestResolution(mercator, pixelSize, center)!;
      // Web mercator map units are longer than ground metres by 1 / cos(latitude).
      expect(resolution).toBeCloseTo(pixelSize / 2 / Math.cos((48.3 * Math.PI) / 180), 2);
      expect(groundResolution(mercator, resolution, center)).toBeCloseTo(pixelSize / 2, 3);
    }
  });

  it('uses the finer date and has no limit without a pixel size', () => {
    expect(finestPixelSize([[10, 10], [3, 3.2], null])).toBeCloseTo(3.1);
    expect(finestPixelSize([null, undefined])).toBeNull();
    expect(closestResolution(mercator, null, [0, 0])).toBeNull();
  });
});
