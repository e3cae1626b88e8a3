import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floodFillLabels, randomMask } from './floodFill.testutil';
import { validityError } from './geometryValidity.testutil';
import { rasterizeOutline } from './rasterizeOutline';
import { traceOutline } from './traceOutline';

function maskFrom(rows: string[]): { mask: Uint8Array; w: number; h: number } {
  const w = rows[0].length;
  const mask = new Uint8Array(w * rows.length);
  rows.forEach((r, y) => [...r].forEach((c, x) => (mask[y * w + x] = c === '#' ? 1 : 0)));
  return { mask, w, h: rows.length };
}

function outlineOf(mask: Uint8Array, w: number, h: number) {
  return traceOutline((x, y) => mask[y * w + x] === 1, w, h);
}

const masks = randomMask(24, { min: 0.2, max: 0.9 });

describe('traceOutline', () => {
  it('keeps a hole as an inner ring', () => {
    const { mask, w, h } = maskFrom(['###', '#.#', '###']);
    const mp = outlineOf(mask, w, h);
    expect(mp).toHaveLength(1);
    expect(mp[0]).toHaveLength(2);
    expect(Array.from(rasterizeOutline(mp, { x: 0, y: 0, width: w, height: h }))).toEqual(Array.from(mask));
  });

  it('gives two polygons touching at a point for pixels touching only at a corner', () => {
    const { mask, w, h } = maskFrom(['#.', '.#']);
    const mp = outlineOf(mask, w, h);
    expect(mp).toHaveLength(2);
    expect(validityError(mp)).toBeNull();
  });

  it('makes a pocket closed only at a corner a hole touching the shell, not a self-touching ring', () => {
    const { mask, w, h } = maskFrom(['###', '#.#', '##.']);
    const mp = outlineOf(mask, w, h);
    expect(validityError(mp)).toBeNull();
    expect(Array.from(rasterizeOutline(mp, { x: 0, y: 0, width: w, height: h }))).toEqual(Array.from(mask));
  });

  it('outlines rasterise back to exactly each region, holes included, and are valid', () => {
    fc.assert(
      fc.property(masks, ({ w, h, mask }) => {
        const { labels, count } = floodFillLabels(mask, w, h);
        for (let k = 1; k <= count; k++) {
          let minX = w,
            minY = h,
            maxX = -1,
            maxY = -1;
          for (let i = 0; i < w * h; i++)
            if (labels[i] === k) {
              const x = i % w;
              const y = (i - x) / w;
              minX = Math.min(minX, x);
              maxX = Math.max(maxX, x);
              minY = Math.min(minY, y);
              maxY = Math.max(maxY, y);
            }
          const bw = maxX - minX + 1;
          const bh = maxY - minY + 1;
          const mp = traceOutline((x, y) => labels[(minY + y) * w + minX + x] === k, bw, bh, minX, minY);
          const back = rasterizeOutline(mp, { x: 0, y: 0, width: w, height: h });
          for (let i = 0; i < w * h; i++) expect(back[i]).toBe(labels[i] === k ? 1 : 0);
          expect(validityError(mp)).toBeNull();
        }
      }),
      { numRuns: 200 },
    );
  });
});
