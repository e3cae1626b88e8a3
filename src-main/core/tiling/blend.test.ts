import { describe, expect, it } from 'vitest';
import {
  addChip,
  blendedProbabilities,
  chipWeights,
  createBlendTarget,
  finishBlend,
  PROBABILITY_NODATA,
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
    const out = finishBlend(t, new Uint8Array(50 * 40).fill(1), t.window);
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
    for (const y of xs)
      for (const x of xs) {
        addChip(whole, chipValue(x, y), 0, x, y, w);
        addChip(part, chipValue(x, y), 0, x, y, w);
      }
    const valid = new Uint8Array(64 * 64).fill(1);
    valid[35 * 64 + 25] = 0;
    const a = finishBlend(whole, valid, whole.window);
    const b = finishBlend(part, valid, whole.window);
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
    expect(() => finishBlend(partial, new Uint8Array(196).fill(1), window)).toThrow(
      /every chip of its lattice/,
    );
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
    const out = finishBlend(target, new Uint8Array(16).fill(1), window);
    expect(out[5]).toBe(PROBABILITY_NODATA);
    expect(out.filter((v) => v === PROBABILITY_NODATA)).toHaveLength(1);
  });
});
