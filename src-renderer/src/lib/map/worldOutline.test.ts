import type { Style } from 'ol/style';
import type VectorSource from 'ol/source/Vector';
import { describe, expect, it } from 'vitest';
import countries from 'world-atlas/countries-110m.json';
import {
  contextFeatures,
  contextLayers,
  DETAIL_MAX_RESOLUTION,
  NATURAL_EARTH_ATTRIBUTION,
} from './worldOutline';

describe('offline context (Natural Earth)', () => {
  it('draws land, borders between countries and coastlines, each styled apart', () => {
    const features = contextFeatures(countries as never);
    const byType = (type: string) => features.filter((f) => f.getGeometry()!.getType() === type);
    const polygons = [...byType('Polygon'), ...byType('MultiPolygon')];
    const lines = byType('MultiLineString');
    expect(polygons.length).toBeGreaterThan(150);
    // One mesh of shared borders, one of coastlines: borders are drawn once, not once per country.
    expect(lines).toHaveLength(2);
    const dashes = lines.map((f) => (f.getStyle() as Style).getStroke()!.getLineDash());
    expect(dashes.filter((d) => d && d.length > 0)).toHaveLength(1);
  });

  it('switches from 1:110m to 1:10m at one resolution, both attributed', () => {
    const [coarse, detailed] = contextLayers() as unknown as {
      getMinResolution(): number;
      getMaxResolution(): number;
      getSource(): VectorSource;
    }[];
    expect(coarse.getMinResolution()).toBe(DETAIL_MAX_RESOLUTION);
    expect(detailed.getMaxResolution()).toBe(DETAIL_MAX_RESOLUTION);
    for (const layer of [coarse, detailed]) {
      const attributions = layer.getSource().getAttributions()!;
      expect(String((attributions as (f: unknown) => string[])({} as never))).toBe(NATURAL_EARTH_ATTRIBUTION);
    }
  });
});
