// ESRI Shapefile main file (.shp) and index (.shx) for polygons (shape type 5), per the ESRI Shapefile
// Technical Description (1998). A multipolygon becomes one record with all rings as parts; readers tell
// exteriors from holes by winding, so rings are re-wound here: exteriors clockwise, holes counter-clockwise.
// An empty geometry becomes a Null shape, which keeps records aligned with the .dbf rows.

import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { orientForShapefile } from './ringOrientation';

const FILE_CODE = 9994;
const VERSION = 1000;
const SHAPE_NULL = 0;
const SHAPE_POLYGON = 5;
const HEADER_BYTES = 100;

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function boxOfRings(rings: ArrayLike<number>[]): Box {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i += 2) {
      box.minX = Math.min(box.minX, ring[i]);
      box.maxX = Math.max(box.maxX, ring[i]);
      box.minY = Math.min(box.minY, ring[i + 1]);
      box.maxY = Math.max(box.maxY, ring[i + 1]);
    }
  }
  return box;
}

function writeHeader(view: DataView, fileBytes: number, shapeType: number, box: Box): void {
  view.setInt32(0, FILE_CODE, false);
  view.setInt32(24, fileBytes / 2, false); // length in 16-bit words
  view.setInt32(28, VERSION, true);
  view.setInt32(32, shapeType, true);
  view.setFloat64(36, box.minX, true);
  view.setFloat64(44, box.minY, true);
  view.setFloat64(52, box.maxX, true);
  view.setFloat64(60, box.maxY, true);
  // Z and M ranges (68..99) stay 0.
}

export interface ShapefileParts {
  shp: Uint8Array;
  shx: Uint8Array;
}

/** Polygon .shp and .shx for the given geometries, in order; record i+1 belongs to .dbf row i. */
export function encodeShapefilePolygons(geometries: readonly FlatMultiPolygon[]): ShapefileParts {
  const records = geometries.map((mp) =>
    orientForShapefile(mp)
      .flat()
      .filter((ring) => ring.length >= 8),
  );
  const contentBytes = records.map((rings) => {
    if (rings.length === 0) return 4;
    const points = rings.reduce((sum, r) => sum + r.length / 2, 0);
    return 4 + 32 + 4 + 4 + 4 * rings.length + 16 * points;
  });
  const shpBytes = HEADER_BYTES + contentBytes.reduce((sum, c) => sum + 8 + c, 0);
  const shxBytes = HEADER_BYTES + 8 * records.length;
  const shp = new Uint8Array(shpBytes);
  const shx = new Uint8Array(shxBytes);
  const shpView = new DataView(shp.buffer);
  const shxView = new DataView(shx.buffer);

  const fileBox = boxOfRings(records.flat());
  const headerBox = records.some((r) => r.length > 0) ? fileBox : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  writeHeader(shpView, shpBytes, SHAPE_POLYGON, headerBox);
  writeHeader(shxView, shxBytes, SHAPE_POLYGON, headerBox);

  let o = HEADER_BYTES;
  records.forEach((rings, i) => {
    shxView.setInt32(HEADER_BYTES + i * 8, o / 2, false);
    shxView.setInt32(HEADER_BYTES + i * 8 + 4, contentBytes[i] / 2, false);
    shpView.setInt32(o, i + 1, false); // record numbers start at 1
    shpView.setInt32(o + 4, contentBytes[i] / 2, false);
    o += 8;
    if (rings.length === 0) {
      shpView.setInt32(o, SHAPE_NULL, true);
      o += 4;
      return;
    }
    const box = boxOfRings(rings);
    shpView.setInt32(o, SHAPE_POLYGON, true);
    shpView.setFloat64(o + 4, box.minX, true);
    shpView.setFloat64(o + 12, box.minY, true);
    shpView.setFloat64(o + 20, box.maxX, true);
    shpView.setFloat64(o + 28, box.maxY, true);
    shpView.setInt32(o + 36, rings.length, true);
    shpView.setInt32(
      o + 40,
      rings.reduce((sum, r) => sum + r.length / 2, 0),
      true,
    );
    o += 44;
    let start = 0;
    for (const ring of rings) {
      shpView.setInt32(o, start, true);
      start += ring.length / 2;
      o += 4;
    }
    for (const ring of rings) {
      for (let k = 0; k < ring.length; k++, o += 8) shpView.setFloat64(o, ring[k], true);
    }
  });
  return { shp, shx };
}
