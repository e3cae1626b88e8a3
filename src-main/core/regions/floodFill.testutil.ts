// Helpers shared by the regions tests: a flood-fill reference labelling, independent of the union-find code, and
// random masks for the property tests.
import fc from 'fast-check';

/** A random w x h mask (sides 1 to `maxSide`), each pixel set with a chance drawn from `density`. */
export function randomMask(
  maxSide: number,
  density: { min: number; max: number },
): fc.Arbitrary<{ w: number; h: number; mask: Uint8Array }> {
  return fc
    .record({
      w: fc.integer({ min: 1, max: maxSide }),
      h: fc.integer({ min: 1, max: maxSide }),
      chance: fc.double(density),
    })
    .chain(({ w, h, chance }) =>
      fc.record({
        w: fc.constant(w),
        h: fc.constant(h),
        mask: fc
          .uint8Array({ minLength: w * h, maxLength: w * h })
          .map((a) => a.map((v) => (v / 256 < chance ? 1 : 0))),
      }),
    );
}

/** 8-connected components by breadth-first flood fill; labels in raster order of first pixel, 1-based. */
export function floodFillLabels(
  mask: Uint8Array,
  w: number,
  h: number,
): { labels: Int32Array; count: number } {
  const labels = new Int32Array(w * h);
  let count = 0;
  const queue = new Int32Array(w * h);
  for (let start = 0; start < w * h; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    count++;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    labels[start] = count;
    while (head < tail) {
      const p = queue[head++];
      const px = p % w;
      const py = (p - px) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          const ny = py + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (mask[q] !== 0 && labels[q] === 0) {
            labels[q] = count;
            queue[tail++] = q;
          }
        }
    }
  }
  return { labels, count };
}
