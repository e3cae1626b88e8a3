// Halves a band-planar block for the next overview level: "average" (nodata excluded, integers rounded) for
// imagery and probabilities, "nearest" for masks and classes.
import type { RasterArray } from './sampleTypes';

export type OverviewResampling = 'average' | 'nearest';

/**
 * Halves a `width` x `height` block of `bands` planes into ceil(width/2) x ceil(height/2) planes.
 * `nodata` pixels (or NaN) are skipped by "average"; an output pixel with no valid input becomes nodata.
 */
export function downsampleByTwo(
  src: RasterArray,
  width: number,
  height: number,
  bands: number,
  out: RasterArray,
  method: OverviewResampling,
  nodata: number | null,
  integer: boolean,
): void {
  const ow = Math.ceil(width / 2);
  const oh = Math.ceil(height / 2);
  const fill = nodata ?? 0;
  for (let b = 0; b < bands; b++) {
    const si = b * width * height;
    const oi = b * ow * oh;
    for (let y = 0; y < oh; y++) {
      const y0 = 2 * y;
      const y1 = Math.min(y0 + 1, height - 1);
      for (let x = 0; x < ow; x++) {
        const x0 = 2 * x;
        if (method === 'nearest') {
          out[oi + y * ow + x] = src[si + y0 * width + x0];
          continue;
        }
        const x1 = Math.min(x0 + 1, width - 1);
        let sum = 0;
        let n = 0;
        // Up to four inputs; at the right/bottom edge of an odd-sized block the duplicates are skipped.
        const a = src[si + y0 * width + x0];
        if (a === a && a !== nodata) {
          sum += a;
          n++;
        }
        if (x1 !== x0) {
          const v = src[si + y0 * width + x1];
          if (v === v && v !== nodata) {
            sum += v;
            n++;
          }
        }
        if (y1 !== y0) {
          const v = src[si + y1 * width + x0];
          if (v === v && v !== nodata) {
            sum += v;
            n++;
          }
          if (x1 !== x0) {
            const w = src[si + y1 * width + x1];
            if (w === w && w !== nodata) {
              sum += w;
              n++;
            }
          }
        }
        out[oi + y * ow + x] = n === 0 ? fill : integer ? Math.round(sum / n) : sum / n;
      }
    }
  }
}
