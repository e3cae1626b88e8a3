// jsts (a port of JTS, what GEOS and QGIS's validity checks derive from) as an independent judge of outlines.
import GeoJSONReader from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import GeometryFactory from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import IsValidOp from 'jsts/org/locationtech/jts/operation/valid/IsValidOp.js';
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { nestedMultiPolygon } from '../geo/rings';

/** null when valid, else jsts's reason. */
export function validityError(mp: FlatMultiPolygon): string | null {
  const geometry = new GeoJSONReader(new GeometryFactory()).read({
    type: 'MultiPolygon',
    coordinates: nestedMultiPolygon(mp),
  });
  const op = new IsValidOp(geometry);
  return op.isValid() ? null : String(op.getValidationError());
}
