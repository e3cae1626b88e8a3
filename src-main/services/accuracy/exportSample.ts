// Writes an accuracy sample's points and their labels to CSV (with a .csvt for GDAL) or to a GeoPackage point
// layer "accuracy_points" in WGS 84, atomically like every export (fileSafety).
import path from 'node:path';
import { encodeCsv, encodeCsvt, type CsvValue, type CsvtType } from '../../core/exportFormats/csv';
import { encodeGpkgPoint } from '../../core/geo/gpkgGeometry';
import type { SAMPLE_EXPORT_FORMATS } from '../../ipc/contract';
import { crsDefinitionOf, PIXEL_COORDINATES, WGS84_EPSG } from '../exports/crsDefinitions';
import { csvtPathFor } from '../exports/exportRegions';
import { buildGeoPackage, registerFeatureLayer } from '../exports/geoPackageWriter';
import { writeFileAtomic } from '../fileSafety/atomicWrite';
import type { StoredPoint, StoredSample } from './accuracyRecords';

export const ACCURACY_LAYER = 'accuracy_points';
export type SampleExportFormat = (typeof SAMPLE_EXPORT_FORMATS)[number];

const COLUMNS: {
  name: string;
  type: CsvtType;
  sql: string;
  value: (p: StoredPoint, s: StoredSample) => CsvValue;
}[] = [
  { name: 'point_id', type: 'Integer', sql: 'INTEGER', value: (p) => p.id },
  { name: 'sample_id', type: 'Integer', sql: 'INTEGER', value: (_, s) => s.id },
  { name: 'run_id', type: 'Integer', sql: 'INTEGER', value: (_, s) => s.runId },
  { name: 'stratum', type: 'String', sql: 'TEXT', value: (p) => p.stratum },
  {
    name: 'map_label',
    type: 'String',
    sql: 'TEXT',
    value: (p) => (p.stratum === 'changed' ? 'change' : 'no_change'),
  },
  { name: 'reference', type: 'String', sql: 'TEXT', value: (p) => p.label ?? '' },
  { name: 'col', type: 'Integer', sql: 'INTEGER', value: (p) => p.col },
  { name: 'row', type: 'Integer', sql: 'INTEGER', value: (p) => p.row },
  { name: 'x', type: 'Real', sql: 'REAL', value: (p) => p.x },
  { name: 'y', type: 'Real', sql: 'REAL', value: (p) => p.y },
  { name: 'lon', type: 'Real', sql: 'REAL', value: (p) => p.lon },
  { name: 'lat', type: 'Real', sql: 'REAL', value: (p) => p.lat },
];

function encodePointsGeoPackage(sample: StoredSample, points: readonly StoredPoint[], pixelSpace: boolean) {
  const crs = pixelSpace ? PIXEL_COORDINATES : crsDefinitionOf(WGS84_EPSG);
  return buildGeoPackage((db) => {
    db.exec(`CREATE TABLE ${ACCURACY_LAYER} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom POINT,
  ${COLUMNS.map((c) => `"${c.name}" ${c.sql}`).join(',\n  ')}
)`);
    const insert = db.prepare(
      `INSERT INTO ${ACCURACY_LAYER} (geom, ${COLUMNS.map((c) => `"${c.name}"`).join(', ')})
       VALUES (?, ${COLUMNS.map(() => '?').join(', ')})`,
    );
    for (const p of points)
      insert.run(encodeGpkgPoint(p.lon, p.lat, crs.epsg), ...COLUMNS.map((c) => c.value(p, sample)));
    const lons = points.map((p) => p.lon);
    const lats = points.map((p) => p.lat);
    registerFeatureLayer(db, {
      name: ACCURACY_LAYER,
      description: 'Accuracy sample points and reference labels from ChangeMap',
      geometryType: 'POINT',
      srsId: crs.epsg,
      extent: {
        minX: Math.min(...lons),
        minY: Math.min(...lats),
        maxX: Math.max(...lons),
        maxY: Math.max(...lats),
      },
    });
  });
}

/** Writes the sample's points; returns the path written. Errors: ACCURACY_EXPORT_EXISTS and the other file codes. */
export async function exportSample(
  sample: StoredSample,
  points: readonly StoredPoint[],
  options: { format: SampleExportFormat; out: string; overwrite: boolean; pixelSpace: boolean },
): Promise<{ path: string; pointCount: number }> {
  const out = path.resolve(options.out);
  const atomic = { overwrite: options.overwrite, codePrefix: 'ACCURACY_EXPORT' };
  if (options.format === 'csv') {
    const rows = points.map((p) => COLUMNS.map((c) => c.value(p, sample)));
    await writeFileAtomic(
      out,
      encodeCsv(
        COLUMNS.map((c) => c.name),
        rows,
      ),
      atomic,
    );
    await writeFileAtomic(csvtPathFor(out), encodeCsvt(COLUMNS.map((c) => c.type)), {
      ...atomic,
      overwrite: true,
    });
  } else {
    await writeFileAtomic(out, encodePointsGeoPackage(sample, points, options.pixelSpace), atomic);
  }
  return { path: out, pointCount: points.length };
}
