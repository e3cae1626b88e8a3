// Cutting normalised model inputs (chips) out of an aligned read window.
import type { Normalisation, PixelWindow, SampleArray, SampleMap } from '../raster/types';

/**
 * Marks invalid (valid = 0) every pixel where any band holds NaN or an infinite value, and returns how many it
 * newly marked. Such a value is not a measurement: left valid, it spreads through the stretch statistics and every
 * convolution of the model, and a whole chip's probability becomes NaN, written as 0 ("no change").
 */
export function markNonFiniteInvalid(planes: ArrayLike<number>, bands: number, valid: Uint8Array): number {
  // Integer rasters (most imagery) cannot hold either: a pass over them would find nothing.
  if (holdsIntegersOnly(planes)) return 0;
  const n = valid.length;
  let marked = 0;
  for (let b = 0; b < bands; b++) {
    const o = b * n;
    for (let i = 0; i < n; i++) {
      const v = planes[o + i];
      // v - v is NaN for NaN and for ±Infinity, 0 otherwise: one test for both.
      if (valid[i] !== 0 && v - v !== 0) {
        valid[i] = 0;
        marked++;
      }
    }
  }
  return marked;
}

/** Whether `values` is a typed array of integers, which has no NaN or infinite value to look for. */
function holdsIntegersOnly(values: ArrayLike<number>): boolean {
  return (
    ArrayBuffer.isView(values) &&
    !(values instanceof Float32Array || values instanceof Float64Array) &&
    !(values instanceof DataView)
  );
}

/** What padding and invalid pixels of band b are after normalisation (0, the band mean, unless the card says). */
export function normalisedFill(norm: Normalisation, b: number): number {
  return norm.fill ? (norm.fill[b] - norm.mean[b]) / norm.std[b] : 0;
}

function fillChip(dest: Float32Array, base: number, plane: number, bands: number, norm: Normalisation): void {
  for (let b = 0; b < bands; b++)
    dest.fill(normalisedFill(norm, b), base + b * plane, base + (b + 1) * plane);
}

/** The part of the chip at (chipX, chipY) that the source window covers, as grid columns x0..x1 and rows y0..y1. */
function chipInSource(source: PixelWindow, chipX: number, chipY: number, chip: number) {
  return {
    x0: Math.max(chipX, source.x),
    y0: Math.max(chipY, source.y),
    x1: Math.min(chipX + chip, source.x + source.width),
    y1: Math.min(chipY + chip, source.y + source.height),
  };
}

/**
 * Writes one chip (bands x chip x chip, NCHW slot `slot` of `dest`) from planar band data covering `source`.
 * Pixels outside the source window (beyond the grid edge) or invalid in either date become the card's fill (by
 * default the band mean, 0 after normalisation): the model sees a neutral value and the output there is masked later.
 */
export function cutChip(
  dest: Float32Array,
  slot: number,
  planes: Float32Array,
  valid: Uint8Array,
  source: PixelWindow,
  bands: number,
  chipX: number,
  chipY: number,
  chip: number,
  norm: Normalisation,
): void {
  const plane = chip * chip;
  const base = slot * bands * plane;
  const srcPlane = source.width * source.height;
  fillChip(dest, base, plane, bands, norm);
  const { x0, y0, x1, y1 } = chipInSource(source, chipX, chipY, chip);
  for (let b = 0; b < bands; b++) {
    const mean = norm.mean[b];
    const inv = 1 / norm.std[b];
    const destBand = base + b * plane;
    const srcBand = b * srcPlane;
    for (let y = y0; y < y1; y++) {
      const d = destBand + (y - chipY) * chip - chipX;
      const sRow = (y - source.y) * source.width - source.x;
      for (let x = x0; x < x1; x++) {
        if (valid[sRow + x] !== 0) dest[d + x] = (planes[srcBand + sRow + x] - mean) * inv;
      }
    }
  }
}

/**
 * Marks invalid in `valid` every pixel where either date holds NaN or an infinite value in any band; returns how
 * many it newly marked. Band by band, so each loop reads its arrays in order (a pixel-by-pixel loop over every
 * band was slower).
 */
export function markPairNonFiniteInvalid(
  before: Float32Array,
  after: Float32Array,
  valid: Uint8Array,
  bands: number,
): number {
  const n = valid.length;
  let marked = 0;
  for (let b = 0; b < bands; b++) {
    const o = b * n;
    for (let i = 0; i < n; i++) {
      // v - v is NaN for NaN and for ±Infinity, 0 otherwise: one test for both.
      if (valid[i] !== 0 && (before[o + i] - before[o + i] !== 0 || after[o + i] - after[o + i] !== 0)) {
        valid[i] = 0;
        marked++;
      }
    }
  }
  return marked;
}

/** Writes the normalised fill into both dates wherever the pixel is invalid: what the model sees there. */
export function fillInvalidPair(
  before: Float32Array,
  after: Float32Array,
  valid: Uint8Array,
  bands: number,
  norm: Normalisation,
): void {
  const n = valid.length;
  // Most chunks are all valid: one pass over the mask finds that, and writes nothing.
  const first = valid.indexOf(0);
  if (first < 0) return;
  for (let b = 0; b < bands; b++) {
    const o = b * n;
    const fill = normalisedFill(norm, b);
    for (let i = first; i < n; i++) {
      if (valid[i] === 0) {
        before[o + i] = fill;
        after[o + i] = fill;
      }
    }
  }
}

/**
 * Normalises both dates of a read window in place, once per pixel, so chips can then be copied row by row
 * (copyChip) instead of normalised per chip: neighbouring chips overlap, and each chip is cut for both dates.
 * A NaN or infinite value in either date first makes the pixel invalid in both (markNonFiniteInvalid's rule);
 * invalid pixels become the fill (by default the band mean, 0 after normalisation). Two passes over both dates
 * instead of a check and a normalisation per date (four passes). For sources that cannot normalise as they read
 * (AlignedReadOptions.normalise). Returns how many pixels it newly marked invalid.
 */
export function normalisePairInPlace(
  before: Float32Array,
  after: Float32Array,
  valid: Uint8Array,
  bands: number,
  norm: Normalisation,
): number {
  const marked = markPairNonFiniteInvalid(before, after, valid, bands);
  const n = valid.length;
  for (let b = 0; b < bands; b++) {
    const o = b * n;
    const mean = norm.mean[b];
    const inv = 1 / norm.std[b];
    const fill = normalisedFill(norm, b);
    for (let i = 0; i < n; i++) {
      if (valid[i] !== 0) {
        before[o + i] = (before[o + i] - mean) * inv;
        after[o + i] = (after[o + i] - mean) * inv;
      } else {
        before[o + i] = fill;
        after[o + i] = fill;
      }
    }
  }
  return marked;
}

/**
 * Where chip (chipX, chipY) goes in `dest` (its slot's offset and plane size), and the part of it `source` covers
 * (grid columns x0..x1, rows y0..y1; the source plane's size); the rest of the slot is the card's fill. Only chips
 * hanging over the grid edge have parts to pad. Null for a chip beside the source: all fill, nothing to copy (and a
 * negative row length would make subarray count from the end).
 */
function chipSlot(
  dest: Float32Array,
  slot: number,
  source: PixelWindow,
  bands: number,
  chipX: number,
  chipY: number,
  chip: number,
  norm: Normalisation,
) {
  const plane = chip * chip;
  const base = slot * bands * plane;
  const covered = chipInSource(source, chipX, chipY, chip);
  const { x0, y0, x1, y1 } = covered;
  if (x0 !== chipX || y0 !== chipY || x1 !== chipX + chip || y1 !== chipY + chip) {
    fillChip(dest, base, plane, bands, norm);
  }
  if (x1 <= x0 || y1 <= y0) return null;
  return { plane, base, srcPlane: source.width * source.height, ...covered };
}

/** cutChip for planes already normalised by normalisePairInPlace: the same chip, copied row by row. */
export function copyChip(
  dest: Float32Array,
  slot: number,
  planes: Float32Array,
  source: PixelWindow,
  bands: number,
  chipX: number,
  chipY: number,
  chip: number,
  norm: Normalisation,
): void {
  const at = chipSlot(dest, slot, source, bands, chipX, chipY, chip, norm);
  if (!at) return;
  const { plane, base, srcPlane, x0, y0, x1, y1 } = at;
  for (let b = 0; b < bands; b++) {
    const destBand = base + b * plane;
    const srcBand = b * srcPlane;
    for (let y = y0; y < y1; y++) {
      const s = srcBand + (y - source.y) * source.width + (x0 - source.x);
      dest.set(planes.subarray(s, s + x1 - x0), destBand + (y - chipY) * chip + (x0 - chipX));
    }
  }
}

/** One date of a read held as samples (AlignedSampleChunk), as cutSampleChip takes it. */
export interface SampleDate {
  samples: SampleArray;
  /** Each band's map from sample to normalised value. */
  maps: readonly SampleMap[];
  /** Validity of the read's pixels (both dates). */
  valid: Uint8Array;
  /** Per row of the read: 1 where every pixel of the row is valid (rowsAllValid), so its chips skip the test. */
  validRows: Uint8Array;
}

/** Per row of a width-wide validity mask: 1 where the whole row is valid. */
export function rowsAllValid(valid: Uint8Array, width: number): Uint8Array {
  const rows = valid.length / width;
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let all = 1;
    for (let i = r * width, end = i + width; i < end; i++) {
      if (valid[i] === 0) {
        all = 0;
        break;
      }
    }
    out[r] = all;
  }
  return out;
}

/**
 * copyChip for a date held as samples: each sample becomes its band's mapped value, an invalid pixel the fill, as the
 * float planes of the same read hold them (the same float32 values, so a run's bytes do not depend on which read it
 * made).
 */
export function cutSampleChip(
  dest: Float32Array,
  slot: number,
  date: SampleDate,
  source: PixelWindow,
  bands: number,
  chipX: number,
  chipY: number,
  chip: number,
  norm: Normalisation,
): void {
  const at = chipSlot(dest, slot, source, bands, chipX, chipY, chip, norm);
  if (!at) return;
  const { plane, base, srcPlane, x0, y0, x1, y1 } = at;
  const { samples, maps, valid, validRows } = date;
  const width = x1 - x0;
  for (let y = y0; y < y1; y++) {
    const v = (y - source.y) * source.width + (x0 - source.x);
    let allValid = validRows[y - source.y] === 1;
    if (!allValid) {
      allValid = true;
      for (let i = v, end = v + width; i < end; i++) {
        if (valid[i] === 0) {
          allValid = false;
          break;
        }
      }
    }
    for (let b = 0; b < bands; b++) {
      const d = base + b * plane + (y - chipY) * chip + (x0 - chipX);
      const s = b * srcPlane + v;
      // mapSample's arithmetic (core/raster/scaling.ts) on each sample: the same float32 as the float planes hold.
      // Cheaper than a table lookup, which stores the same value; no TypedArray.set, slow into a shared buffer.
      const { scale, offset, lo, hi, clamp } = maps[b];
      if (clamp) {
        for (let i = d, j = s, end = d + width; i < end; i++, j++) {
          const x = samples[j] * scale + offset;
          dest[i] = x < lo ? lo : x > hi ? hi : x;
        }
      } else {
        for (let i = d, j = s, end = d + width; i < end; i++, j++) dest[i] = samples[j] * scale + offset;
      }
      if (!allValid) {
        const fill = normalisedFill(norm, b);
        for (let i = 0; i < width; i++) if (valid[v + i] === 0) dest[d + i] = fill;
      }
    }
  }
}
