// Reads files back through GDAL's command-line tools (Debian gdal-bin), for tests that must prove an export opens
// in real GIS software the way we meant it, not just in our own reader.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface GdalFeature {
  /** GDAL's GeoJSON writer moves an integer "id" attribute here. */
  id?: number;
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown } | null;
}

/** Every feature of a layer as GDAL reads it (converted to GeoJSON by ogr2ogr, coordinates untouched). */
export function gdalFeatures(source: string, layer?: string): GdalFeature[] {
  const args = ['-f', 'GeoJSON', '/vsistdout/', source, ...(layer ? [layer] : [])];
  const features = (JSON.parse(run('ogr2ogr', args)) as { features: GdalFeature[] }).features;
  // Put it back among the attributes, where every other format keeps it.
  return features.map((f) =>
    f.id !== undefined && !('id' in f.properties) ? { ...f, properties: { id: f.id, ...f.properties } } : f,
  );
}

/** Rows of an SQLite-dialect query (SpatiaLite functions available), as GDAL evaluates it. */
export function gdalSql(source: string, sql: string): Record<string, unknown>[] {
  const args = ['-f', 'GeoJSON', '/vsistdout/', source, '-dialect', 'sqlite', '-sql', sql];
  return (JSON.parse(run('ogr2ogr', args)) as { features: GdalFeature[] }).features.map((f) => f.properties);
}

export interface GdalLayerSummary {
  featureCount: number;
  geometryType: string;
  /** EPSG code of the layer's CRS as GDAL identifies it, or null when GDAL sees none. */
  epsg: number | null;
}

/** What `ogrinfo -so` reports about a layer: feature count, geometry type and the CRS's EPSG code. */
export function gdalLayerSummary(source: string, layer?: string): GdalLayerSummary {
  const text = run('ogrinfo', ['-ro', '-so', '-al', source, ...(layer ? [layer] : [])]);
  const count = /Feature Count: (\d+)/.exec(text);
  const type = /Geometry: (.+)/.exec(text);
  const srs =
    /Layer SRS WKT:\n([\s\S]*?)\n(?:Data axis|FID Column|Geometry Column|\w+: )/.exec(text)?.[1] ?? '';
  // The CRS's own identifier is the last ID in its WKT 2 (earlier ones belong to its datum, base CRS, ...).
  const ids = [...srs.matchAll(/ID\["EPSG",(\d+)\]/g)];
  return {
    featureCount: count ? Number(count[1]) : -1,
    geometryType: type ? type[1].trim() : '',
    epsg: ids.length ? Number(ids[ids.length - 1][1]) : null,
  };
}

/** The gdalinfo -json report of a raster, with computed min/max (-mm, which writes no .aux.xml beside it). */
export function gdalInfo(source: string): Record<string, unknown> {
  return JSON.parse(run('gdalinfo', ['-json', '-mm', source])) as Record<string, unknown>;
}

/** GDAL's GeoPackage conformance checker (python3-gdal's validate_gpkg.py), where installed. */
export const GPKG_VALIDATOR = '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py';
export const canValidateGeoPackage = fs.existsSync(GPKG_VALIDATOR) && fs.existsSync('/usr/bin/python3');

/** Runs validate_gpkg.py on file; throws with its report when the file breaks a GeoPackage requirement. */
export function validateGeoPackage(file: string): void {
  run('/usr/bin/python3', [GPKG_VALIDATOR, file]);
}

/** GDAL's Cloud-Optimized GeoTIFF checker (python3-gdal), where installed; CI relies on gdalinfo's LAYOUT=COG. */
export const COG_VALIDATOR =
  '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py';
export const canValidateCog = fs.existsSync(COG_VALIDATOR) && fs.existsSync('/usr/bin/python3');

/** Runs validate_cloud_optimized_geotiff.py --full-check=yes; throws with its report unless the file is a valid COG. */
export function validateCog(file: string): void {
  run('/usr/bin/python3', [COG_VALIDATOR, '-q', '--full-check=yes', file]);
}

/** What gdalinfo says of a GeoTIFF's layout: "COG" when GDAL (>= 3.1) recognises a Cloud-Optimized GeoTIFF. */
export function gdalLayout(file: string): string | undefined {
  const info = JSON.parse(run('gdalinfo', ['-json', file])) as {
    metadata?: { IMAGE_STRUCTURE?: { LAYOUT?: string } };
  };
  return info.metadata?.IMAGE_STRUCTURE?.LAYOUT;
}

/** Each field's type as `ogrinfo -so` reports it ("Integer", "Real", "String", "Date", ...), by field name. */
export function gdalFieldTypes(source: string, layer?: string): Record<string, string> {
  const text = run('ogrinfo', ['-ro', '-so', '-al', source, ...(layer ? [layer] : [])]);
  return Object.fromEntries([...text.matchAll(/^(\w+): (\w+) \(/gm)].map((m) => [m[1], m[2]]));
}
