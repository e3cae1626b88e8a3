// Ground areas on the WGS 84 ellipsoid (geographiclib), for projected grids whose planar areas are off by the
// projection's scale (UTM: -0.08% on the central meridian to +0.1% at the zone edge).
import geodesicPkg from 'geographiclib-geodesic';
import type { FlatMultiPolygon } from '../../core/geo/gpkgGeometry';

interface PolygonAreaAcc {
  AddPoint(lat: number, lon: number): void;
  Compute(reverse: boolean, sign: boolean): { number: number; perimeter: number; area: number };
}
interface GeodesicWgs84 {
  Polygon(polyline: boolean): PolygonAreaAcc;
  Inverse(lat1: number, lon1: number, lat2: number, lon2: number): { s12?: number };
}
const { Geodesic } = geodesicPkg as unknown as { Geodesic: { WGS84: GeodesicWgs84 } };

/** Geodesic area (m^2) of a closed lon/lat ring. */
export function geodesicRingArea(ring: ArrayLike<number>): number {
  const p = Geodesic.WGS84.Polygon(false);
  for (let i = 0; i + 3 < ring.length; i += 2) p.AddPoint(ring[i + 1], ring[i]);
  return Math.abs(p.Compute(false, true).area);
}

/** Geodesic area (m^2) of a lon/lat multipolygon: shells minus holes. */
export function geodesicArea(mp: FlatMultiPolygon): number {
  let s = 0;
  for (const polygon of mp) polygon.forEach((ring, i) => (s += (i === 0 ? 1 : -1) * geodesicRingArea(ring)));
  return s;
}

/** Geodesic length (m) of all rings of a lon/lat multipolygon. */
export function geodesicPerimeter(mp: FlatMultiPolygon): number {
  let s = 0;
  for (const polygon of mp)
    for (const ring of polygon)
      for (let i = 0; i + 3 < ring.length; i += 2)
        s += Geodesic.WGS84.Inverse(ring[i + 1], ring[i], ring[i + 3], ring[i + 2]).s12 ?? 0;
  return s;
}

/**
 * Ground area per planar area unit around (x, y) of a projected CRS: the geodesic area of a small square
 * centred there over the square's planar area. Evaluated at a region's centroid it corrects the region's
 * planar area to within a few parts per million for regions up to kilometres across (the scale varies
 * almost linearly, and the centroid averages that out).
 */
export function arealScaleAt(
  toLonLat: (x: number, y: number) => [number, number],
  x: number,
  y: number,
  half = 250,
): number {
  const corners = [
    [x - half, y - half],
    [x + half, y - half],
    [x + half, y + half],
    [x - half, y + half],
    [x - half, y - half],
  ];
  const ring: number[] = [];
  for (const [cx, cy] of corners) ring.push(...toLonLat(cx, cy));
  return geodesicRingArea(ring) / (4 * half * half);
}
