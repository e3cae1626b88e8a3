// Reads a run's change regions from the project store as exports see them: filtered, with provenance (model,
// imagery dates) joined in and the outline in the requested CRS. Read-only: an export never changes a project.

import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import type { ExportRegion } from '../../core/exportFormats/regionAttributes';
import { decodeGpkgMultiPolygon, type FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { normaliseDate } from '../../core/raster/acquisitionDate';
import type { GridSpec } from '../../core/raster/types';
import type { ReviewState } from '../../core/regions/reviewState';
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

interface RegionRow {
  fid: number;
  geom: Uint8Array | null;
  geom_grid: Uint8Array | null;
  run_id: number;
  area_m2: number;
  prob_mean: number;
  prob_max: number;
  centroid_x: number;
  centroid_y: number;
  centroid_lon: number;
  centroid_lat: number;
  from_class: string | null;
  from_conf: number | null;
  to_class: string | null;
  to_conf: number | null;
  review_state: ReviewState;
  note: string;
}

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
  const dates = db.prepare('SELECT role, acquired_at FROM cm_imagery_sets').all() as {
    role: 'before' | 'after';
    acquired_at: string | null;
  }[];
  const dateOf = (role: 'before' | 'after') =>
    normaliseDate(dates.find((d) => d.role === role)?.acquired_at ?? '');
  const grid = gridOf(run.params);
  return {
    runId: run.id,
    modelName: run.model_name,
    modelVersion: run.model_version,
    grid,
    areasInSquareMetres: grid?.crs.units !== 'pixel' || regionPixelSizeM(run.region_settings) !== null,
    beforeDate: dateOf('before'),
    afterDate: dateOf('after'),
    probabilityPath: run.probability_path,
  };
}

function whereClause(runId: number, filters: ExportFilters): { sql: string; params: unknown[] } {
  const clauses = ['run_id = ?'];
  const params: unknown[] = [runId];
  if (filters.reviewStates) {
    clauses.push(`review_state IN (${filters.reviewStates.map(() => '?').join(', ')})`);
    params.push(...filters.reviewStates);
  }
  if (filters.minAreaM2 !== undefined) {
    clauses.push('area_m2 >= ?');
    params.push(filters.minAreaM2);
  }
  if (filters.transitions) {
    const alternatives = filters.transitions.map((t) => {
      const sides: string[] = [];
      for (const [column, value] of [
        ['from_class', t.from],
        ['to_class', t.to],
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
  return blob ? decodeGpkgMultiPolygon(blob).geometry : [];
}

/** The run's regions that pass the filters, largest first, with outlines in the requested CRS. */
export function readExportRegions(
  db: Database.Database,
  run: RunProvenance,
  filters: ExportFilters,
  crs: OutlineCrs,
): ExportRegion[] {
  const where = whereClause(run.runId, filters);
  const rows = db
    .prepare(
      `SELECT fid, geom, geom_grid, run_id, area_m2, prob_mean, prob_max, centroid_x, centroid_y, centroid_lon,
              centroid_lat, from_class, from_conf, to_class, to_conf, review_state, note
       FROM change_regions WHERE ${where.sql} ORDER BY area_m2 DESC, fid`,
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
    centroidLon: row.centroid_lon,
    centroidLat: row.centroid_lat,
    centroidX: row.centroid_x,
    centroidY: row.centroid_y,
    geometry: outlineOf(row, crs),
  }));
}
