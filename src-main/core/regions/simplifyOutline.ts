// Douglas-Peucker simplification of a region's outline that keeps it valid.
//
// Conservative by design: corners shared by two rings (where polygons or a hole touch at a point) are pinned,
// a ring that would collapse or flip keeps its pixel-edge form, and the simplified outline is then checked —
// no two segments may cross, overlap or touch except consecutive ones and pinned corners, and every ring must
// stay inside (or outside) every other ring as before. If any check fails the pixel-edge outline, which is
// valid by construction, is kept. Outlines with more than MAX_CHECKED_RINGS rings are kept unsimplified
// (the nesting check is quadratic in rings; such regions are rare, usually speckled ones).
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { pointInRing, signedRingArea } from '../geo/rings';

const MAX_CHECKED_RINGS = 64;

function keyOf(x: number, y: number): string {
  return `${x},${y}`;
}

/** Keeps, of an open polyline pts[from..to] (point indices), the points DP needs at this tolerance. */
function douglasPeucker(
  ring: ArrayLike<number>,
  from: number,
  to: number,
  tol2: number,
  keep: Uint8Array,
): void {
  const stack = [from, to];
  while (stack.length > 0) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    const ax = ring[2 * a];
    const ay = ring[2 * a + 1];
    const dx = ring[2 * b] - ax;
    const dy = ring[2 * b + 1] - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD = tol2;
    for (let i = a + 1; i < b; i++) {
      const px = ring[2 * i] - ax;
      const py = ring[2 * i + 1] - ay;
      let d2: number;
      if (len2 === 0) d2 = px * px + py * py;
      else {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const ex = px - t * dx;
        const ey = py - t * dy;
        d2 = ex * ex + ey * ey;
      }
      if (d2 > worstD) {
        worstD = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push(a, worst, worst, b);
    }
  }
}

function simplifyRing(ring: ArrayLike<number>, tol: number, pinned: Set<string>): Float64Array {
  const n = ring.length / 2 - 1; // distinct points (the ring is closed)
  const keep = new Uint8Array(n + 1);
  const anchors: number[] = [];
  for (let i = 0; i < n; i++) if (pinned.has(keyOf(ring[2 * i], ring[2 * i + 1]))) anchors.push(i);
  if (anchors.length === 0) {
    // No pin: anchor at the first point and the point farthest from it.
    let far = 0;
    let farD = -1;
    for (let i = 1; i < n; i++) {
      const d = (ring[2 * i] - ring[0]) ** 2 + (ring[2 * i + 1] - ring[1]) ** 2;
      if (d > farD) {
        farD = d;
        far = i;
      }
    }
    anchors.push(0, far);
  }
  for (const a of anchors) keep[a] = 1;
  keep[n] = keep[0];
  // Rotate conceptually so each span between consecutive anchors is a contiguous index range.
  const tol2 = tol * tol;
  const doubled = new Float64Array(ring.length * 2 - 2);
  doubled.set(ring);
  doubled.set(Array.prototype.slice.call(ring, 2), ring.length);
  const keepDoubled = new Uint8Array(2 * n + 1);
  for (let k = 0; k < anchors.length; k++) {
    const from = anchors[k];
    const to = k + 1 < anchors.length ? anchors[k + 1] : anchors[0] + n;
    keepDoubled[from] = 1;
    keepDoubled[to] = 1;
    douglasPeucker(doubled, from, to, tol2, keepDoubled);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (keepDoubled[i] || keepDoubled[i + n]) out.push(ring[2 * i], ring[2 * i + 1]);
  }
  out.push(out[0], out[1]);
  return Float64Array.from(out);
}

interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  ring: number;
  index: number;
  ringSegments: number;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

function segmentsTouch(s: Segment, t: Segment): boolean {
  const o1 = orient(s.x1, s.y1, s.x2, s.y2, t.x1, t.y1);
  const o2 = orient(s.x1, s.y1, s.x2, s.y2, t.x2, t.y2);
  const o3 = orient(t.x1, t.y1, t.x2, t.y2, s.x1, s.y1);
  const o4 = orient(t.x1, t.y1, t.x2, t.y2, s.x2, s.y2);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(s.x1, s.y1, s.x2, s.y2, t.x1, t.y1)) return true;
  if (o2 === 0 && onSegment(s.x1, s.y1, s.x2, s.y2, t.x2, t.y2)) return true;
  if (o3 === 0 && onSegment(t.x1, t.y1, t.x2, t.y2, s.x1, s.y1)) return true;
  if (o4 === 0 && onSegment(t.x1, t.y1, t.x2, t.y2, s.x2, s.y2)) return true;
  return false;
}

/** Contact allowed between two segments: consecutive in a ring, or meeting only at one shared pinned corner. */
function allowedContact(s: Segment, t: Segment, pinned: Set<string>): boolean {
  if (s.ring === t.ring) {
    const d = Math.abs(s.index - t.index);
    if (d === 1 || d === s.ringSegments - 1) {
      // Consecutive: they share one point and must not fold back over each other.
      const [px, py] =
        d === 1
          ? s.index < t.index
            ? [s.x2, s.y2]
            : [t.x2, t.y2]
          : s.index === 0
            ? [s.x1, s.y1]
            : [t.x1, t.y1];
      return meetOnlyAt(s, t, px, py);
    }
  }
  const shared: [number, number][] = [];
  for (const [px, py] of [
    [s.x1, s.y1],
    [s.x2, s.y2],
  ])
    if ((px === t.x1 && py === t.y1) || (px === t.x2 && py === t.y2)) shared.push([px, py]);
  if (shared.length !== 1 || !pinned.has(keyOf(shared[0][0], shared[0][1]))) return false;
  return meetOnlyAt(s, t, shared[0][0], shared[0][1]);
}

/** Two segments with common end point (px, py) meet nowhere else (not folded back along one line). */
function meetOnlyAt(s: Segment, t: Segment, px: number, py: number): boolean {
  const [sx, sy] = s.x1 === px && s.y1 === py ? [s.x2, s.y2] : [s.x1, s.y1];
  const [tx, ty] = t.x1 === px && t.y1 === py ? [t.x2, t.y2] : [t.x1, t.y1];
  if (orient(px, py, sx, sy, tx, ty) !== 0) return true;
  return (sx - px) * (tx - px) + (sy - py) * (ty - py) < 0;
}

/** True when no two segments of the rings meet other than consecutive ones and at pinned corners. */
export function ringsAreSimpleTogether(rings: ArrayLike<number>[], pinned: Set<string>): boolean {
  const segs: Segment[] = [];
  rings.forEach((ring, r) => {
    const m = ring.length / 2 - 1;
    for (let i = 0; i < m; i++)
      segs.push({
        x1: ring[2 * i],
        y1: ring[2 * i + 1],
        x2: ring[2 * i + 2],
        y2: ring[2 * i + 3],
        ring: r,
        index: i,
        ringSegments: m,
      });
  });
  segs.sort((a, b) => Math.min(a.x1, a.x2) - Math.min(b.x1, b.x2));
  const active: Segment[] = [];
  for (const s of segs) {
    const sMinX = Math.min(s.x1, s.x2);
    let w = 0;
    for (let i = 0; i < active.length; i++)
      if (Math.max(active[i].x1, active[i].x2) >= sMinX) active[w++] = active[i];
    active.length = w;
    const sMinY = Math.min(s.y1, s.y2);
    const sMaxY = Math.max(s.y1, s.y2);
    for (const t of active) {
      if (Math.max(t.y1, t.y2) < sMinY || Math.min(t.y1, t.y2) > sMaxY) continue;
      if (segmentsTouch(s, t) && !allowedContact(s, t, pinned)) return false;
    }
    active.push(s);
  }
  return true;
}

/** A point of the ring that is not pinned (so not shared with another ring), or null. */
function freePoint(ring: ArrayLike<number>, pinned: Set<string>): [number, number] | null {
  for (let i = 0; i + 1 < ring.length; i += 2)
    if (!pinned.has(keyOf(ring[i], ring[i + 1]))) return [ring[i], ring[i + 1]];
  return null;
}

/** Simplifies within tolerance (pixels) and returns a valid outline, or the input unchanged. */
export function simplifyOutline(mp: FlatMultiPolygon, tolerance: number): FlatMultiPolygon {
  if (tolerance <= 0) return mp;
  const all = mp.flat();
  if (all.length > MAX_CHECKED_RINGS) return mp;
  const counts = new Map<string, number>();
  for (const ring of all) {
    const seen = new Set<string>();
    for (let i = 0; i + 3 < ring.length; i += 2) {
      const k = keyOf(ring[i], ring[i + 1]);
      if (seen.has(k)) continue;
      seen.add(k);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  const pinned = new Set<string>();
  for (const [k, c] of counts) if (c > 1) pinned.add(k);

  const out: FlatMultiPolygon = mp.map((polygon) =>
    polygon.map((ring) => {
      const s = simplifyRing(ring, tolerance, pinned);
      const a0 = signedRingArea(ring);
      const a1 = signedRingArea(s);
      return s.length >= 8 && Math.sign(a0) === Math.sign(a1) && Math.abs(a1) >= 0.25 * Math.abs(a0)
        ? s
        : ring;
    }),
  );
  const rings = out.flat();
  if (!ringsAreSimpleTogether(rings, pinned)) return mp;
  // Nesting unchanged: a free point of each ring is inside another ring after exactly when it was before.
  const before = mp.flat();
  for (let i = 0; i < rings.length; i++) {
    const p = freePoint(rings[i], pinned);
    if (!p) continue;
    for (let j = 0; j < rings.length; j++) {
      if (i === j) continue;
      if (pointInRing(rings[j], p[0], p[1]) !== pointInRing(before[j], p[0], p[1])) return mp;
    }
  }
  return out;
}
