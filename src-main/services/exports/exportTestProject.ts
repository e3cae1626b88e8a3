// A small project file for export tests: one run on a UTM 33N grid with regions that exercise every format's
// corner cases (a hole, a multipolygon, rings stored in the "wrong" winding, non-ASCII and CSV-hostile notes,
// a note longer than a DBF text field, missing classes) and a second run whose region must never leak in.

import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import proj4 from 'proj4';
import type { ExportRegion } from '../../core/exportFormats/regionAttributes';
import { encodeGpkgMultiPolygon, type FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { mapPoints, planarArea } from '../../core/geo/rings';
import type { GridSpec } from '../../core/raster/types';
import { GPKG_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, USER_VERSION_BASE } from '../project/schema';

export const UTM33N_PROJ4 = '+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs';

export const TEST_GRID: GridSpec = {
  width: 2000,
  height: 2000,
  geoTransform: [499_000, 3, 0, 5_803_000, 0, -3],
  crs: { code: 'EPSG:32633', name: 'WGS 84 / UTM zone 33N', proj4: UTM33N_PROJ4, units: 'm' },
};

/** A region of the test project: its outline on the grid and the attributes an export carries. */
export type TestRegion = Pick<
  ExportRegion,
  'reviewState' | 'fromClass' | 'fromConf' | 'toClass' | 'toConf' | 'probMean' | 'probMax' | 'note'
> & { grid: FlatMultiPolygon };

function square(x: number, y: number, size: number, clockwise = false): number[] {
  const ccw = [x, y, x + size, y, x + size, y + size, x, y + size, x, y];
  if (!clockwise) return ccw;
  const cw: number[] = [];
  for (let i = ccw.length - 2; i >= 0; i -= 2) cw.push(ccw[i], ccw[i + 1]);
  return cw;
}

export const LONG_NOTE = 'Überschwemmungsfläche an der Straße – '.repeat(10).trim();

export const TEST_REGIONS: TestRegion[] = [
  {
    // Exterior stored clockwise and hole counter-clockwise: both formats must re-wind something.
    grid: [[square(500_000, 5_800_000, 300, true), square(500_100, 5_800_100, 90, false)]],
    reviewState: 'confirmed',
    fromClass: 'forest',
    fromConf: 0.912345678,
    toClass: 'built-up',
    toConf: 0.8765,
    probMean: 0.81234567,
    probMax: 0.99,
    note: 'Baustelle – Straße',
  },
  {
    grid: [[square(501_000, 5_801_000, 120)], [square(501_300, 5_801_000, 60)]],
    reviewState: 'unreviewed',
    fromClass: 'grassland',
    fromConf: 0.7,
    toClass: 'bare soil',
    toConf: 0.65,
    probMean: 0.7,
    probMax: 0.95,
    note: 'He said "ok", fine\nsecond line',
  },
  {
    grid: [[square(502_000, 5_802_000, 30)]],
    reviewState: 'rejected',
    fromClass: null,
    fromConf: null,
    toClass: null,
    toConf: null,
    probMean: 0.55,
    probMax: 0.6,
    note: '',
  },
  {
    grid: [[square(500_500, 5_801_500, 75)]],
    reviewState: 'confirmed',
    fromClass: 'water',
    fromConf: 0.99,
    toClass: 'built-up',
    toConf: 0.51,
    probMean: 0.66,
    probMax: 0.9,
    note: LONG_NOTE,
  },
];

export const MODEL = { name: 'changemap-tiny', version: '1.2.0' };
export const DATES = { before: '2021-06-01T10:00:00Z', after: '2023:07:15 10:30:00' };

export function toWgs84(mp: FlatMultiPolygon): FlatMultiPolygon {
  const convert = proj4(UTM33N_PROJ4, 'EPSG:4326');
  return mapPoints(mp, (x, y) => convert.forward([x, y]) as [number, number]);
}

export interface TestProject {
  dir: string;
  file: string;
  db: Database.Database;
  runId: number;
  otherRunId: number;
  close(): void;
}

function insertRun(db: Database.Database, grid: GridSpec): number {
  const info = db
    .prepare(
      `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, provider_used, params,
       region_settings) VALUES ('done', ?, ?, 'abc123', 'cpu', 'cpu', ?, ?)`,
    )
    .run(
      MODEL.name,
      MODEL.version,
      JSON.stringify({ grid, chunkSize: 8192 }),
      // The settings its regions were found with, as computeRegions saves them.
      JSON.stringify({ threshold: 0.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0 }),
    );
  return Number(info.lastInsertRowid);
}

function insertRegion(db: Database.Database, runId: number, r: TestRegion): void {
  const wgs = toWgs84(r.grid);
  const ext = r.grid[0][0];
  db.prepare(
    `INSERT INTO change_regions (geom, run_id, pixel_count, area_m2, perimeter_m, prob_mean, prob_max, centroid_x,
       centroid_y, centroid_lon, centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, from_class, from_conf,
       to_class, to_conf, review_state, note, geom_grid)
     VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    encodeGpkgMultiPolygon(wgs, 4326),
    runId,
    Math.round(planarArea(r.grid) / 9),
    planarArea(r.grid),
    r.probMean,
    r.probMax,
    ext[0] + 1,
    ext[1] + 1,
    wgs[0][0][0] + 1e-7,
    wgs[0][0][1] + 1e-7,
    r.fromClass,
    r.fromConf,
    r.toClass,
    r.toConf,
    r.reviewState,
    r.note,
    encodeGpkgMultiPolygon(r.grid, 32633),
  );
}

/**
 * A project file in a fresh temporary folder, built with the project schema's migrations (or older ones: a project
 * as an older ChangeMap wrote it).
 */
export function createTestProject(
  grid: GridSpec = TEST_GRID,
  migrations: readonly { sql: string }[] = MIGRATIONS,
): TestProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-export-'));
  const file = path.join(dir, 'project.gpkg');
  const db = new Database(file);
  for (const migration of migrations) db.exec(migration.sql);
  db.prepare('INSERT INTO cm_imagery_sets (role, acquired_at) VALUES (?, ?), (?, ?)').run(
    'before',
    DATES.before,
    'after',
    DATES.after,
  );
  const runId = insertRun(db, grid);
  for (const r of TEST_REGIONS) insertRegion(db, runId, r);
  const otherRunId = insertRun(db, grid);
  insertRegion(db, otherRunId, { ...TEST_REGIONS[0], note: 'other run' });
  return {
    dir,
    file,
    db,
    runId,
    otherRunId,
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Stamps the test project as a ChangeMap project of the latest schema named `name`, so that the app, the command
 * line and the browser host open it (the bare test project is only the tables).
 */
export function stampAsProject(tp: TestProject, name: string): void {
  tp.db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  tp.db.pragma(`user_version = ${USER_VERSION_BASE + LATEST_SCHEMA_VERSION}`);
  tp.db.prepare(`INSERT INTO cm_settings VALUES ('name', ?)`).run(JSON.stringify(name));
}

/**
 * A small file of the kind an export writes (what exportTarget.ts accepts to replace), standing for an earlier
 * export: a GeoJSON FeatureCollection, a zip of Shapefile parts, a GeoPackage, a CSV, a TIFF.
 */
export function writeEarlierExport(
  file: string,
  kind: 'geojson' | 'shapefile' | 'gpkg' | 'csv' | 'geotiff',
): Buffer {
  if (kind === 'gpkg') {
    const db = new Database(file);
    db.pragma('application_id = 1196444487'); // 'GPKG'
    db.exec('CREATE TABLE earlier (id INTEGER PRIMARY KEY)');
    db.close();
    return fs.readFileSync(file);
  }
  const bytes =
    kind === 'geojson'
      ? Buffer.from('{"type":"FeatureCollection","features":[]}')
      : kind === 'shapefile'
        ? Buffer.from(zipSync({ 'earlier.shp': new Uint8Array(100), 'earlier.dbf': new Uint8Array(33) }))
        : kind === 'csv'
          ? Buffer.from('id,run_id,area_m2\r\n1,1,300\r\n')
          : Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0]);
  fs.writeFileSync(file, bytes);
  return bytes;
}
