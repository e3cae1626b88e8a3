// Before/after patches around a region for the land-cover classifier, and reading its answer.
import type { ClassifierModelCard } from '../models/modelCard';
import type { PixelWindow } from '../raster/types';

export interface PixelBox {
  minCol: number;
  minRow: number;
  maxCol: number;
  maxRow: number;
}

/** Side (grid pixels) of the square around a box: the box plus its margin, at least minSidePx. */
function patchSide(box: PixelBox, minSidePx: number, margin: number): number {
  const bw = box.maxCol - box.minCol + 1;
  const bh = box.maxRow - box.minRow + 1;
  return Math.max(1, Math.ceil(minSidePx), Math.ceil(Math.max(bw, bh) * (1 + 2 * margin)));
}

/**
 * The square window to cut around a region: its bounding box plus a context margin on each side (a fraction of
 * the box), and never smaller than the classifier's own footprint (minSidePx: inputSize x inputGsdM in grid
 * pixels), so small regions are seen at the ground size the classifier was trained at and large ones whole.
 * Shifted to stay inside the grid; clipped only where the grid is smaller than the square.
 */
export function patchWindow(
  box: PixelBox,
  minSidePx: number,
  margin: number,
  width: number,
  height: number,
): PixelWindow {
  const side = patchSide(box, minSidePx, margin);
  const cx = (box.minCol + box.maxCol + 1) / 2;
  const cy = (box.minRow + box.maxRow + 1) / 2;
  const place = (centre: number, size: number, limit: number): [number, number] => {
    if (size >= limit) return [0, limit];
    const start = Math.round(centre - size / 2);
    return [Math.max(0, Math.min(limit - size, start)), size];
  };
  const [x, w] = place(cx, side, width);
  const [y, h] = place(cy, side, height);
  return { x, y, width: w, height: h };
}

/** How a region's patch is cut for the land-cover classifier. */
export interface PatchRule {
  /** Context around the region's bounding box, as a fraction of its size on each side. */
  contextMargin: number;
  /**
   * A region should span at least this many of the classifier's input pixels across: a small region is seen at a
   * finer ground size than the classifier's own (down to its gsdRangeM floor and the imagery's pixel size), so very
   * high resolution imagery is not shrunk until the region is a few pixels of the patch.
   */
  minRegionPx: number;
}

export const DEFAULT_PATCH_RULE: PatchRule = { contextMargin: 0.25, minRegionPx: 16 };

/**
 * Ground size (m) of one classifier input pixel for a region whose longer side is regionSideM: the classifier's
 * inputGsdM, or finer so the region spans rule.minRegionPx pixels, but never finer than the card's gsdRangeM
 * floor (scenes it was trained on) nor than the imagery's own pixels (no enlarging beyond what the imagery shows).
 */
export function classifierGsdM(
  regionSideM: number,
  imageryPixelM: number,
  card: Pick<ClassifierModelCard, 'inputGsdM' | 'gsdRangeM'>,
  rule: PatchRule = DEFAULT_PATCH_RULE,
): number {
  const finest = Math.max(card.gsdRangeM[0], imageryPixelM);
  const wanted = Math.min(card.inputGsdM, regionSideM / Math.max(1, rule.minRegionPx));
  return Math.max(finest, wanted);
}

/**
 * The square to classify for a region (box in grid pixels, imageryPixelM metres per pixel): inputSize classifier
 * pixels at classifierGsdM, grown to hold the box and its context margin. sidePx is the square's side in grid
 * pixels; window is the part of the grid to read (the square shifted inside the grid, clipped only where the grid
 * is smaller than the square: classifierPatch then mirrors what is there instead of stretching it).
 */
export function classifierPatchWindow(
  box: PixelBox,
  imageryPixelM: number,
  card: Pick<ClassifierModelCard, 'inputGsdM' | 'gsdRangeM' | 'inputSize'>,
  width: number,
  height: number,
  rule: PatchRule = DEFAULT_PATCH_RULE,
): { window: PixelWindow; sidePx: number } {
  const boxSide = Math.max(box.maxCol - box.minCol + 1, box.maxRow - box.minRow + 1);
  const gsd = classifierGsdM(boxSide * imageryPixelM, imageryPixelM, card, rule);
  const minSidePx = (card.inputSize * gsd) / imageryPixelM;
  const window = patchWindow(box, minSidePx, rule.contextMargin, width, height);
  return { window, sidePx: patchSide(box, minSidePx, rule.contextMargin) };
}

/** Index into 0..k-1 of position i on a line mirrored at both ends (..., 1, 0, 0, 1, ..., k-1, k-1, k-2, ...). */
function mirror(i: number, k: number): number {
  const period = 2 * k;
  const j = ((i % period) + period) % period;
  return j < k ? j : period - 1 - j;
}

/**
 * The classifier's n x n input from a w x h window of a square sidePx across (classifierPatchWindow): resampled
 * to n (area mean when shrinking). Where the grid was smaller than the square, the window keeps its ground size,
 * sits in the middle and the rest is mirrored from it (as training padded zoomed-out scenes by reflection), so a
 * small image is never stretched to a ground size the classifier does not know.
 */
export function classifierPatch(
  src: Float32Array,
  bands: number,
  w: number,
  h: number,
  sidePx: number,
  n: number,
): Float32Array {
  if (w >= sidePx - 0.5 && h >= sidePx - 0.5) return resamplePlanes(src, bands, w, h, n);
  const kw = Math.max(1, Math.min(n, Math.round((n * w) / sidePx)));
  const kh = Math.max(1, Math.min(n, Math.round((n * h) / sidePx)));
  const small = resamplePlanes(src, bands, w, h, kw, kh);
  const out = new Float32Array(bands * n * n);
  const offX = Math.floor((n - kw) / 2);
  const offY = Math.floor((n - kh) / 2);
  for (let b = 0; b < bands; b++) {
    for (let y = 0; y < n; y++) {
      const row = b * kw * kh + mirror(y - offY, kh) * kw;
      for (let x = 0; x < n; x++) out[b * n * n + y * n + x] = small[row + mirror(x - offX, kw)];
    }
  }
  return out;
}

/**
 * Band-planar resampling of a w x h image to n x nh (default n x n): the mean of the source pixels whose centres
 * fall in each output pixel when shrinking (no aliasing), bilinear when enlarging.
 */
export function resamplePlanes(
  src: Float32Array,
  bands: number,
  w: number,
  h: number,
  n: number,
  nh = n,
): Float32Array {
  const out = new Float32Array(bands * n * nh);
  const sx = w / n;
  const sy = h / nh;
  for (let b = 0; b < bands; b++) {
    const plane = b * w * h;
    const oplane = b * n * nh;
    for (let j = 0; j < nh; j++) {
      for (let i = 0; i < n; i++) {
        let v: number;
        if (sx >= 1 && sy >= 1) {
          const x0 = Math.floor(i * sx + 0.5 - 1e-9);
          const x1 = Math.max(x0 + 1, Math.min(w, Math.floor((i + 1) * sx + 0.5 - 1e-9)));
          const y0 = Math.floor(j * sy + 0.5 - 1e-9);
          const y1 = Math.max(y0 + 1, Math.min(h, Math.floor((j + 1) * sy + 0.5 - 1e-9)));
          let s = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += src[plane + y * w + x];
          v = s / ((x1 - x0) * (y1 - y0));
        } else {
          const fx = Math.min(w - 1, Math.max(0, (i + 0.5) * sx - 0.5));
          const fy = Math.min(h - 1, Math.max(0, (j + 0.5) * sy - 0.5));
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const x1 = Math.min(w - 1, x0 + 1);
          const y1 = Math.min(h - 1, y0 + 1);
          const ax = fx - x0;
          const ay = fy - y0;
          const top = src[plane + y0 * w + x0] * (1 - ax) + src[plane + y0 * w + x1] * ax;
          const bottom = src[plane + y1 * w + x0] * (1 - ax) + src[plane + y1 * w + x1] * ax;
          v = top * (1 - ay) + bottom * ay;
        }
        out[oplane + j * n + i] = v;
      }
    }
  }
  return out;
}

/** The card's per-band (x - mean) / std, in place. */
export function normalisePatch(patch: Float32Array, card: ClassifierModelCard, n: number): void {
  const { mean, std } = card.normalisation;
  for (let b = 0; b < card.bands.length; b++) {
    const m = mean[b] ?? 0;
    const s = std[b] ?? 1;
    for (let i = b * n * n; i < (b + 1) * n * n; i++) patch[i] = (patch[i] - m) / s;
  }
}

/** The label of a patch the classifier cannot tell (stored in from_class / to_class like any class). */
export const UNCERTAIN_LABEL = 'uncertain';

export interface LandCoverAnswer {
  label: string;
  confidence: number;
  top3: { label: string; p: number }[];
}

/**
 * The classifier's class probabilities summed per planner-facing land-cover class (card.landCover), best
 * first; "uncertain" when the best is under card.uncertainBelow and (where the card sets uncertainMargin) leads the
 * runner-up by less than uncertainMargin (the top 3 still say what it might be).
 */
export function landCoverAnswer(
  probs: ArrayLike<number>,
  offset: number,
  card: ClassifierModelCard,
): LandCoverAnswer {
  const sums = new Map<string, number>();
  card.classes.forEach((c, k) => {
    const label = card.landCover[c] ?? c;
    sums.set(label, (sums.get(label) ?? 0) + probs[offset + k]);
  });
  const ranked = [...sums.entries()].sort((a, b) => b[1] - a[1]);
  const top3 = ranked.slice(0, 3).map(([label, p]) => ({ label, p: Math.round(p * 1e4) / 1e4 }));
  const [label, confidence] = ranked[0];
  const lead = confidence - (ranked[1]?.[1] ?? 0);
  const uncertain = confidence < card.uncertainBelow && lead < (card.uncertainMargin ?? Infinity);
  return { label: uncertain ? UNCERTAIN_LABEL : label, confidence, top3 };
}
