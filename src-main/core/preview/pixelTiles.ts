// The tile grid of a map in pixel space (imagery without georeference): map coordinates are the image's pixel
// coordinates (x = column, y = -row), tiles count from the image's top-left corner rightwards (x) and downwards
// (y), and zoom nativeZoom shows one image pixel per screen pixel. The renderer builds its tile grid from these
// numbers (ImageryState.mapSpace.tiles), so a tile coordinate means the same square on both sides.
import type { GeoTransform } from '../raster/types';
import { TILE_SIZE } from './webMercator';

export const PIXEL_TILE_GRID = {
  /** Zoom at which one image pixel is one tile pixel. */
  nativeZoom: 16,
  /** Deepest zoom: 16 screen pixels per image pixel. */
  maxZoom: 20,
  tileSize: TILE_SIZE,
} as const;

/** Image pixels per tile pixel at zoom z. */
export function pixelTileResolution(z: number): number {
  return 2 ** (PIXEL_TILE_GRID.nativeZoom - z);
}

/** Tile (z, x, y) as a grid of TILE_SIZE pixels in pixel map coordinates; null for tiles outside the grid. */
export function pixelTileGeoTransform(z: number, x: number, y: number): GeoTransform | null {
  if (z < 0 || z > PIXEL_TILE_GRID.maxZoom || x < 0 || y < 0) return null;
  const res = pixelTileResolution(z);
  const span = TILE_SIZE * res;
  return [x * span, res, 0, -y * span, 0, -res];
}
