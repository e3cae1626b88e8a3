// Reads a run's change regions from the project store as exports see them: filtered, with provenance (model,
// imagery dates) joined in and the outline in the requested CRS. Read-only: an export never changes a project.

import { decodeStoredOutline } from '../project/storedValues';
import type { RegionRow as StoredRegionRow } from '../regions/regionRecords';
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import type { ExportRegion } from '../../core/exportFormats/regionAttributes';
import type { FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { normaliseDate } from '../../core/raster/acquisitionDate';
import type { GridSpec } from '../../core/raster/types';
import type { ExportFilters } from '../../ipc/contract';

export interface RunProvenance {
  runId: number;
  modelName: string;
  modelVersion: string;
  grid: GridSpec | null;
  beforeDate: string | null;
  afterDate: string | null;
  probabilityPath: string | null;
  /** False for regions in pixel space found without a pixel size: their areas are in square pixels, not m². */
  areasInSquareMetres: boolean;
}

interface RunRow {
  id: number;
  model_name: string;
  model_version: string;
  params: string;
  probability_path: string | null;
  region_settings: string | null;
}

/** A stored region as an export reads it: the summary columns it needs, its outlines and its boundary feature. */
type RegionRow = Pick<
  StoredRegionRow,
  | 'fid'
  | 'run_id'
  | 'area_m2'
  | 'prob_mean'
  | 'prob_max'
  | 'centroid_x'
  | 'centroid_y'
  | 'centroid_lon'
  | 'centroid_lat'
  | 'from_class'
  | 'from_conf'
  | 'to_class'
  | 'to_conf'
  | 'review_state'
  | 'note'
> & {
  geom: Uint8Array | null;
  geom_grid: Uint8Array | null;
  boundary_id: string | null;
  boundary_name: string | null;
};

/** The pixel size (m) the run's regions were found with in pixel space (computeRegions' pixelSizeM), or null. */
function regionPixelSizeM(settings: string | null): number | null {
  try {
    const size = (JSON.parse(settings ?? '{}') as { pixelSizeM?: unknown }).pixelSizeM;
    return typeof size === 'number' && size > 0 ? size : null;
  } catch {
    return null;
  }
}

function gridOf(params: string): GridSpec | null {
  try {
    const grid = (JSON.parse(params) as { grid?: GridSpec }).grid;
    return grid && typeof grid === 'object' && grid.crs ? grid : null;
  } catch {
    return null;
  }
}

export function readRunProvenance(db: Database.Database, runId: number): RunProvenance {
  const run = db
    .prepare(
      'SELECT id, model_name, model_version, params, probability_path, region_settings FROM cm_runs WHERE id = ?',
    )
    .get(runId) as RunRow | undefined;
  if (!run) throw new ChangeMapError('EXPORT_RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  // The dates the run compared (schema 5), else the before and after dates (a run on a date since removed).
  const runDates = db.prepare('SELECT from_date_id, to_date_id FROM cm_runs WHERE id = ?').get(runId) as
    { from_date_id: number | null; to_date_id: number | null } | undefined;
  const dates = db.prepare('SELECT id, role, acquired_at FROM cm_imagery_sets').all() as {
    id: number;
    role: 'before' | 'after' | null;
    acquired_at: string | null;
  }[];
  const dateOf = (role: 'before' | 'after', id: number | null | undefined) =>
    normaliseDate((dates.find((d) => d.id === id) ?? dates.find((d) => d.role === role))?.acquired_at ?? '');
  const grid = gridOf(run.params);
  return {
    runId: run.id,
    modelName: run.model_name,
    modelVersion: run.model_version,
    grid,
    areasInSquareMetres: grid?.crs.units !== 'pixel' || regionPixelSizeM(run.region_settings) !== null,
    beforeDate: dateOf('before', runDates?.from_date_id),
    afterDate: dateOf('after', runDates?.to_date_id),
    probabilityPath: run.probability_path,
  };
}

function whereClause(runId: number, filters: ExportFilters): { sql: string; params: unknown[] } {
  const clauses = ['r.run_id = ?'];
  const params: unknown[] = [runId];
  if (filters.reviewStates) {
    clauses.push(`r.review_state IN (${filters.reviewStates.map(() => '?').join(', ')})`);
    params.push(...filters.reviewStates);
  }
  if (filters.minAreaM2 !== undefined) {
    clauses.push('r.area_m2 >= ?');
    params.push(filters.minAreaM2);
  }
  if (filters.transitions) {
    const alternatives = filters.transitions.map((t) => {
      const sides: string[] = [];
      for (const [column, value] of [
        ['r.from_class', t.from],
        ['r.to_class', t.to],
      ] as const) {
        if (value === undefined) continue;
        if (value === null) sides.push(`${column} IS NULL`);
        else {
          sides.push(`${column} = ?`);
          params.push(value);
        }
      }
      return sides.length ? `(${sides.join(' AND ')})` : '1';
    });
    clauses.push(`(${alternatives.join(' OR ')})`);
  }
  return { sql: clauses.join(' AND '), params };
}

export type OutlineCrs = 'grid' | 'wgs84';

function outlineOf(row: RegionRow, crs: OutlineCrs): FlatMultiPolygon {
  const blob = crs === 'grid' ? row.geom_grid : row.geom;
  return blob ? decodeStoredOutline(blob).geometry : [];
}

/** The run's regions that pass the filters, largest first, with outlines in the requested CRS. */
export function readExportRegions(
  db: Database.Database,
  run: RunProvenance,
  filters: ExportFilters,
  crs: OutlineCrs,
  /** The boundary layer whose feature each region carries (the one it overlaps most); null: none. */
  boundaryLayerId: number | null = null,
): ExportRegion[] {
  const where = whereClause(run.runId, filters);
  const rows = db
    .prepare(
      `SELECT r.fid, r.geom, r.geom_grid, r.run_id, r.area_m2, r.prob_mean, r.prob_max, r.centroid_x, r.centroid_y,
              r.centroid_lon, r.centroid_lat, r.from_class, r.from_conf, r.to_class, r.to_conf, r.review_state, r.note,
              ${boundaryLayerId === null ? 'NULL AS boundary_id, NULL AS boundary_name' : 'b.feature_key AS boundary_id, b.label AS boundary_name'}
       FROM change_regions r
       ${
         boundaryLayerId === null
           ? ''
           : `LEFT JOIN cm_region_overlaps o ON o.region_fid = r.fid AND o.layer_id = ${Number(boundaryLayerId)}
              AND o.is_largest = 1 LEFT JOIN boundary_features b ON b.fid = o.feature_fid`
       }
       WHERE ${where.sql} ORDER BY r.area_m2 DESC, r.fid`,
    )
    .all(...where.params) as RegionRow[];
  return rows.map((row) => ({
    id: row.fid,
    runId: row.run_id,
    areaM2: run.areasInSquareMetres ? row.area_m2 : null,
    fromClass: row.from_class,
    fromConf: row.from_conf,
    toClass: row.to_class,
    toConf: row.to_conf,
    probMean: row.prob_mean,
    probMax: row.prob_max,
    reviewState: row.review_state,
    note: row.note,
    beforeDate: run.beforeDate,
    afterDate: run.afterDate,
    modelName: run.modelName,
    modelVersion: run.modelVersion,
    boundaryId: row.boundary_id,
    boundaryName: row.boundary_name,
    centroidLon: row.centroid_lon,
    centroidLat: row.centroid_lat,
    centroidX: row.centroid_x,
    centroidY: row.centroid_y,
    geometry: outlineOf(row, crs),
  }));
}
