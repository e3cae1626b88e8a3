// jsts (a port of JTS, what GEOS and QGIS's validity checks derive from) as an independent judge of outlines.
import GeoJSONReader from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import GeometryFactory from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import IsValidOp from 'jsts/org/locationtech/jts/operation/valid/IsValidOp.js';
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';

export function toGeoJsonCoordinates(mp: FlatMultiPolygon): number[][][][] {
  return mp.map((polygon) =>
    polygon.map((ring) => {
      const pts: number[][] = [];
      for (let i = 0; i < ring.length; i += 2) pts.push([ring[i], ring[i + 1]]);
      return pts;
    }),
  );
}

/** null when valid, else jsts's reason. */
export function validityError(mp: FlatMultiPolygon): string | null {
  const geometry = new GeoJSONReader(new GeometryFactory()).read({
    type: 'MultiPolygon',
    coordinates: toGeoJsonCoordinates(mp),
  });
  const op = new IsValidOp(geometry);
  return op.isValid() ? null : String(op.getValidationError());
}
