import { describe, expect, it } from 'vitest';
import { fakePredictor } from '../runs/testing/fakePredictor';
import type { ChipPredictor } from './chipPredictor';
import { PredictorPool } from './predictorPool';

/** A session whose batches answer when the test says, recording what it was sent. */
function heldSession(name: string) {
  const pending: { n: number; answer: (value: Float32Array) => void; fail: (e: Error) => void }[] = [];
  let stopped = false;
  const session: ChipPredictor & { pending: typeof pending; stopped: () => boolean } = {
    info: fakePredictor().info,
    busyMillis: 0,
    pending,
    stopped: () => stopped,
    predict: (_before, _after, n) =>
      new Promise<Float32Array>((answer, fail) => pending.push({ n, answer, fail })),
    inputsFor: (length) => ({ before: new Float32Array(length), after: new Float32Array(length) }),
    async terminate() {
      stopped = true;
    },
  };
  return Object.assign(session, { name });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const input = () => new Float32Array(4);

describe('PredictorPool', () => {
  it('gives each batch to a free session, queues the rest in order, and answers each caller', async () => {
    const a = heldSession('a');
    const b = heldSession('b');
    const pool = new PredictorPool([a, b]);
    expect(pool.parallelism).toBe(2);
    const first = pool.predict(input(), input(), 1);
    const second = pool.predict(input(), input(), 2);
    const third = pool.predict(input(), input(), 3);
    await tick();
    // One batch each, never two at one session; the third waits for whichever answers first.
    expect([a.pending.map((p) => p.n), b.pending.map((p) => p.n)]).toEqual([[1], [2]]);
    b.pending.shift()!.answer(Float32Array.of(2));
    expect(await second).toEqual(Float32Array.of(2));
    await tick();
    expect(b.pending.map((p) => p.n)).toEqual([3]);
    expect(a.pending.map((p) => p.n)).toEqual([1]);
    a.pending.shift()!.answer(Float32Array.of(1));
    b.pending.shift()!.answer(Float32Array.of(3));
    expect([await first, await third]).toEqual([Float32Array.of(1), Float32Array.of(3)]);
  });

  it('passes a failed batch on and keeps serving with the session', async () => {
    const a = heldSession('a');
    const pool = new PredictorPool([a]);
    const failing = pool.predict(input(), input(), 1);
    const next = pool.predict(input(), input(), 2);
    await tick();
    a.pending.shift()!.fail(new Error('the model failed'));
    await expect(failing).rejects.toThrow('the model failed');
    await tick();
    a.pending.shift()!.answer(Float32Array.of(5));
    expect(await next).toEqual(Float32Array.of(5));
  });

  it('counts the time any session computes once, not once per session', async () => {
    const pool = new PredictorPool([fakePredictor({ delayMs: 60 }), fakePredictor({ delayMs: 60 })]);
    const chip = new Float32Array(3 * 32 * 32);
    const started = performance.now();
    await Promise.all([pool.predict(chip, chip, 1), pool.predict(chip, chip, 1)]);
    const wall = performance.now() - started;
    // Side by side, two 60-ms batches keep the provider busy about 60 ms, never the 120 of their sum.
    expect(pool.busyMillis).toBeGreaterThanOrEqual(55);
    expect(pool.busyMillis).toBeLessThanOrEqual(wall + 1);
  });

  it('hands out the first session’s inputs and ends every session', async () => {
    const a = heldSession('a');
    const b = heldSession('b');
    const pool = new PredictorPool([a, b]);
    expect(pool.inputsFor?.(6).before.length).toBe(6);
    expect(new PredictorPool([fakePredictor()]).info.name).toBe('fake-change');
    await pool.terminate();
    expect([a.stopped(), b.stopped()]).toEqual([true, true]);
    expect(() => new PredictorPool([])).toThrow(/needs a session/);
  });
});
