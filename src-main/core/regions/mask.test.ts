import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dilate, erode, thresholdMask } from './mask';

function bruteForce(mask: Uint8Array, w: number, h: number, r: number, isErosion: boolean): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let all = true;
      let any = false;
      for (let dy = -r; dy <= r; dy++)
        for (let dx = -r; dx <= r; dx++) {
          if (dx * dx + dy * dy > r * r) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue; // outside the array: ignored
          if (mask[ny * w + nx]) any = true;
          else all = false;
        }
      out[y * w + x] = (isErosion ? all : any) ? 1 : 0;
    }
  return out;
}

describe('morphology', () => {
  it('erodes and dilates with a disk exactly like the definition', () => {
    const cases = fc
      .record({
        w: fc.integer({ min: 1, max: 30 }),
        h: fc.integer({ min: 1, max: 30 }),
        r: fc.integer({ min: 0, max: 4 }),
      })
      .chain((c) =>
        fc.record({
          c: fc.constant(c),
          mask: fc
            .uint8Array({ minLength: c.w * c.h, maxLength: c.w * c.h })
            .map((a) => a.map((v) => (v < 170 ? 1 : 0))),
        }),
      );
    fc.assert(
      fc.property(cases, ({ c, mask }) => {
        expect(Array.from(erode(mask, c.w, c.h, c.r))).toEqual(
          Array.from(bruteForce(mask, c.w, c.h, c.r, true)),
        );
        expect(Array.from(dilate(mask, c.w, c.h, c.r))).toEqual(
          Array.from(bruteForce(mask, c.w, c.h, c.r, false)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('thresholds float and uint8 probabilities alike, nodata and NaN never change', () => {
    expect(Array.from(thresholdMask(Float32Array.from([0.2, 0.5, 0.9, NaN, -1]), 0.5, -1))).toEqual([
      0, 1, 1, 0, 0,
    ]);
    expect(Array.from(thresholdMask(Uint8Array.from([51, 128, 230, 255]), 0.5, 255))).toEqual([0, 1, 1, 0]);
  });
});
