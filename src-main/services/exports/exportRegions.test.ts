import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import shp from 'shpjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChangeMapError } from '../../core/errors';
import { utf8Prefix } from '../../core/exportFormats/dbf';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { isCounterClockwise, planarArea } from '../../core/geo/rings';
import { REVIEW_STATES } from '../../core/regions/reviewState';
import { exportRegionsRequest, requests, type Request } from '../../ipc/contract';
import { nodeFileOps } from '../fileSafety/atomicWrite';
import { exportRegions } from './exportRegions';
import {
  createTestProject,
  LONG_NOTE,
  TEST_GRID,
  writeEarlierExport,
  type TestProject,
} from './exportTestProject';
import {
  canValidateGeoPackage,
  gdalFeatures,
  gdalFieldTypes,
  gdalLayerSummary,
  gdalSql,
  validateGeoPackage,
} from './gdalProbe';

type ExportRegionsRequest = Request<'export:regions'>;

interface StoreRow {
  fid: number;
  run_id: number;
  area_m2: number;
  from_class: string | null;
  from_conf: number | null;
  to_class: string | null;
  to_conf: number | null;
  prob_mean: number;
  prob_max: number;
  review_state: string;
  note: string;
  centroid_lon: number;
  centroid_lat: number;
  centroid_x: number;
  centroid_y: number;
  geom: Uint8Array;
  geom_grid: Uint8Array;
}

let project: TestProject;
let store: Map<number, StoreRow>;
let outDir: string;
let counter = 0;

beforeAll(() => {
  project = createTestProject();
  const rows = project.db
    .prepare('SELECT * FROM change_regions WHERE run_id = ?')
    .all(project.runId) as StoreRow[];
  store = new Map(rows.map((r) => [r.fid, r]));
});
afterAll(() => project.close());
beforeEach(() => {
  outDir = path.join(project.dir, `out${counter++}`);
  fs.mkdirSync(outDir);
});

function request(
  format: ExportRegionsRequest['format'],
  name: string,
  extra: Partial<ExportRegionsRequest> = {},
) {
  // Every review state unless a test says otherwise (the request's default leaves rejected regions out).
  const filters = { reviewStates: [...REVIEW_STATES], ...extra.filters };
  return { runId: project.runId, format, out: path.join(outDir, name), ...extra, filters };
}

/** Attributes every format must carry, keyed by the store's column, with the export's name for it. */
const LONG_NAMES = {
  run_id: 'run_id',
  area_m2: 'area_m2',
  from_class: 'from_class',
  from_conf: 'from_conf',
  to_class: 'to_class',
  to_conf: 'to_conf',
  prob_mean: 'prob_mean',
  prob_max: 'prob_max',
  review_state: 'review_state',
  note: 'note',
} as const;
const SHAPEFILE_NAMES = { ...LONG_NAMES, review_state: 'review' } as const;

type Decimals = Partial<Record<keyof typeof LONG_NAMES, number>>;
const SHAPEFILE_DECIMALS: Decimals = { area_m2: 2, from_conf: 6, to_conf: 6, prob_mean: 6, prob_max: 6 };

/**
 * Compares a feature's attributes with the store's row; numbers to the decimals a format keeps. nullText '' says
 * the format has no null for text (DBF, CSV), so null and '' are the same there.
 */
function expectAttributesMatch(
  props: Record<string, unknown>,
  row: StoreRow,
  names: Record<keyof typeof LONG_NAMES, string>,
  decimals: Decimals = {},
  nullText: string | null = null,
) {
  for (const [column, name] of Object.entries(names) as [keyof typeof LONG_NAMES, string][]) {
    const expected = row[column];
    const actual = props[name];
    if (typeof expected === 'number') {
      const places = decimals[column];
      if (places === undefined) expect(Number(actual), name).toBe(expected);
      else expect(Number(actual), name).toBeCloseTo(expected, places);
    } else if (nullText === '' && (expected === null || expected === '')) {
      // DBF and CSV cannot tell an empty text from a missing one; GDAL reads either as null, '' or unset
      expect([null, '', undefined], `${name} empty`).toContain(actual);
    } else if (expected === null) {
      expect(actual, `${name} null`).toBeNull();
    } else {
      expect(actual, name).toBe(expected);
    }
  }
}

function expectProvenance(
  props: Record<string, unknown>,
  names = { before: 'before_date', after: 'after_date', model: 'model_name', version: 'model_version' },
) {
  expect(props[names.before]).toBe('2021-06-01');
  expect(props[names.after]).toBe('2023-07-15');
  expect(props[names.model]).toBe('changemap-tiny');
  expect(props[names.version]).toBe('1.2.0');
}

function ringsOf(geometry: { type: string; coordinates: unknown } | null): number[][][][] {
  if (!geometry) return [];
  const c = geometry.coordinates as number[][][] | number[][][][];
  return geometry.type === 'Polygon' ? [c as number[][][]] : (c as number[][][][]);
}

function expectOutlineMatches(geometry: GdalFeatureGeometry, blob: Uint8Array, digits: number) {
  const expected = decodeGpkgMultiPolygon(blob).geometry;
  const actual = ringsOf(geometry).map((p) => p.map((r) => r.flat()));
  expect(actual.map((p) => p.length)).toEqual(expected.map((p) => p.length));
  expect(planarArea(actual)).toBeCloseTo(planarArea(expected), digits);
}
type GdalFeatureGeometry = { type: string; coordinates: unknown } | null;

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function failure(promise: Promise<unknown>): Promise<ChangeMapError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChangeMapError);
    return error as ChangeMapError;
  }
  throw new Error('expected the export to fail');
}

const VALIDITY_SQL = (layer: string, column = 'geometry') =>
  `SELECT count(*) AS n, sum(NOT ST_IsValid(${column})) AS invalid, sum(ST_IsPolygonCCW(${column})) AS ccw,
          sum(ST_IsPolygonCW(${column})) AS cw FROM "${layer}"`;

describe('GeoJSON export', () => {
  it('opens in GDAL as WGS 84 with valid right-hand-rule polygons and the store’s attributes', async () => {
    const result = await exportRegions(project.db, request('geojson', 'regions.geojson'));
    expect(result).toEqual({ path: path.join(outDir, 'regions.geojson'), featureCount: 4 });
    const summary = gdalLayerSummary(result.path);
    expect(summary.featureCount).toBe(4);
    expect(summary.epsg).toBe(4326);
    expect(gdalSql(result.path, VALIDITY_SQL('regions'))[0]).toEqual({ n: 4, invalid: 0, ccw: 4, cw: 0 });

    const features = gdalFeatures(result.path);
    expect(features.map((f) => f.properties.id).sort()).toEqual([...store.keys()].sort());
    for (const f of features) {
      const row = store.get(f.properties.id as number)!;
      expectAttributesMatch(f.properties, row, LONG_NAMES);
      expectProvenance(f.properties);
      expectOutlineMatches(f.geometry, row.geom, 12);
    }
    // RFC 7946: no crs member, and ring winding checked on our own bytes too (GDAL may normalise on read)
    const raw = JSON.parse(fs.readFileSync(result.path, 'utf8'));
    expect(raw.crs).toBeUndefined();
    const withHole = raw.features.find((f: { id: number }) => f.id === 1);
    const [exterior, hole] = withHole.geometry.coordinates[0] as number[][][];
    expect(isCounterClockwise(exterior.flat())).toBe(true);
    expect(isCounterClockwise(hole.flat())).toBe(false);
  });

  it('refuses the grid CRS (RFC 7946 is WGS 84 only) without writing anything', async () => {
    const error = await failure(exportRegions(project.db, request('geojson', 'x.geojson', { crs: 'grid' })));
    expect(error.code).toBe('EXPORT_CRS_UNSUPPORTED');
    expect(fs.readdirSync(outDir)).toEqual([]);
  });
});

describe('Shapefile export', () => {
  for (const crs of ['wgs84', 'grid'] as const) {
    it(`opens in GDAL from the zip in ${crs}, clockwise exteriors, attributes and UTF-8 intact`, async () => {
      const result = await exportRegions(project.db, request('shapefile', 'regions.zip', { crs }));
      expect(result.featureCount).toBe(4);
      const source = `/vsizip/${result.path}`;
      const summary = gdalLayerSummary(source);
      expect(summary.featureCount).toBe(4);
      expect(summary.epsg).toBe(crs === 'grid' ? 32633 : 4326);
      expect(gdalSql(source, VALIDITY_SQL('regions'))[0]).toEqual({ n: 4, invalid: 0, ccw: 0, cw: 4 });

      const features = gdalFeatures(source);
      expect(features.map((f) => f.properties.id).sort()).toEqual([...store.keys()].sort());
      for (const f of features) {
        const row = store.get(f.properties.id as number)!;
        // Cut to 254 UTF-8 bytes at a character boundary; GDAL trims the DBF's space padding (and so a trailing space)
        const cut = new TextDecoder().decode(utf8Prefix(LONG_NOTE, 254)).trimEnd();
        const expected = row.note === LONG_NOTE ? { ...row, note: cut } : row;
        expectAttributesMatch(f.properties, expected, SHAPEFILE_NAMES, SHAPEFILE_DECIMALS, '');
        expectProvenance(f.properties, {
          before: 'before_dt',
          after: 'after_dt',
          model: 'model_name',
          version: 'model_ver',
        });
        expectOutlineMatches(f.geometry, crs === 'grid' ? row.geom_grid : row.geom, crs === 'grid' ? 6 : 12);
      }
      expect(features.find((f) => f.properties.id === 1)!.properties.note).toBe('Baustelle – Straße');
    });
  }

  it('round-trips through shpjs (which reprojects the grid CRS back to WGS 84 from the .prj)', async () => {
    const result = await exportRegions(project.db, request('shapefile', 'regions.zip', { crs: 'grid' }));
    const fc = (await shp(fs.readFileSync(result.path))) as unknown as {
      features: { properties: Record<string, unknown>; geometry: GdalFeatureGeometry }[];
    };
    expect(fc.features).toHaveLength(4);
    for (const f of fc.features) {
      const row = store.get(f.properties.id as number)!;
      expect(f.properties.review).toBe(row.review_state);
      expect(f.properties.area_m2).toBeCloseTo(row.area_m2, 2);
      // shpjs gives back WGS 84: the same outline as the store's geom, to well under a millimetre
      expectOutlineMatches(f.geometry, row.geom, 14);
    }
    expect(fc.features.find((f) => f.properties.id === 1)!.properties.note).toBe('Baustelle – Straße');
  });
});

describe('GeoPackage export', () => {
  for (const crs of ['wgs84', 'grid'] as const) {
    it(`is a new GeoPackage with the change_regions layer in ${crs}`, async () => {
      const result = await exportRegions(project.db, request('gpkg', 'regions.gpkg', { crs }));
      const summary = gdalLayerSummary(result.path, 'change_regions');
      expect(summary).toEqual({
        featureCount: 4,
        geometryType: 'Multi Polygon',
        epsg: crs === 'grid' ? 32633 : 4326,
      });
      // GDAL runs SQL on a GeoPackage natively, so the geometry column keeps its own name
      expect(gdalSql(result.path, VALIDITY_SQL('change_regions', 'geom'))[0]).toEqual({
        n: 4,
        invalid: 0,
        ccw: 4,
        cw: 0,
      });
      const features = gdalFeatures(result.path, 'change_regions');
      for (const f of features) {
        const row = store.get(f.properties.id as number)!;
        expectAttributesMatch(f.properties, row, LONG_NAMES);
        expectProvenance(f.properties);
        expectOutlineMatches(f.geometry, crs === 'grid' ? row.geom_grid : row.geom, crs === 'grid' ? 6 : 12);
      }
      expect(fs.readdirSync(outDir)).toEqual(['regions.gpkg']);
    });
  }

  it.skipIf(!canValidateGeoPackage)('passes GDAL’s GeoPackage validator (validate_gpkg.py)', async () => {
    const result = await exportRegions(project.db, request('gpkg', 'regions.gpkg', { crs: 'grid' }));
    expect(() => validateGeoPackage(result.path)).not.toThrow();
  });
});

describe('CSV export', () => {
  it('writes centroids, area and attributes GDAL reads back, with valid WKT outlines when asked', async () => {
    const result = await exportRegions(project.db, request('csv', 'regions.csv', { includeWkt: true }));
    expect(gdalLayerSummary(result.path).featureCount).toBe(4);
    expect(gdalSql(result.path, VALIDITY_SQL('regions'))[0]).toEqual({ n: 4, invalid: 0, ccw: 4, cw: 0 });
    for (const f of gdalFeatures(result.path)) {
      const row = store.get(Number(f.properties.id))!;
      expectAttributesMatch(f.properties, row, LONG_NAMES, {}, '');
      expectProvenance(f.properties);
      expect(Number(f.properties.centroid_lon)).toBe(row.centroid_lon);
      expect(Number(f.properties.centroid_lat)).toBe(row.centroid_lat);
      expectOutlineMatches(f.geometry, row.geom, 12);
    }
  });

  it('writes a .csvt beside it, so GDAL (and QGIS) read numbers, dates and the outline with their types', async () => {
    const result = await exportRegions(project.db, request('csv', 'typed.csv', { includeWkt: true }));
    expect(fs.readdirSync(outDir).sort()).toEqual(['typed.csv', 'typed.csvt']);
    expect(gdalFieldTypes(result.path)).toMatchObject({
      id: 'Integer',
      run_id: 'Integer',
      area_m2: 'Real',
      from_class: 'String',
      from_conf: 'Real',
      review_state: 'String',
      before_date: 'Date',
      after_date: 'Date',
      centroid_lon: 'Real',
      centroid_lat: 'Real',
    });
    // The outline stays the layer's geometry (GDAL finds the "wkt" column by its name).
    expect(gdalFeatures(result.path).map((f) => f.geometry?.type)).toEqual(Array(4).fill('MultiPolygon'));
  });

  it('uses grid centroids in the grid CRS and leaves WKT out unless asked', async () => {
    const result = await exportRegions(project.db, request('csv', 'regions.csv', { crs: 'grid' }));
    const header = fs.readFileSync(result.path, 'utf8').split('\r\n')[0];
    expect(header.endsWith('centroid_x,centroid_y')).toBe(true);
    expect(header).not.toContain('wkt');
    const first = gdalFeatures(result.path).find((f) => f.properties.id === 1)!;
    expect(Number(first.properties.centroid_x)).toBe(store.get(1)!.centroid_x);
  });
});

describe('filters', () => {
  async function idsFor(filters: ExportRegionsRequest['filters']): Promise<number[]> {
    const result = await exportRegions(project.db, request('geojson', `f${counter++}.geojson`, { filters }));
    const ids = JSON.parse(fs.readFileSync(result.path, 'utf8')).features.map((f: { id: number }) => f.id);
    expect(result.featureCount).toBe(ids.length);
    return ids.sort();
  }

  it('keeps only confirmed, a minimum area, or chosen transitions', async () => {
    expect(await idsFor({})).toEqual([1, 2, 3, 4]);
    expect(await idsFor({ reviewStates: ['confirmed'] })).toEqual([1, 4]);
    expect(await idsFor({ minAreaM2: 6000 })).toEqual([1, 2]);
    expect(await idsFor({ transitions: [{ to: 'built-up' }] })).toEqual([1, 4]);
    expect(
      await idsFor({ transitions: [{ from: 'forest', to: 'built-up' }, { from: 'grassland' }] }),
    ).toEqual([1, 2]);
    expect(await idsFor({ transitions: [{ from: null }] })).toEqual([3]);
    expect(await idsFor({ reviewStates: ['confirmed'], minAreaM2: 6000 })).toEqual([1]);
  });

  it('exports the other run’s regions only for that run', async () => {
    const result = await exportRegions(project.db, {
      ...request('geojson', 'other.geojson'),
      runId: project.otherRunId,
    });
    const notes = JSON.parse(fs.readFileSync(result.path, 'utf8')).features.map(
      (f: { properties: { note: string } }) => f.properties.note,
    );
    expect(notes).toEqual(['other run']);
  });
});

describe('the request', () => {
  it('is the API contract’s: the service takes "gpkg" as the dialog and the command line send it', async () => {
    expect(exportRegionsRequest).toBe(requests['export:regions']);
    const result = await exportRegions(project.db, request('gpkg', 'same.gpkg'));
    expect(gdalLayerSummary(result.path, 'change_regions').featureCount).toBe(4);
    const old = { ...request('gpkg', 'old.gpkg'), format: 'geopackage' } as unknown as ExportRegionsRequest;
    expect((await failure(exportRegions(project.db, old))).code).toBe('EXPORT_BAD_REQUEST');
  });

  it('leaves rejected regions out when it names no review states, as the dialog and the command line do', async () => {
    const out = path.join(outDir, 'default.geojson');
    const result = await exportRegions(project.db, { runId: project.runId, format: 'geojson', out });
    const ids = JSON.parse(fs.readFileSync(out, 'utf8')).features.map((f: { id: number }) => f.id);
    expect(ids).toEqual([1, 2, 4]);
    expect(result.featureCount).toBe(3);
  });

  it('gives a Shapefile the .zip extension GIS tools know it by, whoever calls', async () => {
    const result = await exportRegions(project.db, request('shapefile', 'regions'));
    expect(result.path).toBe(path.join(outDir, 'regions.zip'));
    expect(fs.readdirSync(outDir)).toEqual(['regions.zip']);
  });
});

describe('failures lose nothing', () => {
  const formats = [
    ['geojson', 'r.geojson'],
    ['shapefile', 'r.zip'],
    ['gpkg', 'r.gpkg'],
    ['csv', 'r.csv'],
  ] as const;

  it('refuses to replace an existing file unless overwrite is set', async () => {
    const target = path.join(outDir, 'r.gpkg');
    const earlier = writeEarlierExport(target, 'gpkg');
    const error = await failure(exportRegions(project.db, request('gpkg', 'r.gpkg')));
    expect(error.code).toBe('EXPORT_EXISTS');
    expect(fs.readFileSync(target)).toEqual(earlier);
    await exportRegions(project.db, request('gpkg', 'r.gpkg', { overwrite: target }));
    expect(gdalLayerSummary(target, 'change_regions').featureCount).toBe(4);
  });

  for (const [format, name] of formats) {
    it(`${format}: a full disk leaves the old file, no temporary file and an unchanged project`, async () => {
      const target = path.join(outDir, name);
      const earlier = writeEarlierExport(target, format);
      const projectBefore = sha256(project.file);
      let writes = 0;
      const write = async (handle: fs.promises.FileHandle, bytes: Uint8Array) => {
        writes++;
        // Half the bytes land, then the disk is full: a real partial temporary file exists when it fails.
        await nodeFileOps.write(handle, bytes.subarray(0, bytes.length >> 1));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      const error = await failure(
        exportRegions(project.db, request(format, name, { overwrite: target }), { fileOps: { write } }),
      );
      expect(writes).toBe(1);
      expect(error.code).toBe('EXPORT_DISK_FULL');
      expect(error.message).toContain(name);
      expect(fs.readdirSync(outDir)).toEqual([name]);
      expect(fs.readFileSync(target)).toEqual(earlier);
      expect(sha256(project.file)).toBe(projectBefore);
    });
  }

  it('a folder without write permission gives EXPORT_NO_PERMISSION and leaves nothing', async () => {
    const open = async (file: string, flags: string) => {
      if (flags === 'wx') throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return nodeFileOps.open(file, flags);
    };
    const error = await failure(
      exportRegions(project.db, request('shapefile', 'r.zip'), { fileOps: { open } }),
    );
    expect(error.code).toBe('EXPORT_NO_PERMISSION');
    expect(error.message).toMatch(/permission/);
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it('a missing folder, an unknown run, a bad request and a grid without EPSG code each get their own code', async () => {
    expect((await failure(exportRegions(project.db, request('csv', 'no/such/r.csv')))).code).toBe(
      'EXPORT_FOLDER_MISSING',
    );
    expect((await failure(exportRegions(project.db, { ...request('csv', 'r.csv'), runId: 999 }))).code).toBe(
      'EXPORT_RUN_NOT_FOUND',
    );
    const bad = { ...request('csv', 'r.csv'), format: 'kml' } as unknown as ExportRegionsRequest;
    expect((await failure(exportRegions(project.db, bad))).code).toBe('EXPORT_BAD_REQUEST');

    const custom = createTestProject({
      ...TEST_GRID,
      crs: { code: null, name: 'Local grid', proj4: '+proj=tmerc', units: 'm' },
    });
    try {
      const out = path.join(custom.dir, 'r.zip');
      const error = await failure(
        exportRegions(custom.db, { runId: custom.runId, format: 'shapefile', out, crs: 'grid' }),
      );
      expect(error.code).toBe('EXPORT_CRS_UNKNOWN');
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      custom.close();
    }
  });
});
