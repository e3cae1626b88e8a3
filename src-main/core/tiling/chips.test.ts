import { describe, expect, it } from 'vitest';
import { copyChip, cutChip, normaliseWindowInPlace } from './chips';

describe('cutChip', () => {
  it('normalises, zero-fills invalid pixels and the part beyond the source', () => {
    const source = { x: 10, y: 10, width: 4, height: 3 };
    const planes = new Float32Array(2 * 12).map((_, i) => i);
    const valid = new Uint8Array(12).fill(1);
    valid[5] = 0;
    const dest = new Float32Array(2 * 2 * 16).fill(9);
    cutChip(dest, 1, planes, valid, source, 2, 12, 11, 4, { mean: [1, 0], std: [2, 1] });
    const base = 2 * 16;
    // chip pixel (0,0) = source (12,11) -> index 1*4+2 = 6 -> (6-1)/2
    expect(dest[base + 0]).toBeCloseTo(2.5);
    // source (11,11) = index 5 is invalid, but it lies left of the chip; chip (1,0) = source (13,11) = 7
    expect(dest[base + 1]).toBeCloseTo(3);
    // rows beyond the source's last row are zero
    expect(dest[base + 2 * 4]).toBe(0);
    // band 1 at chip (0,0): 12 + 6
    expect(dest[base + 16]).toBeCloseTo(18);
    // slot 0 untouched
    expect(dest[0]).toBe(9);
  });
});

describe('normaliseWindowInPlace + copyChip', () => {
  it('give the same chips as cutChip, inside the window and hanging over its edges', () => {
    const source = { x: 5, y: 3, width: 23, height: 17 };
    const n = source.width * source.height;
    const norm = { mean: [0.4, 0.5, 0.1], std: [0.2, 0.3, 0.5] };
    const planes = new Float32Array(3 * n).map((_, i) => Math.sin(i * 0.37));
    const valid = new Uint8Array(n).map((_, i) => (i % 7 === 3 ? 0 : 1));
    const normalised = planes.slice();
    normaliseWindowInPlace(normalised, valid, 3, norm);
    const chip = 8;
    for (const [x, y] of [
      [5, 3],
      [12, 9],
      [24, 16],
      [1, 0],
    ]) {
      const expected = new Float32Array(2 * 3 * chip * chip).fill(7);
      const actual = new Float32Array(2 * 3 * chip * chip).fill(7);
      cutChip(expected, 1, planes, valid, source, 3, x, y, chip, norm);
      copyChip(actual, 1, normalised, source, 3, x, y, chip);
      expect(Array.from(actual)).toEqual(Array.from(expected));
    }
  });
});
