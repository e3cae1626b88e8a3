// The affine geotransform of a grid (GDAL's order: x0, dx per column, dx per row, y0, dy per column, dy per row)
// between pixel coordinates (column, row; pixel corners at whole numbers) and the grid's CRS.
import type { GeoTransform, PixelWindow } from './types';

/** Pixel coordinates to grid CRS coordinates. */
export function pixelToGrid(gt: GeoTransform, px: number, py: number): [number, number] {
  return [gt[0] + px * gt[1] + py * gt[2], gt[3] + px * gt[4] + py * gt[5]];
}

/** Grid CRS coordinates to fractional pixel coordinates (not finite for a degenerate geotransform). */
export function gridToPixel(gt: GeoTransform, x: number, y: number): [number, number] {
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  const dx = x - gt[0];
  const dy = y - gt[3];
  return [(dx * gt[5] - dy * gt[2]) / det, (dy * gt[1] - dx * gt[4]) / det];
}

/** The geotransform of a window of the grid: the same pixels, with the origin at the window's top-left corner. */
export function windowGeoTransform(gt: GeoTransform, window: Pick<PixelWindow, 'x' | 'y'>): GeoTransform {
  const [x0, y0] = pixelToGrid(gt, window.x, window.y);
  return [x0, gt[1], gt[2], y0, gt[4], gt[5]];
}
