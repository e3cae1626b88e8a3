// The last step of every window read: band rasters of the part inside the image placed into the requested window,
// and each pixel's validity (alpha not zero, not nodata in every band), as GDAL decides them per dataset.
import type { RasterArray } from './sampleTypes';
import type { PixelWindow } from './types';

/**
 * `rasters[k]` holds band k of window `inside` (row-major); `alpha` the alpha band of the same window or null.
 * Writes band-planar values into `data` (window `window`) and 1/0 into `valid`.
 */
export function placeBands(
  rasters: ArrayLike<number>[],
  alpha: ArrayLike<number> | null,
  nodata: number | null,
  inside: PixelWindow,
  window: PixelWindow,
  data: RasterArray,
  valid: Uint8Array,
): void {
  const n = window.width * window.height;
  const iw = inside.width;
  const bands = rasters.length;
  for (let r = 0; r < inside.height; r++) {
    const dstRow = (inside.y - window.y + r) * window.width + (inside.x - window.x);
    for (let b = 0; b < bands; b++) {
      const raster = rasters[b] as RasterArray;
      data.set(raster.subarray(r * iw, (r + 1) * iw), b * n + dstRow);
    }
    for (let c = 0; c < iw; c++) {
      let ok = alpha === null || alpha[r * iw + c] !== 0;
      if (ok && nodata !== null) {
        // A pixel is nodata when every read band holds the nodata value (GDAL's per-dataset convention).
        let all = true;
        for (let b = 0; b < bands && all; b++) {
          const v = rasters[b][r * iw + c];
          all = v === nodata || (v !== v && nodata !== nodata);
        }
        ok = !all;
      }
      valid[dstRow + c] = ok ? 1 : 0;
    }
  }
}
