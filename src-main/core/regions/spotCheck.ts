// Pictures for checking a region by eye: before, change (mask over the after image) and after, one window at
// one scale, each with the region's outline. RGB bytes here; PNG encoding is the service's job.
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import type { ByteStretch } from '../preview/colourise';
import type { PixelWindow } from '../raster/types';

export interface RgbImage {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row-major. */
  data: Uint8Array;
}

/**
 * The map's stretch of a band (core/preview/colourise: byte = value * scale + offset) as the [value at 0, value at
 * 255] range renderRgb takes, so a spot check shows each date in the colours the map shows it.
 */
export function rangeOfByteStretch({ scale, offset }: ByteStretch): [number, number] {
  return [-offset / scale, (255 - offset) / scale];
}

/**
 * Fallback only, for callers without the map's stretch (a pair opened outside the app): per-band 2nd..98th
 * percentile of the values of both dates in the window. The app passes the map's own stretch instead.
 */
export function sharedStretch(planes: Float32Array[], bands: number[], pixels: number): [number, number][] {
  return bands.map((b) => {
    const sample: number[] = [];
    const step = Math.max(1, Math.floor(pixels / 4096));
    for (const p of planes)
      for (let i = 0; i < pixels; i += step) {
        const v = p[b * pixels + i];
        if (Number.isFinite(v)) sample.push(v);
      }
    if (sample.length === 0) return [0, 1];
    sample.sort((x, y) => x - y);
    const lo = sample[Math.floor(sample.length * 0.02)];
    const hi = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.98))];
    return [lo, hi > lo ? hi : lo + 1e-6];
  });
}

/** Nearest-neighbour picture of a band-planar window, longest side outSize pixels. */
export function renderRgb(
  planes: Float32Array,
  window: PixelWindow,
  rgb: number[],
  stretch: [number, number][],
  outSize: number,
): RgbImage {
  const scale = outSize / Math.max(window.width, window.height);
  const width = Math.max(1, Math.round(window.width * scale));
  const height = Math.max(1, Math.round(window.height * scale));
  const data = new Uint8Array(width * height * 3);
  const n = window.width * window.height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(window.height - 1, Math.floor((y + 0.5) / scale));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(window.width - 1, Math.floor((x + 0.5) / scale));
      for (let c = 0; c < 3; c++) {
        const [lo, hi] = stretch[c];
        const v = (planes[rgb[c] * n + sy * window.width + sx] - lo) / (hi - lo);
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v * 255)));
      }
    }
  }
  return { width, height, data };
}

/** The after picture greyed, with change pixels (mask, one per window pixel) tinted red. */
export function renderChange(after: RgbImage, window: PixelWindow, mask: Uint8Array): RgbImage {
  const { width, height } = after;
  const data = new Uint8Array(after.data.length);
  const scale = width / window.width;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(window.height - 1, Math.floor((y + 0.5) / scale));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(window.width - 1, Math.floor((x + 0.5) / scale));
      const o = (y * width + x) * 3;
      const grey = 0.6 * (0.3 * after.data[o] + 0.59 * after.data[o + 1] + 0.11 * after.data[o + 2]);
      if (mask[sy * window.width + sx]) {
        data[o] = Math.round(0.45 * grey + 0.55 * 255);
        data[o + 1] = Math.round(0.45 * grey + 0.55 * 40);
        data[o + 2] = Math.round(0.45 * grey + 0.55 * 40);
      } else data[o] = data[o + 1] = data[o + 2] = Math.round(grey);
    }
  }
  return { width, height, data };
}

/** Draws an outline (scene pixel coordinates) onto a picture of the window, 2 pixels wide, in place. */
export function drawOutline(
  img: RgbImage,
  window: PixelWindow,
  outline: FlatMultiPolygon,
  color: [number, number, number],
): void {
  const scale = img.width / window.width;
  const plot = (x: number, y: number): void => {
    for (let dy = 0; dy <= 1; dy++)
      for (let dx = 0; dx <= 1; dx++) {
        const px = Math.round(x) + dx - 1;
        const py = Math.round(y) + dy - 1;
        if (px < 0 || py < 0 || px >= img.width || py >= img.height) continue;
        const o = (py * img.width + px) * 3;
        img.data[o] = color[0];
        img.data[o + 1] = color[1];
        img.data[o + 2] = color[2];
      }
  };
  for (const polygon of outline)
    for (const ring of polygon)
      for (let i = 0; i + 3 < ring.length; i += 2) {
        const x1 = (ring[i] - window.x) * scale;
        const y1 = (ring[i + 1] - window.y) * scale;
        const x2 = (ring[i + 2] - window.x) * scale;
        const y2 = (ring[i + 3] - window.y) * scale;
        const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1))));
        for (let s = 0; s <= steps; s++) plot(x1 + ((x2 - x1) * s) / steps, y1 + ((y2 - y1) * s) / steps);
      }
}
