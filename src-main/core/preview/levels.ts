// Choosing the resolution level (full image or one of its overviews) to read for a map tile, GDAL's way: the
// coarsest level that is still at least as fine as the tile, so a tile never reads much more than it shows.
import type { GeoTransform, PixelWindow } from '../raster/types';

export interface LevelSize {
  width: number;
  height: number;
}

/**
 * Index of the level to read when one tile pixel spans `sourcePixelsPerTilePixel` full-resolution pixels. A level
 * up to 20 % coarser than the tile is accepted (invisible, and it halves the read). Levels: 0 = full resolution.
 */
export function chooseLevel(levels: readonly LevelSize[], sourcePixelsPerTilePixel: number): number {
  let best = 0;
  for (let i = 1; i < levels.length; i++) {
    const factor = levels[0].width / levels[i].width;
    if (factor <= sourcePixelsPerTilePixel * 1.2 && factor > levels[0].width / levels[best].width) best = i;
  }
  return best;
}

/** Geotransform of a level: the full grid's, with pixels as many times larger as the level is smaller. */
export function levelGeoTransform(full: GeoTransform, fullSize: LevelSize, level: LevelSize): GeoTransform {
  const fx = fullSize.width / level.width;
  const fy = fullSize.height / level.height;
  return [full[0], full[1] * fx, full[2] * fy, full[3], full[4] * fx, full[5] * fy];
}

/** Bounding pixel window (with `margin` pixels around) of continuous pixel coordinates; null if any is not finite. */
export function boundingWindow(
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  margin: number,
): PixelWindow | null {
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let i = 0; i < u.length; i++) {
    if (!Number.isFinite(u[i]) || !Number.isFinite(v[i])) return null;
    minU = Math.min(minU, u[i]);
    maxU = Math.max(maxU, u[i]);
    minV = Math.min(minV, v[i]);
    maxV = Math.max(maxV, v[i]);
  }
  if (minU > maxU) return null;
  const x = Math.floor(minU) - margin;
  const y = Math.floor(minV) - margin;
  return { x, y, width: Math.ceil(maxU) + margin - x, height: Math.ceil(maxV) + margin - y };
}

/** A full-resolution window in the pixels of a smaller level (rounded outwards). */
export function windowAtLevel(win: PixelWindow, full: LevelSize, level: LevelSize): PixelWindow {
  const fx = full.width / level.width;
  const fy = full.height / level.height;
  const x = Math.floor(win.x / fx);
  const y = Math.floor(win.y / fy);
  return {
    x,
    y,
    width: Math.ceil((win.x + win.width) / fx) - x,
    height: Math.ceil((win.y + win.height) / fy) - y,
  };
}
