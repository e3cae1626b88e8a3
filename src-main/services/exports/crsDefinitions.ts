// WKT definitions of the CRSs exports write (.prj files, gpkg_spatial_ref_sys), from the offline EPSG index.
// epsg-index ships OGC WKT 1 with AUTHORITY nodes; GDAL, QGIS and ArcGIS all read it from a .prj and recognise
// the EPSG code. Loaded one code at a time (s/<code>.json) rather than the 8 MB all.json.

import { createRequire } from 'node:module';
import { ChangeMapError } from '../../core/errors';
import type { CrsInfo } from '../../core/raster/types';

const require = createRequire(import.meta.url);

export interface CrsDefinition {
  /** EPSG code, also used as the GeoPackage srs_id. */
  epsg: number;
  name: string;
  /** OGC WKT 1. */
  wkt: string;
}

interface EpsgIndexEntry {
  code: string;
  name: string;
  wkt: string | null;
}

export const WGS84_EPSG = 4326;

/**
 * Coordinates without a CRS (the pixel coordinates of imagery without georeference): GeoPackage's "Undefined
 * Cartesian SRS" (srs_id -1, which GDAL and QGIS read as no CRS), and no .prj beside a Shapefile.
 */
export const PIXEL_COORDINATES: CrsDefinition = { epsg: -1, name: 'Undefined cartesian SRS', wkt: '' };

/** The definition of an EPSG code, or a CRS_UNKNOWN error when the index has none (or no WKT for it). */
export function crsDefinitionOf(epsg: number): CrsDefinition {
  let entry: EpsgIndexEntry | undefined;
  try {
    entry =
      Number.isInteger(epsg) && epsg > 0
        ? (require(`epsg-index/s/${epsg}.json`) as EpsgIndexEntry)
        : undefined;
  } catch {
    entry = undefined;
  }
  if (!entry?.wkt) {
    throw new ChangeMapError(
      'EXPORT_CRS_UNKNOWN',
      `The coordinate system EPSG:${epsg} is not in ChangeMap's EPSG list.`,
    );
  }
  return { epsg, name: entry.name, wkt: entry.wkt };
}

/** The EPSG number of a CRS ("EPSG:32633" -> 32633), or null when it has none. */
export function epsgCodeOf(crs: CrsInfo | null | undefined): number | null {
  const m = /^EPSG:(\d+)$/i.exec(crs?.code ?? '');
  return m ? Number(m[1]) : null;
}
