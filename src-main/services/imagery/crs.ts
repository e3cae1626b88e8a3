// CRS lookup from the offline EPSG database (epsg-index: one JSON file per code, read on demand) and proj4
// registration, so GeoKeys, VRT SRS strings and user choices all end in one CrsInfo.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import proj4 from 'proj4';
import { ChangeMapError } from '../../core/errors';
import type { CrsInfo, GeoTransform } from '../../core/raster/types';

interface EpsgEntry {
  code: string;
  kind: string;
  name: string;
  proj4: string;
  unit: string;
}

const require = createRequire(import.meta.url);
let epsgDir: string | null = null;
const cache = new Map<number, CrsInfo>();

export const PIXEL_CRS: CrsInfo = {
  code: null,
  name: 'No georeference (pixel coordinates)',
  proj4: null,
  units: 'pixel',
};

/**
 * The geotransform of an image without georeference: pixel (col, row) at (col, -row), so y grows upwards as on
 * any map and the image stands upright, which is how QGIS places a raster without georeference.
 */
export const PIXEL_GEOTRANSFORM: GeoTransform = [0, 1, 0, 0, 0, -1];

/** The CRS of an EPSG code, or CRS_UNKNOWN naming the code that was not found. */
export function crsFromEpsg(code: number): CrsInfo {
  const cached = cache.get(code);
  if (cached) return cached;
  epsgDir ??= join(dirname(require.resolve('epsg-index/all.json')), 's');
  let entry: EpsgEntry;
  try {
    entry = JSON.parse(readFileSync(join(epsgDir, `${code}.json`), 'utf8')) as EpsgEntry;
  } catch {
    throw new ChangeMapError('CRS_UNKNOWN', `The CRS EPSG:${code} is not in ChangeMap's EPSG database.`);
  }
  if (!entry.proj4) {
    throw new ChangeMapError('CRS_UNKNOWN', `The CRS EPSG:${code} (${entry.name}) has no proj4 definition.`);
  }
  const units: CrsInfo['units'] = entry.kind === 'CRS-GEOGCRS' || /degree/.test(entry.unit) ? 'degree' : 'm';
  if (units === 'm' && !/metre|meter/.test(entry.unit)) {
    throw new ChangeMapError(
      'CRS_UNSUPPORTED_UNIT',
      `The CRS EPSG:${code} (${entry.name}) uses ${entry.unit}, not metres or degrees.`,
    );
  }
  const info: CrsInfo = { code: `EPSG:${code}`, name: entry.name, proj4: entry.proj4, units };
  cache.set(code, info);
  return info;
}

/** Accepts "EPSG:32633", "32633", or a WKT whose last AUTHORITY/ID is an EPSG code. */
export function crsFromText(text: string): CrsInfo {
  const trimmed = text.trim();
  const short = /^(?:EPSG:)?(\d+)$/i.exec(trimmed);
  if (short) return crsFromEpsg(Number(short[1]));
  const ids = [...trimmed.matchAll(/(?:AUTHORITY|ID)\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]/gi)];
  if (ids.length > 0) return crsFromEpsg(Number(ids[ids.length - 1][1]));
  const name = /^[A-Z]+CRS\["([^"]+)"|^[A-Z]+CS\["([^"]+)"/.exec(trimmed);
  const byName = name ? epsgCodeOfName(name[1] ?? name[2]) : null;
  if (byName !== null) return crsFromEpsg(byName);
  throw new ChangeMapError(
    'CRS_USER_DEFINED',
    `The CRS "${name?.[1] ?? name?.[2] ?? trimmed.slice(0, 60)}" has no EPSG code; ChangeMap needs one (reproject the file with an EPSG CRS).`,
  );
}

let codesByName: Map<string, number> | null = null;

/**
 * "WGS_1984_UTM_Zone_33N" (ESRI) and "WGS 84 / UTM zone 33N" (EPSG) compare equal, and so do
 * "RGF_1993_Lambert_93" and "RGF93 v1 / Lambert-93" (EPSG names a datum's first realisation "v1"; ESRI does not).
 */
function nameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/\sv1(?=\s|$)/g, '')
    .replace(/^gcs_/, '')
    .replace(/(?<![0-9])(?:19|20)(\d\d)(?![0-9])/g, '$1')
    .replace(/[^a-z0-9]/g, '');
}

/**
 * The EPSG code whose name matches a CRS name, for WKT without an AUTHORITY (ESRI .prj files name their CRS
 * "WGS_1984_UTM_Zone_33N"); null when no EPSG CRS has that name.
 */
export function epsgCodeOfName(name: string): number | null {
  if (!codesByName) {
    codesByName = new Map();
    const all = JSON.parse(readFileSync(require.resolve('epsg-index/all.json'), 'utf8')) as Record<
      string,
      EpsgEntry
    >;
    for (const entry of Object.values(all)) {
      const key = nameKey(entry.name);
      if (entry.kind.startsWith('CRS-') && entry.proj4 && !codesByName.has(key))
        codesByName.set(key, Number(entry.code));
    }
  }
  return codesByName.get(nameKey(name)) ?? null;
}

/** A proj4 converter between two CRSs (registered by code so proj4 caches the parsed definitions). */
export function converter(from: CrsInfo, to: CrsInfo): proj4.Converter {
  if (!from.proj4 || !to.proj4 || !from.code || !to.code) {
    throw new ChangeMapError('CRS_MISSING', 'Cannot reproject an image without georeference.');
  }
  for (const c of [from, to]) if (!proj4.defs(c.code!)) proj4.defs(c.code!, c.proj4!);
  return proj4(from.code, to.code);
}

export const WGS84: () => CrsInfo = () => crsFromEpsg(4326);

/**
 * From a grid's CRS to the coordinates the API and the map use: WGS 84 longitude/latitude for a georeferenced
 * grid; for a grid without georeference its own pixel coordinates (x = column, y = -row), which the map draws in
 * a pixel projection. The one place that decides what "map coordinates" are.
 */
export function gridToMapFn(crs: CrsInfo): (x: number, y: number) => [number, number] {
  if (crs.code === null) return (x, y) => [x, y];
  if (crs.code === 'EPSG:4326') return (x, y) => [x, y];
  const c = converter(crs, WGS84());
  return (x, y) => c.forward([x, y]) as [number, number];
}

/** The inverse of gridToMapFn: map coordinates to the grid's CRS. */
export function mapToGridFn(crs: CrsInfo): (x: number, y: number) => [number, number] {
  if (crs.code === null || crs.code === 'EPSG:4326') return (x, y) => [x, y];
  const c = converter(WGS84(), crs);
  return (x, y) => c.forward([x, y]) as [number, number];
}
