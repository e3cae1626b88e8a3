// Pixel-centre rasterisation of a multipolygon in scene pixel coordinates (even-odd over all its rings, which
// is exact for a region's outline because its polygons never overlap). Used to check outlines against their
// pixels and to measure the overlap of an old and a new region when carrying a review over.
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import type { PixelWindow } from '../raster/types';

export function rasterizeOutline(mp: FlatMultiPolygon, window: PixelWindow): Uint8Array {
  const { x: x0, y: y0, width: w, height: h } = window;
  const out = new Uint8Array(w * h);
  const xs: number[] = [];
  for (let row = 0; row < h; row++) {
    const cy = y0 + row + 0.5;
    xs.length = 0;
    for (const polygon of mp)
      for (const ring of polygon)
        for (let i = 0; i + 3 < ring.length; i += 2) {
          const ya = ring[i + 1];
          const yb = ring[i + 3];
          if (ya > cy !== yb > cy) xs.push(ring[i] + ((cy - ya) * (ring[i + 2] - ring[i])) / (yb - ya));
        }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Pixel centres x + 0.5 strictly between the two crossings.
      const from = Math.max(0, Math.ceil(xs[k] - 0.5 - x0));
      const to = Math.min(w - 1, Math.floor(xs[k + 1] - 0.5 - x0 - 1e-12));
      for (let col = from; col <= to; col++) out[row * w + col] = 1;
    }
  }
  return out;
}

/** Number of pixels of the window inside the outline. */
export function countInside(mp: FlatMultiPolygon, window: PixelWindow): number {
  const r = rasterizeOutline(mp, window);
  let n = 0;
  for (let i = 0; i < r.length; i++) n += r[i];
  return n;
}
