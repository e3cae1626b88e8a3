// The change mask: the probability raster thresholded, as GIS users expect a classified raster to look.
import { PROBABILITY_SCALE } from '../tiling/blend';

/** Mask value for pixels without data (outside the imagery or invalid in either date). */
export const MASK_NODATA = 255;

/**
 * 1 where probability >= threshold, 0 below it, MASK_NODATA where the pixel is not valid or not a number.
 * Uint8 probability rasters (what runs write) hold probability x 254; the comparison is v / 254 >= threshold,
 * exactly as the regions' own mask (core/regions/mask.ts) makes it, so the mask and the regions agree.
 * Returns the mask and how many pixels it marks as change.
 */
export function thresholdProbability(
  probability: ArrayLike<number>,
  valid: ArrayLike<number>,
  threshold: number,
): { mask: Uint8Array; changed: number } {
  const divisor = probability instanceof Uint8Array ? PROBABILITY_SCALE : 1;
  const mask = new Uint8Array(probability.length);
  let changed = 0;
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    if (!valid[i] || Number.isNaN(p)) mask[i] = MASK_NODATA;
    else if (p / divisor >= threshold) {
      mask[i] = 1;
      changed++;
    }
  }
  return { mask, changed };
}
