// Ring winding for exports. Formats disagree: GeoJSON (RFC 7946 §3.1.6) wants exterior rings counter-clockwise
// and holes clockwise; Shapefile wants the opposite. The store keeps whatever the tracer produced, so every
// encoder re-winds on the way out. Both lon/lat and projected grids have y pointing north, so a positive
// shoelace area means counter-clockwise in all of them.

import type { FlatMultiPolygon, FlatPolygon, FlatRing } from '../geo/gpkgGeometry';

/** Twice the signed area of a closed flat ring: > 0 counter-clockwise, < 0 clockwise (y up). */
export function ringSignedArea2(ring: FlatRing): number {
  let sum = 0;
  const n = ring.length;
  if (n < 6) return 0;
  // Relative to the first point, so large projected coordinates do not cost precision.
  const x0 = ring[0];
  const y0 = ring[1];
  for (let i = 2; i + 3 < n; i += 2) {
    const ax = ring[i] - x0;
    const ay = ring[i + 1] - y0;
    const bx = ring[i + 2] - x0;
    const by = ring[i + 3] - y0;
    sum += ax * by - bx * ay;
  }
  return sum;
}

export function isCounterClockwise(ring: FlatRing): boolean {
  return ringSignedArea2(ring) > 0;
}

/** The ring's points in reverse order (still closed). */
export function reverseRing(ring: FlatRing): Float64Array {
  const n = ring.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    out[n - 2 - i] = ring[i];
    out[n - 1 - i] = ring[i + 1];
  }
  return out;
}

export type Winding = 'ccw' | 'cw';

function wound(ring: FlatRing, winding: Winding): FlatRing {
  const ccw = isCounterClockwise(ring);
  return ccw === (winding === 'ccw') ? ring : reverseRing(ring);
}

/** The polygon with its exterior ring wound one way and every hole the other way. */
export function orientPolygon(polygon: FlatPolygon, exterior: Winding): FlatPolygon {
  const hole: Winding = exterior === 'ccw' ? 'cw' : 'ccw';
  return polygon.map((ring, i) => wound(ring, i === 0 ? exterior : hole));
}

/** RFC 7946 right-hand rule: exteriors counter-clockwise, holes clockwise. */
export function orientForGeoJson(mp: FlatMultiPolygon): FlatMultiPolygon {
  return mp.map((p) => orientPolygon(p, 'ccw'));
}

/** OGC Simple Features 1.2 (WKT, GeoPackage): exteriors counter-clockwise, holes clockwise, as in GeoJSON. */
export const orientForSimpleFeatures = orientForGeoJson;

/** ESRI Shapefile rule: exteriors clockwise, holes counter-clockwise. */
export function orientForShapefile(mp: FlatMultiPolygon): FlatMultiPolygon {
  return mp.map((p) => orientPolygon(p, 'cw'));
}
