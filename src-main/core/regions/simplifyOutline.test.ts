import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floodFillLabels } from './floodFill.testutil';
import { validityError } from './geometryValidity.testutil';
import { rasterizeOutline } from './rasterizeOutline';
import { simplifyOutline } from './simplifyOutline';
import { traceOutline } from './traceOutline';

function distanceToOutline(mp: ArrayLike<number>[][], px: number, py: number): number {
  let best = Infinity;
  for (const polygon of mp)
    for (const r of polygon)
      for (let i = 0; i + 3 < r.length; i += 2) {
        const dx = r[i + 2] - r[i];
        const dy = r[i + 3] - r[i + 1];
        const t = Math.max(0, Math.min(1, ((px - r[i]) * dx + (py - r[i + 1]) * dy) / (dx * dx + dy * dy)));
        best = Math.min(best, Math.hypot(px - r[i] - t * dx, py - r[i + 1] - t * dy));
      }
  return best;
}

describe('simplifyOutline', () => {
  it('turns a pixel staircase into a straight edge', () => {
    const w = 30;
    const h = 30;
    const mp = traceOutline((x, y) => x <= y, w, h);
    const simple = simplifyOutline(mp, 0.75);
    expect(simple[0][0].length / 2 - 1).toBe(3); // a triangle
    expect(mp[0][0].length / 2 - 1).toBeGreaterThan(50);
  });

  it('stays valid and within tolerance of the pixel outline on random masks', () => {
    const masks = fc
      .record({
        w: fc.integer({ min: 2, max: 28 }),
        h: fc.integer({ min: 2, max: 28 }),
        tol: fc.constantFrom(0.5, 0.75, 1.5, 3),
      })
      .chain(({ w, h, tol }) =>
        fc.record({
          w: fc.constant(w),
          h: fc.constant(h),
          tol: fc.constant(tol),
          // Blobby masks (thresholded smooth noise) exercise long staircases better than salt and pepper.
          seeds: fc.array(
            fc.tuple(
              fc.double({ min: 0, max: w, noNaN: true }),
              fc.double({ min: 0, max: h, noNaN: true }),
              fc.double({ min: 1, max: 8, noNaN: true }),
            ),
            { minLength: 1, maxLength: 6 },
          ),
        }),
      );
    fc.assert(
      fc.property(masks, ({ w, h, tol, seeds }) => {
        const mask = new Uint8Array(w * h);
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            mask[y * w + x] =
              seeds.some(([cx, cy, r]) => (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < r * r) !==
              ((x * 7 + y * 3) % 11 === 0)
                ? 1
                : 0;
        const { labels, count } = floodFillLabels(mask, w, h);
        for (let k = 1; k <= count; k++) {
          const mp = traceOutline((x, y) => labels[y * w + x] === k, w, h);
          const simple = simplifyOutline(mp, tol);
          expect(validityError(simple)).toBeNull();
          const a = rasterizeOutline(mp, { x: 0, y: 0, width: w, height: h });
          const b = rasterizeOutline(simple, { x: 0, y: 0, width: w, height: h });
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++)
              if (a[y * w + x] !== b[y * w + x])
                expect(distanceToOutline(mp, x + 0.5, y + 0.5)).toBeLessThanOrEqual(tol + 1e-9);
        }
      }),
      { numRuns: 150 },
    );
  });
});
