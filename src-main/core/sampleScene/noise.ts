// Position-based textures for the sample scene: smooth value noise, fractal sums of it, and a tree-crown pattern.
import { hash2 } from './random';

const smooth = (t: number): number => t * t * (3 - 2 * t);

/** Smooth value noise in [0, 1) with features about one unit apart. */
export function valueNoise(x: number, y: number, seed: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const tx = smooth(x - x0);
  const ty = smooth(y - y0);
  const a = hash2(x0, y0, seed);
  const b = hash2(x0 + 1, y0, seed);
  const c = hash2(x0, y0 + 1, seed);
  const d = hash2(x0 + 1, y0 + 1, seed);
  const top = a + (b - a) * tx;
  const bottom = c + (d - c) * tx;
  return top + (bottom - top) * ty;
}

/** Fractal (fBm) noise in about [0, 1): octaves of value noise, the first with features `scale` pixels apart. */
export function fbm(x: number, y: number, seed: number, scale: number, octaves = 4): number {
  let sum = 0;
  let amplitude = 0.5;
  let norm = 0;
  let frequency = 1 / scale;
  for (let o = 0; o < octaves; o++) {
    sum += amplitude * valueNoise(x * frequency, y * frequency, seed + o * 101);
    norm += amplitude;
    amplitude *= 0.5;
    frequency *= 2;
  }
  return sum / norm;
}

/**
 * Tree crowns seen from above: 1 at a crown's sunlit top, falling to 0 in the gaps between crowns. Crowns sit on a
 * jittered grid of `cellSize` pixels (Worley-style), lit from the south-east so each crown has a darker side.
 */
export function crownTexture(x: number, y: number, seed: number, cellSize: number): number {
  const gx = Math.floor(x / cellSize);
  const gy = Math.floor(y / cellSize);
  let best = 1e9;
  let bestDx = 0;
  let bestDy = 0;
  let bestRadius = 1;
  for (let j = -1; j <= 1; j++) {
    for (let i = -1; i <= 1; i++) {
      const cx = (gx + i + 0.15 + 0.7 * hash2(gx + i, gy + j, seed)) * cellSize;
      const cy = (gy + j + 0.15 + 0.7 * hash2(gx + i, gy + j, seed + 7)) * cellSize;
      const radius = cellSize * (0.55 + 0.35 * hash2(gx + i, gy + j, seed + 13));
      const dx = x - cx;
      const dy = y - cy;
      const d = Math.sqrt(dx * dx + dy * dy) / radius;
      if (d < best) {
        best = d;
        bestDx = dx / radius;
        bestDy = dy / radius;
        bestRadius = radius;
      }
    }
  }
  if (best >= 1) return 0;
  // Height of a dome, plus a sunlit side towards the south-east (positive dx, dy).
  const dome = Math.sqrt(1 - best * best);
  const lit = 0.5 + 0.35 * (bestDx + bestDy) * (bestRadius > 0 ? 1 : 0);
  return Math.max(0, Math.min(1, dome * 0.7 + lit * dome * 0.3));
}
