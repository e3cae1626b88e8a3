import { describe, expect, it } from 'vitest';
import type { ChangeModelCard } from '../../src-main/core/models/modelCard';
import { predictChangeProbability, unitScaleDate, type ChipModel } from './changeInference';

/** A stand-in model whose output at a pixel depends only on that pixel: |after - before| of band 0, squashed. */
function pixelModel(chip: number): ChipModel & { calls: number } {
  const card = {
    chipSize: chip,
    bands: ['red', 'green', 'blue'],
    normalisation: { unitScaling: 'datatype', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  } as unknown as ChangeModelCard;
  return {
    card,
    calls: 0,
    async predict(before, after, n) {
      this.calls++;
      const plane = chip * chip;
      const out = new Float32Array(n * plane);
      for (let k = 0; k < n; k++) {
        for (let p = 0; p < plane; p++)
          out[k * plane + p] = Math.tanh(Math.abs(after[k * 3 * plane + p] - before[k * 3 * plane + p]));
      }
      return out;
    },
  };
}

describe('predictChangeProbability', () => {
  it('blends overlapping chips without seams: a per-pixel model gives its per-pixel answer everywhere', async () => {
    const width = 50;
    const height = 37;
    const n = width * height;
    const before = new Float32Array(3 * n);
    const after = new Float32Array(3 * n);
    for (let i = 0; i < 3 * n; i++) {
      before[i] = ((i * 7919) % 101) / 100;
      after[i] = ((i * 104729) % 97) / 96;
    }
    const model = pixelModel(16);
    const p = await predictChangeProbability(model, before, after, width, height, 4, 5);
    // Stride 12: x origins 0,12,24,34 and y origins 0,12,21 -> 12 chips in 3 batches of up to 5.
    expect(model.calls).toBe(3);
    for (const i of [0, 17, 600, n - 1]) {
      // Normalised difference: (a - 0.5)/0.25 - (b - 0.5)/0.25 = (a - b) * 4.
      expect(p[i]).toBeCloseTo(Math.tanh(Math.abs(after[i] - before[i]) * 4), 5);
    }
  });
});

describe('unitScaleDate', () => {
  it('divides 8-bit data by 255', () => {
    const out = unitScaleDate(new Uint8Array([0, 51, 255]), 1, 'uint8');
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(0.2, 6);
    expect(out[2]).toBe(1);
  });

  it('stretches 16-bit data per band from its 2nd to 98th percentile', () => {
    // Values 0..99 once each: p2 = 1 (2 % of 100 values reached at value 1), p98 = 97; 49 -> (49-1)/96 = 0.5.
    const raw = new Uint16Array(100).map((_, i) => i);
    const out = unitScaleDate(raw, 1, 'uint16');
    expect(out[49]).toBeCloseTo(0.5);
    // beyond p2..p98 the app keeps some contrast, limited to [-0.5, 1.5] as training did
    expect(out[0]).toBeCloseTo(-1 / 96);
    expect(out[99]).toBeCloseTo(98 / 96);
  });
});

describe('unitScaleDate with stretch limits', () => {
  it('lets the stretch run past 0..1 up to the limits', () => {
    // Same ramp 0..99: p2 = 1, p98 = 97 -> 0 maps to -1/96, 99 to 98/96 = 1.0208 (inside [-0.5, 1.5]).
    const raw = new Uint16Array(100).map((_, i) => i);
    const out = unitScaleDate(raw, 1, 'uint16', [-0.5, 1.5]);
    expect(out[0]).toBeCloseTo(-1 / 96);
    expect(out[99]).toBeCloseTo(98 / 96);
  });
});
