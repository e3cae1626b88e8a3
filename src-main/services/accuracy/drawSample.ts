// Draws a stratified random sample of pixels from a run (Olofsson et al. 2014, section 4.1): stratum "changed" is
// the pixels whose centre lies inside one of the run's region outlines, "unchanged" every other valid pixel
// (nodata left out of both).
// Sampling is without replacement and seeded, so one seed over the same regions gives the same points.
import type Database from 'better-sqlite3';
import Flatbush from 'flatbush';
import {
  DEFAULT_SAMPLE_DESIGN,
  STRATA,
  type SampleDesign,
  type Stratum,
} from '../../core/accuracy/changeAccuracy';
import { allocateSample, sampleSizeForTargetError } from '../../core/accuracy/olofsson';
import { ChangeMapError } from '../../core/errors';
import { decodeGpkgMultiPolygon, envelopeOf, type FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { mapPoints, pointInRing } from '../../core/geo/rings';
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import { countInside, rasterizeOutline } from '../../core/regions/rasterizeOutline';
import { gridToPixel, pixelToGrid } from '../../core/raster/geoTransform';
import { createRandom } from '../../core/sampleScene/random';
import type { ProbabilityRasterReader } from '../regions/probabilityReader';

type Db = Database.Database;

export interface SamplePoint {
  idx: number;
  stratum: Stratum;
  col: number;
  row: number;
  /** Pixel centre in the grid CRS. */
  x: number;
  y: number;
}

export interface DrawnSample {
  seed: number;
  strataPixels: Record<Stratum, number>;
  /** Points per stratum as allocated. */
  allocation: Record<Stratum, number>;
  points: SamplePoint[];
}

export interface DrawOptions extends Partial<SampleDesign> {
  seed: number;
  /** Total points wanted; left out, it follows from the target standard error (eq. 13). */
  points?: number;
  /** Rows read at once while counting valid pixels. */
  rowsPerRead?: number;
}

interface StoredRegion {
  /** Outline in scene pixel coordinates. */
  outline: FlatMultiPolygon;
  /** The pixels its outline covers, and how many pixel centres lie inside it. */
  window: PixelWindow;
  inside: number;
}

/**
 * The run's regions as the map draws them: a pixel is in the changed stratum when its centre lies inside a
 * region's outline (core/regions/rasterizeOutline), so the stratum is exactly what the planner sees and exports.
 */
function readRegions(db: Db, runId: number, grid: GridSpec): StoredRegion[] {
  const rows = db
    .prepare('SELECT geom_grid FROM change_regions WHERE run_id = ? AND geom_grid IS NOT NULL ORDER BY fid')
    .all(runId) as { geom_grid: Uint8Array }[];
  return rows.map((r) => {
    const outline = mapPoints(decodeGpkgMultiPolygon(r.geom_grid).geometry, (x, y) =>
      gridToPixel(grid.geoTransform, x, y),
    );
    const env = envelopeOf(outline);
    const x = Math.max(0, Math.floor(env.minX));
    const y = Math.max(0, Math.floor(env.minY));
    const window = {
      x,
      y,
      width: Math.max(0, Math.min(grid.width, Math.ceil(env.maxX)) - x),
      height: Math.max(0, Math.min(grid.height, Math.ceil(env.maxY)) - y),
    };
    return { outline, window, inside: window.width && window.height ? countInside(outline, window) : 0 };
  });
}

/** Pixels of the grid that hold a value (not the raster's nodata). */
export async function countValidPixels(
  probability: ProbabilityRasterReader,
  rowsPerRead = 512,
  signal?: AbortSignal,
): Promise<number> {
  const { width, height } = probability.grid;
  if (probability.nodata === null) return width * height;
  let valid = 0;
  for (let y = 0; y < height; y += rowsPerRead) {
    signal?.throwIfAborted();
    const rows = Math.min(rowsPerRead, height - y);
    const values = await probability.readWindow({ x: 0, y, width, height: rows });
    for (let i = 0; i < values.length; i++) if (values[i] !== probability.nodata) valid++;
  }
  return valid;
}

/** Draws the sample; writes nothing (see accuracyRecords.ts saveSample). */
export async function drawSample(
  db: Db,
  runId: number,
  probability: ProbabilityRasterReader,
  options: DrawOptions,
): Promise<DrawnSample> {
  const design = { ...DEFAULT_SAMPLE_DESIGN, ...options };
  const grid = probability.grid;
  const regions = readRegions(db, runId, grid);
  if (regions.length === 0)
    throw new ChangeMapError(
      'ACCURACY_NO_REGIONS',
      `Run ${runId} has no change regions to sample; find its regions first.`,
    );
  const valid = await countValidPixels(probability, options.rowsPerRead);
  const changed = regions.reduce((s, r) => s + r.inside, 0);
  const strataPixels: Record<Stratum, number> = { changed, unchanged: Math.max(0, valid - changed) };
  const units = STRATA.map((s) => strataPixels[s]);
  const total =
    options.points ??
    sampleSizeForTargetError({
      weights: units,
      expectedUsersAccuracy: STRATA.map((s) => design.expectedUsersAccuracy[s]),
      targetStandardError: design.targetStandardError,
      populationUnits: valid,
    });
  if (!Number.isInteger(total) || total < 2)
    throw new ChangeMapError('ACCURACY_BAD_TARGET', 'A sample needs at least two points.');
  const counts = allocateSample(total, units, design.minimumPerStratum);
  const allocation = { changed: counts[0], unchanged: counts[1] };

  const random = createRandom(options.seed);
  const taken = new Set<number>();
  const points: SamplePoint[] = [];
  const add = (stratum: Stratum, col: number, row: number) => {
    taken.add(row * grid.width + col);
    const [x, y] = pixelToGrid(grid.geoTransform, col + 0.5, row + 0.5);
    points.push({ idx: points.length, stratum, col, row, x, y });
  };
  const attemptsFor = (n: number) => 1000 * n + 10_000;

  // Changed: a region with probability proportional to its pixels, then one of its pixels, uniformly.
  const cumulative = new Float64Array(regions.length);
  regions.forEach((r, i) => (cumulative[i] = (i > 0 ? cumulative[i - 1] : 0) + r.inside));
  const masks = new Map<number, Uint8Array>();
  let attempts = attemptsFor(allocation.changed);
  for (let n = 0; n < allocation.changed;) {
    if (attempts-- <= 0) throw exhausted('changed');
    const target = Math.floor(random.next() * changed);
    let lo = 0;
    let hi = regions.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    const region = regions[lo];
    let mask = masks.get(lo);
    if (!mask) masks.set(lo, (mask = rasterizeOutline(region.outline, region.window)));
    // The (target - start)-th pixel inside the region, in row order.
    let k = target - (lo > 0 ? cumulative[lo - 1] : 0);
    let at = -1;
    for (let i = 0; i < mask.length && at < 0; i++) if (mask[i] && k-- === 0) at = i;
    const col = region.window.x + (at % region.window.width);
    const row = region.window.y + Math.floor(at / region.window.width);
    if (taken.has(row * grid.width + col)) continue;
    add('changed', col, row);
    n++;
  }

  // Unchanged: any pixel of the grid outside every region and not nodata.
  const index = new Flatbush(regions.length);
  for (const r of regions)
    index.add(r.window.x, r.window.y, r.window.x + r.window.width, r.window.y + r.window.height);
  index.finish();
  attempts = attemptsFor(allocation.unchanged);
  for (let n = 0; n < allocation.unchanged;) {
    if (attempts-- <= 0) throw exhausted('unchanged');
    const col = Math.floor(random.next() * grid.width);
    const row = Math.floor(random.next() * grid.height);
    if (taken.has(row * grid.width + col)) continue;
    const near = index.search(col + 0.5, row + 0.5, col + 0.5, row + 0.5);
    if (near.some((i) => insideOutline(regions[i].outline, col + 0.5, row + 0.5))) continue;
    if (probability.nodata !== null) {
      const [value] = await probability.readWindow({ x: col, y: row, width: 1, height: 1 });
      if (value === probability.nodata) continue;
    }
    add('unchanged', col, row);
    n++;
  }
  return { seed: options.seed, strataPixels, allocation, points };
}

/** Even-odd over all rings, as rasterizeOutline counts (a region's polygons never overlap). */
function insideOutline(mp: FlatMultiPolygon, x: number, y: number): boolean {
  let inside = false;
  for (const polygon of mp) for (const ring of polygon) if (pointInRing(ring, x, y)) inside = !inside;
  return inside;
}

function exhausted(stratum: Stratum): ChangeMapError {
  return new ChangeMapError(
    'ACCURACY_STRATUM_TOO_SMALL',
    `The ${stratum} stratum has too few pixels for the points asked of it; ask for fewer points.`,
  );
}
