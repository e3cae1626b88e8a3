import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkedLabeller, chunkWindows } from './chunkedLabeller';
import { floodFillLabels, randomMask } from './floodFill.testutil';

function sub<T extends Uint8Array | Float32Array>(
  src: T,
  w: number,
  win: { x: number; y: number; width: number; height: number },
): T {
  const out = new (src.constructor as { new (n: number): T })(win.width * win.height);
  for (let y = 0; y < win.height; y++)
    for (let x = 0; x < win.width; x++) out[y * win.width + x] = src[(win.y + y) * w + win.x + x];
  return out;
}

const scene = randomMask(36, { min: 0.05, max: 0.8 }).chain(({ w, h, mask }) =>
  fc.record({
    w: fc.constant(w),
    h: fc.constant(h),
    mask: fc.constant(mask),
    prob: fc.float32Array({ minLength: w * h, maxLength: w * h, min: 0, max: 1, noNaN: true }),
    chunk: fc.integer({ min: 1, max: 40 }),
    rowAreas: fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: h, maxLength: h }),
  }),
);

describe('ChunkedLabeller', () => {
  it('finds the same regions as a whole-image flood fill, whatever the chunk size', () => {
    fc.assert(
      fc.property(scene, ({ w, h, mask, prob, chunk, rowAreas }) => {
        const ref = floodFillLabels(mask, w, h);
        const labeller = new ChunkedLabeller(w, h, Float64Array.from(rowAreas));
        const windows = chunkWindows(w, h, chunk);
        const locals = windows.map((win) =>
          labeller.addChunk(win, sub<Uint8Array>(mask, w, win), sub<Float32Array>(prob, w, win)),
        );
        // Pixel sets: the chunked root id of every pixel must correspond one-to-one with the reference label.
        const refToRoot = new Map<number, number>();
        const rootToRef = new Map<number, number>();
        windows.forEach((win, c) => {
          for (let y = 0; y < win.height; y++)
            for (let x = 0; x < win.width; x++) {
              const k = locals[c].labels[y * win.width + x];
              const r = ref.labels[(win.y + y) * w + win.x + x];
              expect(k === 0).toBe(r === 0);
              if (k === 0) continue;
              const root = labeller.rootOf(c, k);
              expect(refToRoot.get(r) ?? root).toBe(root);
              expect(rootToRef.get(root) ?? r).toBe(r);
              refToRoot.set(r, root);
              rootToRef.set(root, r);
            }
        });
        const regions = labeller.regions();
        expect(regions.length).toBe(ref.count);
        for (const region of regions) {
          const r = rootToRef.get(region.id)!;
          let n = 0;
          let area = 0;
          let sx = 0;
          let sy = 0;
          let pmax = -Infinity;
          for (let i = 0; i < w * h; i++) {
            if (ref.labels[i] !== r) continue;
            const x = i % w;
            const y = (i - x) / w;
            if (n === 0) expect([region.seedCol, region.seedRow]).toEqual([x, y]);
            n++;
            area += rowAreas[y];
            sx += x + 0.5;
            sy += y + 0.5;
            pmax = Math.max(pmax, prob[i]);
          }
          expect(region.pixelCount).toBe(n);
          expect(region.areaM2).toBeCloseTo(area, 8);
          expect(region.centreX).toBeCloseTo(sx / n, 9);
          expect(region.centreY).toBeCloseTo(sy / n, 9);
          expect(region.probMax).toBe(pmax);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses chunks out of raster order', () => {
    const labeller = new ChunkedLabeller(4, 4, new Float64Array(4).fill(1));
    const win = { x: 2, y: 0, width: 2, height: 2 };
    expect(() => labeller.addChunk(win, new Uint8Array(4), new Float32Array(4))).toThrow(
      expect.objectContaining({ code: 'REGIONS_CHUNK_ORDER' }),
    );
  });
});
