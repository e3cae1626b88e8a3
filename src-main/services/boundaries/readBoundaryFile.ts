// Reads a boundary layer (parcels, districts, zoning) from GeoJSON, a Shapefile (.zip or the .shp beside its
// .dbf/.prj/.cpg), a GeoPackage or a FlatGeobuf, into polygons in the file's own CRS with their attributes.
// Libraries do the parsing: shpjs (Shapefile geometry and dBASE), fflate (zip), better-sqlite3 with the project's
// GeoPackage geometry codec, flatgeobuf. CRSs resolve through the project's EPSG code (imagery/crs.ts). A file
// that is not polygons, names no CRS or cannot be parsed is refused with its own code and nothing is stored.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { deserialize as deserializeFgb } from 'flatgeobuf/lib/mjs/geojson.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import { combine, parseDbf, parseShp } from 'shpjs';
import { ChangeMapError } from '../../core/errors';
import { decodeGpkgMultiPolygon, type FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import type { CrsInfo } from '../../core/raster/types';
import type { BoundaryFormatName, BoundaryValue } from '../../ipc/contract';
import { crsFromEpsg, crsFromText } from '../imagery/crs';

export type BoundaryFormat = BoundaryFormatName;
export type AttributeValue = BoundaryValue;

export interface BoundaryField {
  name: string;
  type: 'text' | 'number';
}

export interface BoundaryFileFeature {
  /** The feature's id in its file (fid, "id", else its position from 1). */
  key: string;
  properties: Record<string, AttributeValue>;
  /** Polygons in the file's CRS. */
  geometry: FlatMultiPolygon;
}

export interface BoundaryFile {
  format: BoundaryFormat;
  /** Layer name: the GeoPackage table, the Shapefile's name, else the file name. */
  layerName: string;
  crs: CrsInfo;
  fields: BoundaryField[];
  features: BoundaryFileFeature[];
  /** Features without geometry, left out. */
  skippedEmpty: number;
}

/** Largest boundary file read into memory (GeoPackages are read in place). */
const MAX_FILE_BYTES = 1024 ** 3;

function formatOf(file: string): BoundaryFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.geojson' || ext === '.json') return 'geojson';
  if (ext === '.zip' || ext === '.shp') return 'shapefile';
  if (ext === '.gpkg') return 'gpkg';
  if (ext === '.fgb') return 'flatgeobuf';
  throw new ChangeMapError(
    'BOUNDARY_FORMAT_UNKNOWN',
    `${path.basename(file)} is not a boundary format ChangeMap reads; use GeoJSON, a Shapefile (.zip or .shp), GeoPackage (.gpkg) or FlatGeobuf (.fgb).`,
  );
}

function unreadable(file: string, why: string, cause?: unknown): ChangeMapError {
  return new ChangeMapError(
    'BOUNDARY_UNREADABLE',
    `${path.basename(file)} cannot be read as a boundary layer (${why}); check that the file is complete or export it again from your GIS.`,
    { cause },
  );
}

function readBytes(file: string): Uint8Array {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ChangeMapError('NOT_FOUND', `The file ${file} does not exist; check the path.`);
    throw unreadable(file, String(code), error);
  }
  if (size > MAX_FILE_BYTES)
    throw new ChangeMapError(
      'BOUNDARY_TOO_LARGE',
      `${path.basename(file)} is larger than 1 GiB; convert it to a GeoPackage, which ChangeMap reads in place.`,
    );
  return fs.readFileSync(file);
}

function notPolygons(file: string, what: string): ChangeMapError {
  return new ChangeMapError(
    'BOUNDARY_NOT_POLYGONS',
    `${path.basename(file)} holds ${what}, not polygons; a boundary layer needs areas (parcels, districts), so pick a polygon layer.`,
  );
}

function noCrs(file: string, detail: string): ChangeMapError {
  return new ChangeMapError(
    'BOUNDARY_NO_CRS',
    `${path.basename(file)} ${detail}; save it with its coordinate reference system (for instance as GeoJSON in WGS 84).`,
  );
}

type Position = number[];
interface GeoJsonGeometry {
  type: string;
  coordinates?: unknown;
}

function flatRing(ring: Position[], file: string): Float64Array {
  if (!Array.isArray(ring) || ring.length < 4)
    throw unreadable(file, 'a polygon ring has fewer than 4 points');
  const out = new Float64Array(ring.length * 2);
  ring.forEach((p, i) => {
    const x = Number(p?.[0]);
    const y = Number(p?.[1]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw unreadable(file, 'a coordinate is not a number');
    out[2 * i] = x;
    out[2 * i + 1] = y;
  });
  // Close rings left open by their writer.
  if (out[0] !== out[out.length - 2] || out[1] !== out[out.length - 1])
    return Float64Array.from([...out, out[0], out[1]]);
  return out;
}

/** A GeoJSON geometry as flat polygons; null for no geometry; BOUNDARY_NOT_POLYGONS for points and lines. */
function polygonsOf(geometry: GeoJsonGeometry | null | undefined, file: string): FlatMultiPolygon | null {
  if (!geometry) return null;
  if (geometry.type === 'Polygon')
    return [(geometry.coordinates as Position[][]).map((r) => flatRing(r, file))];
  if (geometry.type === 'MultiPolygon')
    return (geometry.coordinates as Position[][][]).map((p) => p.map((r) => flatRing(r, file)));
  if (geometry.type === 'GeometryCollection') {
    const parts = (geometry as unknown as { geometries: GeoJsonGeometry[] }).geometries ?? [];
    return parts.flatMap((g) => polygonsOf(g, file) ?? []);
  }
  throw notPolygons(file, `${geometry.type} geometries`);
}

function cleanProperties(props: Record<string, unknown> | null | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined) out[k] = null;
    else if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
    else if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (v instanceof Date) out[k] = v.toISOString().slice(0, 10);
    else if (typeof v === 'bigint') out[k] = Number(v);
    else if (!(v instanceof Uint8Array)) out[k] = JSON.stringify(v);
  }
  return out;
}

function fieldsOf(features: readonly BoundaryFileFeature[], order?: string[]): BoundaryField[] {
  const names = new Map<string, BoundaryField['type']>();
  for (const name of order ?? []) names.set(name, 'number');
  for (const f of features)
    for (const [k, v] of Object.entries(f.properties)) {
      if (v === null) {
        if (!names.has(k)) names.set(k, 'number');
        continue;
      }
      if (typeof v !== 'number') names.set(k, 'text');
      else if (!names.has(k)) names.set(k, 'number');
    }
  return [...names].map(([name, type]) => ({ name, type }));
}

interface GeoJsonFeature {
  id?: string | number;
  properties?: Record<string, unknown> | null;
  geometry?: GeoJsonGeometry | null;
}

/** GeoJSON features as boundary features, keeping their ids; features without geometry are counted, not kept. */
function fromGeoJsonFeatures(
  list: readonly GeoJsonFeature[],
  file: string,
  keyOf: (f: GeoJsonFeature, i: number) => string,
): { features: BoundaryFileFeature[]; skippedEmpty: number } {
  const features: BoundaryFileFeature[] = [];
  let skippedEmpty = 0;
  list.forEach((f, i) => {
    const geometry = polygonsOf(f.geometry, file);
    if (!geometry || geometry.length === 0) {
      skippedEmpty++;
      return;
    }
    features.push({ key: keyOf(f, i), properties: cleanProperties(f.properties), geometry });
  });
  return { features, skippedEmpty };
}

const idOrPosition = (f: GeoJsonFeature, i: number): string => {
  const id = f.id ?? f.properties?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : String(i + 1);
};

/** The CRS a GeoJSON file names (the 2008 "crs" member), else WGS 84 as RFC 7946 says. */
function geoJsonCrs(doc: { crs?: { properties?: { name?: string } } }, file: string): CrsInfo {
  const name = doc.crs?.properties?.name;
  if (!name) return crsFromEpsg(4326);
  if (/CRS84$/i.test(name)) return crsFromEpsg(4326);
  const epsg = /EPSG:{1,2}(?:[\d.]*:)?(\d+)$/i.exec(name);
  if (epsg) return crsFromEpsg(Number(epsg[1]));
  throw noCrs(file, `names its CRS as "${name}", which is not an EPSG code`);
}

function readGeoJson(file: string): BoundaryFile {
  let doc: { type?: string; features?: GeoJsonFeature[]; crs?: { properties?: { name?: string } } };
  try {
    doc = JSON.parse(new TextDecoder().decode(readBytes(file))) as typeof doc;
  } catch (error) {
    if (error instanceof ChangeMapError) throw error;
    throw unreadable(file, 'it is not valid JSON', error);
  }
  const list: GeoJsonFeature[] =
    doc?.type === 'FeatureCollection' && Array.isArray(doc.features)
      ? doc.features
      : doc?.type === 'Feature'
        ? [doc as GeoJsonFeature]
        : doc?.type === 'Polygon' || doc?.type === 'MultiPolygon'
          ? [{ geometry: doc as GeoJsonGeometry }]
          : (() => {
              throw unreadable(file, 'it is not a GeoJSON FeatureCollection');
            })();
  const crs = geoJsonCrs(doc, file);
  const read = fromGeoJsonFeatures(list, file, idOrPosition);
  return {
    format: 'geojson',
    layerName: path.parse(file).name,
    crs,
    fields: fieldsOf(read.features),
    ...read,
  };
}

interface ShapefileParts {
  name: string;
  shp: Uint8Array;
  dbf?: Uint8Array;
  prj?: string;
  cpg?: string;
}

function shapefileFromZip(file: string, layer?: string): ShapefileParts {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readBytes(file), { filter: (f) => /\.(shp|dbf|prj|cpg)$/i.test(f.name) });
  } catch (error) {
    if (error instanceof ChangeMapError) throw error;
    throw unreadable(file, 'it is not a readable zip', error);
  }
  const bases = Object.keys(entries)
    .filter((n) => /\.shp$/i.test(n) && !n.startsWith('__MACOSX/'))
    .map((n) => n.slice(0, -4));
  if (bases.length === 0) throw unreadable(file, 'the zip holds no .shp file');
  const base = layer ? bases.find((b) => path.posix.basename(b) === layer) : bases[0];
  if (!base)
    throw new ChangeMapError(
      'BOUNDARY_LAYER_NOT_FOUND',
      `${path.basename(file)} has no Shapefile named ${layer}; it has ${bases.map((b) => path.posix.basename(b)).join(', ')}.`,
    );
  const part = (ext: string): Uint8Array | undefined =>
    Object.entries(entries).find(([n]) => n.toLowerCase() === `${base}.${ext}`.toLowerCase())?.[1];
  const text = (b: Uint8Array | undefined): string | undefined =>
    b ? new TextDecoder().decode(b) : undefined;
  return {
    name: path.posix.basename(base),
    shp: part('shp')!,
    dbf: part('dbf'),
    prj: text(part('prj')),
    cpg: text(part('cpg')),
  };
}

function shapefileFromParts(file: string): ShapefileParts {
  const dir = path.dirname(file);
  const stem = path.basename(file).slice(0, -4);
  const siblings = fs.readdirSync(dir);
  const sibling = (ext: string): string | undefined => {
    const hit = siblings.find((n) => n.toLowerCase() === `${stem}.${ext}`.toLowerCase());
    return hit ? path.join(dir, hit) : undefined;
  };
  const dbf = sibling('dbf');
  const prj = sibling('prj');
  const cpg = sibling('cpg');
  return {
    name: stem,
    shp: readBytes(file),
    dbf: dbf ? readBytes(dbf) : undefined,
    prj: prj ? fs.readFileSync(prj, 'utf8') : undefined,
    cpg: cpg ? fs.readFileSync(cpg, 'utf8') : undefined,
  };
}

function readShapefile(file: string, layer?: string): BoundaryFile {
  const parts = file.toLowerCase().endsWith('.zip')
    ? shapefileFromZip(file, layer)
    : shapefileFromParts(file);
  if (!parts.prj?.trim())
    throw noCrs(file, `has no .prj beside ${parts.name}.shp, so its coordinates could be in any CRS`);
  const crs = crsFromText(parts.prj);
  let collection: { features: GeoJsonFeature[] };
  try {
    // No .prj to shpjs: it would reproject with its own proj4 parse; the project's CRS code does that instead.
    const geometries = parseShp(parts.shp);
    const records = parts.dbf ? parseDbf(parts.dbf, parts.cpg) : undefined;
    collection = combine(records ? [geometries, records] : [geometries]);
  } catch (error) {
    throw unreadable(file, `its .shp or .dbf is damaged: ${(error as Error).message}`, error);
  }
  const read = fromGeoJsonFeatures(collection.features, file, (_f, i) => String(i + 1));
  return { format: 'shapefile', layerName: parts.name, crs, fields: fieldsOf(read.features), ...read };
}

interface GpkgLayer {
  table_name: string;
  column_name: string;
  geometry_type_name: string;
  srs_id: number;
}

function readGeoPackage(file: string, layer?: string): BoundaryFile {
  if (!fs.existsSync(file))
    throw new ChangeMapError('NOT_FOUND', `The file ${file} does not exist; check the path.`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw unreadable(file, 'it is not an SQLite file', error);
  }
  try {
    let layers: GpkgLayer[];
    try {
      layers = db
        .prepare('SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns')
        .all() as GpkgLayer[];
    } catch (error) {
      throw unreadable(file, 'it is not a GeoPackage (no gpkg_geometry_columns table)', error);
    }
    const polygonal = (l: GpkgLayer): boolean => /^(MULTI)?POLYGON$|^GEOMETRY$/i.test(l.geometry_type_name);
    const chosen = layer ? layers.find((l) => l.table_name === layer) : layers.find(polygonal);
    if (layer && !chosen)
      throw new ChangeMapError(
        'BOUNDARY_LAYER_NOT_FOUND',
        `${path.basename(file)} has no layer named ${layer}; it has ${layers.map((l) => l.table_name).join(', ') || 'none'}.`,
      );
    if (!chosen)
      throw notPolygons(
        file,
        layers.length
          ? `only ${layers.map((l) => l.geometry_type_name.toLowerCase()).join(', ')} layers`
          : 'no feature layer',
      );
    if (!polygonal(chosen))
      throw notPolygons(file, `${chosen.geometry_type_name.toLowerCase()} features in ${chosen.table_name}`);
    const srs = db
      .prepare(
        'SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?',
      )
      .get(chosen.srs_id) as
      { organization: string; organization_coordsys_id: number; definition: string } | undefined;
    if (!srs || chosen.srs_id <= 0 || srs.definition === 'undefined')
      throw noCrs(file, `has layer ${chosen.table_name} in an undefined CRS`);
    const crs =
      srs.organization.toUpperCase() === 'EPSG'
        ? crsFromEpsg(srs.organization_coordsys_id)
        : crsFromText(srs.definition);
    const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;
    const columns = db.prepare(`PRAGMA table_info(${quoted(chosen.table_name)})`).all() as {
      name: string;
      pk: number;
    }[];
    const fid = columns.find((c) => c.pk === 1)?.name;
    const attributeNames = columns
      .filter((c) => c.name !== chosen.column_name && c.name !== fid)
      .map((c) => c.name);
    const features: BoundaryFileFeature[] = [];
    let skippedEmpty = 0;
    const rows = db
      .prepare(`SELECT ${fid ? `${quoted(fid)} AS __fid, ` : ''}* FROM ${quoted(chosen.table_name)}`)
      .iterate() as IterableIterator<Record<string, unknown>>;
    let position = 0;
    for (const row of rows) {
      position++;
      const blob = row[chosen.column_name];
      if (!(blob instanceof Uint8Array)) {
        skippedEmpty++;
        continue;
      }
      let geometry: FlatMultiPolygon;
      try {
        geometry = decodeGpkgMultiPolygon(blob).geometry;
      } catch (error) {
        throw notPolygons(file, `a feature that is not a 2D polygon (${(error as Error).message})`);
      }
      if (geometry.length === 0) {
        skippedEmpty++;
        continue;
      }
      const props: Record<string, unknown> = {};
      for (const name of attributeNames) props[name] = row[name];
      features.push({ key: String(row.__fid ?? position), properties: cleanProperties(props), geometry });
    }
    return {
      format: 'gpkg',
      layerName: chosen.table_name,
      crs,
      fields: fieldsOf(features, attributeNames),
      features,
      skippedEmpty,
    };
  } finally {
    db.close();
  }
}

function fgbCrs(header: HeaderMeta | null, file: string): CrsInfo {
  const crs = header?.crs;
  if (!crs) throw noCrs(file, 'names no CRS in its header');
  if (crs.code > 0 && (!crs.org || crs.org.toUpperCase() === 'EPSG')) return crsFromEpsg(crs.code);
  if (crs.wkt) return crsFromText(crs.wkt);
  throw noCrs(file, 'names a CRS without an EPSG code or WKT');
}

async function readFlatGeobuf(file: string): Promise<BoundaryFile> {
  const bytes = readBytes(file);
  let header: HeaderMeta | null = null;
  const list: GeoJsonFeature[] = [];
  try {
    for await (const f of deserializeFgb(bytes, { headerMetaFn: (h) => (header = h) }))
      list.push(f as unknown as GeoJsonFeature);
  } catch (error) {
    throw unreadable(file, `it is not a readable FlatGeobuf: ${(error as Error).message}`, error);
  }
  const crs = fgbCrs(header, file);
  const read = fromGeoJsonFeatures(list, file, (_f, i) => String(i + 1));
  const order = (header as HeaderMeta | null)?.columns?.map((c) => c.name);
  return {
    format: 'flatgeobuf',
    layerName: path.parse(file).name,
    crs,
    fields: fieldsOf(read.features, order),
    ...read,
  };
}

/** Reads a boundary file; `layer` picks a GeoPackage table or a Shapefile inside a zip. */
export async function readBoundaryFile(
  file: string,
  options: { layer?: string } = {},
): Promise<BoundaryFile> {
  const format = formatOf(file);
  const read =
    format === 'geojson'
      ? readGeoJson(file)
      : format === 'shapefile'
        ? readShapefile(file, options.layer)
        : format === 'gpkg'
          ? readGeoPackage(file, options.layer)
          : await readFlatGeobuf(file);
  if (read.features.length === 0)
    throw new ChangeMapError(
      'BOUNDARY_EMPTY',
      `${path.basename(file)} has no polygon with a geometry; pick a layer that holds the boundaries.`,
    );
  return read;
}
