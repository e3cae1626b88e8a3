// Moving an outline from pixel space to a CRS, and measuring it.
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import type { GeoTransform } from '../raster/types';
import { signedRingArea } from './traceOutline';

export type PointTransform = (x: number, y: number) => [number, number];

export function transformOutline(mp: FlatMultiPolygon, fn: PointTransform): FlatMultiPolygon {
  return mp.map((polygon) =>
    polygon.map((ring) => {
      const out = new Float64Array(ring.length);
      for (let i = 0; i < ring.length; i += 2) {
        const [x, y] = fn(ring[i], ring[i + 1]);
        out[i] = x;
        out[i + 1] = y;
      }
      return out;
    }),
  );
}

export function geoTransformFn(gt: GeoTransform): PointTransform {
  return (px, py) => [gt[0] + px * gt[1] + py * gt[2], gt[3] + px * gt[4] + py * gt[5]];
}

function reversed(ring: ArrayLike<number>): Float64Array {
  const n = ring.length / 2;
  const out = new Float64Array(ring.length);
  for (let i = 0; i < n; i++) {
    out[2 * i] = ring[2 * (n - 1 - i)];
    out[2 * i + 1] = ring[2 * (n - 1 - i) + 1];
  }
  return out;
}

/** Shells counter-clockwise and holes clockwise (the OGC / GeoJSON right-hand rule) in x-east, y-north axes. */
export function withRightHandRule(mp: FlatMultiPolygon): FlatMultiPolygon {
  return mp.map((polygon) =>
    polygon.map((ring, i) => {
      const a = signedRingArea(ring);
      return (i === 0 ? a < 0 : a > 0) ? reversed(ring) : ring;
    }),
  );
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
