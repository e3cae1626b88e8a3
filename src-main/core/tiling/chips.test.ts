import { describe, expect, it } from 'vitest';
import { cutChip } from './chips';

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
