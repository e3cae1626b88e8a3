import { describe, expect, it } from 'vitest';
import { bandStatistics, changeMagnitude, changeVectorAnalysis, otsuThreshold } from './cva';

describe('bandStatistics', () => {
  it('gives the mean and population std over valid pixels', () => {
    // Valid values 1, 2, 3, 4 (the 100 is masked out): mean 2.5, variance (2.25+0.25+0.25+2.25)/4 = 1.25.
    const s = bandStatistics(new Float32Array([1, 2, 3, 4, 100]), 1, new Uint8Array([1, 1, 1, 1, 0]));
    expect(s.mean[0]).toBeCloseTo(2.5);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(1.25));
  });
});

describe('changeMagnitude', () => {
  it('ignores a pure gain and offset between dates', () => {
    // after = 2 * before + 7: both standardise to the same z values, so the magnitude is 0 everywhere.
    const before = new Float32Array([1, 2, 3, 4, 10, 20, 30, 40]);
    const after = before.map((v) => 2 * v + 7);
    const m = changeMagnitude(before, after, 2);
    for (const v of m) expect(v).toBeCloseTo(0, 5);
  });

  it('matches the hand-computed magnitudes', () => {
    // One band. before 1,2,3,4: mean 2.5, std sqrt(1.25) = 1.1180 -> z = -1.3416, -0.4472, 0.4472, 1.3416.
    // after 1,2,3,10: mean 4, std sqrt((9+4+1+36)/4) = sqrt(12.5) = 3.5355 -> z = -0.8485, -0.5657, -0.2828, 1.6971.
    // |difference| = 0.4931, 0.1185, 0.7300, 0.3555.
    const m = changeMagnitude(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 2, 3, 10]), 1);
    expect(Array.from(m).map((v) => Number(v.toFixed(3)))).toEqual([0.493, 0.118, 0.73, 0.355]);
  });

  it('is the length of the difference vector over bands', () => {
    // Two bands, 2 pixels. Band 0: before 0,2 (z -1,1), after 2,0 (z 1,-1) -> d = 2, -2.
    // Band 1: before 0,2 (z -1,1), after 0,2 (z -1,1) -> d = 0, 0. Magnitudes: 2, 2.
    const m = changeMagnitude(new Float32Array([0, 2, 0, 2]), new Float32Array([2, 0, 0, 2]), 2);
    expect(m[0]).toBeCloseTo(2);
    expect(m[1]).toBeCloseTo(2);
  });

  it('rejects images of different sizes with a coded error', () => {
    expect(() => changeMagnitude(new Float32Array(4), new Float32Array(6), 2)).toThrow(
      expect.objectContaining({ code: 'CVA_SHAPE_MISMATCH' }),
    );
  });
});

describe('otsuThreshold', () => {
  it('splits where the between-class variance is largest', () => {
    // 0,0,0,0,2,2,10,10. Split {0x4}|{2,2,10,10}: 0.5*0.5*(0-6)^2 = 9.
    // Split {0x4,2,2}|{10,10}: means 0.667 and 10, 0.75*0.25*9.333^2 = 16.3 -> the cut lies between 2 and 10.
    const values = new Float32Array([0, 0, 0, 0, 2, 2, 10, 10]);
    const t = otsuThreshold(values);
    expect(t).toBeGreaterThanOrEqual(2);
    expect(t).toBeLessThan(10);
  });

  it('ignores invalid values', () => {
    // Without the mask the 1000 would dominate; with it the split is between 1 and 9.
    const t = otsuThreshold(new Float32Array([1, 1, 1, 9, 9, 1000]), new Uint8Array([1, 1, 1, 1, 1, 0]));
    expect(t).toBeGreaterThanOrEqual(1);
    expect(t).toBeLessThan(9);
  });
});

describe('changeVectorAnalysis', () => {
  it('marks the pixels that changed against their date', () => {
    // 3 bands x 100 pixels; pixels 40..42 turn from mid-grey to bright while the rest only get a uniform gain.
    // The three bright pixels inflate the after std about twofold (~10 -> ~23), which squeezes the unchanged pixels'
    // after z-scores, so they keep magnitudes below 2 while the changed ones reach ~11.5: Otsu cuts between them.
    const n = 100;
    const before = new Float32Array(3 * n);
    const after = new Float32Array(3 * n);
    for (let b = 0; b < 3; b++) {
      for (let p = 0; p < n; p++) {
        const base = 20 + (p % 10) * 3 + b;
        before[b * n + p] = base;
        after[b * n + p] = p >= 40 && p <= 42 ? 160 : base * 1.2;
      }
    }
    const { mask, magnitude } = changeVectorAnalysis(before, after, 3);
    const changed = Array.from(mask).flatMap((v, p) => (v ? [p] : []));
    expect(changed).toEqual([40, 41, 42]);
    expect(magnitude[40]).toBeGreaterThan(10);
    expect(Math.max(...Array.from(magnitude).filter((_, p) => p < 40 || p > 42))).toBeLessThan(2);
  });
});
