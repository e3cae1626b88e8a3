// An offline world outline from the world-atlas package (Natural Earth 1:110m, public domain): no basemap
// tiles can be fetched, and planners still need to see where they are.
import type { Feature } from 'ol';
import GeoJSON from 'ol/format/GeoJSON';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import type { Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-110m.json';

/**
 * Rings that cross the antimeridian (Russia's Chukotka, Fiji) jump from +180 to -180; drawn as they are they smear
 * across the whole map. Moving their western half east by 360° keeps them continuous.
 */
export function unwrapAntimeridian(ring: number[][]): number[][] {
  const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
  return crosses ? ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]) : ring;
}

function unwrapGeometry(geometry: Geometry | null): void {
  if (geometry?.type === 'Polygon') geometry.coordinates = geometry.coordinates.map(unwrapAntimeridian);
  if (geometry?.type === 'MultiPolygon') {
    geometry.coordinates = geometry.coordinates.map((polygon) => polygon.map(unwrapAntimeridian));
  }
}

export function worldOutlineLayer(): VectorLayer {
  const topology = countries as unknown as Topology<{ countries: GeometryCollection }>;
  const geojson = feature(topology, topology.objects.countries);
  for (const f of geojson.features) unwrapGeometry(f.geometry);
  const features = new GeoJSON().readFeatures(geojson, { featureProjection: 'EPSG:3857' }) as Feature[];
  return new VectorLayer({
    source: new VectorSource({ features }),
    style: new Style({
      fill: new Fill({ color: '#eef0ea' }),
      stroke: new Stroke({ color: '#9aa3ad', width: 0.8 }),
    }),
    properties: { name: 'world-outline' },
  });
}
