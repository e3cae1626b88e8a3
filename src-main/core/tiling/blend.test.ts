import { describe, expect, it } from 'vitest';
import {
  addChip,
  blendedProbabilities,
  chipWeights,
  createBlendTarget,
  finishBlend,
  maskInvalid,
  PROBABILITY_NODATA,
  PROBABILITY_SCALE,
  byteToProbability,
  weightsFromProfile,
} from './blend';
import { chipOrigins } from './chunkPlan';

describe('blend', () => {
  it('weights are positive everywhere and largest in the middle', () => {
    const w = chipWeights(8).plane;
    expect(Math.min(...w)).toBeGreaterThan(0);
    expect(w[3 * 8 + 3]).toBeGreaterThan(w[0]);
  });

  it('a constant probability stays constant however chips overlap', () => {
    const chip = 16;
    const w = chipWeights(chip);
    const t = createBlendTarget({ x: 0, y: 0, width: 50, height: 40 });
    const p = new Float32Array(chip * chip).fill(0.4);
    for (const y of chipOrigins(40, chip, 11))
      for (const x of chipOrigins(50, chip, 11)) addChip(t, p, 0, x, y, w);
    const out = finishBlend(t);
    for (const v of out) expect(byteToProbability(v)).toBeCloseTo(0.4, 2);
  });

  it('blends a sub-window identically to the same pixels of a whole-grid blend', () => {
    const chip = 16;
    const w = chipWeights(chip);
    const xs = chipOrigins(64, chip, 12);
    const chipValue = (x: number, y: number) =>
      new Float32Array(chip * chip).map((_, i) => ((x * 7 + y * 3 + i) % 17) / 17);
    const whole = createBlendTarget({ x: 0, y: 0, width: 64, height: 64 });
    const part = createBlendTarget({ x: 20, y: 30, width: 20, height: 20 });
    const valid = new Uint8Array(64 * 64).fill(1);
    valid[35 * 64 + 25] = 0;
    for (const y of xs)
      for (const x of xs) {
        const p = chipValue(x, y);
        maskInvalid(p, 0, x, y, chip, valid, whole.window);
        addChip(whole, p, 0, x, y, w);
        addChip(part, p, 0, x, y, w);
      }
    const a = finishBlend(whole);
    const b = finishBlend(part);
    for (let r = 0; r < 20; r++)
      for (let c = 0; c < 20; c++) expect(b[r * 20 + c]).toBe(a[(30 + r) * 64 + 20 + c]);
    expect(b[5 * 20 + 5]).toBe(PROBABILITY_NODATA);
  });
});

describe('the sum of weights, from one column and one row', () => {
  // The blend divides by the product of a column's and a row's weights instead of adding every chip's weight per
  // pixel: the same as the per-pixel sum for a whole lattice, within float rounding.
  it('equals the weighted mean with weights added per pixel, on uneven chips and strides', () => {
    const chip = 12;
    const w = chipWeights(chip);
    const window = { x: 5, y: 3, width: 37, height: 29 };
    const target = createBlendTarget(window);
    const sum = new Float64Array(window.width * window.height);
    const weight = new Float64Array(window.width * window.height);
    for (const y of chipOrigins(45, chip, 7))
      for (const x of chipOrigins(50, chip, 9)) {
        const p = new Float32Array(chip * chip).map((_, i) => ((x * 5 + y * 11 + i * 3) % 23) / 23);
        addChip(target, p, 0, x, y, w);
        for (let r = 0; r < chip; r++)
          for (let c = 0; c < chip; c++) {
            const gx = x + c - window.x;
            const gy = y + r - window.y;
            if (gx < 0 || gy < 0 || gx >= window.width || gy >= window.height) continue;
            sum[gy * window.width + gx] += w.plane[r * chip + c] * p[r * chip + c];
            weight[gy * window.width + gx] += w.plane[r * chip + c];
          }
      }
    const blended = blendedProbabilities(target);
    for (let i = 0; i < blended.length; i++) expect(blended[i]).toBeCloseTo(sum[i] / weight[i], 5);
  });

  it('refuses chips that are not a whole lattice, or a chip blended twice', () => {
    const w = chipWeights(8);
    const window = { x: 0, y: 0, width: 14, height: 14 };
    const p = new Float32Array(64).fill(0.5);
    const partial = createBlendTarget(window);
    for (const [x, y] of [
      [0, 0],
      [6, 0],
      [0, 6],
    ])
      addChip(partial, p, 0, x, y, w);
    expect(() => finishBlend(partial)).toThrow(/every chip of its lattice/);
    const twice = createBlendTarget(window);
    addChip(twice, p, 0, 0, 0, w);
    expect(() => addChip(twice, p, 0, 0, 0, w)).toThrow(/blended twice/);
  });
});

describe('finishBlend with a model answering NaN', () => {
  it('writes nodata there, never 0 ("no change")', () => {
    const window = { x: 0, y: 0, width: 4, height: 4 };
    const target = createBlendTarget(window);
    const probability = new Float32Array(16).fill(0.8);
    probability[5] = Number.NaN;
    addChip(target, probability, 0, 0, 0, weightsFromProfile(new Float64Array(4).fill(1)));
    const out = finishBlend(target);
    expect(out[5]).toBe(PROBABILITY_NODATA);
    expect(out.filter((v) => v === PROBABILITY_NODATA)).toHaveLength(1);
  });

  it('clamps answers outside 0..1 to the ends of the byte range, and rounds as probabilityToByte', () => {
    const target = createBlendTarget({ x: 0, y: 0, width: 5, height: 5 });
    const answers = new Float32Array(25).map((_, i) => [-0.2, 1.7, 0.5, 0.001, 0.999][i % 5]);
    addChip(target, answers, 0, 0, 0, weightsFromProfile(new Float64Array(5).fill(1)));
    expect(Array.from(finishBlend(target).subarray(0, 5))).toEqual([
      0,
      PROBABILITY_SCALE,
      Math.round(0.5 * PROBABILITY_SCALE),
      0,
      PROBABILITY_SCALE,
    ]);
  });
});

describe('maskInvalid', () => {
  it('marks only the invalid pixels inside the validity window, at the chip offset in its batch', () => {
    const chip = 4;
    const batch = new Float32Array(2 * chip * chip).fill(0.5);
    // Validity over a 6 x 3 read at (10, 20); the chip at (12, 21) hangs out of it by one row and two columns.
    const validWindow = { x: 10, y: 20, width: 6, height: 3 };
    const valid = new Uint8Array(18).fill(1);
    valid[1 * 6 + 3] = 0; // pixel (13, 21): the chip's row 0, column 1
    valid[2 * 6 + 5] = 0; // pixel (15, 22): row 1, column 3
    valid[0] = 0; // pixel (10, 20): outside the chip
    maskInvalid(batch, chip * chip, 12, 21, chip, valid, validWindow);
    const second = batch.subarray(chip * chip);
    const nanAt = [...second.keys()].filter((i) => Number.isNaN(second[i]));
    expect(nanAt).toEqual([1, 1 * chip + 3]);
    expect(batch.subarray(0, chip * chip).every((v) => v === 0.5)).toBe(true);
  });
});
