import { describe, expect, it } from 'vitest';
import { syntheticPair } from './syntheticPair';

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
