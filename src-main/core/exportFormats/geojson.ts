// RFC 7946 GeoJSON FeatureCollection of multipolygons. Coordinates must already be WGS 84 longitude/latitude
// (the store keeps them so); rings are re-wound to the right-hand rule here, so callers cannot forget it. No
// "crs" member: RFC 7946 removed it and WGS 84 is implied.

import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { nestedMultiPolygon } from '../geo/rings';
import { orientForGeoJson } from './ringOrientation';

export type GeoJsonPropertyValue = string | number | boolean | null;

export interface GeoJsonFeatureInput {
  id?: number | string;
  /** null writes a feature without geometry (allowed by RFC 7946 §3.2). */
  geometry: FlatMultiPolygon | null;
  properties: Record<string, GeoJsonPropertyValue>;
}

function geometryJson(mp: FlatMultiPolygon | null): string {
  if (mp === null) return 'null';
  const coordinates = nestedMultiPolygon(orientForGeoJson(mp));
  return JSON.stringify({ type: 'MultiPolygon', coordinates });
}

function finiteOrNull(
  properties: Record<string, GeoJsonPropertyValue>,
): Record<string, GeoJsonPropertyValue> {
  const out: Record<string, GeoJsonPropertyValue> = {};
  for (const [key, value] of Object.entries(properties)) {
    out[key] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  return out;
}

/** The whole collection as text, one feature per line (readable, and diff-friendly for small exports). */
export function encodeGeoJsonFeatureCollection(features: Iterable<GeoJsonFeatureInput>): string {
  const parts: string[] = [];
  for (const f of features) {
    const id = f.id === undefined ? '' : `"id":${JSON.stringify(f.id)},`;
    parts.push(
      `{"type":"Feature",${id}"geometry":${geometryJson(f.geometry)},"properties":${JSON.stringify(finiteOrNull(f.properties))}}`,
    );
  }
  return `{"type":"FeatureCollection","features":[\n${parts.join(',\n')}\n]}\n`;
}
