// The resampling of core/raster/warp.ts (same rules: invalid neighbours' weights dropped and the rest
// renormalised; a point whose nearest pixel is invalid or outside is invalid), written for the map's hot path:
// no per-pixel allocations, which made the general version about half of a tile's time.
import type { PixelWindow } from '../raster/types';

export function resampleForTile(
  src: ArrayLike<number>,
  srcValid: Uint8Array,
  srcWin: PixelWindow,
  bands: number,
  u: Float64Array,
  v: Float64Array,
  method: 'bilinear' | 'nearest',
  out: Float32Array,
  outValid: Uint8Array,
): void {
  const sw = srcWin.width;
  const sh = srcWin.height;
  const plane = sw * sh;
  const n = u.length;
  for (let i = 0; i < n; i++) {
    const x = u[i] - srcWin.x;
    const y = v[i] - srcWin.y;
    const nx = Math.floor(x);
    const ny = Math.floor(y);
    if (nx < 0 || ny < 0 || nx >= sw || ny >= sh || !srcValid[ny * sw + nx]) {
      outValid[i] = 0;
      continue;
    }
    outValid[i] = 1;
    if (method === 'nearest') {
      const s = ny * sw + nx;
      for (let b = 0; b < bands; b++) out[b * n + i] = src[b * plane + s];
      continue;
    }
    const fx = x - 0.5;
    const fy = y - 0.5;
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const ax = fx - x0;
    const ay = fy - y0;
    const left = x0 >= 0;
    const right = x0 + 1 < sw;
    const top = y0 >= 0;
    const bottom = y0 + 1 < sh;
    const i00 = y0 * sw + x0;
    const i01 = i00 + 1;
    const i10 = i00 + sw;
    const i11 = i10 + 1;
    const w00 = left && top && srcValid[i00] ? (1 - ax) * (1 - ay) : 0;
    const w01 = right && top && srcValid[i01] ? ax * (1 - ay) : 0;
    const w10 = left && bottom && srcValid[i10] ? (1 - ax) * ay : 0;
    const w11 = right && bottom && srcValid[i11] ? ax * ay : 0;
    const total = w00 + w01 + w10 + w11;
    for (let b = 0; b < bands; b++) {
      const o = b * plane;
      let acc = 0;
      if (w00 > 0) acc += w00 * src[o + i00];
      if (w01 > 0) acc += w01 * src[o + i01];
      if (w10 > 0) acc += w10 * src[o + i10];
      if (w11 > 0) acc += w11 * src[o + i11];
      out[b * n + i] = acc / total;
    }
  }
}
