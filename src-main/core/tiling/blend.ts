// Blending chip outputs with a smooth window so chip borders leave no seams.
//
// Each chip's probability is weighted by a 2D Hann-like window (sin² in both axes, sampled at pixel centres so
// no weight is exactly zero: a grid-edge pixel covered by one chip edge still gets a value). The weighted sum
// is divided by the sum of weights, so overlapping windows need not add up to one.
//
// The window is the outer product of one profile, and the chips blended into a target are a whole lattice (every
// pair of its column and row origins), so a pixel's sum of weights is the product of a column's and a row's: they
// are worked out once per target at the end, not added up per chip and pixel. That halves the work of adding a
// chip (a third of a run's blending time) and the accumulators' memory.
import type { PixelWindow } from '../raster/types';

/** A chip's blend window: its 1-D profile and the outer product of it (edge*edge, row-major) applied per pixel. */
export interface ChipWeights {
  edge: number;
  profile: Float64Array;
  plane: Float32Array;
}

/** The window whose profile is `profile`. */
export function weightsFromProfile(profile: Float64Array): ChipWeights {
  const edge = profile.length;
  const plane = new Float32Array(edge * edge);
  for (let r = 0; r < edge; r++) for (let c = 0; c < edge; c++) plane[r * edge + c] = profile[r] * profile[c];
  return { edge, profile, plane };
}

/** sin²(π (i + ½) / n) for i in 0..n-1, outer product in 2D. */
export function chipWeights(chip: number): ChipWeights {
  const profile = new Float64Array(chip);
  for (let i = 0; i < chip; i++) profile[i] = Math.sin((Math.PI * (i + 0.5)) / chip) ** 2;
  return weightsFromProfile(profile);
}

/** A weighted sum over one target window (e.g. a chunk) of the grid, and the chips added to it. */
export interface BlendTarget {
  window: PixelWindow;
  sum: Float32Array;
  /** Chip origins added, as "x,y", and the distinct columns and rows among them (the lattice). */
  chips: Set<string>;
  xs: Set<number>;
  ys: Set<number>;
  weights: ChipWeights | null;
}

/**
 * A target for `window`, its sum all zero. `reuse`: the sum of a finished blend, filled (as a view of its start)
 * where it is large enough, instead of allocating 4 bytes a pixel for every chunk.
 */
export function createBlendTarget(window: PixelWindow, reuse?: Float32Array): BlendTarget {
  const n = window.width * window.height;
  const sum = reuse && reuse.length >= n ? reuse.subarray(0, n).fill(0) : new Float32Array(n);
  return { window, sum, chips: new Set(), xs: new Set(), ys: new Set(), weights: null };
}

/**
 * Adds one chip's probabilities (edge*edge, row-major, at grid origin chipX, chipY) into the target, over the
 * part of the chip that lies in the target window.
 */
export function addChip(
  target: BlendTarget,
  probability: Float32Array,
  probabilityOffset: number,
  chipX: number,
  chipY: number,
  weights: ChipWeights,
): void {
  const key = `${chipX},${chipY}`;
  if (target.chips.has(key)) throw new Error(`Chip ${key} was blended twice.`);
  if (target.weights && target.weights !== weights)
    throw new Error('Chips of one blend must share their weights.');
  target.weights = weights;
  target.chips.add(key);
  target.xs.add(chipX);
  target.ys.add(chipY);
  const { window, sum } = target;
  const chip = weights.edge;
  const plane = weights.plane;
  const x0 = Math.max(chipX, window.x);
  const y0 = Math.max(chipY, window.y);
  const x1 = Math.min(chipX + chip, window.x + window.width);
  const y1 = Math.min(chipY + chip, window.y + window.height);
  for (let y = y0; y < y1; y++) {
    const chipRow = (y - chipY) * chip - chipX;
    const targetRow = (y - window.y) * window.width - window.x;
    for (let x = x0; x < x1; x++) {
      sum[targetRow + x] += plane[chipRow + x] * probability[probabilityOffset + chipRow + x];
    }
  }
}

/**
 * One axis of the sum of weights: for each of `length` positions from `start`, the profile of every chip origin
 * covering it, added in ascending origin order (so the same position gets the same float in any target).
 */
function axisWeights(
  origins: Set<number>,
  profile: Float64Array,
  start: number,
  length: number,
): Float64Array {
  const out = new Float64Array(length);
  const edge = profile.length;
  for (const o of [...origins].sort((a, b) => a - b)) {
    const from = Math.max(o, start);
    const to = Math.min(o + edge, start + length);
    for (let p = from; p < to; p++) out[p - start] += profile[p - o];
  }
  return out;
}

/**
 * 1 / the sum of weights of each column and row of the target (Infinity where no chip covers it). Throws unless
 * the chips added are a whole lattice, where the sum of weights is their product.
 */
function inverseWeights(target: BlendTarget): { columns: Float64Array; rows: Float64Array } {
  const { window, chips, xs, ys, weights } = target;
  if (chips.size !== xs.size * ys.size) {
    throw new Error(
      `A blend needs every chip of its lattice: ${chips.size} chips on ${xs.size} columns and ${ys.size} rows.`,
    );
  }
  const profile = weights?.profile ?? new Float64Array(0);
  const invert = (w: Float64Array) => w.map((v) => 1 / v);
  return {
    columns: invert(axisWeights(xs, profile, window.x, window.width)),
    rows: invert(axisWeights(ys, profile, window.y, window.height)),
  };
}

/** The blended probabilities (NaN where no chip covers a pixel or the model answered NaN). */
export function blendedProbabilities(target: BlendTarget): Float32Array {
  const { window, sum } = target;
  const { columns, rows } = inverseWeights(target);
  const out = new Float32Array(window.width * window.height);
  for (let r = 0; r < window.height; r++) {
    const row = r * window.width;
    for (let c = 0; c < window.width; c++) {
      const inverse = columns[c] * rows[r];
      out[row + c] = Number.isFinite(inverse) ? sum[row + c] * inverse : Number.NaN;
    }
  }
  return out;
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
 * Marks a chip's output NaN wherever its pixel is invalid (nodata or non-finite in a date, outside the grid or the
 * area of interest), from the validity of the read the chip was cut from (`valid`, over `validWindow`; the chip's
 * pixels outside it lie outside the grid and are never blended). Validity belongs to the pixel, not the chip, so
 * every chip covering a pixel agrees, and the blended sum is NaN exactly where the pixel is invalid: a chunk needs no
 * validity of its own, and need not read the part of itself that chips computed by other chunks cover.
 */
export function maskInvalid(
  probability: Float32Array,
  offset: number,
  chipX: number,
  chipY: number,
  chip: number,
  valid: Uint8Array,
  validWindow: PixelWindow,
): void {
  const x0 = Math.max(chipX, validWindow.x);
  const y0 = Math.max(chipY, validWindow.y);
  const x1 = Math.min(chipX + chip, validWindow.x + validWindow.width);
  const y1 = Math.min(chipY + chip, validWindow.y + validWindow.height);
  for (let y = y0; y < y1; y++) {
    const validRow = (y - validWindow.y) * validWindow.width - validWindow.x;
    const chipRow = offset + (y - chipY) * chip - chipX;
    for (let x = x0; x < x1; x++) if (valid[validRow + x] === 0) probability[chipRow + x] = Number.NaN;
  }
}

/**
 * Finishes the blend into uint8 (0..254, 255 = nodata): nodata where no chip covers a pixel or its sum is NaN (an
 * invalid pixel, see maskInvalid, or a model answering NaN).
 */
export function finishBlend(target: BlendTarget): Uint8Array {
  const { window, sum } = target;
  const { columns, rows } = inverseWeights(target);
  const out = new Uint8Array(window.width * window.height);
  const width = window.width;
  for (let r = 0; r < window.height; r++) {
    const row = r * width;
    const rowInverse = rows[r];
    for (let c = 0; c < width; c++) {
      const inverse = columns[c] * rowInverse;
      const p = sum[row + c] * inverse;
      // Where no chip covers the pixel its sum is 0 and its inverse Infinity: p is NaN, as where the sum is.
      out[row + c] = p === p ? probabilityToByte(p) : PROBABILITY_NODATA;
    }
  }
  return out;
}
