// An area of interest on the analysis grid: its pixel window, and for a polygon the mask of pixels inside it.
import { ChangeMapError } from '../errors';
import { gridToPixel } from '../raster/geoTransform';
import type { GeoTransform, PixelWindow } from '../raster/types';

/** Grid coordinates -> fractional pixel (col, row); a degenerate geotransform is refused. */
export function toPixel(gt: GeoTransform, x: number, y: number): [number, number] {
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  if (det === 0) throw new ChangeMapError('RUN_BAD_GRID', 'The analysis grid has a degenerate geotransform.');
  return gridToPixel(gt, x, y);
}

/** The pixel window covering a set of grid points, clipped to the grid; throws when it misses the grid. */
export function windowOfPoints(
  gt: GeoTransform,
  points: [number, number][],
  width: number,
  height: number,
): PixelWindow {
  let c0 = Infinity,
    r0 = Infinity,
    c1 = -Infinity,
    r1 = -Infinity;
  for (const [x, y] of points) {
    const [c, r] = toPixel(gt, x, y);
    c0 = Math.min(c0, c);
    r0 = Math.min(r0, r);
    c1 = Math.max(c1, c);
    r1 = Math.max(r1, r);
  }
  const x0 = Math.max(0, Math.floor(c0 + 1e-9));
  const y0 = Math.max(0, Math.floor(r0 + 1e-9));
  const x1 = Math.min(width, Math.ceil(c1 - 1e-9));
  const y1 = Math.min(height, Math.ceil(r1 - 1e-9));
  if (x1 <= x0 || y1 <= y0) {
    throw new ChangeMapError('RUN_AOI_OUTSIDE', 'The area of interest does not overlap the imagery.');
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Marks pixels whose centre lies outside the polygon (even-odd rule over all rings, so holes work) as 0 in
 * `valid`, which covers `window` of the grid. Rings are in pixel coordinates of the grid.
 */
export function maskOutsidePolygon(
  valid: Uint8Array,
  window: PixelWindow,
  pixelRings: [number, number][][],
): void {
  const crossings: number[] = [];
  for (let r = 0; r < window.height; r++) {
    const py = window.y + r + 0.5;
    crossings.length = 0;
    for (const ring of pixelRings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > py !== yj > py) crossings.push(xi + ((py - yi) / (yj - yi)) * (xj - xi));
      }
    }
    crossings.sort((a, b) => a - b);
    const row = r * window.width;
    let inside = false;
    let k = 0;
    for (let c = 0; c < window.width; c++) {
      const px = window.x + c + 0.5;
      while (k < crossings.length && crossings[k] <= px) {
        inside = !inside;
        k++;
      }
      if (!inside) valid[row + c] = 0;
    }
  }
}
