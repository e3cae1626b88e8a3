import { describe, expect, it } from 'vitest';
import { judgeTransitions, matchTruth, pixelScores, type Transition } from './truthMatch';

describe('matchTruth', () => {
  // 1 x 10 strip: planted change 1 at pixels 0-3, planted change 2 at 8-9; region 5 covers 1-3, region 6 covers 5-6.
  const planted = Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0, 2, 2]);
  const regions = Int32Array.from([0, 5, 5, 5, 0, 6, 6, 0, 0, 0]);
  const truth = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 1, 1]);

  it('counts detections, misses and false alarms object by object', () => {
    const m = matchTruth(planted, regions, truth);
    expect(m.planted).toEqual([
      { id: 1, pixels: 4, covered: 3, detected: true, regionIds: [5], foundBy: 5 },
      { id: 2, pixels: 2, covered: 0, detected: false, regionIds: [], foundBy: null },
    ]);
    expect(m.regions).toEqual([
      { id: 5, pixels: 3, truePixels: 3, falseAlarm: false },
      { id: 6, pixels: 2, truePixels: 0, falseAlarm: true },
    ]);
    expect([m.detected, m.missed, m.falseAlarms]).toEqual([1, 1, 1]);
  });

  it('names the region holding most of a planted change as the one that found it, whatever its id', () => {
    // Change 1 spans pixels 0-5: region 9 holds 1 pixel, region 4 holds 3, region 7 holds 2.
    const p = Int32Array.from([1, 1, 1, 1, 1, 1, 0]);
    const r = Int32Array.from([9, 4, 4, 4, 7, 7, 7]);
    const t = Uint8Array.from([1, 1, 1, 1, 1, 1, 0]);
    const m = matchTruth(p, r, t);
    expect(m.planted[0].regionIds).toEqual([4, 7, 9]);
    expect(m.planted[0].foundBy).toBe(4);
    // Region 7 is 2/3 true change: not a false alarm.
    expect(m.falseAlarms).toBe(0);
  });

  it('calls a region a false alarm when less than minCover of it is true change', () => {
    // Region 3 covers 5 pixels, 1 of them true (20%): false alarm at minCover 0.25, not at 0.2.
    const p = Int32Array.from([1, 0, 0, 0, 0]);
    const r = Int32Array.from([3, 3, 3, 3, 3]);
    const t = Uint8Array.from([1, 0, 0, 0, 0]);
    expect(matchTruth(p, r, t, 0.25).falseAlarms).toBe(1);
    expect(matchTruth(p, r, t, 0.2).falseAlarms).toBe(0);
  });

  it('scores pixels: 3 true positives, 2 false positives, 3 false negatives', () => {
    const predicted = Uint8Array.from(regions, (r) => (r ? 1 : 0));
    const s = pixelScores(predicted, truth);
    expect(s.precision).toBeCloseTo(3 / 5);
    expect(s.recall).toBeCloseTo(3 / 6);
    expect(s.iou).toBeCloseTo(3 / 8);
    expect(s.f1).toBeCloseTo((2 * 0.6 * 0.5) / 1.1);
  });
});

describe('judgeTransitions', () => {
  // Change 1 (pixels 0-3) found by region 5 (and grazed by region 8); change 2 (4-7) found by region 6;
  // change 3 (pixels 8-13) is only grazed by region 7 (1 of 6 pixels, under 20%): missed.
  const planted = Int32Array.from([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
  const regions = Int32Array.from([8, 5, 5, 5, 6, 6, 6, 0, 7, 0, 0, 0, 0, 0]);
  const truth = Uint8Array.from(planted, (p) => (p ? 1 : 0));
  const expected = new Map<number, Transition>([
    [1, { from: 'cropland', to: 'residential' }],
    [2, { from: 'forest', to: 'bare/construction' }],
    [3, { from: 'cropland', to: 'water' }],
  ]);
  const regionTransitions = new Map<number, Transition>([
    [5, { from: 'cropland', to: 'residential' }],
    [6, { from: 'forest', to: 'forest' }],
    [7, { from: 'cropland', to: 'water' }],
    [8, { from: 'cropland', to: 'recreation' }],
  ]);

  it('is right only when the region that found the change names both expected classes', () => {
    const m = matchTruth(planted, regions, truth);
    const { verdicts, right } = judgeTransitions(m, expected, regionTransitions);
    expect(verdicts.map((v) => [v.id, v.right])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    expect(verdicts[1].found).toEqual({ from: 'forest', to: 'forest' });
    // Change 3 is missed: region 7's right transition does not count, and nothing is reported as found.
    expect(m.planted[2].detected).toBe(false);
    expect(verdicts[2].found).toBeNull();
    expect(right).toBe(1);
  });

  it('never calls an unclassified region right', () => {
    const m = matchTruth(planted, regions, truth);
    const unknown = new Map<number, Transition>([[5, { from: null, to: null }]]);
    const noExpectation = new Map<number, Transition>([[1, { from: null, to: null }]]);
    expect(judgeTransitions(m, expected, unknown).right).toBe(0);
    expect(judgeTransitions(m, noExpectation, unknown).right).toBe(0);
  });
});
