// jsts (a port of JTS, the library behind GEOS and QGIS's overlay) as an independent reference for overlap areas.
import GeoJSONReader from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import GeometryFactory from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import OverlayOp from 'jsts/org/locationtech/jts/operation/overlay/OverlayOp.js';
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { nestedMultiPolygon } from '../geo/rings';

const reader = new GeoJSONReader(new GeometryFactory());

/** Planar area of the intersection of two multipolygons as JTS computes it. */
export function referenceOverlapArea(a: FlatMultiPolygon, b: FlatMultiPolygon): number {
  const ga = reader.read({ type: 'MultiPolygon', coordinates: nestedMultiPolygon(a) });
  const gb = reader.read({ type: 'MultiPolygon', coordinates: nestedMultiPolygon(b) });
  return OverlayOp.intersection(ga, gb).getArea() as number;
}
