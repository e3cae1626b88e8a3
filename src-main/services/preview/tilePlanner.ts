// Planning one map tile over a raster with resolution levels: which tile pixels can hold data (footprint box),
// where they fall in the raster, which level to read and which window of it.
import {
  boundingWindow,
  chooseLevel,
  levelGeoTransform,
  windowAtLevel,
  type LevelSize,
} from '../../core/preview/levels';
import {
  isTileInWorld,
  MERCATOR_HALF_WORLD,
  tileGeoTransform,
  tilePixelsCovering,
  windowEdgePoints,
} from '../../core/preview/webMercator';
import { pixelTileGeoTransform } from '../../core/preview/pixelTiles';
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import { intersectWindows } from '../../core/raster/window';
import { invertGeoTransform } from '../../core/raster/warp';
import { converter, crsFromEpsg, WGS84 } from '../imagery/crs';
import { gridOutline } from '../imagery/imagerySet';
import { mercatorTo, type TilePlan, type TileSource, type TileStyle } from './tileJob';

/** A raster the map can show: its full-resolution grid, its levels, and how to get a level's pixels. */
export interface PreviewRaster {
  /** Identifies the raster's content in the tile cache. */
  readonly key: string;
  readonly grid: GridSpec;
  /** Level sizes, full resolution first (sizes may be fractional for computed levels). */
  readonly levels: readonly LevelSize[];
  readonly style: TileStyle;
  /** The raster's box in EPSG:3857 (in pixel map coordinates without georeference), or null when unknown. */
  readonly mercatorBox: [number, number, number, number] | null;
  /** What the renderer reads for a window of a level. */
  source(level: number, window: PixelWindow, signal?: AbortSignal): Promise<TileSource>;
}

export type TilePlanResult =
  | { kind: 'empty' }
  | { kind: 'plan'; plan: TilePlan; level: number; window: PixelWindow; readPixels: number };

/** Web-mercator latitude limit (degrees). */
const MAX_LAT = 85.05112878;

/**
 * The grid's outline (projected through WGS 84, latitude clamped to what web mercator shows) as an EPSG:3857 box;
 * without georeference, its box in pixel map coordinates (the map of such a project is drawn in pixel space).
 */
export function mercatorBoxOf(grid: GridSpec): [number, number, number, number] | null {
  if (!grid.crs.code) {
    const outline = gridOutline(grid, 1);
    const xs = outline.map((p) => p[0]);
    const ys = outline.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }
  const toWgs = grid.crs.code === 'EPSG:4326' ? null : converter(grid.crs, WGS84());
  const toMercator = converter(WGS84(), crsFromEpsg(3857));
  let box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of gridOutline(grid, 20)) {
    const [lon, lat] = toWgs ? toWgs.forward(p) : p;
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
    const [mx, my] = toMercator.forward([lon, Math.max(-MAX_LAT, Math.min(MAX_LAT, lat))]);
    box = [Math.min(box[0], mx), Math.min(box[1], my), Math.max(box[2], mx), Math.max(box[3], my)];
  }
  if (!(box[0] <= box[2])) return null;
  return [
    Math.max(-MERCATOR_HALF_WORLD, box[0]),
    Math.max(-MERCATOR_HALF_WORLD, box[1]),
    Math.min(MERCATOR_HALF_WORLD, box[2]),
    Math.min(MERCATOR_HALF_WORLD, box[3]),
  ];
}

export function planTile(raster: PreviewRaster, z: number, x: number, y: number): TilePlanResult {
  if (!raster.mercatorBox) return { kind: 'empty' };
  const pixelSpace = raster.grid.crs.code === null;
  if (!pixelSpace && !isTileInWorld(z, x, y)) return { kind: 'empty' };
  const tileGt = pixelSpace ? pixelTileGeoTransform(z, x, y) : tileGeoTransform(z, x, y);
  if (!tileGt) return { kind: 'empty' };
  const tilePixels = tilePixelsCovering(tileGt, raster.mercatorBox);
  if (!tilePixels) return { kind: 'empty' };
  // Where the drawn part's edge falls in full-resolution pixels (edges bound the inside for map projections
  // over a tile's extent; the margin covers the curvature in between).
  const { xs, ys } = windowEdgePoints(tileGt, tilePixels, 8);
  mercatorTo(raster.grid.crs)?.(xs, ys);
  const inv = invertGeoTransform(raster.grid.geoTransform);
  for (let i = 0; i < xs.length; i++) {
    const gx = xs[i];
    const gy = ys[i];
    xs[i] = inv[0] + gx * inv[1] + gy * inv[2];
    ys[i] = inv[3] + gx * inv[4] + gy * inv[5];
  }
  const full = boundingWindow(xs, ys, 2);
  if (!full) return { kind: 'empty' };
  const { width, height } = raster.grid;
  const span = Math.max(full.width / tilePixels.width, full.height / tilePixels.height);
  const inside = intersectWindows(full, { x: -2, y: -2, width: width + 4, height: height + 4 });
  if (!inside) return { kind: 'empty' };
  const level = chooseLevel(raster.levels, span);
  const size = raster.levels[level];
  const scaled = windowAtLevel(inside, raster.levels[0], size);
  const window = { x: scaled.x - 1, y: scaled.y - 1, width: scaled.width + 2, height: scaled.height + 2 };
  return {
    kind: 'plan',
    level,
    window,
    readPixels: window.width * window.height,
    plan: {
      tileGeoTransform: tileGt,
      tilePixels,
      levelGeoTransform: levelGeoTransform(raster.grid.geoTransform, raster.levels[0], size),
      sourceCrs: raster.grid.crs,
      style: raster.style,
    },
  };
}
