// Independent reference for tests: where a WGS 84 point lands in the XYZ tiles (the slippy-map formulas).
import proj4 from 'proj4';
import { decode } from 'fast-png';
import type { GridSpec } from '../../../core/raster/types';

/** Tile x, y and the pixel inside it of a lon/lat point at zoom z. */
export function tilePixelOf(lon: number, lat: number, z: number) {
  const n = 2 ** z;
  const fx = ((lon + 180) / 360) * n;
  const rad = (lat * Math.PI) / 180;
  const fy = ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n;
  const x = Math.floor(fx);
  const y = Math.floor(fy);
  return { x, y, px: (fx - x) * 256, py: (fy - y) * 256 };
}

/** The lon/lat of a grid pixel position (col, row continuous), through proj4 with the grid's own definition. */
export function lonLatOfPixel(grid: GridSpec, col: number, row: number): [number, number] {
  const gt = grid.geoTransform;
  const x = gt[0] + col * gt[1] + row * gt[2];
  const y = gt[3] + col * gt[4] + row * gt[5];
  return proj4(grid.crs.proj4!, 'EPSG:4326', [x, y]) as [number, number];
}

export interface DecodedTile {
  width: number;
  height: number;
  rgba: Uint8Array;
  at(px: number, py: number): [number, number, number, number];
}

export function decodeTile(png: Uint8Array | string): DecodedTile {
  const bytes = typeof png === 'string' ? Buffer.from(png, 'base64') : png;
  const image = decode(bytes);
  if (image.channels !== 4 || image.depth !== 8)
    throw new Error(`expected RGBA8, got ${image.channels}x${image.depth}`);
  const rgba = image.data as Uint8Array;
  return {
    width: image.width,
    height: image.height,
    rgba,
    at(px, py) {
      const o = (Math.floor(py) * image.width + Math.floor(px)) * 4;
      return [rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]];
    },
  };
}

/** Centroid of the pixels where `test` holds. */
export function centroidWhere(tile: DecodedTile, test: (p: [number, number, number, number]) => boolean) {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < tile.height; y++)
    for (let x = 0; x < tile.width; x++)
      if (test(tile.at(x, y))) {
        sx += x + 0.5;
        sy += y + 0.5;
        n++;
      }
  return { x: sx / n, y: sy / n, count: n };
}
