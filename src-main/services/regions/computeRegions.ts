// Regions of a run: find them in the probability raster (core/regions/findRegions), give them geometry in
// the grid CRS and WGS 84, and replace the run's rows in change_regions, keeping reviews (see carryReviews).
// Runs again, without the model, whenever the threshold, clean-up or minimum area change.
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import { encodeGpkgMultiPolygon, envelopeOf } from '../../core/geo/gpkgGeometry';
import { mapPoints, orientMultiPolygon } from '../../core/geo/rings';
import type { GridSpec } from '../../core/raster/types';
import { findRegions, type RegionSettings } from '../../core/regions/findRegions';
import { geoTransformFn, planarPerimeter } from '../../core/regions/outlineGeometry';
import { pixelToGrid } from '../../core/raster/geoTransform';
import { rowPixelAreas } from '../../core/regions/pixelArea';
import { simplifyOutline } from '../../core/regions/simplifyOutline';
import { gridToMapFn } from '../imagery/crs';
import { arealScaleAt, geodesicPerimeter } from './groundArea';
import { matchReviews, readReviewedRegions } from './carryReviews';
import type { ProbabilityRasterReader } from './probabilityReader';
import { ensureRunRegionLayer } from '../project/runRegionLayers';

type Db = Database.Database;

export interface ComputeRegionsSettings extends RegionSettings {
  /**
   * Imagery without georeference: the ground size of a pixel in metres as the user gave it, or null when unknown
   * (areas are then in square pixels and perimeters in pixels). Ignored for georeferenced grids.
   */
  pixelSizeM?: number | null;
  /** Chunk edge in pixels (default 2048). */
  chunkSize?: number;
  /** Douglas-Peucker tolerance in pixels (default 0.75; 0 keeps the pixel-edge outline). */
  simplifyTolerancePx?: number;
}

export interface ComputeRegionsOptions {
  signal?: AbortSignal;
  onProgress?: (p: { pass: number; done: number; total: number }) => void;
  maxOutlineBitmapBytes?: number;
}

export interface RegionsSummary {
  runId: number;
  regionCount: number;
  totalAreaM2: number;
  /** Regions found but under the minimum area. */
  droppedSmall: number;
  /** Reviews (state or note) carried over from the previous region set. */
  reviewsCarried: number;
  /** Reviews of the previous set that matched no new region (their regions vanished). */
  reviewsDropped: number;
  passes: number;
  millis: number;
  settings: Required<ComputeRegionsSettings>;
}

/** GeoPackage srs_id of a grid's outlines: its EPSG code, or -1 (undefined Cartesian SRS) in pixel space. */
function srsIdOf(grid: GridSpec): number {
  const m = /^EPSG:(\d+)$/.exec(grid.crs.code ?? '');
  return m ? Number(m[1]) : -1;
}

export async function computeRegions(
  db: Db,
  runId: number,
  reader: ProbabilityRasterReader,
  settings: ComputeRegionsSettings,
  options: ComputeRegionsOptions = {},
): Promise<RegionsSummary> {
  const started = performance.now();
  const full: Required<ComputeRegionsSettings> = {
    chunkSize: 2048,
    simplifyTolerancePx: 0.75,
    pixelSizeM: null,
    ...settings,
  };
  if (!db.prepare('SELECT 1 FROM cm_runs WHERE id = ?').get(runId))
    throw new ChangeMapError('RUN_NOT_FOUND', `There is no run number ${runId} in this project.`);
  const grid = reader.grid;
  // Map coordinates: WGS 84 lon/lat, or the grid's own pixel coordinates for imagery without georeference.
  const toLonLat = gridToMapFn(grid.crs);
  const toGrid = geoTransformFn(grid.geoTransform);
  const geographic = grid.crs.units === 'degree';
  const pixelSpace = grid.crs.code === null;
  const srsId = srsIdOf(grid);
  // Projected grids: planar pixel areas times the projection's areal scale (at the scene centre for the
  // minimum-area filter, then at each region's centroid for its stored area). Pixel space: the user's pixel size
  // squared, or 1 (square pixels) without one.
  const planarPixelArea = Math.abs(
    grid.geoTransform[1] * grid.geoTransform[5] - grid.geoTransform[2] * grid.geoTransform[4],
  );
  const pixelLength = pixelSpace ? (full.pixelSizeM ?? 1) : 1;
  const sceneCentre = pixelToGrid(grid.geoTransform, grid.width / 2, grid.height / 2);
  const projectedScale = (x: number, y: number): number =>
    pixelSpace
      ? pixelLength * pixelLength
      : arealScaleAt(toLonLat, x, y, Math.max(50, 64 * Math.sqrt(planarPixelArea)));
  const rowAreas = rowPixelAreas(grid);
  if (!geographic) rowAreas.fill(planarPixelArea * projectedScale(sceneCentre[0], sceneCentre[1]));

  const found = await findRegions(
    {
      width: grid.width,
      height: grid.height,
      nodata: reader.nodata,
      rowPixelArea: rowAreas,
      readWindow: (w) => reader.readWindow(w),
    },
    full,
    {
      chunkSize: full.chunkSize,
      signal: options.signal,
      onProgress: options.onProgress,
      maxOutlineBitmapBytes: options.maxOutlineBitmapBytes,
    },
  );

  const reviews = matchReviews(readReviewedRegions(db, runId, grid), found.regions);
  const insert =
    db.prepare(`INSERT INTO change_regions (geom, run_id, pixel_count, area_m2, perimeter_m, prob_mean,
    prob_max, centroid_x, centroid_y, centroid_lon, centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y,
    geom_grid, review_state, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  let totalArea = 0;
  let lonMin = Infinity;
  let lonMax = -Infinity;
  let latMin = Infinity;
  let latMax = -Infinity;
  const write = db.transaction(() => {
    db.prepare('DELETE FROM change_regions WHERE run_id = ?').run(runId);
    for (let i = 0; i < found.regions.length; i++) {
      const r = found.regions[i];
      const review = reviews.byRegion.get(i);
      const pixelOutline = simplifyOutline(r.outline, full.simplifyTolerancePx);
      // Shells counter-clockwise, holes clockwise (the OGC / GeoJSON right-hand rule) in x-east, y-north axes.
      const gridOutline = orientMultiPolygon(mapPoints(pixelOutline, toGrid), 'ccw');
      const lonLat = mapPoints(gridOutline, toLonLat);
      const env = envelopeOf(lonLat);
      lonMin = Math.min(lonMin, env.minX);
      lonMax = Math.max(lonMax, env.maxX);
      latMin = Math.min(latMin, env.minY);
      latMax = Math.max(latMax, env.maxY);
      const [cx, cy] = pixelToGrid(grid.geoTransform, r.centreX, r.centreY);
      const [lon, lat] = toLonLat(cx, cy);
      const genv = envelopeOf(gridOutline);
      const areaM2 = geographic ? r.areaM2 : r.pixelCount * planarPixelArea * projectedScale(cx, cy);
      totalArea += areaM2;
      insert.run(
        encodeGpkgMultiPolygon(lonLat, pixelSpace ? -1 : 4326),
        runId,
        r.pixelCount,
        areaM2,
        geographic ? geodesicPerimeter(lonLat) : planarPerimeter(gridOutline) * pixelLength,
        r.probMean,
        r.probMax,
        cx,
        cy,
        lon,
        lat,
        genv.minX,
        genv.minY,
        genv.maxX,
        genv.maxY,
        encodeGpkgMultiPolygon(gridOutline, srsId),
        review?.state ?? 'unreviewed',
        review?.note ?? '',
      );
    }
    // The layer's extent is in WGS 84; regions in pixel space have none there.
    if (found.regions.length > 0 && !pixelSpace)
      db.prepare(
        `UPDATE gpkg_contents SET min_x = MIN(COALESCE(min_x, @x0), @x0), min_y = MIN(COALESCE(min_y, @y0), @y0),
         max_x = MAX(COALESCE(max_x, @x1), @x1), max_y = MAX(COALESCE(max_y, @y1), @y1),
         last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'change_regions'`,
      ).run({ x0: lonMin, y0: latMin, x1: lonMax, y1: latMax });
    // The run's own layer: WGS 84, or the undefined Cartesian SRS with pixel coordinates in pixel space.
    ensureRunRegionLayer(
      db,
      runId,
      pixelSpace ? -1 : 4326,
      found.regions.length > 0 ? { minX: lonMin, minY: latMin, maxX: lonMax, maxY: latMax } : null,
    );
    const hasSettingsColumn = (db.prepare('PRAGMA table_info(cm_runs)').all() as { name: string }[]).some(
      (c) => c.name === 'region_settings',
    );
    if (hasSettingsColumn)
      db.prepare('UPDATE cm_runs SET region_settings = ? WHERE id = ?').run(JSON.stringify(full), runId);
  });
  write();
  return {
    runId,
    regionCount: found.regions.length,
    totalAreaM2: totalArea,
    droppedSmall: found.droppedSmall,
    reviewsCarried: reviews.carried,
    reviewsDropped: reviews.dropped,
    passes: found.passes,
    millis: performance.now() - started,
    settings: full,
  };
}
