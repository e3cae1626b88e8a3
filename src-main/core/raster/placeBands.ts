// The last step of every window read: band rasters of the part inside the image placed into the requested window,
// and each pixel's validity (alpha not zero, not nodata in every band), as GDAL decides them per dataset.
import type { RasterArray } from './sampleTypes';
import type { PixelWindow } from './types';

/**
 * `rasters[k]` holds band k of window `inside` (row-major); `alpha` the alpha band of the same window or null.
 * Writes band-planar values into `data` (window `window`) and 1/0 into `valid`. `placed`: the rasters already are
 * `data`'s bands (a read decoded straight into them), so only `valid` is written.
 */
export function placeBands(
  rasters: ArrayLike<number>[],
  alpha: ArrayLike<number> | null,
  nodata: number | null,
  inside: PixelWindow,
  window: PixelWindow,
  data: RasterArray,
  valid: Uint8Array,
  placed = false,
): void {
  const n = window.width * window.height;
  const iw = inside.width;
  const bands = rasters.length;
  // NaN as the nodata value matches NaN samples (GDAL's rule), which === cannot test.
  const nanNodata = nodata !== null && Number.isNaN(nodata);
  for (let r = 0; r < inside.height; r++) {
    const dstRow = (inside.y - window.y + r) * window.width + (inside.x - window.x);
    const rows: RasterArray[] = [];
    for (let b = 0; b < bands; b++) {
      const row = (rasters[b] as RasterArray).subarray(r * iw, (r + 1) * iw);
      if (!placed) data.set(row, b * n + dstRow);
      rows.push(row);
    }
    const alphaRow = alpha === null ? null : (alpha as RasterArray).subarray(r * iw, (r + 1) * iw);
    // The common cases get a loop of their own: no mask at all, and one nodata value without alpha.
    if (alphaRow === null && nodata === null) {
      valid.fill(1, dstRow, dstRow + iw);
    } else if (alphaRow === null && !nanNodata) {
      validWhereNotNodata(rows, nodata!, valid, dstRow, iw);
    } else {
      for (let c = 0; c < iw; c++) {
        let ok = alphaRow === null || alphaRow[c] !== 0;
        if (ok && nodata !== null) {
          // A pixel is nodata when every read band holds the nodata value (GDAL's per-dataset convention).
          let all = true;
          for (let b = 0; b < bands && all; b++) {
            const v = rows[b][c];
            all = v === nodata || (nanNodata && v !== v);
          }
          ok = !all;
        }
        valid[dstRow + c] = ok ? 1 : 0;
      }
    }
  }
}

/** valid = 1 where any band differs from the nodata value, for one row of `width` pixels. */
function validWhereNotNodata(
  rows: RasterArray[],
  nodata: number,
  valid: Uint8Array,
  at: number,
  width: number,
): void {
  if (rows.length === 3) {
    const [r0, r1, r2] = rows;
    for (let c = 0; c < width; c++)
      valid[at + c] = r0[c] !== nodata || r1[c] !== nodata || r2[c] !== nodata ? 1 : 0;
    return;
  }
  valid.fill(0, at, at + width);
  for (const row of rows) for (let c = 0; c < width; c++) if (row[c] !== nodata) valid[at + c] = 1;
}
