// The accuracy store: the run's sample, labelling that moves on to the next unlabelled point, and the report.
import { afterEach, describe, expect, it } from 'vitest';
import type { AccuracyState, ReferenceLabel } from '../../../src-main/ipc/contract';
import { services } from '../testing/fakeServices';
import { AccuracyStore } from './accuracy.svelte';

/** A sample of four points held by the fake services, labels written back as the services would. */
function sampleServices(labels: (ReferenceLabel | null)[]): { state: () => AccuracyState } {
  let state: AccuracyState = {
    sample: {
      id: 1,
      runId: 7,
      createdAt: '2026-12-03T00:00:00Z',
      seed: 11,
      design: {
        targetStandardError: 0.02,
        expectedUsersAccuracy: { changed: 0.7, unchanged: 0.95 },
        minimumPerStratum: 2,
        points: labels.length,
      },
      strataPixels: { changed: 100, unchanged: 900 },
      m2PerPixel: 9,
      allocation: { changed: 2, unchanged: 2 },
    },
    points: labels.map((label, i) => ({
      id: 100 + i,
      idx: i,
      stratum: i < 2 ? 'changed' : 'unchanged',
      lon: 15,
      lat: 48,
      label,
    })),
    labelled: labels.filter((l) => l !== null).length,
    figures: null,
    missing: 'label at least two in every stratum',
  };
  services.handle('accuracy:get', () => state);
  services.handle('accuracy:spotCheck', () => ({ before: 'b', change: 'c', after: 'a', metresPerPixel: 1 }));
  services.handle('accuracy:label', ({ pointId, label }) => {
    const points = state.points.map((p) => (p.id === pointId ? { ...p, label } : p));
    state = { ...state, points, labelled: points.filter((p) => p.label !== null).length };
    return state;
  });
  return { state: () => state };
}

afterEach(() => services.reset());

describe('AccuracyStore', () => {
  it('shows the sample of the run on screen, and forgets it when the run goes', async () => {
    sampleServices([null, null, null, null]);
    const store = new AccuracyStore();
    await store.useRun(7);
    expect(services.callsTo('accuracy:get')).toEqual([{ runId: 7 }]);
    expect(store.sample?.points).toHaveLength(4);
    await store.useRun(null);
    expect(store.sample).toBeNull();
  });

  it('starts at the first unlabelled point and, after each label, moves on to the next one without a label', async () => {
    const fake = sampleServices(['change', null, 'no_change', null]);
    const store = new AccuracyStore();
    await store.useRun(7);
    await store.start();
    expect(store.current).toBe(1);
    expect(store.spotCheck?.before).toBe('b');
    await store.label('change');
    expect(services.callsTo('accuracy:label').at(-1)).toEqual({ pointId: 101, label: 'change' });
    expect(store.current).toBe(3); // point 2 has a label already
    await store.label('no_change');
    expect(fake.state().labelled).toBe(4);
    expect(store.sample?.labelled).toBe(4);
  });

  it('steps with J/K within the sample, and closes', async () => {
    sampleServices([null, null, null, null]);
    const store = new AccuracyStore();
    await store.useRun(7);
    await store.open(3);
    await store.step(1);
    expect(store.current).toBe(3);
    await store.step(-1);
    expect(store.current).toBe(2);
    store.close();
    expect(store.current).toBeNull();
    expect(store.spotCheck).toBeNull();
  });

  it('makes the report of the run on screen and keeps where it went', async () => {
    sampleServices([null, null, null, null]);
    services.handle('report:make', ({ out }) => ({
      path: out,
      format: 'pdf',
      engine: 'Chromium at /usr/bin/chromium',
    }));
    const store = new AccuracyStore();
    await store.useRun(7);
    await store.makeReport('/tmp/r.pdf');
    expect(services.callsTo('report:make')).toEqual([{ runId: 7, out: '/tmp/r.pdf', overwrite: false }]);
    expect(store.lastReport).toBe('/tmp/r.pdf');
  });
});
