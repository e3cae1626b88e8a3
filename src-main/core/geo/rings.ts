// Rings and polygons as flat coordinate arrays ([x0, y0, x1, y1, ...], closed: the last point repeats the first),
// the one home of the geometry every outline, export and view needs: signed area, orientation, reversing,
// point-in-ring, mapping points, and the nested [x, y] arrays of GeoJSON. Axes are x east, y north unless a
// caller says otherwise (in y-down pixel space every orientation flips).
import type { FlatMultiPolygon, FlatPolygon } from './gpkgGeometry';

/**
 * Shoelace signed area of a closed ring: > 0 counter-clockwise, < 0 clockwise (y up). Summed relative to the first
 * point, so large projected coordinates (UTM metres) do not cost precision.
 */
export function signedRingArea(ring: ArrayLike<number>): number {
  const n = ring.length;
  if (n < 6) return 0;
  const x0 = ring[0];
  const y0 = ring[1];
  let sum = 0;
  for (let i = 2; i + 3 < n; i += 2)
    sum += (ring[i] - x0) * (ring[i + 3] - y0) - (ring[i + 2] - x0) * (ring[i + 1] - y0);
  return sum / 2;
}

export function isCounterClockwise(ring: ArrayLike<number>): boolean {
  return signedRingArea(ring) > 0;
}

/** The ring's points in reverse order (still closed). */
export function reverseRing(ring: ArrayLike<number>): Float64Array {
  const n = ring.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    out[n - 2 - i] = ring[i];
    out[n - 1 - i] = ring[i + 1];
  }
  return out;
}

export type Winding = 'ccw' | 'cw';

/** The polygon with its exterior ring wound one way and every hole the other way (rings already so are kept). */
export function orientPolygon(polygon: FlatPolygon, exterior: Winding): FlatPolygon {
  return polygon.map((ring, i) => {
    const wantCcw = (i === 0) === (exterior === 'ccw');
    return isCounterClockwise(ring) === wantCcw ? ring : reverseRing(ring);
  });
}

/** Every polygon of a multipolygon oriented as orientPolygon does. */
export function orientMultiPolygon(mp: FlatMultiPolygon, exterior: Winding): FlatMultiPolygon {
  return mp.map((polygon) => orientPolygon(polygon, exterior));
}

/** Even-odd point-in-ring test (the point must not lie on the ring). */
export function pointInRing(ring: ArrayLike<number>, px: number, py: number): boolean {
  let inside = false;
  for (let i = 0; i + 3 < ring.length; i += 2) {
    const x1 = ring[i];
    const y1 = ring[i + 1];
    const x2 = ring[i + 2];
    const y2 = ring[i + 3];
    if (y1 > py !== y2 > py && px < x1 + ((py - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
  }
  return inside;
}

/** Area of a multipolygon in its own units, holes subtracted, whatever the rings' winding. */
export function planarArea(mp: FlatMultiPolygon): number {
  let sum = 0;
  for (const polygon of mp)
    polygon.forEach((ring, i) => (sum += (i === 0 ? 1 : -1) * Math.abs(signedRingArea(ring))));
  return sum;
}

/** Every point moved by fn (reprojection, geotransform, shift), as new rings. */
export function mapPoints(
  mp: FlatMultiPolygon,
  fn: (x: number, y: number) => [number, number],
): FlatMultiPolygon {
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

/** A flat ring as [x, y] pairs (GeoJSON, WKT, the renderer's outlines). */
export function ringPoints(ring: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < ring.length; i += 2) out.push([ring[i], ring[i + 1]]);
  return out;
}

/** A flat multipolygon as nested [x, y] arrays: polygons of rings of points. */
export function nestedMultiPolygon(mp: readonly (readonly ArrayLike<number>[])[]): [number, number][][][] {
  return mp.map((polygon) => polygon.map(ringPoints));
}
