// Exports a run's change regions to GeoJSON, a zipped Shapefile, a GeoPackage or CSV. Every format carries the
// same attributes (core/exportFormats/regionAttributes.ts); every file is written atomically (fileSafety), so a
// failure leaves neither a partial file nor a temporary one, and the project is only read.

import type Database from 'better-sqlite3';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { encodeCsv, encodeCsvt, type CsvtType, type CsvValue } from '../../core/exportFormats/csv';
import { exportRegionsRequest, type Request } from '../../ipc/contract';
import { encodeGeoJsonFeatureCollection } from '../../core/exportFormats/geojson';
import {
  REGION_ATTRIBUTES,
  regionProperties,
  type ExportRegion,
  type RegionAttribute,
} from '../../core/exportFormats/regionAttributes';
import { encodeShapefileZip } from '../../core/exportFormats/shapefileZip';
import { multiPolygonWkt } from '../../core/exportFormats/wkt';
import { writeFileAtomic, type FileOps } from '../fileSafety/atomicWrite';
import { checkCsvtTarget, checkExportTarget, csvtPathFor } from './exportTarget';
import {
  crsDefinitionOf,
  epsgCodeOf,
  PIXEL_COORDINATES,
  WGS84_EPSG,
  type CrsDefinition,
} from './crsDefinitions';
import { encodeRegionsGeoPackage, GEOPACKAGE_LAYER } from './geoPackageWriter';
import { joinState, lastJoinedLayer } from '../boundaries/boundaryJoin';
import { readExportRegions, readRunProvenance, type RunProvenance } from './regionSource';

export interface ExportDeps {
  /** Replaces single file-system steps of the atomic write (tests simulate a full disk here). */
  fileOps?: Partial<FileOps>;
}

const CODE_PREFIX = 'EXPORT';

function gridCrsOf(run: RunProvenance): CrsDefinition {
  const epsg = epsgCodeOf(run.grid?.crs);
  if (epsg === null) {
    const name = run.grid?.crs.name || 'unknown';
    throw new ChangeMapError(
      'EXPORT_CRS_UNKNOWN',
      `Run ${run.runId}'s grid CRS (${name}) has no EPSG code, so it cannot be written to a file. Export in WGS 84 instead.`,
    );
  }
  return crsDefinitionOf(epsg);
}

/** Shapefile parts inside the zip are named after the zip: "regions.zip" or "regions.shp.zip" -> "regions". */
function shapefileBaseName(out: string): string {
  const base = path
    .basename(out)
    .replace(/\.zip$/i, '')
    .replace(/\.shp$/i, '');
  return base || GEOPACKAGE_LAYER;
}

const CSVT_TYPES: Record<RegionAttribute['kind'], CsvtType> = {
  integer: 'Integer',
  real: 'Real',
  text: 'String',
  date: 'Date',
};

// Where a CSV's .csvt goes lives with the rule for writing it (exportTarget.ts); the other CSV writers import it here.
export { csvtPathFor };

function csvRows(regions: readonly ExportRegion[], crs: 'grid' | 'wgs84', includeWkt: boolean) {
  const header = [
    ...REGION_ATTRIBUTES.map((a) => a.name),
    ...(crs === 'wgs84' ? ['centroid_lon', 'centroid_lat'] : ['centroid_x', 'centroid_y']),
    ...(includeWkt ? ['wkt'] : []),
  ];
  const types: CsvtType[] = [
    ...REGION_ATTRIBUTES.map((a) => CSVT_TYPES[a.kind]),
    'Real',
    'Real',
    ...(includeWkt ? (['String'] as const) : []),
  ];
  const rows = regions.map((r): CsvValue[] => [
    ...REGION_ATTRIBUTES.map((a) => a.value(r)),
    ...(crs === 'wgs84' ? [r.centroidLon, r.centroidLat] : [r.centroidX, r.centroidY]),
    ...(includeWkt ? [multiPolygonWkt(r.geometry)] : []),
  ]);
  return { header, rows, types };
}

/**
 * Writes the regions of request.runId that pass request.filters to request.out. Errors (ChangeMapError codes):
 * EXPORT_BAD_REQUEST, EXPORT_RUN_NOT_FOUND, EXPORT_CRS_UNKNOWN, EXPORT_CRS_UNSUPPORTED, EXPORT_EXISTS,
 * EXPORT_NO_PERMISSION, EXPORT_DISK_FULL, EXPORT_FOLDER_MISSING, EXPORT_IN_USE.
 */
export async function exportRegions(
  db: Database.Database,
  request: Request<'export:regions'>,
  deps: ExportDeps = {},
): Promise<{ path: string; featureCount: number }> {
  const parsed = exportRegionsRequest.safeParse(request);
  if (!parsed.success) {
    throw new ChangeMapError(
      'EXPORT_BAD_REQUEST',
      `The export request is not valid: ${parsed.error.issues[0]?.message}.`,
    );
  }
  const req = parsed.data;
  if (req.format === 'geojson' && req.crs === 'grid') {
    throw new ChangeMapError(
      'EXPORT_CRS_UNSUPPORTED',
      'GeoJSON is always in WGS 84 longitude/latitude (RFC 7946). Choose WGS 84, or Shapefile/GeoPackage for the grid CRS.',
    );
  }
  // A Shapefile export is a .zip; GIS tools recognise it only by that extension.
  const out = path.resolve(
    req.format === 'shapefile' && !/\.zip$/i.test(req.out) ? `${req.out}.zip` : req.out,
  );
  const run = readRunProvenance(db, req.runId);
  // Imagery without georeference: the outlines are pixel coordinates (x = column, y = -row), which GeoJSON cannot
  // hold; the other formats carry them without a CRS, whichever CRS was asked for (there is no other).
  const pixelSpace = run.grid?.crs.units === 'pixel';
  if (pixelSpace && req.format === 'geojson') {
    throw new ChangeMapError(
      'EXPORT_NO_GEOREFERENCE',
      'This run’s imagery has no georeference, so its regions are in pixel coordinates, which GeoJSON (WGS 84 only, RFC 7946) cannot hold; export a GeoPackage, Shapefile or CSV instead.',
    );
  }
  // Resolve the CRS before anything is written: an unknown CRS must not leave a file behind.
  const crs = pixelSpace
    ? PIXEL_COORDINATES
    : req.crs === 'grid'
      ? gridCrsOf(run)
      : crsDefinitionOf(WGS84_EPSG);
  const outlineCrs = pixelSpace ? 'grid' : req.crs;
  const boundaryLayerId = req.boundaryLayerId ?? lastJoinedLayer(db, req.runId);
  if (req.boundaryLayerId !== undefined && !joinState(db, req.boundaryLayerId, req.runId))
    throw new ChangeMapError(
      'EXPORT_BOUNDARY_NOT_JOINED',
      `Boundary layer ${req.boundaryLayerId} is not joined to run ${req.runId}; join it first (boundaries:join, or changemap boundaries join).`,
    );
  const regions = readExportRegions(db, run, req.filters, outlineCrs, boundaryLayerId);
  const overwrite = checkExportTarget(db, { out, kind: req.format, confirmed: req.overwrite });
  if (req.format === 'csv') checkCsvtTarget(csvtPathFor(out));
  const atomic = { overwrite, codePrefix: CODE_PREFIX, ops: deps.fileOps };

  switch (req.format) {
    case 'geojson': {
      const text = encodeGeoJsonFeatureCollection(
        regions.map((r) => ({
          id: r.id,
          geometry: r.geometry.length ? r.geometry : null,
          properties: regionProperties(r),
        })),
      );
      await writeFileAtomic(out, text, atomic);
      break;
    }
    case 'shapefile': {
      const zip = encodeShapefileZip({
        baseName: shapefileBaseName(out),
        geometries: regions.map((r) => r.geometry),
        fields: REGION_ATTRIBUTES.map((a) => a.dbf),
        records: regions.map((r) => REGION_ATTRIBUTES.map((a) => a.value(r))),
        prjWkt: crs.wkt || null,
      });
      await writeFileAtomic(out, zip, atomic);
      break;
    }
    case 'gpkg':
      await writeFileAtomic(out, encodeRegionsGeoPackage(regions, crs), atomic);
      break;
    case 'csv': {
      const { header, rows, types } = csvRows(regions, outlineCrs, req.includeWkt);
      await writeFileAtomic(out, encodeCsv(header, rows), atomic);
      // The types file belongs to the CSV just written, so it follows it (replacing an older one).
      await writeFileAtomic(csvtPathFor(out), encodeCsvt(types), { ...atomic, overwrite: true });
      break;
    }
  }
  return { path: out, featureCount: regions.length };
}
