// Boundary layers in the project store: adding one (features reprojected to WGS 84, counter-clockwise, with their
// geodesic area), listing, relabelling and removing them, the map's outlines and one feature for "zoom to".
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import { decodeGpkgMultiPolygon, encodeGpkgMultiPolygon, envelopeOf } from '../../core/geo/gpkgGeometry';
import { mapPoints, nestedMultiPolygon, orientMultiPolygon } from '../../core/geo/rings';
import type { BoundaryFeatureDetail, BoundaryLayerSummary, BoundaryValue } from '../../ipc/contract';
import { converter, WGS84 } from '../imagery/crs';
import { geodesicArea } from '../regions/groundArea';
import type { BoundaryField, BoundaryFile } from './readBoundaryFile';

type Db = Database.Database;

interface LayerRow {
  id: number;
  name: string;
  source: string;
  format: BoundaryLayerSummary['format'];
  source_crs: string;
  label_field: string | null;
  fields: string;
  feature_count: number;
  min_lon: number | null;
  min_lat: number | null;
  max_lon: number | null;
  max_lat: number | null;
}

function summaryOf(row: LayerRow): BoundaryLayerSummary {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    format: row.format,
    crs: row.source_crs,
    labelField: row.label_field,
    fields: JSON.parse(row.fields) as BoundaryField[],
    featureCount: row.feature_count,
    extent: row.min_lon === null ? null : [row.min_lon, row.min_lat!, row.max_lon!, row.max_lat!],
  };
}

export function listBoundaryLayers(db: Db): BoundaryLayerSummary[] {
  return (db.prepare('SELECT * FROM cm_boundary_layers ORDER BY id').all() as LayerRow[]).map(summaryOf);
}

export function getBoundaryLayer(db: Db, layerId: number): BoundaryLayerSummary {
  const row = db.prepare('SELECT * FROM cm_boundary_layers WHERE id = ?').get(layerId) as
    LayerRow | undefined;
  if (!row)
    throw new ChangeMapError(
      'BOUNDARY_LAYER_NOT_FOUND',
      `There is no boundary layer ${layerId} in this project; list them with boundaries:list.`,
    );
  return summaryOf(row);
}

/** Attribute names that usually hold a feature's name, in order of preference (case-insensitive). */
const NAME_FIELDS = [
  'name',
  'nom',
  'label',
  'l_qu',
  'l_ar',
  'nil',
  'namelsad',
  'nom_com',
  'quartier',
  'ward',
];

/** The label field a layer starts with: a name-like text attribute, else the first text attribute, else none. */
export function guessLabelField(fields: readonly BoundaryField[]): string | null {
  const text = fields.filter((f) => f.type === 'text');
  for (const wanted of NAME_FIELDS) {
    const hit = text.find((f) => f.name.toLowerCase() === wanted);
    if (hit) return hit.name;
  }
  return text.find((f) => /name|nom/i.test(f.name))?.name ?? text[0]?.name ?? null;
}

function labelOf(properties: Record<string, BoundaryValue>, field: string | null, key: string): string {
  const value = field ? properties[field] : null;
  return value === null || value === undefined ? key : String(value);
}

export interface AddLayerOptions {
  /** The file the layer came from (stored as given). */
  source: string;
  name?: string;
  labelField?: string;
}

/** Stores a read boundary file as a layer; one transaction, so a failure stores nothing. */
export function addBoundaryLayer(db: Db, file: BoundaryFile, options: AddLayerOptions): BoundaryLayerSummary {
  const labelField = options.labelField ?? guessLabelField(file.fields);
  if (options.labelField && !file.fields.some((f) => f.name === options.labelField))
    throw new ChangeMapError(
      'BOUNDARY_FIELD_NOT_FOUND',
      `${path.basename(options.source)} has no attribute ${options.labelField}; its attributes are ${file.fields.map((f) => f.name).join(', ') || 'none'}.`,
    );
  const toLonLat =
    file.crs.code === 'EPSG:4326'
      ? null
      : (
          (c) => (x: number, y: number) =>
            c.forward([x, y]) as [number, number]
        )(converter(file.crs, WGS84()));
  const features = file.features.map((f) => {
    const lonLat = orientMultiPolygon(toLonLat ? mapPoints(f.geometry, toLonLat) : f.geometry, 'ccw');
    const env = envelopeOf(lonLat);
    const fits =
      Number.isFinite(env.minX) &&
      Number.isFinite(env.maxY) &&
      env.minX >= -180 &&
      env.maxX <= 180 &&
      env.minY >= -90 &&
      env.maxY <= 90;
    if (!fits)
      throw new ChangeMapError(
        file.crs.code === 'EPSG:4326' && file.format === 'geojson'
          ? 'BOUNDARY_NO_CRS'
          : 'BOUNDARY_CRS_MISMATCH',
        file.crs.code === 'EPSG:4326' && file.format === 'geojson'
          ? `${path.basename(options.source)} has coordinates that are not longitude/latitude (feature ${f.key}) and names no CRS; save it as GeoJSON in WGS 84 or with its CRS.`
          : `Feature ${f.key} of ${path.basename(options.source)} does not fit its CRS ${file.crs.code}; check the file's .prj or CRS.`,
      );
    return { ...f, lonLat, env, areaM2: geodesicArea(lonLat) };
  });
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const { env } of features) {
    minLon = Math.min(minLon, env.minX);
    minLat = Math.min(minLat, env.minY);
    maxLon = Math.max(maxLon, env.maxX);
    maxLat = Math.max(maxLat, env.maxY);
  }
  const insertLayer =
    db.prepare(`INSERT INTO cm_boundary_layers (name, source, format, source_crs, label_field,
    fields, feature_count, min_lon, min_lat, max_lon, max_lat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertFeature =
    db.prepare(`INSERT INTO boundary_features (geom, layer_id, feature_key, label, area_m2,
    properties, bbox_min_lon, bbox_min_lat, bbox_max_lon, bbox_max_lat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const layerId = db.transaction(() => {
    const id = Number(
      insertLayer.run(
        options.name ?? file.layerName,
        options.source,
        file.format,
        file.crs.code,
        labelField,
        JSON.stringify(file.fields),
        features.length,
        minLon,
        minLat,
        maxLon,
        maxLat,
      ).lastInsertRowid,
    );
    for (const f of features)
      insertFeature.run(
        encodeGpkgMultiPolygon(f.lonLat, 4326),
        id,
        f.key,
        labelOf(f.properties, labelField, f.key),
        f.areaM2,
        JSON.stringify(f.properties),
        f.env.minX,
        f.env.minY,
        f.env.maxX,
        f.env.maxY,
      );
    db.prepare(
      `UPDATE gpkg_contents SET min_x = MIN(COALESCE(min_x, @x0), @x0), min_y = MIN(COALESCE(min_y, @y0), @y0),
       max_x = MAX(COALESCE(max_x, @x1), @x1), max_y = MAX(COALESCE(max_y, @y1), @y1),
       last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'boundary_features'`,
    ).run({ x0: minLon, y0: minLat, x1: maxLon, y1: maxLat });
    return id;
  })();
  return getBoundaryLayer(db, layerId);
}

/** Removes a layer with its features, joins and overlaps (foreign keys cascade). */
export function removeBoundaryLayer(db: Db, layerId: number): void {
  getBoundaryLayer(db, layerId);
  db.prepare('DELETE FROM cm_boundary_layers WHERE id = ?').run(layerId);
}

/** Which attribute names the features (null: their key); every feature's label follows. */
export function setLabelField(db: Db, layerId: number, field: string | null): BoundaryLayerSummary {
  const layer = getBoundaryLayer(db, layerId);
  if (field !== null && !layer.fields.some((f) => f.name === field))
    throw new ChangeMapError(
      'BOUNDARY_FIELD_NOT_FOUND',
      `Layer ${layer.name} has no attribute ${field}; its attributes are ${layer.fields.map((f) => f.name).join(', ') || 'none'}.`,
    );
  const rows = db
    .prepare('SELECT fid, feature_key, properties FROM boundary_features WHERE layer_id = ?')
    .all(layerId) as { fid: number; feature_key: string; properties: string }[];
  const update = db.prepare('UPDATE boundary_features SET label = ? WHERE fid = ?');
  db.transaction(() => {
    for (const r of rows)
      update.run(
        labelOf(JSON.parse(r.properties) as Record<string, BoundaryValue>, field, r.feature_key),
        r.fid,
      );
    db.prepare('UPDATE cm_boundary_layers SET label_field = ? WHERE id = ?').run(field, layerId);
  })();
  return getBoundaryLayer(db, layerId);
}

/** Features whose bounding box meets an extent (WGS 84), for the map. */
export function boundaryOutlines(
  db: Db,
  layerId: number,
  extent: [number, number, number, number],
  limit: number,
): { fid: number; label: string; outline: [number, number][][][] }[] {
  const rows = db
    .prepare(
      `SELECT fid, label, geom FROM boundary_features WHERE layer_id = ? AND bbox_max_lon >= ? AND bbox_max_lat >= ?
       AND bbox_min_lon <= ? AND bbox_min_lat <= ? ORDER BY area_m2 DESC LIMIT ?`,
    )
    .all(layerId, extent[0], extent[1], extent[2], extent[3], limit) as {
    fid: number;
    label: string;
    geom: Uint8Array;
  }[];
  return rows.map((r) => ({
    fid: r.fid,
    label: r.label,
    outline: nestedMultiPolygon(decodeGpkgMultiPolygon(r.geom).geometry),
  }));
}

export function boundaryFeature(db: Db, fid: number): BoundaryFeatureDetail {
  const row = db
    .prepare(
      `SELECT fid, layer_id, feature_key, label, geom, bbox_min_lon, bbox_min_lat, bbox_max_lon, bbox_max_lat
       FROM boundary_features WHERE fid = ?`,
    )
    .get(fid) as
    | {
        fid: number;
        layer_id: number;
        feature_key: string;
        label: string;
        geom: Uint8Array;
        bbox_min_lon: number;
        bbox_min_lat: number;
        bbox_max_lon: number;
        bbox_max_lat: number;
      }
    | undefined;
  if (!row)
    throw new ChangeMapError(
      'BOUNDARY_FEATURE_NOT_FOUND',
      `There is no boundary feature ${fid} in this project.`,
    );
  return {
    fid: row.fid,
    layerId: row.layer_id,
    key: row.feature_key,
    label: row.label,
    extent: [row.bbox_min_lon, row.bbox_min_lat, row.bbox_max_lon, row.bbox_max_lat],
    outline: nestedMultiPolygon(decodeGpkgMultiPolygon(row.geom).geometry),
  };
}
