// Exact planar area of the overlap of two multipolygons (flat rings, any winding, holes allowed).
//
// Two paths, one answer: a feature is cut once into convex pieces (a convex ring is its own piece; a concave ring
// is ear-clipped into triangles; holes are pieces that subtract), and a region is clipped ring by ring against each
// piece with Sutherland-Hodgman, whose output has the exact area of the overlap even for a concave or holed subject
// (its extra edges run along the clip boundary and enclose nothing; holes subtract through their signed area).
// Hand-written because it is short and 100-300x faster than a general clipper on the small rings a join meets
// 100,000 times (polyclip-ts takes about a millisecond per concave pair). A ring the ear clipper cannot cut exactly
// (self-touching, huge) goes to polyclip-ts (Martinez-Rueda sweep line), the general and robust clipper. Both are
// checked against an independent reference (jsts, GDAL) in the tests.
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
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = ccw ? k : n - k; // walk counter-clockwise
    const x = ring[2 * i];
    const y = ring[2 * i + 1];
    // Drop repeated points, which have no direction.
    if (m > 0 && x === xs[m - 1] && y === ys[m - 1]) continue;
    xs[m] = x;
    ys[m] = y;
    m++;
  }
  if (m > 1 && xs[0] === xs[m - 1] && ys[0] === ys[m - 1]) m--;
  if (m < 3) return null;
  // Convex and simple: every turn goes left, and x and y each change direction at most twice around the ring
  // (a ring whose turns all go left but that winds twice, like a pentagram, changes direction more often).
  let xFlips = 0;
  let yFlips = 0;
  let lastDx = 0;
  let lastDy = 0;
  for (let i = 0; i < m; i++) {
    const a = i === 0 ? m - 1 : i - 1;
    const b = i + 1 === m ? 0 : i + 1;
    const ux = xs[i] - xs[a];
    const uy = ys[i] - ys[a];
    const vx = xs[b] - xs[i];
    const vy = ys[b] - ys[i];
    if (ux * vy - uy * vx < 0) return null; // a right turn: concave
    if (vx !== 0) {
      if (lastDx !== 0 && Math.sign(vx) !== lastDx) xFlips++;
      lastDx = Math.sign(vx);
    }
    if (vy !== 0) {
      if (lastDy !== 0 && Math.sign(vy) !== lastDy) yFlips++;
      lastDy = Math.sign(vy);
    }
  }
  // Around the ring the count wraps: the first edge's direction against the last one's.
  if (xFlips > 2 || yFlips > 2) return null;
  return { xs: xs.subarray(0, m), ys: ys.subarray(0, m) };
}

// Scratch buffers of the clipper, reused from call to call (the join clips hundreds of thousands of rings; fresh
// arrays per edge cost more in garbage collection than the clipping itself). Grown as needed.
let bufA = new Float64Array(256);
let bufB = new Float64Array(256);

/**
 * Signed area of a closed ring clipped to a convex window (Sutherland-Hodgman), keeping the ring's sign. Coordinates
 * are taken relative to the window's first point so large projected values keep their precision.
 */
export function clippedRingArea(ring: ArrayLike<number>, window: ConvexWindow): number {
  const ox = window.xs[0];
  const oy = window.ys[0];
  const points = ring.length / 2 - 1; // the closing point is left out
  // Each edge of the window adds at most one point per input point: twice the ring plus the window is enough.
  const need = 2 * (2 * points + window.xs.length + 4);
  if (bufA.length < need) {
    bufA = new Float64Array(need);
    bufB = new Float64Array(need);
  }
  let src = bufA;
  let dst = bufB;
  let n = 0;
  for (let i = 0; i < points; i++) {
    src[2 * n] = ring[2 * i] - ox;
    src[2 * n + 1] = ring[2 * i + 1] - oy;
    n++;
  }
  const m = window.xs.length;
  for (let e = 0; e < m && n > 0; e++) {
    const ax = window.xs[e] - ox;
    const ay = window.ys[e] - oy;
    const next = e + 1 === m ? 0 : e + 1;
    const dx = window.xs[next] - ox - ax;
    const dy = window.ys[next] - oy - ay;
    let k = 0;
    let sx = src[2 * (n - 1)];
    let sy = src[2 * (n - 1) + 1];
    let ss = dx * (sy - ay) - dy * (sx - ax); // >= 0: inside (left of the edge)
    for (let i = 0; i < n; i++) {
      const cx = src[2 * i];
      const cy = src[2 * i + 1];
      const sc = dx * (cy - ay) - dy * (cx - ax);
      if (sc >= 0 !== ss >= 0) {
        const t = ss / (ss - sc);
        dst[2 * k] = sx + t * (cx - sx);
        dst[2 * k + 1] = sy + t * (cy - sy);
        k++;
      }
      if (sc >= 0) {
        dst[2 * k] = cx;
        dst[2 * k + 1] = cy;
        k++;
      }
      sx = cx;
      sy = cy;
      ss = sc;
    }
    const swap = src;
    src = dst;
    dst = swap;
    n = k;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    sum += src[2 * i] * src[2 * j + 1] - src[2 * j] * src[2 * i + 1];
  }
  return sum / 2;
}

/** A convex piece of a feature: the window, its bounding box, and +1 (part of a shell) or -1 (part of a hole). */
export interface ConvexPiece {
  window: ConvexWindow;
  sign: 1 | -1;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Rings larger than this are not ear-clipped (quadratic) but clipped whole by polyclip-ts. */
const MAX_EAR_CLIP_POINTS = 20_000;

function pieceOf(xs: ArrayLike<number>, ys: ArrayLike<number>, sign: 1 | -1): ConvexPiece {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    minX = Math.min(minX, xs[i]);
    maxX = Math.max(maxX, xs[i]);
    minY = Math.min(minY, ys[i]);
    maxY = Math.max(maxY, ys[i]);
  }
  const window =
    xs instanceof Float64Array && ys instanceof Float64Array
      ? { xs, ys }
      : { xs: Float64Array.from(xs), ys: Float64Array.from(ys) };
  return { window, sign, minX, minY, maxX, maxY };
}

/**
 * A simple ring cut into triangles by ear clipping (counter-clockwise; relative coordinates for precision), or null
 * when it cannot be cut exactly: no ear left (a self-touching or self-crossing ring), or triangles whose areas do not
 * add up to the ring's.
 */
function earClip(ring: ArrayLike<number>): [number, number][][] | null {
  const ccw = signedRingArea(ring) > 0;
  const ox = ring[0];
  const oy = ring[1];
  const xs: number[] = [];
  const ys: number[] = [];
  const n = ring.length / 2 - 1;
  for (let k = 0; k < n; k++) {
    const i = ccw ? k : n - 1 - k;
    const x = ring[2 * i] - ox;
    const y = ring[2 * i + 1] - oy;
    if (xs.length > 0 && x === xs[xs.length - 1] && y === ys[ys.length - 1]) continue;
    xs.push(x);
    ys.push(y);
  }
  while (xs.length > 1 && xs[0] === xs[xs.length - 1] && ys[0] === ys[ys.length - 1]) {
    xs.pop();
    ys.pop();
  }
  if (xs.length < 3 || xs.length > MAX_EAR_CLIP_POINTS) return null;
  const cross = (a: number, b: number, c: number): number =>
    (xs[b] - xs[a]) * (ys[c] - ys[a]) - (ys[b] - ys[a]) * (xs[c] - xs[a]);
  const same = (p: number, q: number): boolean => xs[p] === xs[q] && ys[p] === ys[q];
  const idx = xs.map((_, i) => i);
  const triangles: [number, number][][] = [];
  let i = 0;
  let stalled = 0;
  while (idx.length > 3) {
    const m = idx.length;
    const a = idx[(i + m - 1) % m];
    const b = idx[i % m];
    const c = idx[(i + 1) % m];
    const turn = cross(a, b, c);
    let ear = turn > 0;
    if (ear)
      for (const p of idx) {
        // A vertex at the same place as a corner (a ring touching itself there) does not block the ear.
        if (p === a || p === b || p === c || same(p, a) || same(p, b) || same(p, c)) continue;
        if (cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0) {
          ear = false;
          break;
        }
      }
    if (ear || turn === 0) {
      // A collinear vertex is an ear of no area: dropped.
      if (turn !== 0)
        triangles.push([
          [xs[a], ys[a]],
          [xs[b], ys[b]],
          [xs[c], ys[c]],
        ]);
      idx.splice(i % m, 1);
      stalled = 0;
      if (i >= idx.length) i = 0;
    } else {
      i = (i + 1) % m;
      if (++stalled > m) return null;
    }
  }
  const [a, b, c] = idx;
  if (cross(a, b, c) > 0)
    triangles.push([
      [xs[a], ys[a]],
      [xs[b], ys[b]],
      [xs[c], ys[c]],
    ]);
  let sum = 0;
  for (const [[x1, y1], [x2, y2], [x3, y3]] of triangles)
    sum += ((x2 - x1) * (y3 - y1) - (y2 - y1) * (x3 - x1)) / 2;
  const area = Math.abs(signedRingArea(ring));
  if (!(Math.abs(sum - area) <= 1e-9 * area)) return null;
  return triangles.map((t) => t.map(([x, y]): [number, number] => [x + ox, y + oy]));
}

/**
 * A feature's convex pieces: each ring whole where it is convex, else its ear-clipped triangles; shells add, holes
 * subtract. Null when a ring cannot be cut (the feature is then clipped whole by polyclip-ts).
 */
export function convexPieces(mp: FlatMultiPolygon): ConvexPiece[] | null {
  const pieces: ConvexPiece[] = [];
  for (const polygon of mp)
    for (let r = 0; r < polygon.length; r++) {
      const sign = r === 0 ? 1 : -1;
      const convex = convexWindow(polygon[r]);
      if (convex) {
        pieces.push(pieceOf(convex.xs, convex.ys, sign));
        continue;
      }
      const triangles = earClip(polygon[r]);
      if (!triangles) return null;
      for (const t of triangles)
        pieces.push(
          pieceOf(
            t.map((p) => p[0]),
            t.map((p) => p[1]),
            sign,
          ),
        );
    }
  return pieces;
}

/**
 * Area of a multipolygon clipped to a convex window: shells add, holes subtract. Clipping keeps a ring's winding,
 * so the absolute value of each clipped ring's signed area is its clipped area.
 */
export function clippedMultiPolygonArea(mp: FlatMultiPolygon, window: ConvexWindow): number {
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
