// OGC Well-Known Text of a multipolygon, for CSV exports (GDAL and QGIS read a column named "wkt" as geometry).
// Rings are wound as OGC Simple Features 1.2 says: exteriors counter-clockwise, holes clockwise.

import type { FlatMultiPolygon, FlatRing } from '../geo/gpkgGeometry';
import { plainNumber } from './numberText';
import { orientForSimpleFeatures } from './ringOrientation';

function ringText(ring: FlatRing): string {
  const points: string[] = [];
  for (let i = 0; i + 1 < ring.length; i += 2)
    points.push(`${plainNumber(ring[i])} ${plainNumber(ring[i + 1])}`);
  return `(${points.join(', ')})`;
}

/** "MULTIPOLYGON (((x y, ...), (hole ...)), ((...)))", or "MULTIPOLYGON EMPTY". */
export function multiPolygonWkt(mp: FlatMultiPolygon): string {
  if (mp.length === 0) return 'MULTIPOLYGON EMPTY';
  return `MULTIPOLYGON (${orientForSimpleFeatures(mp)
    .map((polygon) => `(${polygon.map(ringText).join(', ')})`)
    .join(', ')})`;
}
