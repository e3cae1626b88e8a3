// Exact planar area of the overlap of two multipolygons (flat rings, any winding, holes allowed).
//
// Two paths, one answer: where either side is a single convex ring (parcels, most districts' blocks) the other is
// clipped ring by ring against it with Sutherland-Hodgman, whose output has the exact area of the overlap even for a
// concave or holed subject (its extra edges run along the clip boundary and enclose nothing; holes subtract through
// their signed area). Hand-written because it is ~40 lines and 50-100x faster than a general clipper on the small
// rings a join meets 100,000 times. Everything else goes to polyclip-ts (Martinez-Rueda sweep line), the general
// and robust clipper. Both are checked against an independent reference (jsts, GDAL) in the tests.
import * as polyclip from 'polyclip-ts';
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { signedRingArea } from '../geo/rings';

/** A ring prepared as a convex clip window: counter-clockwise, closed, coordinates relative to (ox, oy). */
export interface ConvexWindow {
  xs: Float64Array;
  ys: Float64Array;
}

/**
 * The ring as a counter-clockwise convex window, or null when it is not strictly a simple convex ring (a ring whose
 * turns all go one way but wind more than once, like a pentagram, is not).
 */
export function convexWindow(ring: ArrayLike<number>): ConvexWindow | null {
  const n = ring.length / 2 - 1; // distinct points (closed ring)
  if (n < 3) return null;
  const ccw = signedRingArea(ring) > 0;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = ccw ? k : n - k; // walk counter-clockwise
    const x = ring[2 * i];
    const y = ring[2 * i + 1];
    // Drop repeated points, which have no direction.
    if (xs.length > 0 && x === xs[xs.length - 1] && y === ys[ys.length - 1]) continue;
    xs.push(x);
    ys.push(y);
  }
  if (xs.length > 1 && xs[0] === xs[xs.length - 1] && ys[0] === ys[ys.length - 1]) {
    xs.pop();
    ys.pop();
  }
  const m = xs.length;
  if (m < 3) return null;
  let turning = 0;
  for (let i = 0; i < m; i++) {
    const a = (i + m - 1) % m;
    const b = (i + 1) % m;
    const ux = xs[i] - xs[a];
    const uy = ys[i] - ys[a];
    const vx = xs[b] - xs[i];
    const vy = ys[b] - ys[i];
    const cross = ux * vy - uy * vx;
    if (cross < 0) return null; // a right turn: concave
    turning += Math.atan2(cross, ux * vx + uy * vy);
  }
  // A simple convex ring turns exactly once around.
  if (Math.abs(turning - 2 * Math.PI) > 1e-6) return null;
  return { xs: Float64Array.from(xs), ys: Float64Array.from(ys) };
}

/**
 * Signed area of a closed ring clipped to a convex window (Sutherland-Hodgman), keeping the ring's sign. Coordinates
 * are taken relative to the window's first point so large projected values keep their precision.
 */
export function clippedRingArea(ring: ArrayLike<number>, window: ConvexWindow): number {
  const ox = window.xs[0];
  const oy = window.ys[0];
  let px: number[] = [];
  let py: number[] = [];
  for (let i = 0; i + 1 < ring.length - 2; i += 2) {
    px.push(ring[i] - ox);
    py.push(ring[i + 1] - oy);
  }
  const m = window.xs.length;
  for (let e = 0; e < m && px.length > 0; e++) {
    const ax = window.xs[e] - ox;
    const ay = window.ys[e] - oy;
    const bx = window.xs[(e + 1) % m] - ox;
    const by = window.ys[(e + 1) % m] - oy;
    const dx = bx - ax;
    const dy = by - ay;
    const side = (x: number, y: number): number => dx * (y - ay) - dy * (x - ax); // >= 0: inside (left)
    const qx: number[] = [];
    const qy: number[] = [];
    const n = px.length;
    for (let i = 0; i < n; i++) {
      const cx = px[i];
      const cy = py[i];
      const j = (i + n - 1) % n;
      const sx = px[j];
      const sy = py[j];
      const sc = side(cx, cy);
      const ss = side(sx, sy);
      if (sc >= 0) {
        if (ss < 0) {
          const t = ss / (ss - sc);
          qx.push(sx + t * (cx - sx));
          qy.push(sy + t * (cy - sy));
        }
        qx.push(cx);
        qy.push(cy);
      } else if (ss >= 0) {
        const t = ss / (ss - sc);
        qx.push(sx + t * (cx - sx));
        qy.push(sy + t * (cy - sy));
      }
    }
    px = qx;
    py = qy;
  }
  let sum = 0;
  const n = px.length;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    sum += px[i] * py[j] - px[j] * py[i];
  }
  return sum / 2;
}

/**
 * Area of a multipolygon clipped to a convex window: shells add, holes subtract. Clipping keeps a ring's winding,
 * so the absolute value of each clipped ring's signed area is its clipped area.
 */
function clippedMultiPolygonArea(mp: FlatMultiPolygon, window: ConvexWindow): number {
  let sum = 0;
  for (const polygon of mp)
    polygon.forEach((ring, i) => (sum += (i === 0 ? 1 : -1) * Math.abs(clippedRingArea(ring, window))));
  return sum;
}

type Pair = [number, number];

function nested(mp: FlatMultiPolygon, ox: number, oy: number): Pair[][][] {
  return mp.map((polygon) =>
    polygon.map((ring) => {
      const out: Pair[] = [];
      for (let i = 0; i + 1 < ring.length; i += 2) out.push([ring[i] - ox, ring[i + 1] - oy]);
      return out;
    }),
  );
}

function nestedArea(mp: Pair[][][]): number {
  let sum = 0;
  for (const polygon of mp)
    polygon.forEach((ring, i) => {
      let s = 0;
      for (let k = 0; k < ring.length; k++) {
        const [x1, y1] = ring[k];
        const [x2, y2] = ring[(k + 1) % ring.length];
        s += x1 * y2 - x2 * y1;
      }
      sum += (i === 0 ? 1 : -1) * Math.abs(s / 2);
    });
  return sum;
}

/** A polygon side of an overlap, prepared once (its convex window, when it is a single convex ring). */
export interface OverlapSide {
  geometry: FlatMultiPolygon;
  window: ConvexWindow | null;
}

export function overlapSide(geometry: FlatMultiPolygon): OverlapSide {
  const single = geometry.length === 1 && geometry[0].length === 1;
  return { geometry, window: single ? convexWindow(geometry[0][0]) : null };
}

/** Planar area of the overlap of two polygon sides, in their coordinates' units squared. */
export function overlapArea(a: OverlapSide, b: OverlapSide): number {
  if (a.window) return Math.max(0, clippedMultiPolygonArea(b.geometry, a.window));
  if (b.window) return Math.max(0, clippedMultiPolygonArea(a.geometry, b.window));
  // Relative to a common origin, as above, so the sweep works on small numbers.
  const first = a.geometry[0]?.[0];
  if (!first || !b.geometry[0]?.[0]) return 0;
  const ox = first[0];
  const oy = first[1];
  const result = polyclip.intersection(nested(a.geometry, ox, oy), nested(b.geometry, ox, oy));
  return nestedArea(result);
}
