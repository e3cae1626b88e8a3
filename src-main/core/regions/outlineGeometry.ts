// Moving an outline from pixel space to a CRS (with core/geo/rings.ts's mapPoints), and measuring it.
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { pixelToGrid } from '../raster/geoTransform';
import type { GeoTransform } from '../raster/types';

export type PointTransform = (x: number, y: number) => [number, number];

export function geoTransformFn(gt: GeoTransform): PointTransform {
  return (px, py) => pixelToGrid(gt, px, py);
}

/** Sum of the rings' lengths in the outline's own (planar) units. */
export function planarPerimeter(mp: FlatMultiPolygon): number {
  let s = 0;
  for (const polygon of mp)
    for (const ring of polygon)
      for (let i = 0; i + 3 < ring.length; i += 2)
        s += Math.hypot(ring[i + 2] - ring[i], ring[i + 3] - ring[i + 1]);
  return s;
}

/** Number of vertices of an outline (for budgets and tests). */
export function vertexCount(mp: FlatMultiPolygon): number {
  let n = 0;
  for (const polygon of mp) for (const ring of polygon) n += ring.length / 2;
  return n;
}
