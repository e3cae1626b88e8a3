// The land-cover classifier's file is chosen by measurement on the machine (fake timings here): the int8 variant
// where it is faster, full precision where not, each file measured once per machine and kept.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMeasuredClassifier } from './classifierVariants';
import type { LandCoverClassifier } from './onnxModel';
import { CalibrationCache } from './threadCalibration';

const CARD = path.resolve(import.meta.dirname, '../../../models/changemap-landcover-v1.card.json');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cache(): CalibrationCache {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-classifier-variants-'));
  dirs.push(dir);
  return new CalibrationCache(path.join(dir, 'calibration.json'));
}

/** Fake timings by precision; counts how many files were timed. */
function timings(rates: Record<string, number>) {
  const timed: string[] = [];
  return {
    timed,
    rate: async (c: LandCoverClassifier) => {
      timed.push(c.model.precision);
      return rates[c.model.precision];
    },
  };
}

describe('loadMeasuredClassifier', () => {
  it('loads the int8 file where it measures faster, and keeps the measurement for the next load', async () => {
    const calibration = cache();
    const fast = timings({ full: 1000, int8: 3000 });
    const first = await loadMeasuredClassifier(CARD, { provider: 'cpu', calibration, rate: fast.rate });
    expect(first.model.precision).toBe('int8');
    expect(path.basename(first.model.onnxPath)).toBe('changemap-landcover-v1.int8.onnx');
    expect(fast.timed.sort()).toEqual(['full', 'int8']);
    await first.dispose();
    // Kept per machine: the next load times nothing, whatever the timing would say now.
    const again = timings({ full: 3000, int8: 1000 });
    const second = await loadMeasuredClassifier(CARD, { provider: 'cpu', calibration, rate: again.rate });
    expect(second.model.precision).toBe('int8');
    expect(again.timed).toEqual([]);
    await second.dispose();
  });

  it('keeps full precision where the variant is not faster here', async () => {
    const slow = timings({ full: 1000, int8: 1020 });
    const model = await loadMeasuredClassifier(CARD, {
      provider: 'cpu',
      calibration: cache(),
      rate: slow.rate,
    });
    expect(model.model.precision).toBe('full');
    await model.dispose();
  });
});
