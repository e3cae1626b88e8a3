import { describe, expect, it } from 'vitest';
import { resizeBilinearUint8 } from './resize';

describe('resizeBilinearUint8', () => {
  it('halves with PIL weights 1/8, 3/8, 3/8, 1/8', () => {
    // One row 0, 80, 160, 240, 0, 0, 0, 0 -> 4 columns. Output 0 is centred at 1.0 (source units) with support 2:
    // source centres 0.5, 1.5, 2.5 -> triangle weights 0.75, 0.75, 0.25 -> /1.75: 0*0.4286 + 80*0.4286 + 160*0.1429
    // = 57.14 -> 57. Output 1 centred at 3.0: centres 1.5..4.5 -> weights .25 .75 .75 .25 (/2): 80/8 + 160*3/8 +
    // 240*3/8 + 0 = 160.
    const out = resizeBilinearUint8([0, 80, 160, 240, 0, 0, 0, 0], 8, 1, 1, 4, 1);
    expect(out[0]).toBe(57);
    expect(out[1]).toBe(160);
  });

  it('keeps a flat image flat', () => {
    const out = resizeBilinearUint8(new Uint8Array(3 * 16 * 16).fill(77), 16, 16, 3, 5, 7);
    expect(Array.from(new Set(out))).toEqual([77]);
  });
});
