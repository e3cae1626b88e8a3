import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeBands } from './placeBands';

/** The rule, pixel by pixel: alpha 0 is invalid; nodata when every band holds it (NaN matching NaN). */
function referenceValid(
  rasters: Float32Array[],
  alpha: Float32Array | null,
  nodata: number | null,
  i: number,
): number {
  if (alpha !== null && alpha[i] === 0) return 0;
  if (nodata === null) return 1;
  const same = (v: number) => v === nodata || (Number.isNaN(nodata) && Number.isNaN(v));
  return rasters.every((r) => same(r[i])) ? 0 : 1;
}

describe('placeBands', () => {
  it('places every band of the inside window and marks each pixel as GDAL would, for any bands, nodata and alpha', () => {
    fc.assert(
      fc.property(
        fc.record({
          bands: fc.integer({ min: 1, max: 5 }),
          width: fc.integer({ min: 1, max: 9 }),
          height: fc.integer({ min: 1, max: 7 }),
          dx: fc.integer({ min: 0, max: 3 }),
          dy: fc.integer({ min: 0, max: 3 }),
          nodata: fc.constantFrom(null, 0, 7, Number.NaN),
          withAlpha: fc.boolean(),
        }),
        fc.infiniteStream(fc.constantFrom(0, 7, 3, Number.NaN)),
        ({ bands, width, height, dx, dy, nodata, withAlpha }, values) => {
          const inside = { x: 10 + dx, y: 20 + dy, width, height };
          const window = { x: 10, y: 20, width: width + dx + 2, height: height + dy + 1 };
          const m = width * height;
          const rasters = Array.from({ length: bands }, () =>
            Float32Array.from({ length: m }, () => values.next().value),
          );
          const alpha = withAlpha
            ? Float32Array.from({ length: m }, () => (values.next().value === 0 ? 0 : 255))
            : null;
          const n = window.width * window.height;
          const data = new Float32Array(bands * n).fill(-1);
          const valid = new Uint8Array(n).fill(9);
          placeBands(rasters, alpha, nodata, inside, window, data, valid);
          for (let r = 0; r < window.height; r++) {
            for (let c = 0; c < window.width; c++) {
              const at = r * window.width + c;
              const ir = r - dy;
              const ic = c - dx;
              if (ir < 0 || ic < 0 || ir >= height || ic >= width) {
                expect(valid[at]).toBe(9); // outside `inside`: left to the caller
                continue;
              }
              const i = ir * width + ic;
              expect(valid[at]).toBe(referenceValid(rasters, alpha, nodata, i));
              for (let b = 0; b < bands; b++) expect(data[b * n + at]).toBe(rasters[b][i]);
            }
          }
        },
      ),
    );
  });
});
