// Ground areas on the WGS 84 ellipsoid (geographiclib), for projected grids whose planar areas are off by the
// projection's scale (UTM: -0.08% on the central meridian to +0.1% at the zone edge).
import geodesicPkg from 'geographiclib-geodesic';
import type { FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { WGS84 as ELLIPSOID } from '../../core/regions/pixelArea';

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

/**
 * Ground m² per planar unit² of a run's grid CRS at a stored region, for areas of parts of it (the boundary join's
 * overlaps). Projected grids and pixel space: the region's own scale, area_m2 / (pixel_count x planar pixel area),
 * which is exactly the factor computeRegions applied at the region's centroid (the projection's areal scale, or the
 * user's pixel size squared), so a region wholly inside a feature counts its full stored area. Geographic grids
 * (degrees): the ellipsoid's local m² per degree² at the centroid's latitude, as pixelArea's rotated-grid rule.
 */
export function regionAreaScale(
  grid: { crs: { units: string }; geoTransform: readonly number[] },
  region: { areaM2: number; pixelCount: number; centroidY: number },
): number {
  if (grid.crs.units === 'degree') {
    const { a, f } = ELLIPSOID;
    const e2 = f * (2 - f);
    const phi = (region.centroidY * Math.PI) / 180;
    const w = 1 - e2 * Math.sin(phi) ** 2;
    const meridional = (a * (1 - e2)) / (w * Math.sqrt(w));
    const normal = a / Math.sqrt(w);
    return (Math.PI / 180) ** 2 * meridional * normal * Math.cos(phi);
  }
  const [, a, b, , c, d] = grid.geoTransform;
  const planarPixelArea = Math.abs(a * d - b * c);
  return region.pixelCount > 0 && planarPixelArea > 0
    ? region.areaM2 / (region.pixelCount * planarPixelArea)
    : 1;
}
