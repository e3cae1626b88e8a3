// Grids and probability fields for the regions service tests.
import type { GridSpec } from '../../core/raster/types';

const UTM33 = '+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs';

export function utmGrid(width: number, height: number, pixel = 10, originX = 300_000): GridSpec {
  return {
    width,
    height,
    geoTransform: [originX, pixel, 0, 5_000_000, 0, -pixel],
    crs: { code: 'EPSG:32633', name: 'WGS 84 / UTM zone 33N', proj4: UTM33, units: 'm' },
  };
}

export function geographicGrid(width: number, height: number, pixelDeg: number): GridSpec {
  return {
    width,
    height,
    geoTransform: [10, pixelDeg, 0, 60, 0, -pixelDeg],
    crs: { code: 'EPSG:4326', name: 'WGS 84', proj4: '+proj=longlat +datum=WGS84 +no_defs', units: 'degree' },
  };
}

/** Blobs: discs of probability 0.9 fading to 0.6 at their edge, on a 0.1 background. */
export function blobs(w: number, h: number, discs: [number, number, number][]): Float32Array {
  const out = new Float32Array(w * h).fill(0.1);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (const [cx, cy, r] of discs) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        if (d < r) out[y * w + x] = Math.max(out[y * w + x], 0.9 - (0.3 * d) / r);
      }
  return out;
}
