// Issue 10 item 6 (renderer): a finished run's regions appear by themselves, settings apply as the user changes
// them, and a figure on screen never belongs to other settings than the ones shown beside it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RegionSettings } from '../../../src-main/ipc/contract';
import { raisedSignals, services } from '../testing/fakeServices';
import { SETTINGS, regionPage, runDetail } from '../testing/runs';
import { RegionsState, SETTINGS_DEBOUNCE_MS } from './regions.svelte';

/** The services' regions: a count per threshold, computed when asked (resolved by the test when it wants). */
function fakeRegionServices(options: { manual?: boolean } = {}) {
  let stored = { settings: SETTINGS, count: 12 };
  const pending: (() => void)[] = [];
  const countFor = (s: RegionSettings): number => Math.round((1 - s.threshold) * 100);
  services.handle('run:get', ({ runId }) => runDetail(runId, { regionSettings: stored.settings }));
  services.handle('regions:list', ({ offset }) => regionPage(offset === 0 ? stored.count : 0));
  services.handle('regions:facets', () => ({
    transitions: [],
    classes: [],
    reviewStates: { unreviewed: stored.count, confirmed: 0, rejected: 0 },
  }));
  services.handle('regions:compute', ({ runId, ...asked }) => {
    const settings = { ...SETTINGS, ...asked } as RegionSettings;
    const finish = () => {
      stored = { settings, count: countFor(settings) };
      return { runId, regionCount: stored.count, settings, seconds: 0.1 };
    };
    if (!options.manual) return finish();
    return new Promise((resolve) => pending.push(() => resolve(finish())));
  });
  return {
    /** Lets the oldest compute in flight finish. */
    finishOne: async () => {
      pending.shift()!();
      await vi.advanceTimersByTimeAsync(0);
    },
    get inFlight() {
      return pending.length;
    },
    /** The services found regions on their own (a run finished). */
    computeAlone: (settings: RegionSettings) => {
      stored = { settings, count: countFor(settings) };
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  services.reset();
});

describe('RegionsState', () => {
  it('shows a run with the settings the services give for it, and its regions', async () => {
    fakeRegionServices();
    const regions = new RegionsState();
    const shown = regions.useRun(1);
    expect(regions.settings).toBeNull(); // never another run's settings while this one's load
    await shown;
    expect(regions.settings).toEqual(SETTINGS);
    expect(regions.total).toBe(12);
    expect(regions.runTotal).toBe(12);
    expect(regions.stale).toBe(false);
  });

  it('shows the regions the services find when a run finishes, without "Find regions"', async () => {
    const fake = fakeRegionServices();
    const regions = new RegionsState();
    regions.listen();
    services.emit('run:done', runDetail(7));
    await regions.useRun(7);
    expect(regions.total).toBe(12); // whatever was there before the services finished
    expect(regions.finding).toBe(true);
    expect(regions.stale).toBe(true);

    fake.computeAlone({ ...SETTINGS, threshold: 0.2 });
    services.emit('regions:changed', { runId: 7, regionCount: 80 });
    await vi.advanceTimersByTimeAsync(0);
    expect(regions.finding).toBe(false);
    expect(regions.total).toBe(80);
    expect(regions.settings).toEqual({ ...SETTINGS, threshold: 0.2 });
    expect(regions.stale).toBe(false);
    expect(services.callsTo('regions:compute')).toEqual([]);
    expect(raisedSignals()).toContain('regions:ready');
  });

  it('lets a change the user starts win over regions of the services being read meanwhile', async () => {
    const fake = fakeRegionServices();
    const regions = new RegionsState();
    regions.listen();
    await regions.useRun(7);
    let releaseList!: () => void;
    services.handle(
      'regions:list',
      () => new Promise((resolve) => (releaseList = () => resolve(regionPage(85)))),
    );
    fake.computeAlone(SETTINGS);
    services.emit('regions:changed', { runId: 7, regionCount: 85 }); // another window found regions
    await vi.advanceTimersByTimeAsync(0);
    const ready = raisedSignals().filter((s) => s === 'regions:ready').length;
    const computing = regions.compute(); // the user presses "Find regions" meanwhile
    releaseList();
    services.handle('regions:list', ({ offset }) => regionPage(offset === 0 ? 85 : 0));
    await computing;
    // One "ready": the user's regions; the services' read, overtaken, says nothing.
    expect(raisedSignals().filter((s) => s === 'regions:ready').length).toBe(ready + 1);
  });

  it('stops saying the regions are being found when the services could not find them', async () => {
    fakeRegionServices();
    const regions = new RegionsState();
    regions.listen();
    services.emit('run:done', runDetail(7));
    await regions.useRun(7);
    expect(regions.finding).toBe(true);
    services.emit('regions:failed', { runId: 7, code: 'DISK_FULL', message: 'The disk is full.' });
    expect(regions.finding).toBe(false);
    expect(regions.stale).toBe(false);
  });

  it('applies a change made while the services find the regions of a finished run after theirs', async () => {
    const fake = fakeRegionServices();
    const regions = new RegionsState();
    regions.listen();
    services.emit('run:done', runDetail(7));
    await regions.useRun(7);
    regions.updateSettings({ threshold: 0.4 });
    await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS * 2);
    expect(services.callsTo('regions:compute')).toEqual([]); // theirs first
    expect(regions.stale).toBe(true);
    fake.computeAlone(SETTINGS);
    services.emit('regions:changed', { runId: 7, regionCount: 85 });
    await vi.advanceTimersByTimeAsync(0);
    expect(services.callsTo('regions:compute')).toEqual([{ runId: 7, ...SETTINGS, threshold: 0.4 }]);
    expect(regions.settings?.threshold).toBe(0.4);
    expect(regions.lastCompute?.regionCount).toBe(60);
    expect(regions.stale).toBe(false);
  });

  it('applies a moved slider by itself once it rests, with one request for a whole drag', async () => {
    fakeRegionServices();
    const regions = new RegionsState();
    await regions.useRun(1);
    for (const threshold of [0.2, 0.25, 0.3, 0.35]) {
      regions.updateSettings({ threshold });
      await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS / 5);
      expect(regions.stale).toBe(true);
    }
    expect(services.callsTo('regions:compute')).toEqual([]);
    await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS);
    expect(services.callsTo('regions:compute')).toEqual([{ runId: 1, ...SETTINGS, threshold: 0.35 }]);
    expect(regions.lastCompute?.regionCount).toBe(65);
    expect(regions.total).toBe(65);
    expect(regions.applied?.threshold).toBe(0.35);
    expect(regions.stale).toBe(false);
  });

  it('never shows the result of settings the user has left, and asks once more for the latest', async () => {
    const fake = fakeRegionServices({ manual: true });
    const regions = new RegionsState();
    await regions.useRun(1);
    regions.updateSettings({ threshold: 0.3 });
    await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS);
    expect(fake.inFlight).toBe(1);
    // the user moves on while 0.3 is being computed, twice
    regions.updateSettings({ threshold: 0.4 });
    await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS);
    regions.updateSettings({ threshold: 0.6 });
    await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS);
    expect(fake.inFlight).toBe(1); // one request at a time
    await fake.finishOne();
    expect(regions.lastCompute).toBeNull(); // 0.3's 70 regions never appear beside 0.6
    expect(regions.settings?.threshold).toBe(0.6);
    expect(regions.stale).toBe(true);
    expect(fake.inFlight).toBe(1); // straight on to the latest settings (0.4 is skipped)
    await fake.finishOne();
    expect(services.callsTo('regions:compute').map((c) => c.threshold)).toEqual([0.3, 0.6]);
    expect(regions.lastCompute?.regionCount).toBe(40);
    expect(regions.total).toBe(40);
    expect(regions.stale).toBe(false);
  });

  it('waits for a number while a field is half typed', async () => {
    fakeRegionServices();
    const regions = new RegionsState();
    await regions.useRun(1);
    regions.updateSettings({ minAreaM2: Number.NaN });
    await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS * 2);
    expect(regions.settings?.minAreaM2).toBe(SETTINGS.minAreaM2);
    expect(services.callsTo('regions:compute')).toEqual([]);
    expect(regions.stale).toBe(false);
  });

  it('drops a compute for a run no longer on screen', async () => {
    const fake = fakeRegionServices({ manual: true });
    const regions = new RegionsState();
    await regions.useRun(1);
    regions.updateSettings({ threshold: 0.3 });
    await vi.advanceTimersByTimeAsync(SETTINGS_DEBOUNCE_MS);
    await regions.useRun(null);
    await fake.finishOne();
    expect(regions.lastCompute).toBeNull();
    expect(regions.total).toBe(0);
  });
});
