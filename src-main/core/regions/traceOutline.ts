// A region's outline traced along pixel edges, as a valid multipolygon with holes, in scene pixel coordinates.
//
// Tracing rule: walk each boundary with the region on the left and, where two region pixels touch only at a
// corner (a "saddle"), always turn towards the pixel being followed, i.e. trace as if the region were
// 4-connected. A ring that comes back to a saddle corner it already visited is split there. The result is
// OGC-valid: shells and holes are simple rings, and rings of one region may touch each other only at single
// corner points (polygons touching at a point in a multipolygon, or a hole touching its shell at a point).
// An 8-connected region can so become several polygons; together they hold exactly its pixels.
import type { FlatMultiPolygon, FlatPolygon } from '../geo/gpkgGeometry';
import { pointInRing, signedRingArea } from '../geo/rings';

/** Whether local pixel (x, y), 0 <= x < w, 0 <= y < h, belongs to the region. */
export type InsideTest = (x: number, y: number) => boolean;

// Directions E, S, W, N in pixel space (y grows downwards).
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];
// Pixel ahead-left and ahead-right of the end vertex (ex, ey), as offsets, per direction.
const AL_DX = [0, 0, -1, -1];
const AL_DY = [-1, 0, 0, -1];
const AR_DX = [0, -1, -1, 0];
const AR_DY = [0, 0, -1, -1];

/** Closed corner rings of every boundary of the region (shells and holes), before splitting. */
function traceRings(inside: InsideTest, w: number, h: number): number[][] {
  const isIn = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && inside(x, y);
  // One bit per horizontal edge (w per lattice row, h + 1 rows): every ring has one, so it marks rings done.
  const visited = new Uint8Array(Math.ceil((w * (h + 1)) / 8));
  const mark = (x: number, y: number): void => {
    const i = y * w + x;
    visited[i >> 3] |= 1 << (i & 7);
  };
  const seen = (x: number, y: number): boolean => {
    const i = y * w + x;
    return (visited[i >> 3] & (1 << (i & 7))) !== 0;
  };
  const rings: number[][] = [];
  for (let y = 0; y <= h; y++) {
    let above = false;
    for (let x = 0; x < w; x++) {
      above = y > 0 && inside(x, y - 1);
      const below = y < h && inside(x, y);
      if (above === below || seen(x, y)) continue;
      // Region on the left: eastwards under a region pixel, westwards above one.
      const sx = above ? x : x + 1;
      const sd = above ? 0 : 2;
      const corners: number[] = [];
      let vx = sx;
      let vy = y;
      let d = sd;
      for (;;) {
        if (d === 0) mark(vx, vy);
        else if (d === 2) mark(vx - 1, vy);
        vx += DX[d];
        vy += DY[d];
        const al = isIn(vx + AL_DX[d], vy + AL_DY[d]);
        let nd: number;
        if (!al) nd = (d + 3) & 3;
        else if (isIn(vx + AR_DX[d], vy + AR_DY[d])) nd = (d + 1) & 3;
        else nd = d;
        if (nd !== d) corners.push(vx, vy);
        d = nd;
        if (vx === sx && vy === y && d === sd) break;
      }
      rings.push(corners);
    }
  }
  return rings;
}

/** Splits a cyclic corner list at repeated vertices into simple closed rings (flat, first point repeated). */
function splitAtRepeats(corners: number[], w: number): number[][] {
  const out: number[][] = [];
  const stack: number[] = [];
  const where = new Map<number, number>();
  for (let i = 0; i < corners.length; i += 2) {
    const x = corners[i];
    const y = corners[i + 1];
    const key = y * (w + 1) + x;
    const at = where.get(key);
    if (at === undefined) {
      where.set(key, stack.length);
      stack.push(x, y);
      continue;
    }
    const loop = stack.slice(at);
    loop.push(x, y);
    out.push(loop);
    for (let j = at + 2; j < stack.length; j += 2) where.delete(stack[j + 1] * (w + 1) + stack[j]);
    stack.length = at + 2;
  }
  if (stack.length > 0) {
    stack.push(stack[0], stack[1]);
    out.push(stack);
  }
  return out;
}

/** A point strictly inside the area to the right of the ring's first edge (a pixel centre). */
function pointRightOfFirstEdge(ring: number[]): [number, number] {
  const dx = Math.sign(ring[2] - ring[0]);
  const dy = Math.sign(ring[3] - ring[1]);
  return [ring[0] + 0.5 * dx - 0.5 * dy, ring[1] + 0.5 * dy + 0.5 * dx];
}

/**
 * Outline of the pixels for which inside(x, y) holds in a w x h box whose top-left pixel is scene pixel
 * (originX, originY). Rings are closed, in scene pixel coordinates (corners at whole numbers); shells run
 * clockwise on screen (y down), which is counter-clockwise once a north-up geotransform flips y.
 */
export function traceOutline(
  inside: InsideTest,
  w: number,
  h: number,
  originX = 0,
  originY = 0,
): FlatMultiPolygon {
  const shells: { ring: number[]; area: number; holes: number[][] }[] = [];
  const holes: number[][] = [];
  for (const corners of traceRings(inside, w, h)) {
    for (const ring of splitAtRepeats(corners, w)) {
      const a = signedRingArea(ring);
      if (a < 0) shells.push({ ring, area: -a, holes: [] });
      else holes.push(ring);
    }
  }
  if (shells.length === 1) shells[0].holes = holes;
  else if (shells.length > 1) {
    const bySize = [...shells].sort((p, q) => p.area - q.area);
    for (const hole of holes) {
      const [px, py] = pointRightOfFirstEdge(hole);
      const owner = bySize.find((s) => pointInRing(s.ring, px, py)) ?? bySize[bySize.length - 1];
      owner.holes.push(hole);
    }
  }
  const shift = (ring: number[]): Float64Array => {
    const out = new Float64Array(ring.length);
    for (let i = 0; i < ring.length; i += 2) {
      out[i] = ring[i] + originX;
      out[i + 1] = ring[i + 1] + originY;
    }
    return out;
  };
  return shells.map((s): FlatPolygon => [shift(s.ring), ...s.holes.map(shift)]);
}
