// Web-mercator (EPSG:3857) XYZ tile arithmetic, as OpenLayers and every slippy map count tiles: z, x from the west,
// y from the north.
import type { GeoTransform, PixelWindow } from '../raster/types';

/** Half the width of the EPSG:3857 world square, metres. */
export const MERCATOR_HALF_WORLD = 20037508.342789244;
export const TILE_SIZE = 256;

/** [minX, minY, maxX, maxY] of a tile in EPSG:3857 metres. */
export function tileExtent(z: number, x: number, y: number): [number, number, number, number] {
  const size = (2 * MERCATOR_HALF_WORLD) / 2 ** z;
  const minX = -MERCATOR_HALF_WORLD + x * size;
  const maxY = MERCATOR_HALF_WORLD - y * size;
  return [minX, maxY - size, minX + size, maxY];
}

/** The tile as a grid of `size` x `size` pixels in EPSG:3857. */
export function tileGeoTransform(z: number, x: number, y: number, size = TILE_SIZE): GeoTransform {
  const [minX, , maxX, maxY] = tileExtent(z, x, y);
  const res = (maxX - minX) / size;
  return [minX, res, 0, maxY, 0, -res];
}

export function isTileInWorld(z: number, x: number, y: number): boolean {
  const n = 2 ** z;
  return x >= 0 && y >= 0 && x < n && y < n;
}

/**
 * The pixels of a tile (a `size` grid at `gt`) that touch an EPSG:3857 box, one pixel wider on each side so that
 * edge pixels are sampled; null when the box misses the tile.
 */
export function tilePixelsCovering(
  gt: GeoTransform,
  box: [number, number, number, number],
  size = TILE_SIZE,
): PixelWindow | null {
  const res = gt[1];
  const x0 = Math.max(0, Math.floor((box[0] - gt[0]) / res) - 1);
  const x1 = Math.min(size, Math.ceil((box[2] - gt[0]) / res) + 1);
  const y0 = Math.max(0, Math.floor((gt[3] - box[3]) / res) - 1);
  const y1 = Math.min(size, Math.ceil((gt[3] - box[1]) / res) + 1);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** Points along the edge of a pixel window of a grid (`perEdge` per side, corners included), as flat x and y. */
export function windowEdgePoints(
  gt: GeoTransform,
  win: PixelWindow,
  perEdge = 8,
): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(4 * perEdge);
  const ys = new Float64Array(4 * perEdge);
  let k = 0;
  const put = (c: number, r: number) => {
    xs[k] = gt[0] + c * gt[1] + r * gt[2];
    ys[k] = gt[3] + c * gt[4] + r * gt[5];
    k++;
  };
  const { x, y, width: w, height: h } = win;
  for (let i = 0; i < perEdge; i++) {
    const t = i / perEdge;
    put(x + t * w, y);
    put(x + w, y + t * h);
    put(x + w - t * w, y + h);
    put(x, y + h - t * h);
  }
  return { xs, ys };
}
