// Ring winding for exports. Formats disagree: GeoJSON (RFC 7946 §3.1.6) wants exterior rings counter-clockwise
// and holes clockwise; Shapefile wants the opposite. The store keeps whatever the tracer produced, so every
// encoder re-winds on the way out. Both lon/lat and projected grids have y pointing north, so a positive
// shoelace area means counter-clockwise in all of them. The ring geometry itself lives in core/geo/rings.ts.

import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { orientMultiPolygon } from '../geo/rings';

/** RFC 7946 right-hand rule: exteriors counter-clockwise, holes clockwise. */
export function orientForGeoJson(mp: FlatMultiPolygon): FlatMultiPolygon {
  return orientMultiPolygon(mp, 'ccw');
}

/** OGC Simple Features 1.2 (WKT, GeoPackage): exteriors counter-clockwise, holes clockwise, as in GeoJSON. */
export const orientForSimpleFeatures = orientForGeoJson;

/** ESRI Shapefile rule: exteriors clockwise, holes counter-clockwise. */
export function orientForShapefile(mp: FlatMultiPolygon): FlatMultiPolygon {
  return orientMultiPolygon(mp, 'cw');
}
