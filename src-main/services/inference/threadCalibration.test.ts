import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  calibrateThreads,
  calibrationKey,
  CalibrationCache,
  calibrationStale,
  fastestLayoutWithin,
  layoutCandidates,
  parseLayoutName,
  threadCandidates,
} from './threadCalibration';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('threadCandidates', () => {
  it('tries powers of two, all cores but one and all cores', () => {
    expect(threadCandidates(1)).toEqual([1]);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(16)).toEqual([1, 2, 4, 8, 15, 16]);
  });
});

describe('layoutCandidates', () => {
  it('tries one session at each thread count and every core split between sessions, every core in one last', () => {
    const names = (cores: number) =>
      layoutCandidates(cores).map((l) => (l.sessions === 1 ? `${l.threads}` : `${l.sessions}x${l.threads}`));
    expect(names(1)).toEqual(['1']);
    expect(names(2)).toEqual(['1', '2x1', '2']);
    expect(names(4)).toEqual(['1', '2', '3', '2x2', '4']);
    expect(names(16)).toEqual(['1', '2', '4', '8', '15', '2x8', '4x4', '16']);
  });
});

describe('calibrateThreads', () => {
  const one = (threads: number) => ({ sessions: 1, threads });
  it('keeps the fastest count, and more threads on a tie', async () => {
    const rates: Record<number, number> = { 1: 2.6, 2: 3.7, 4: 3.7 };
    expect((await calibrateThreads([1, 2, 4].map(one), async (l) => rates[l.threads])).threads).toBe(4);
    const loaded: Record<number, number> = { 1: 2.0, 2: 1.45 };
    const result = await calibrateThreads([1, 2].map(one), async (l) => loaded[l.threads]);
    expect(result.threads).toBe(1);
    expect(result.sessions).toBeUndefined();
    expect(result.chipMpxPerS).toEqual({ 1: 2.0, 2: 1.45 });
  });

  it('keeps sessions side by side only where they are faster than every core in one', async () => {
    const layouts = layoutCandidates(2);
    const faster = await calibrateThreads(layouts, async (l) =>
      l.sessions === 2 ? 2.66 : l.threads === 2 ? 2.5 : 1.4,
    );
    expect([faster.sessions, faster.threads]).toEqual([2, 1]);
    expect(faster.chipMpxPerS).toEqual({ '1': 1.4, '2x1': 2.66, '2': 2.5 });
    const tie = await calibrateThreads(layouts, async (l) =>
      l.threads === 1 && l.sessions === 1 ? 1.4 : 2.5,
    );
    expect([tie.sessions, tie.threads]).toEqual([undefined, 2]);
  });
});

describe('fastestLayoutWithin', () => {
  const measured = {
    threads: 1,
    sessions: 2,
    chipMpxPerS: { '1': 1.4, '2x1': 2.66, '2': 2.5 },
    measuredAt: 'now',
  };
  it('keeps the calibration’s choice where the memory holds it, else the fastest that fits', () => {
    expect(fastestLayoutWithin(measured, 2)).toEqual({
      layout: { sessions: 2, threads: 1 },
      chipMpxPerS: 2.66,
    });
    expect(fastestLayoutWithin(measured, 1)).toEqual({
      layout: { sessions: 1, threads: 2 },
      chipMpxPerS: 2.5,
    });
    expect(parseLayoutName('4x2')).toEqual({ sessions: 4, threads: 2 });
    expect(parseLayoutName('16')).toEqual({ sessions: 1, threads: 16 });
    expect(parseLayoutName('fast')).toBeNull();
  });
});

describe('CalibrationCache', () => {
  it('keeps one entry per key, and reads a damaged file as none', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-calibration-'));
    dirs.push(dir);
    const cache = new CalibrationCache(path.join(dir, 'sub', 'calibration.json'));
    const a = calibrationKey('a'.repeat(64), 'cpu', '1.30.0');
    const b = calibrationKey('b'.repeat(64), 'cpu', '1.30.0');
    expect(a).not.toBe(b);
    expect(calibrationKey('a'.repeat(64), 'cpu', '1.31.0')).not.toBe(a);
    const large = calibrationKey('a'.repeat(64), 'cpu', '1.30.0', { chip: 656, batch: 1 });
    expect(large).not.toBe(a);
    expect(calibrationKey('a'.repeat(64), 'cpu', '1.30.0', { chip: 656, batch: 2 })).not.toBe(large);
    expect(calibrationKey('a'.repeat(64), 'cpu', '1.30.0', { chip: 656, batch: 1 })).toBe(large);
    expect(cache.get(a)).toBeNull();
    await cache.set(a, { threads: 2, chipMpxPerS: { 1: 1, 2: 2 }, measuredAt: 'now' });
    await cache.set(b, { threads: 1, chipMpxPerS: { 1: 2, 2: 1 }, measuredAt: 'now' });
    expect(cache.get(a)?.threads).toBe(2);
    expect(cache.get(b)?.threads).toBe(1);
    await cache.set(b, { threads: 1, sessions: 2, chipMpxPerS: { '2x1': 2 }, measuredAt: 'now' });
    expect(cache.get(b)?.sessions).toBe(2);
    await cache.set(b, { threads: 1, sessions: 0.5, chipMpxPerS: { '2x1': 2 }, measuredAt: 'now' });
    expect(cache.get(b)).toBeNull();
    writeFileSync(cache.file, '{ not json');
    expect(cache.get(a)).toBeNull();
  });
});

describe('calibrationStale', () => {
  it('measures again on a quiet machine what was measured on a busy one', () => {
    const kept = { threads: 1, chipMpxPerS: { 1: 2, 2: 1.5 }, measuredAt: 'then' };
    expect(calibrationStale({ ...kept, loadPerCore: 12 }, 0.2)).toBe(true);
    expect(calibrationStale({ ...kept, loadPerCore: 12 }, 3)).toBe(false);
    expect(calibrationStale({ ...kept, loadPerCore: 0.3 }, 0.1)).toBe(false);
    expect(calibrationStale(kept, 0.1)).toBe(false);
  });
});
