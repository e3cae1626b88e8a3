// Builds a new GeoPackage holding one feature layer: the GeoPackage core tables (the same SQL the project file
// uses, taken from the schema's first migration) and the layer, e.g. "change_regions" with the export
// attributes or a boundary layer's summary table, rings wound as OGC Simple Features says (exteriors counter-clockwise). Built in memory and returned as the file's bytes (SQLite's serialize), so the caller writes it
// like any other export: atomically, with no journal files to clean up. No spatial index: QGIS and GDAL
// build what they need.

import Database from 'better-sqlite3';
import type { AttributeValue, ExportRegion } from '../../core/exportFormats/regionAttributes';
import { REGION_ATTRIBUTES } from '../../core/exportFormats/regionAttributes';
import { orientForSimpleFeatures } from '../../core/exportFormats/ringOrientation';
import { encodeGpkgMultiPolygon, envelopeOf, type FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { GPKG_APPLICATION_ID, MIGRATIONS, USER_VERSION_BASE } from '../project/schema';
import type { CrsDefinition } from './crsDefinitions';

export const GEOPACKAGE_LAYER = 'change_regions';

function withoutLeadingComments(statement: string): string {
  return statement.replace(/^(\s*--[^\n]*\n)*/, '').trim();
}

/**
 * The GeoPackage core statements of the project schema (gpkg_spatial_ref_sys with its required rows,
 * gpkg_contents, gpkg_geometry_columns), so the export and the project file cannot drift apart.
 */
export function geoPackageCoreStatements(): string[] {
  return MIGRATIONS[0].sql
    .split(/;\s*\n/)
    .map(withoutLeadingComments)
    .filter((s) => /^(CREATE TABLE gpkg_|INSERT INTO gpkg_spatial_ref_sys\b)/i.test(s));
}

type Db = Database.Database;

/** A GeoPackage built in memory: the core tables, then what `fill` adds (one transaction), as the file's bytes. */
export function buildGeoPackage(fill: (db: Db) => void): Uint8Array {
  const db = new Database(':memory:');
  try {
    db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
    db.pragma(`user_version = ${USER_VERSION_BASE}`);
    db.transaction(() => {
      for (const statement of geoPackageCoreStatements()) db.exec(statement);
      fill(db);
    })();
    return db.serialize();
  } finally {
    db.close();
  }
}

/** Lists a feature table in gpkg_contents (with its extent, or none) and its `geom` column in gpkg_geometry_columns. */
export function registerFeatureLayer(
  db: Db,
  layer: {
    name: string;
    description: string;
    geometryType: 'POINT' | 'MULTIPOLYGON';
    srsId: number;
    extent: { minX: number; minY: number; maxX: number; maxY: number } | null;
  },
): void {
  const { name, extent } = layer;
  db.prepare(
    `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
     VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    name,
    name,
    layer.description,
    extent?.minX ?? null,
    extent?.minY ?? null,
    extent?.maxX ?? null,
    extent?.maxY ?? null,
    layer.srsId,
  );
  db.prepare(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`).run(
    name,
    layer.geometryType,
    layer.srsId,
  );
}

const SQL_TYPES = { integer: 'INTEGER', real: 'REAL', text: 'TEXT', date: 'DATE' } as const;

export interface GeoPackageLayer {
  /** Table name of the feature layer. */
  name: string;
  description: string;
  columns: readonly { name: string; kind: keyof typeof SQL_TYPES }[];
  features: readonly { fid: number; geometry: FlatMultiPolygon; values: readonly AttributeValue[] }[];
}

/** The bytes of a GeoPackage file holding one multipolygon feature layer (outlines already in crs). */
export function encodeFeatureGeoPackage(layer: GeoPackageLayer, crs: CrsDefinition): Uint8Array {
  return buildGeoPackage((db) => {
    db.prepare(
      `INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description)
         VALUES (?, ?, 'EPSG', ?, ?, ?)`,
    ).run(crs.name, crs.epsg, crs.epsg, crs.wkt, crs.name);

    const columns = layer.columns.map((a) => `"${a.name}" ${SQL_TYPES[a.kind]}`).join(',\n  ');
    db.exec(`CREATE TABLE "${layer.name}" (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  ${columns}
)`);
    const insert = db.prepare(
      `INSERT INTO "${layer.name}" (fid, geom, ${layer.columns.map((a) => `"${a.name}"`).join(', ')})
         VALUES (?, ?, ${layer.columns.map(() => '?').join(', ')})`,
    );
    const extent = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    for (const feature of layer.features) {
      const blob = encodeGpkgMultiPolygon(orientForSimpleFeatures(feature.geometry), crs.epsg);
      insert.run(feature.fid, blob, ...feature.values);
      if (feature.geometry.length === 0) continue;
      const e = envelopeOf(feature.geometry);
      extent.minX = Math.min(extent.minX, e.minX);
      extent.minY = Math.min(extent.minY, e.minY);
      extent.maxX = Math.max(extent.maxX, e.maxX);
      extent.maxY = Math.max(extent.maxY, e.maxY);
    }
    registerFeatureLayer(db, {
      name: layer.name,
      description: layer.description,
      geometryType: 'MULTIPOLYGON',
      srsId: crs.epsg,
      extent: Number.isFinite(extent.minX) ? extent : null,
    });
  });
}

/** The bytes of a GeoPackage file holding the regions (outlines already in crs). */
export function encodeRegionsGeoPackage(regions: readonly ExportRegion[], crs: CrsDefinition): Uint8Array {
  return encodeFeatureGeoPackage(
    {
      name: GEOPACKAGE_LAYER,
      description: 'Change regions exported from ChangeMap',
      columns: REGION_ATTRIBUTES,
      features: regions.map((r) => ({
        fid: r.id,
        geometry: r.geometry,
        values: REGION_ATTRIBUTES.map((a) => a.value(r)),
      })),
    },
    crs,
  );
}
