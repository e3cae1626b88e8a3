// Ground area of one pixel, per scene row.
//
// Projected grid: |det| of the geotransform (m^2, constant). Geographic grid (degrees), north-up: the exact
// area on the ellipsoid of the cell bounded by two meridians and two parallels, from the authalic-latitude
// formula (the area of a zone between the equator and latitude phi is proportional to q(phi)). A rotated
// geographic grid uses the local scale at the row's middle pixel (a tiny approximation for small pixels).
import type { GridSpec } from '../raster/types';

export interface Ellipsoid {
  a: number;
  /** Flattening. */
  f: number;
}

export const WGS84: Ellipsoid = { a: 6378137, f: 1 / 298.257223563 };

const DEG = Math.PI / 180;

/** q(phi)/2 without the (1 - e^2) factor: sin / (1 - e^2 sin^2) + atanh(e sin) / e. */
function authalicQ(phi: number, e: number): number {
  const s = Math.sin(phi);
  if (e === 0) return 2 * s;
  return s / (1 - e * e * s * s) + Math.atanh(e * s) / e;
}

/** Area (m^2) of the ellipsoid between latitudes phi1, phi2 (degrees) over a longitude span dLon (degrees). */
export function quadrangleArea(phi1: number, phi2: number, dLon: number, ell: Ellipsoid = WGS84): number {
  const e2 = ell.f * (2 - ell.f);
  const e = Math.sqrt(e2);
  const b2 = ell.a * ell.a * (1 - e2);
  return Math.abs(((b2 * dLon * DEG) / 2) * (authalicQ(phi2 * DEG, e) - authalicQ(phi1 * DEG, e)));
}

export function rowPixelAreas(grid: GridSpec, ell: Ellipsoid = WGS84): Float64Array {
  const [, a, b, y0, c, d] = grid.geoTransform;
  const out = new Float64Array(grid.height);
  const det = Math.abs(a * d - b * c);
  if (grid.crs.units !== 'degree') return out.fill(det);
  if (b === 0 && c === 0) {
    for (let r = 0; r < grid.height; r++) out[r] = quadrangleArea(y0 + r * d, y0 + (r + 1) * d, a, ell);
    return out;
  }
  const e2 = ell.f * (2 - ell.f);
  const mid = grid.width / 2;
  for (let r = 0; r < grid.height; r++) {
    const phi = (y0 + mid * c + (r + 0.5) * d) * DEG;
    const s = Math.sin(phi);
    const w = 1 - e2 * s * s;
    const meridional = (ell.a * (1 - e2)) / (w * Math.sqrt(w));
    const normal = ell.a / Math.sqrt(w);
    out[r] = det * DEG * DEG * meridional * normal * Math.cos(phi);
  }
  return out;
}
