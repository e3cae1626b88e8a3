// GDAL's own answer to "how much of each region lies in each feature": SpatiaLite's ST_Intersection through
// ogr2ogr's SQLite dialect, measured on the WGS 84 ellipsoid (ST_Area(..., 1)). Independent of ChangeMap's clipping
// (overlapArea), its spatial index and its area rule, so the join's figures can be checked against it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { nestedMultiPolygon } from '../../core/geo/rings';
import { gdalSql } from '../exports/gdalProbe';

export interface ReferencePolygon {
  id: string;
  geometry: FlatMultiPolygon;
}

function writeLayer(file: string, epsg: number, items: readonly ReferencePolygon[]): void {
  const doc = {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${epsg}` } },
    features: items.map((p) => ({
      type: 'Feature',
      properties: { ref_id: p.id },
      geometry: { type: 'MultiPolygon', coordinates: nestedMultiPolygon(p.geometry) },
    })),
  };
  fs.writeFileSync(file, JSON.stringify(doc));
}

/** Every region x feature overlap in m² (geodesic), keyed "regionId|featureId"; both sides in EPSG:epsg. */
export function gdalOverlaps(
  dir: string,
  epsg: number,
  regions: readonly ReferencePolygon[],
  features: readonly ReferencePolygon[],
): Map<string, number> {
  const gpkg = path.join(dir, 'reference.gpkg');
  fs.rmSync(gpkg, { force: true });
  writeLayer(path.join(dir, 'regions.geojson'), epsg, regions);
  writeLayer(path.join(dir, 'features.geojson'), epsg, features);
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, path.join(dir, 'regions.geojson'), '-nln', 'regions']);
  execFileSync('ogr2ogr', ['-update', gpkg, path.join(dir, 'features.geojson'), '-nln', 'features']);
  const rows = gdalSql(
    gpkg,
    `SELECT r.ref_id AS region, f.ref_id AS feature,
       ST_Area(ST_Transform(ST_Intersection(r.geom, f.geom), 4326), 1) AS area
     FROM regions r, features f
     WHERE MbrIntersects(r.geom, f.geom) AND ST_Intersects(r.geom, f.geom)`,
  );
  const out = new Map<string, number>();
  for (const row of rows) {
    const area = Number(row.area);
    if (area > 0) out.set(`${String(row.region)}|${String(row.feature)}`, area);
  }
  return out;
}
