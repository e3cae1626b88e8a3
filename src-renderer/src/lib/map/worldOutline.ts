// The offline context layer from the world-atlas package (Natural Earth, public domain): no basemap tiles can be
// fetched, and planners still need to see where they are. Zoomed out, the 1:110m countries (bundled, drawn at
// once); zoomed in, Natural Earth's 1:10m land with country borders and coastlines (loaded on first need as its
// own chunk), detailed enough to place a 6 km scene. Both carry Natural Earth's attribution.
import type { Feature } from 'ol';
import GeoJSON from 'ol/format/GeoJSON';
import type BaseLayer from 'ol/layer/Base';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import type { Geometry } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-110m.json';

export const NATURAL_EARTH_ATTRIBUTION =
  'Context: <a href="https://www.naturalearthdata.com/" target="_blank" rel="noreferrer">Natural Earth</a> (public domain)';

/** Resolution (web-mercator metres per pixel) where the 1:10m detail takes over: about zoom 5. */
export const DETAIL_MAX_RESOLUTION = 5000;

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
  if (geometry?.type === 'MultiLineString')
    geometry.coordinates = geometry.coordinates.map(unwrapAntimeridian);
}

const LAND_STYLE = new Style({ fill: new Fill({ color: '#eef0ea' }) });
const BORDER_STYLE = new Style({ stroke: new Stroke({ color: '#9aa3ad', width: 0.8, lineDash: [4, 3] }) });
const COAST_STYLE = new Style({ stroke: new Stroke({ color: '#8a96a3', width: 0.9 }) });

type Countries = Topology<{ countries: GeometryCollection; land?: GeometryCollection }>;

function readFeatures(geojson: Parameters<GeoJSON['readFeatures']>[0]): Feature[] {
  return new GeoJSON().readFeatures(geojson, { featureProjection: 'EPSG:3857' }) as Feature[];
}

/** Land, borders between countries and coastlines of a world-atlas countries topology, as map features. */
export function contextFeatures(topology: Countries): Feature[] {
  const land = feature(topology, topology.objects.countries);
  for (const f of land.features) unwrapGeometry(f.geometry);
  const borders = mesh(topology, topology.objects.countries, (a, b) => a !== b);
  const coasts = mesh(topology, topology.objects.countries, (a, b) => a === b);
  unwrapGeometry(borders);
  unwrapGeometry(coasts);
  const features = readFeatures(land);
  for (const f of features) f.setStyle(LAND_STYLE);
  const [border, coast] = [readFeatures(borders), readFeatures(coasts)];
  for (const f of border) f.setStyle(BORDER_STYLE);
  for (const f of coast) f.setStyle(COAST_STYLE);
  return [...features, ...border, ...coast];
}

/** The world at 1:110m, shown zoomed out. */
export function worldOutlineLayer(): VectorLayer {
  return new VectorLayer({
    source: new VectorSource({
      features: contextFeatures(countries as unknown as Countries),
      attributions: NATURAL_EARTH_ATTRIBUTION,
    }),
    minResolution: DETAIL_MAX_RESOLUTION,
    properties: { name: 'world-outline' },
  });
}

/** Natural Earth 1:10m, loaded the first time the map zooms in past DETAIL_MAX_RESOLUTION. */
export function detailedContextLayer(): VectorLayer {
  const source = new VectorSource({
    attributions: NATURAL_EARTH_ATTRIBUTION,
    loader: (_extent, _resolution, _projection, success, failure) => {
      import('world-atlas/countries-10m.json').then(
        (module) => {
          const features = contextFeatures((module.default ?? module) as unknown as Countries);
          source.addFeatures(features);
          success?.(features);
        },
        () => failure?.(),
      );
    },
  });
  return new VectorLayer({
    source,
    maxResolution: DETAIL_MAX_RESOLUTION,
    properties: { name: 'natural-earth-10m' },
  });
}

/** The offline context under everything else. */
export function contextLayers(): BaseLayer[] {
  return [worldOutlineLayer(), detailedContextLayer()];
}
