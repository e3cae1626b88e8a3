// Turning resampled raster values into the RGBA pixels of a map tile: imagery as red/green/blue with a per-band
// linear stretch to bytes, change probability as a yellow-orange-red ramp that fades out below ~0.2.
import type { BandStatistics } from '../raster/scaling';
import type { PixelWindow, SampleType } from '../raster/types';

/** byte = clamp(round(value * scale + offset), 0, 255), per band. */
export interface ByteStretch {
  scale: number;
  offset: number;
}

/** uint8 as it is; every other type from its p2..p98 range (the sampled statistics of the band). */
export function byteStretchFor(type: SampleType, stats: BandStatistics | null): ByteStretch {
  if (type === 'uint8') return { scale: 1, offset: 0 };
  if (!stats || stats.count === 0) return { scale: type === 'uint16' ? 255 / 65535 : 255, offset: 0 };
  const lo = stats.p2;
  const hi = stats.p98 > stats.p2 ? stats.p98 : stats.max > stats.min ? stats.max : stats.min + 1;
  const scale = 255 / (hi - lo);
  return { scale, offset: -lo * scale };
}

/**
 * Writes band-planar values (three bands: red, green, blue; `win.width * win.height` each) into the RGBA `out`
 * of a `tileWidth`-wide image at `win`. Invalid pixels stay fully transparent.
 */
export function imageryToRgba(
  values: Float32Array,
  valid: Uint8Array,
  stretch: readonly ByteStretch[],
  win: PixelWindow,
  tileWidth: number,
  out: Uint8Array,
): number {
  const n = win.width * win.height;
  let drawn = 0;
  for (let r = 0; r < win.height; r++) {
    for (let c = 0; c < win.width; c++) {
      const i = r * win.width + c;
      if (!valid[i]) continue;
      const o = ((win.y + r) * tileWidth + win.x + c) * 4;
      for (let b = 0; b < 3; b++) {
        const v = values[b * n + i] * stretch[b].scale + stretch[b].offset;
        out[o + b] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
      out[o + 3] = 255;
      drawn++;
    }
  }
  return drawn;
}

/** Encoded probability of the project's rasters: 0..254 is p * 254, 255 is nodata. */
export const PROBABILITY_BYTE_NODATA = 255;
/** Below this probability nothing is drawn: the imagery stays visible where nothing changed. */
export const PROBABILITY_RAMP_START = 0.2;

/** RGBA for each probability byte: transparent below the start, then yellow -> orange -> red, more opaque. */
export function probabilityRamp(): Uint8Array {
  const lut = new Uint8Array(256 * 4);
  for (let v = 0; v < 255; v++) {
    const p = v / 254;
    if (p < PROBABILITY_RAMP_START) continue;
    const t = (p - PROBABILITY_RAMP_START) / (1 - PROBABILITY_RAMP_START);
    // yellow (255,230,0) at t=0, orange (255,140,0) at 0.5, red (220,20,20) at 1
    const [r, g, b] =
      t < 0.5
        ? [255, 230 - (90 * t) / 0.5, 0]
        : [255 - (35 * (t - 0.5)) / 0.5, 140 - (120 * (t - 0.5)) / 0.5, (20 * (t - 0.5)) / 0.5];
    lut[v * 4] = Math.round(r);
    lut[v * 4 + 1] = Math.round(g);
    lut[v * 4 + 2] = Math.round(b);
    lut[v * 4 + 3] = Math.round(110 + 120 * t);
  }
  return lut;
}

const RAMP = probabilityRamp();

/** Writes probability bytes (as resampled values) through the ramp into the RGBA `out` at `win`. */
export function probabilityToRgba(
  values: Float32Array,
  valid: Uint8Array,
  win: PixelWindow,
  tileWidth: number,
  out: Uint8Array,
): number {
  let drawn = 0;
  for (let r = 0; r < win.height; r++) {
    for (let c = 0; c < win.width; c++) {
      const i = r * win.width + c;
      if (!valid[i]) continue;
      const v = Math.round(values[i]);
      if (v < 0 || v >= PROBABILITY_BYTE_NODATA) continue;
      const o = ((win.y + r) * tileWidth + win.x + c) * 4;
      out[o] = RAMP[v * 4];
      out[o + 1] = RAMP[v * 4 + 1];
      out[o + 2] = RAMP[v * 4 + 2];
      out[o + 3] = RAMP[v * 4 + 3];
      drawn++;
    }
  }
  return drawn;
}
