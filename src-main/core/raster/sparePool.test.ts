import { expect, it } from 'vitest';
import { SparePool } from './sparePool';

const pair = (n: number) => ({ before: new Float32Array(n), after: new Float32Array(n) });
type Pair = ReturnType<typeof pair>;
const arraysOf = (p: Pair) => [p.before, p.after];

it('lends a kept item large enough, and takes a view of it back as the whole item', () => {
  const pool = new SparePool<Pair>(2, arraysOf);
  const small = pair(10);
  const large = pair(100);
  pool.give(small);
  pool.give(large);
  expect(pool.take(50)).toBe(large);
  expect(pool.take(50)).toBeUndefined();
  pool.give({ before: large.before.subarray(0, 50), after: large.after.subarray(0, 50) });
  expect(pool.take(80)).toBe(large);
  expect(pool.take(5)).toBe(small);
});

it('keeps no view into arrays it did not lend, nor a pair sharing one buffer, and only the newest items', () => {
  const pool = new SparePool<Pair>(1, arraysOf);
  const shared = new Float32Array(40);
  pool.give({ before: shared.subarray(0, 20), after: shared.subarray(20) });
  pool.give({ before: new Float32Array(new ArrayBuffer(400), 40, 10), after: new Float32Array(10) });
  expect(pool.take(1)).toBeUndefined();
  const older = pair(10);
  const newer = pair(10);
  pool.give(older);
  pool.give(newer);
  expect(pool.take(1)).toBe(newer);
  expect(pool.take(1)).toBeUndefined();
});

it('does not take back a view mixing a lent item with another array', () => {
  const pool = new SparePool<Pair>(2, arraysOf);
  const lent = pair(10);
  pool.give(lent);
  expect(pool.take(10)).toBe(lent);
  pool.give({ before: lent.before.subarray(0, 5), after: new Float32Array(5) });
  expect(pool.take(1)).toBeUndefined();
});

it('makes an item only when none kept fits, and takes a view of a made one back as the whole item', () => {
  const pool = new SparePool<Pair>(1, arraysOf);
  let made = 0;
  const make = () => (made++, pair(100));
  const first = pool.takeOrMake(100, make);
  pool.give({ before: first.before.subarray(0, 40), after: first.after.subarray(0, 40) });
  expect(pool.takeOrMake(100, make)).toBe(first);
  expect(made).toBe(1);
  expect(pool.takeOrMake(100, make)).not.toBe(first);
  expect(made).toBe(2);
});
