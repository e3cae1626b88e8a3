import { describe, expect, it } from 'vitest';
import { consecutivePairs, RunBatch, type DatePair } from './runBatch';
import type { RunRecord, RunStatus } from './runTypes';

/** Runs that settle when the test says, with the status it gives. */
function fakeRuns() {
  const settle = new Map<number, (status: RunStatus) => void>();
  const settled = new Map<number, Promise<RunRecord>>();
  let next = 1;
  const started: DatePair[] = [];
  const make = (pair: DatePair): number => {
    const id = next++;
    started.push(pair);
    settled.set(
      id,
      new Promise((resolve) => settle.set(id, (status) => resolve({ id, status } as RunRecord))),
    );
    return id;
  };
  return { settle, settled, started, make };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('consecutivePairs', () => {
  it('pairs each date with the next', () => {
    expect(consecutivePairs([4, 7, 9])).toEqual([
      { from: 4, to: 7 },
      { from: 7, to: 9 },
    ]);
    expect(consecutivePairs([4])).toEqual([]);
  });
});

describe('RunBatch', () => {
  it('starts each pair when the previous run is done, never two at once', async () => {
    const runs = fakeRuns();
    const pairs = consecutivePairs([1, 2, 3, 4]);
    const stopped: string[] = [];
    const batch = new RunBatch(pairs, runs.make(pairs[0]), {
      start: async (pair) => runs.make(pair),
      whenSettled: (id) => runs.settled.get(id)!,
      stopped: (m) => stopped.push(m),
    });
    await tick();
    expect(runs.started).toEqual([pairs[0]]);
    runs.settle.get(1)!('done');
    await tick();
    expect(runs.started).toEqual([pairs[0], pairs[1]]);
    runs.settle.get(2)!('done');
    await tick();
    runs.settle.get(3)!('done');
    expect(await batch.finished).toEqual([1, 2, 3]);
    expect(stopped).toEqual([]);
  });

  it('stops, and says so, when a run is cancelled or the next cannot start', async () => {
    const runs = fakeRuns();
    const pairs = consecutivePairs([1, 2, 3]);
    const stopped: string[] = [];
    const batch = new RunBatch(pairs, runs.make(pairs[0]), {
      start: async (pair) => runs.make(pair),
      whenSettled: (id) => runs.settled.get(id)!,
      stopped: (m) => stopped.push(m),
    });
    runs.settle.get(1)!('cancelled');
    expect(await batch.finished).toEqual([1]);
    expect(stopped).toEqual([
      'Run 1 was cancelled, so the batch stopped before the remaining 1 pair(s); start them again from the run panel.',
    ]);

    const failing = new RunBatch(pairs, 10, {
      start: async () => {
        throw new Error('the model file is gone');
      },
      whenSettled: async (id) => ({ id, status: 'done' }) as RunRecord,
      stopped: (m) => stopped.push(m),
    });
    expect(await failing.finished).toEqual([10]);
    expect(stopped.at(-1)).toBe(
      'The run of dates 2 → 3 could not start (the model file is gone), so the batch stopped.',
    );
  });
});
