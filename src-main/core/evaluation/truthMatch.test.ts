import { describe, expect, it } from 'vitest';
import { matchTruth, pixelScores } from './truthMatch';

describe('matchTruth', () => {
  // 1 x 10 strip: planted change 1 at pixels 0-3, planted change 2 at 8-9; region 5 covers 1-3, region 6 covers 5-6.
  const planted = Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0, 2, 2]);
  const regions = Int32Array.from([0, 5, 5, 5, 0, 6, 6, 0, 0, 0]);
  const truth = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 1, 1]);

  it('counts detections, misses and false alarms object by object', () => {
    const m = matchTruth(planted, regions, truth);
    expect(m.planted).toEqual([
      { id: 1, pixels: 4, covered: 3, detected: true, regionIds: [5] },
      { id: 2, pixels: 2, covered: 0, detected: false, regionIds: [] },
    ]);
    expect(m.regions).toEqual([
      { id: 5, pixels: 3, truePixels: 3, falseAlarm: false },
      { id: 6, pixels: 2, truePixels: 0, falseAlarm: true },
    ]);
    expect([m.detected, m.missed, m.falseAlarms]).toEqual([1, 1, 1]);
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
