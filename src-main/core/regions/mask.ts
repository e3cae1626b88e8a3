// Change mask of one window: threshold on the change probability, then an optional morphological clean-up
// (opening removes specks and thin spurs, closing fills pinholes and narrow gaps).
//
// Why chunk borders do not show: an erosion or dilation of radius r at a pixel reads only pixels within r of it,
// and pixels outside the array are ignored (neither "change" nor "no change"). Reading a window with a halo of
// cleanUpHalo() pixels therefore gives, in its core, exactly what the whole image would give: at the scene's own
// edge the array edge is the scene edge in both cases, and at a halo edge the damage reaches at most the halo.
import { PROBABILITY_SCALE } from '../tiling/blend';

export interface CleanUp {
  /** Radius in pixels of the opening (erode then dilate); 0 = none. */
  openingRadius: number;
  /** Radius in pixels of the closing (dilate then erode); 0 = none. */
  closingRadius: number;
}

/** Halo, in pixels, a window needs so that its core is cleaned up exactly as in the whole image. */
export function cleanUpHalo(c: CleanUp): number {
  return 2 * (c.openingRadius + c.closingRadius);
}

/**
 * 1 where the probability is at or above the threshold and the pixel is not nodata (NaN counts as nodata).
 * Uint8 rasters hold probability x 254 (255 is nodata), as runs write them (core/tiling/blend.ts).
 */
export function thresholdMask(
  values: Float32Array | Uint8Array,
  threshold: number,
  nodata: number | null,
  out: Uint8Array = new Uint8Array(values.length),
): Uint8Array {
  if (values instanceof Uint8Array) {
    const lut = uint8MaskTable(threshold, nodata);
    for (let i = 0; i < values.length; i++) out[i] = lut[values[i]];
    return out;
  }
  const nd = nodata ?? NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v >= threshold && v !== nd ? 1 : 0; // NaN >= t is false
  }
  return out;
}

function uint8MaskTable(threshold: number, nodata: number | null): Uint8Array {
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v / PROBABILITY_SCALE >= threshold && v !== nodata ? 1 : 0;
  return lut;
}

/** Probability 0..1 of a raw value (Uint8 rasters hold probability x 254). */
export function probabilityScale(values: Float32Array | Uint8Array): number {
  return values instanceof Uint8Array ? 1 / PROBABILITY_SCALE : 1;
}

/** Half-widths of the disk {dx^2 + dy^2 <= r^2} for dy = 0..r. */
function diskHalfWidths(r: number): Int32Array {
  const hw = new Int32Array(r + 1);
  for (let dy = 0; dy <= r; dy++) hw[dy] = Math.floor(Math.sqrt(r * r - dy * dy) + 1e-9);
  return hw;
}

/**
 * Binary erosion with a disk of radius r, pixels outside the array ignored; with invert, the dilation
 * (dilate(A) = not erode(not A) under the same edge rule). Two steps, each a tight loop over bytes:
 * run[x] = how far the row's run of ones reaches on the shorter side of x (255 = to the array edge), then a
 * pixel survives if, for every dy, run[x, y + dy] exceeds the disk's half-width at dy.
 */
function morph(mask: Uint8Array, w: number, h: number, r: number, invert: boolean): Uint8Array {
  const out = new Uint8Array(mask.length);
  if (r <= 0) {
    out.set(mask);
    return out;
  }
  const hw = diskHalfWidths(r);
  const one = invert ? 0 : 1;
  const run = new Uint8Array(mask.length);
  const BIG = 255;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    // Left runs (in-array ones ending at x; a run touching the left edge counts as unbounded).
    let n = BIG;
    for (let x = 0; x < w; x++) {
      if (mask[row + x] === one) n = n >= BIG ? BIG : n + 1;
      else n = 0;
      run[row + x] = n;
    }
    n = BIG;
    for (let x = w - 1; x >= 0; x--) {
      if (mask[row + x] === one) n = n >= BIG ? BIG : n + 1;
      else n = 0;
      if (n < run[row + x]) run[row + x] = n;
    }
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    out.fill(1, row, row + w);
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h - 1, y + r);
    for (let yy = y0; yy <= y1; yy++) {
      const need = hw[yy > y ? yy - y : y - yy]; // run must exceed the half-width
      const src = yy * w;
      for (let x = 0; x < w; x++) if (run[src + x] <= need) out[row + x] = 0;
    }
    if (invert) for (let x = 0; x < w; x++) out[row + x] ^= 1;
  }
  return out;
}

export function erode(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return morph(mask, w, h, r, false);
}

export function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return morph(mask, w, h, r, true);
}

/** Opening then closing, as configured. Returns the input itself when there is nothing to do. */
export function cleanUpMask(mask: Uint8Array, w: number, h: number, c: CleanUp): Uint8Array {
  let m = mask;
  if (c.openingRadius > 0) m = dilate(erode(m, w, h, c.openingRadius), w, h, c.openingRadius);
  if (c.closingRadius > 0) m = erode(dilate(m, w, h, c.closingRadius), w, h, c.closingRadius);
  return m;
}
