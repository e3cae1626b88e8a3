import { describe, expect, it } from 'vitest';
import { addMaskCounts, binaryScores, ConfusionMatrix, emptyCounts } from './metrics';

describe('binary change scores', () => {
  it('counts hits, false alarms and misses, skipping invalid pixels', () => {
    //            tp fp fn tn tn(invalid, would be fp)
    const predicted = [1, 1, 0, 0, 1];
    const truth = [1, 0, 1, 0, 0];
    const valid = [1, 1, 1, 1, 0];
    const c = addMaskCounts(emptyCounts(), predicted, truth, valid);
    expect(c).toEqual({ tp: 1, fp: 1, fn: 1, tn: 1 });
  });

  it('computes precision, recall, F1 and IoU', () => {
    // tp 6, fp 2, fn 4: precision 6/8, recall 6/10, F1 12/18, IoU 6/12.
    const s = binaryScores({ tp: 6, fp: 2, fn: 4, tn: 100 });
    expect(s.precision).toBeCloseTo(0.75);
    expect(s.recall).toBeCloseTo(0.6);
    expect(s.f1).toBeCloseTo(2 / 3);
    expect(s.iou).toBeCloseTo(0.5);
  });

  it('reports 0 rather than NaN when nothing was predicted', () => {
    expect(binaryScores({ tp: 0, fp: 0, fn: 5, tn: 5 }).precision).toBe(0);
  });
});

describe('ConfusionMatrix', () => {
  it('gives accuracy and per-class recall', () => {
    const m = new ConfusionMatrix(['forest', 'water']);
    m.add(0, 0);
    m.add(0, 1);
    m.add(1, 1);
    m.add(1, 1);
    expect(m.accuracy()).toBeCloseTo(0.75);
    expect(m.recallPerClass()).toEqual([0.5, 1]);
    expect(m.format()).toContain('forest');
  });
});
