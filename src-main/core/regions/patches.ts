// Before/after patches around a region for the land-cover classifier, and reading its answer.
import type { ClassifierModelCard } from '../models/modelCard';
import type { PixelWindow } from '../raster/types';

export interface PixelBox {
  minCol: number;
  minRow: number;
  maxCol: number;
  maxRow: number;
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
  const bw = box.maxCol - box.minCol + 1;
  const bh = box.maxRow - box.minRow + 1;
  const side = Math.max(1, Math.ceil(minSidePx), Math.ceil(Math.max(bw, bh) * (1 + 2 * margin)));
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

/**
 * Band-planar resampling of a w x h image to n x n: the mean of the source pixels whose centres fall in each
 * output pixel when shrinking (no aliasing), bilinear when enlarging.
 */
export function resamplePlanes(
  src: Float32Array,
  bands: number,
  w: number,
  h: number,
  n: number,
): Float32Array {
  const out = new Float32Array(bands * n * n);
  const sx = w / n;
  const sy = h / n;
  for (let b = 0; b < bands; b++) {
    const plane = b * w * h;
    const oplane = b * n * n;
    for (let j = 0; j < n; j++) {
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

export interface LandCoverAnswer {
  label: string;
  confidence: number;
  top3: { label: string; p: number }[];
}

/**
 * The classifier's class probabilities summed per planner-facing land-cover class (card.landCover), best
 * first; "uncertain" when the best is under card.uncertainBelow (the top 3 still say what it might be).
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
  return { label: confidence < card.uncertainBelow ? 'uncertain' : label, confidence, top3 };
}
