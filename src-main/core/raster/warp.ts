// Resampling one grid onto another. The pixel mapping is an approximate transformer, as GDAL's: exact points on
// a coarse mesh of the target window, bilinear interpolation between them (errors far below a pixel for mesh
// steps of tens of pixels over map projections), so the exact (slow) transform runs on few points.
import type { GeoTransform, PixelWindow } from './types';

/** Maps target CRS coordinates to source CRS coordinates in place (xs, ys arrays). */
export type CoordinateTransform = (xs: Float64Array, ys: Float64Array) => void;

export function invertGeoTransform(gt: GeoTransform): GeoTransform {
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  if (det === 0) throw new Error('Geotransform is not invertible');
  const a = gt[5] / det;
  const b = -gt[2] / det;
  const d = -gt[4] / det;
  const e = gt[1] / det;
  return [-(a * gt[0] + b * gt[3]), a, b, -(d * gt[0] + e * gt[3]), d, e];
}

/**
 * For each pixel centre of `window` in the target grid, the source pixel coordinate (continuous, 0 at the
 * source's top-left corner), through `transform` evaluated exactly every `step` pixels.
 */
export function sourcePixelCoordinates(
  targetGt: GeoTransform,
  window: PixelWindow,
  sourceGt: GeoTransform,
  transform: CoordinateTransform | null,
  step = 16,
): { u: Float64Array; v: Float64Array } {
  const inv = invertGeoTransform(sourceGt);
  const mx = Math.ceil(window.width / step) + 1;
  const my = Math.ceil(window.height / step) + 1;
  const meshX = new Float64Array(mx * my);
  const meshY = new Float64Array(mx * my);
  for (let j = 0; j < my; j++) {
    for (let i = 0; i < mx; i++) {
      const c = window.x + Math.min(i * step, window.width - 1) + 0.5;
      const r = window.y + Math.min(j * step, window.height - 1) + 0.5;
      meshX[j * mx + i] = targetGt[0] + c * targetGt[1] + r * targetGt[2];
      meshY[j * mx + i] = targetGt[3] + c * targetGt[4] + r * targetGt[5];
    }
  }
  if (transform) transform(meshX, meshY);
  for (let k = 0; k < meshX.length; k++) {
    const x = meshX[k];
    const y = meshY[k];
    meshX[k] = inv[0] + x * inv[1] + y * inv[2];
    meshY[k] = inv[3] + x * inv[4] + y * inv[5];
  }
  const n = window.width * window.height;
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  for (let r = 0; r < window.height; r++) {
    const j = Math.min(Math.floor(r / step), my - 2 < 0 ? 0 : my - 2);
    const r0 = Math.min(j * step, window.height - 1);
    const r1 = Math.min((j + 1) * step, window.height - 1);
    const fy = r1 === r0 ? 0 : (r - r0) / (r1 - r0);
    for (let c = 0; c < window.width; c++) {
      const i = Math.min(Math.floor(c / step), mx - 2 < 0 ? 0 : mx - 2);
      const c0 = Math.min(i * step, window.width - 1);
      const c1 = Math.min((i + 1) * step, window.width - 1);
      const fx = c1 === c0 ? 0 : (c - c0) / (c1 - c0);
      const i1 = Math.min(i + 1, mx - 1);
      const j1 = Math.min(j + 1, my - 1);
      const k00 = j * mx + i;
      const k01 = j * mx + i1;
      const k10 = j1 * mx + i;
      const k11 = j1 * mx + i1;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      u[r * window.width + c] = meshX[k00] * w00 + meshX[k01] * w01 + meshX[k10] * w10 + meshX[k11] * w11;
      v[r * window.width + c] = meshY[k00] * w00 + meshY[k01] * w01 + meshY[k10] * w10 + meshY[k11] * w11;
    }
  }
  return { u, v };
}

/** The source window that covers every sample point (with one pixel of margin for bilinear). */
export function sourceWindowFor(u: Float64Array, v: Float64Array): PixelWindow | null {
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let i = 0; i < u.length; i++) {
    if (u[i] < minU) minU = u[i];
    if (u[i] > maxU) maxU = u[i];
    if (v[i] < minV) minV = v[i];
    if (v[i] > maxV) maxV = v[i];
  }
  if (!Number.isFinite(minU + maxU + minV + maxV)) return null;
  const x = Math.floor(minU - 0.5) - 1;
  const y = Math.floor(minV - 0.5) - 1;
  return { x, y, width: Math.ceil(maxU + 0.5) + 1 - x, height: Math.ceil(maxV + 0.5) + 1 - y };
}

/**
 * Resamples band-planar `src` (covering `srcWin` of the source grid, validity `srcValid`) at the points (u, v)
 * into band-planar float32 `out`. Bilinear weights of invalid neighbours are dropped and the rest renormalised
 * (GDAL's behaviour at nodata edges); a point whose own nearest pixel is invalid or outside is invalid.
 * No per-pixel allocations: the map's tiles and every run's alignment go through here.
 */
export function resample(
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
      for (let b = 0; b < bands; b++) out[b * n + i] = 0;
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
