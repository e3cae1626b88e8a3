import { describe, expect, it } from 'vitest';
import { mapSample } from '../../core/raster/scaling';
import { syntheticPair, syntheticSample } from './syntheticPair';

describe('the synthetic pair', () => {
  it('fills planes offered for reuse exactly as fresh ones (stale values included), and ignores planes too small', async () => {
    const pair = syntheticPair({ width: 300, height: 200, seed: 5 });
    const window = { x: 40, y: 60, width: 120, height: 90 };
    const fresh = await pair.read(window);
    const length = 3 * window.width * window.height;
    const reuse = {
      before: new Float32Array(length + 50).fill(7),
      after: new Float32Array(length + 50).fill(-7),
    };
    const reused = await pair.read(window, { reuse });
    expect(reused.before.buffer).toBe(reuse.before.buffer);
    expect(reused.after.buffer).toBe(reuse.after.buffer);
    expect(reused.before).toEqual(fresh.before);
    expect(reused.after).toEqual(fresh.after);
    expect(reused.valid).toEqual(fresh.valid);
    const small = { before: new Float32Array(length - 1), after: new Float32Array(length - 1) };
    const ignored = await pair.read(window, { reuse: small });
    expect(ignored.before.buffer).not.toBe(small.before.buffer);
    expect(ignored.before).toEqual(fresh.before);
  });
});

describe('the 8-bit synthetic pair', () => {
  it("holds the float pair's values on 8-bit steps, read as samples (into planes offered) and as 1/255 floats", async () => {
    const options = { width: 300, height: 200, seed: 5 };
    expect(syntheticPair(options).samples).toBeUndefined();
    const floats = syntheticPair(options);
    const bytes = syntheticPair({ ...options, eightBit: true });
    const window = { x: 0, y: 0, width: 300, height: 200 };
    const norm = { mean: [0.4, 0.4, 0.4], std: [0.2, 0.2, 0.2] };
    const reuse = { before: new Uint8Array(200000), after: new Uint8Array(200000) };
    const samples = await bytes.samples!.read(window, { normalise: norm, reuse });
    expect(samples.before.buffer).toBe(reuse.before.buffer);
    const exact = await floats.read(window);
    const unit = await bytes.read(window);
    expect(samples.valid).toEqual(exact.valid);
    const wrong = { sample: 0, unit: 0, map: 0 };
    const n = window.width * window.height;
    for (const date of ['before', 'after'] as const) {
      for (let i = 0; i < exact[date].length; i++) {
        const sample = samples[date][i];
        if (sample !== syntheticSample(exact[date][i])) wrong.sample++;
        if (unit[date][i] !== Math.fround(sample / 255)) wrong.unit++;
        const b = Math.floor(i / n);
        if (Math.abs(mapSample(samples.maps[date][b], sample) - (unit[date][i] - 0.4) / 0.2) > 1e-5)
          wrong.map++;
      }
    }
    expect(wrong).toEqual({ sample: 0, unit: 0, map: 0 });
    let changed = 0;
    for (let i = 0; i < exact.before.length; i++) if (samples.before[i] !== samples.after[i]) changed++;
    expect(changed).toBeGreaterThan(100); // the generated changes are there
  });
});
