// Blending chip outputs with a smooth window so chip borders leave no seams.
//
// Each chip's probability is weighted by a 2D Hann-like window (sin² in both axes, sampled at pixel centres so
// no weight is exactly zero: a grid-edge pixel covered by one chip edge still gets a value). The weighted sum
// is divided by the sum of weights, so overlapping windows need not add up to one.
import type { PixelWindow } from '../raster/types';

/** sin²(π (i + ½) / n) for i in 0..n-1, outer product in 2D: n*n weights, row-major. */
export function chipWeights(chip: number): Float32Array {
  const w1 = new Float64Array(chip);
  for (let i = 0; i < chip; i++) w1[i] = Math.sin((Math.PI * (i + 0.5)) / chip) ** 2;
  const w = new Float32Array(chip * chip);
  for (let r = 0; r < chip; r++) for (let c = 0; c < chip; c++) w[r * chip + c] = w1[r] * w1[c];
  return w;
}

/** Weighted accumulators over one target window (e.g. a chunk) of the grid. */
export interface BlendTarget {
  window: PixelWindow;
  sum: Float32Array;
  weight: Float32Array;
}

/**
 * Accumulators for `window`, all zero. `reuse`: those of a finished blend, filled (as views of their start) where
 * they are large enough, instead of allocating 8 bytes a pixel for every chunk.
 */
export function createBlendTarget(
  window: PixelWindow,
  reuse?: Pick<BlendTarget, 'sum' | 'weight'>,
): BlendTarget {
  const n = window.width * window.height;
  if (reuse && reuse.sum.length >= n && reuse.weight.length >= n) {
    return { window, sum: reuse.sum.subarray(0, n).fill(0), weight: reuse.weight.subarray(0, n).fill(0) };
  }
  return { window, sum: new Float32Array(n), weight: new Float32Array(n) };
}

/**
 * Adds one chip's probabilities (chip*chip, row-major, at grid origin chipX, chipY) into the target, over the
 * part of the chip that lies in the target window and inside the grid (gridWidth x gridHeight).
 */
export function addChip(
  target: BlendTarget,
  probability: Float32Array,
  probabilityOffset: number,
  chipX: number,
  chipY: number,
  chip: number,
  weights: Float32Array,
): void {
  const { window, sum, weight } = target;
  const x0 = Math.max(chipX, window.x);
  const y0 = Math.max(chipY, window.y);
  const x1 = Math.min(chipX + chip, window.x + window.width);
  const y1 = Math.min(chipY + chip, window.y + window.height);
  for (let y = y0; y < y1; y++) {
    const chipRow = (y - chipY) * chip - chipX;
    const targetRow = (y - window.y) * window.width - window.x;
    for (let x = x0; x < x1; x++) {
      const w = weights[chipRow + x];
      sum[targetRow + x] += w * probability[probabilityOffset + chipRow + x];
      weight[targetRow + x] += w;
    }
  }
}

/** Value stored for "no data" in the uint8 probability raster. Probabilities are scaled 0..1 -> 0..254. */
export const PROBABILITY_NODATA = 255;
export const PROBABILITY_SCALE = 254;

export function probabilityToByte(p: number): number {
  const v = Math.round((p < 0 ? 0 : p > 1 ? 1 : p) * PROBABILITY_SCALE);
  return v;
}

export function byteToProbability(b: number): number {
  return b === PROBABILITY_NODATA ? Number.NaN : b / PROBABILITY_SCALE;
}

/**
 * Finishes the blend into uint8 (0..254, 255 = nodata). valid (same window as the target, 1 = valid in both
 * dates) may cover a larger read window: validWindow says where it lies.
 */
export function finishBlend(target: BlendTarget, valid: Uint8Array, validWindow: PixelWindow): Uint8Array {
  const { window, sum, weight } = target;
  const out = new Uint8Array(window.width * window.height);
  for (let r = 0; r < window.height; r++) {
    const validRow = (window.y + r - validWindow.y) * validWindow.width + (window.x - validWindow.x);
    const row = r * window.width;
    for (let c = 0; c < window.width; c++) {
      const i = row + c;
      const p = sum[i] / weight[i];
      // A model that still answers NaN (or a zero weight) gives nodata, never 0 ("no change").
      out[i] =
        valid[validRow + c] === 0 || !(p === p) || weight[i] === 0
          ? PROBABILITY_NODATA
          : probabilityToByte(p);
    }
  }
  return out;
}
