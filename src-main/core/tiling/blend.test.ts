import { describe, expect, it } from 'vitest';
import {
  addChip,
  chipWeights,
  createBlendTarget,
  finishBlend,
  PROBABILITY_NODATA,
  byteToProbability,
} from './blend';
import { chipOrigins } from './chunkPlan';

describe('blend', () => {
  it('weights are positive everywhere and largest in the middle', () => {
    const w = chipWeights(8);
    expect(Math.min(...w)).toBeGreaterThan(0);
    expect(w[3 * 8 + 3]).toBeGreaterThan(w[0]);
  });

  it('a constant probability stays constant however chips overlap', () => {
    const chip = 16;
    const w = chipWeights(chip);
    const t = createBlendTarget({ x: 0, y: 0, width: 50, height: 40 });
    const p = new Float32Array(chip * chip).fill(0.4);
    for (const y of chipOrigins(40, chip, 11))
      for (const x of chipOrigins(50, chip, 11)) addChip(t, p, 0, x, y, chip, w);
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
        addChip(whole, chipValue(x, y), 0, x, y, chip, w);
        addChip(part, chipValue(x, y), 0, x, y, chip, w);
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

describe('finishBlend with a model answering NaN', () => {
  it('writes nodata there, never 0 ("no change")', () => {
    const window = { x: 0, y: 0, width: 4, height: 4 };
    const target = createBlendTarget(window);
    const probability = new Float32Array(16).fill(0.8);
    probability[5] = Number.NaN;
    addChip(target, probability, 0, 0, 0, 4, new Float32Array(16).fill(1));
    const out = finishBlend(target, new Uint8Array(16).fill(1), window);
    expect(out[5]).toBe(PROBABILITY_NODATA);
    expect(out.filter((v) => v === PROBABILITY_NODATA)).toHaveLength(1);
  });
});
