import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PixelWindow } from '../raster/types';
import { findRegions } from './findRegions';
import { floodFillLabels } from './floodFill.testutil';
import { cleanUpMask, thresholdMask } from './mask';
import { rasterizeOutline } from './rasterizeOutline';

const cases = fc
  .record({
    w: fc.integer({ min: 1, max: 40 }),
    h: fc.integer({ min: 1, max: 40 }),
    chunkSize: fc.integer({ min: 1, max: 45 }),
    openingRadius: fc.integer({ min: 0, max: 2 }),
    closingRadius: fc.integer({ min: 0, max: 2 }),
    threshold: fc.double({ min: 0.2, max: 0.8, noNaN: true }),
    minPixels: fc.integer({ min: 0, max: 4 }),
    tinyBudget: fc.boolean(),
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      prob: fc.float32Array({ minLength: c.w * c.h, maxLength: c.w * c.h, min: 0, max: 1, noNaN: true }),
    }),
  );

/** A w x h probability raster held in memory, as findRegions reads one window at a time. */
function memorySource(prob: Float32Array, w: number, h: number, rowPixelArea: Float64Array) {
  return {
    width: w,
    height: h,
    nodata: null,
    rowPixelArea,
    readWindow: async (win: PixelWindow) => {
      const out = new Float32Array(win.width * win.height);
      for (let y = 0; y < win.height; y++)
        out.set(prob.subarray((win.y + y) * w + win.x, (win.y + y) * w + win.x + win.width), y * win.width);
      return out;
    },
  };
}

describe('findRegions', () => {
  it('gives the same regions and outlines chunk by chunk as on the whole image', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ c, prob }) => {
        const { w, h } = c;
        const settings = { ...c, minAreaM2: c.minPixels * 4 };
        const rowPixelArea = new Float64Array(h).fill(4);
        const found = await findRegions(memorySource(prob, w, h, rowPixelArea), settings, {
          chunkSize: c.chunkSize,
          maxOutlineBitmapBytes: c.tinyBudget ? 1 : undefined,
        });
        // Whole-image reference.
        const mask = cleanUpMask(thresholdMask(prob, c.threshold, null), w, h, c);
        const ref = floodFillLabels(mask, w, h);
        const refCount = new Int32Array(ref.count + 1);
        for (let i = 0; i < w * h; i++) refCount[ref.labels[i]]++;
        let expected = 0;
        for (let k = 1; k <= ref.count; k++) if (refCount[k] >= c.minPixels) expected++;
        expect(found.regions.length).toBe(expected);
        for (let i = 1; i < found.regions.length; i++)
          expect(found.regions[i - 1].areaM2).toBeGreaterThanOrEqual(found.regions[i].areaM2);
        for (const r of found.regions) {
          const k = ref.labels[r.seedRow * w + r.seedCol];
          expect(k).toBeGreaterThan(0);
          expect(r.pixelCount).toBe(refCount[k]);
          expect(r.areaM2).toBeCloseTo(refCount[k] * 4, 9);
          let sx = 0;
          let sy = 0;
          const back = rasterizeOutline(r.outline, { x: 0, y: 0, width: w, height: h });
          for (let p = 0; p < w * h; p++) {
            expect(back[p]).toBe(ref.labels[p] === k ? 1 : 0);
            if (ref.labels[p] === k) {
              sx += (p % w) + 0.5;
              sy += Math.floor(p / w) + 0.5;
            }
          }
          expect(r.centreX).toBeCloseTo(sx / refCount[k], 9);
          expect(r.centreY).toBeCloseTo(sy / refCount[k], 9);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('traces big border-crossing regions from bitmaps, in budgeted groups', async () => {
    const w = 30;
    const h = 24;
    const prob = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const ring = Math.hypot(x + 0.5 - 15, y + 0.5 - 12);
        prob[y * w + x] = (ring > 4 && ring < 10) || (x > 26 && y > 2 && y < 20) ? 1 : 0;
      }
    const found = await findRegions(
      memorySource(prob, w, h, new Float64Array(h).fill(1)),
      { threshold: 0.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0 },
      { chunkSize: 3, maxOutlineBitmapBytes: 40 },
    );
    expect(found.regions).toHaveLength(2);
    expect(found.passes).toBe(3); // two big regions, each alone in its bitmap group
    const ref = floodFillLabels(Uint8Array.from(prob), w, h);
    for (const r of found.regions) {
      const k = ref.labels[r.seedRow * w + r.seedCol];
      const back = rasterizeOutline(r.outline, { x: 0, y: 0, width: w, height: h });
      for (let p = 0; p < w * h; p++) expect(back[p]).toBe(ref.labels[p] === k ? 1 : 0);
    }
    expect(found.regions[0].outline[0].length).toBe(2); // the ring keeps its hole
  });

  it('treats nodata as no change and rejects bad settings with a code', async () => {
    const values = Uint8Array.from([255, 255, 0, 255]);
    const source = {
      width: 2,
      height: 2,
      nodata: 0,
      rowPixelArea: new Float64Array([1, 1]),
      readWindow: async () => values.slice(),
    };
    const found = await findRegions(source, {
      threshold: 0,
      openingRadius: 0,
      closingRadius: 0,
      minAreaM2: 0,
    });
    expect(found.regions).toHaveLength(1);
    expect(found.regions[0].pixelCount).toBe(3);
    await expect(
      findRegions(source, { threshold: 1.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0 }),
    ).rejects.toMatchObject({ code: 'REGIONS_BAD_SETTINGS' });
  });
});
