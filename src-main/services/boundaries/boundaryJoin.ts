// Joins a run's change regions to a boundary layer and stores every overlap (cm_region_overlaps), marking the
// feature each region overlaps most. Features are reprojected from WGS 84 to the run's grid CRS, where the regions'
// outlines live (geom_grid), and clipped exactly there (core/boundaries/joinRegions); overlaps become m² with the
// region's own areal scale (regions/groundArea regionAreaScale). The clipping yields to the event loop between
// batches, so the services process keeps answering and reports progress on large layers.
import type Database from 'better-sqlite3';
import { joinRegionsToFeatures, type JoinFeature, type JoinRegion } from '../../core/boundaries/joinRegions';
import { ChangeMapError } from '../../core/errors';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { mapPoints } from '../../core/geo/rings';
import type { GridSpec } from '../../core/raster/types';
import type { BoundaryJoinState, BoundaryJoinSummary } from '../../ipc/contract';
import { gridToMapFn, mapToGridFn } from '../imagery/crs';
import { regionAreaScale } from '../regions/groundArea';
import { getBoundaryLayer } from './boundaryLayers';

type Db = Database.Database;

/** What a join was made from: the run's regions change (new threshold, new run of regions) and the stamp with them. */
export function regionsStamp(db: Db, runId: number): string {
  const row = db
    .prepare('SELECT COUNT(*) AS n, COALESCE(MAX(fid), 0) AS maxFid FROM change_regions WHERE run_id = ?')
    .get(runId) as { n: number; maxFid: number };
  return `${row.n}:${row.maxFid}`;
}

export function joinState(db: Db, layerId: number, runId: number): BoundaryJoinState | null {
  const row = db
    .prepare('SELECT regions_stamp, joined_at FROM cm_boundary_joins WHERE layer_id = ? AND run_id = ?')
    .get(layerId, runId) as { regions_stamp: string; joined_at: string } | undefined;
  return row ? { joinedAt: row.joined_at, current: row.regions_stamp === regionsStamp(db, runId) } : null;
}

/** The layer most recently joined to a run (the default of exports' boundary attributes), or null. */
export function lastJoinedLayer(db: Db, runId: number): number | null {
  const row = db
    .prepare(
      'SELECT layer_id FROM cm_boundary_joins WHERE run_id = ? ORDER BY joined_at DESC, layer_id DESC LIMIT 1',
    )
    .get(runId) as { layer_id: number } | undefined;
  return row?.layer_id ?? null;
}

/** The run's analysis grid, georeferenced, or a clear refusal. */
export function joinGrid(db: Db, runId: number): GridSpec {
  const run = db.prepare('SELECT params FROM cm_runs WHERE id = ?').get(runId) as
    { params: string } | undefined;
  if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  let grid: GridSpec | undefined;
  try {
    grid = (JSON.parse(run.params) as { grid?: GridSpec }).grid;
  } catch {
    grid = undefined;
  }
  if (!grid?.crs)
    throw new ChangeMapError('RUN_NOT_FOUND', `Run ${runId} has no analysis grid yet; run it first.`);
  if (!grid.crs.code)
    throw new ChangeMapError(
      'BOUNDARY_NO_GEOREFERENCE',
      `Run ${runId}'s imagery has no georeference, so boundaries cannot be placed on it; use georeferenced imagery.`,
    );
  return grid;
}

/** The grid's outline in WGS 84 as a bounding box (its border sampled, since projections bend it), padded. */
function gridLonLatBox(grid: GridSpec): [number, number, number, number] {
  const toLonLat = gridToMapFn(grid.crs);
  const [x0, a, b, y0, c, d] = grid.geoTransform;
  let box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const steps = 16;
  for (let i = 0; i <= steps; i++)
    for (const [u, v] of [
      [i / steps, 0],
      [i / steps, 1],
      [0, i / steps],
      [1, i / steps],
    ]) {
      const px = u * grid.width;
      const py = v * grid.height;
      const [lon, lat] = toLonLat(x0 + px * a + py * b, y0 + px * c + py * d);
      box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
    }
  const pad = 0.01 * Math.max(box[2] - box[0], box[3] - box[1]);
  return [box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad];
}

export interface JoinBoundaryOptions {
  signal?: AbortSignal;
  /** 0..1 of the regions clipped. */
  onProgress?: (fraction: number) => void;
}

export async function joinBoundaryLayer(
  db: Db,
  layerId: number,
  runId: number,
  options: JoinBoundaryOptions = {},
): Promise<BoundaryJoinSummary> {
  const started = performance.now();
  getBoundaryLayer(db, layerId);
  const grid = joinGrid(db, runId);
  const stamp = regionsStamp(db, runId);

  const regionRows = db
    .prepare(
      'SELECT fid, geom_grid, area_m2, pixel_count, centroid_y FROM change_regions WHERE run_id = ? AND geom_grid IS NOT NULL',
    )
    .all(runId) as {
    fid: number;
    geom_grid: Uint8Array;
    area_m2: number;
    pixel_count: number;
    centroid_y: number;
  }[];
  const regions: JoinRegion[] = regionRows.map((r) => ({
    fid: r.fid,
    geometry: decodeGpkgMultiPolygon(r.geom_grid).geometry,
    areaScale: regionAreaScale(grid, {
      areaM2: r.area_m2,
      pixelCount: r.pixel_count,
      centroidY: r.centroid_y,
    }),
  }));

  // Only features near the grid are reprojected and indexed.
  const [minLon, minLat, maxLon, maxLat] = gridLonLatBox(grid);
  const featureRows = db
    .prepare(
      `SELECT fid, geom FROM boundary_features WHERE layer_id = ? AND bbox_max_lon >= ? AND bbox_max_lat >= ?
       AND bbox_min_lon <= ? AND bbox_min_lat <= ?`,
    )
    .all(layerId, minLon, minLat, maxLon, maxLat) as { fid: number; geom: Uint8Array }[];
  const toGrid = mapToGridFn(grid.crs);
  const features: JoinFeature[] = featureRows.map((f) => ({
    id: f.fid,
    geometry: mapPoints(decodeGpkgMultiPolygon(f.geom).geometry, toGrid),
  }));

  const overlaps = await joinRegionsToFeatures(features, regions, {
    signal: options.signal,
    onProgress: (done, total) => options.onProgress?.(total > 0 ? done / total : 1),
  });

  const insert = db.prepare(
    'INSERT INTO cm_region_overlaps (region_fid, feature_fid, layer_id, run_id, overlap_m2, is_largest) VALUES (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    // The regions may have changed while the join ran (the services process kept answering): then it is refused.
    if (regionsStamp(db, runId) !== stamp)
      throw new ChangeMapError(
        'BOUNDARY_JOIN_STALE',
        `Run ${runId}'s regions changed while they were being joined; join again.`,
      );
    db.prepare('DELETE FROM cm_region_overlaps WHERE layer_id = ? AND run_id = ?').run(layerId, runId);
    for (const o of overlaps)
      insert.run(o.regionFid, o.featureId, layerId, runId, o.overlapM2, o.largest ? 1 : 0);
    db.prepare(
      `INSERT INTO cm_boundary_joins (layer_id, run_id, regions_stamp) VALUES (?, ?, ?)
       ON CONFLICT (layer_id, run_id) DO UPDATE SET regions_stamp = excluded.regions_stamp,
       joined_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    ).run(layerId, runId, stamp);
  })();
  return {
    layerId,
    runId,
    features: features.length,
    regionsJoined: overlaps.filter((o) => o.largest).length,
    regionsTotal: regions.length,
    seconds: (performance.now() - started) / 1000,
  };
}
