// Pixel-window arithmetic.
import type { PixelWindow } from './types';

/** The overlap of two windows, or null when they do not touch. */
export function intersectWindows(a: PixelWindow, b: PixelWindow): PixelWindow | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  return x1 > x && y1 > y ? { x, y, width: x1 - x, height: y1 - y } : null;
}

/** Copies a band-planar block `src` (window `from`) into the band-planar block `dst` (window `to`) where they overlap. */
export function copyWindow(
  src: ArrayLike<number> & { subarray?: unknown },
  from: PixelWindow,
  dst: { set(values: ArrayLike<number>, offset: number): void } & ArrayLike<number>,
  to: PixelWindow,
  bands: number,
): void {
  const overlap = intersectWindows(from, to);
  if (!overlap) return;
  const s = src as unknown as { subarray(a: number, b: number): ArrayLike<number> };
  for (let b = 0; b < bands; b++) {
    for (let r = 0; r < overlap.height; r++) {
      const si = b * from.width * from.height + (overlap.y - from.y + r) * from.width + (overlap.x - from.x);
      const di = b * to.width * to.height + (overlap.y - to.y + r) * to.width + (overlap.x - to.x);
      dst.set(s.subarray(si, si + overlap.width), di);
    }
  }
}
