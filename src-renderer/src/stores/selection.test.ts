// The region being checked: its detail and spot check, stepping through the list, and reviews written back to it.
import { afterEach, describe, expect, it } from 'vitest';
import type { RegionDetail } from '../../../src-main/ipc/contract';
import { services } from '../testing/fakeServices';
import { regionPage, runDetail } from '../testing/runs';
import { regions } from './regions.svelte';
import { SelectionState } from './selection.svelte';

const page = regionPage(3);
const detail = (fid: number): RegionDetail =>
  ({
    ...page.items[fid - 1],
    perimeterM: 10,
    pixelCount: 9,
    fromTop3: [],
    toTop3: [],
  }) as unknown as RegionDetail;

function regionServices(): void {
  services.handle('run:get', ({ runId }) => runDetail(runId));
  services.handle('regions:list', () => page);
  services.handle('regions:facets', () => ({
    transitions: [],
    classes: [],
    reviewStates: { unreviewed: 3, confirmed: 0, rejected: 0 },
  }));
  services.handle('regions:get', ({ fid }) => detail(fid));
  services.handle('regions:spotCheck', () => ({ before: 'b', change: 'c', after: 'a', metresPerPixel: 3 }));
}

afterEach(async () => {
  services.reset();
  await regions.useRun(null);
});

describe('SelectionState', () => {
  it('opens a region with its spot check, and steps through the list as sorted', async () => {
    regionServices();
    await regions.useRun(1);
    const selection = new SelectionState();
    await selection.select(1);
    expect(selection.detail?.fid).toBe(1);
    expect(selection.spotCheck?.metresPerPixel).toBe(3);
    expect(selection.index).toBe(0);
    await selection.step(1);
    expect(selection.fid).toBe(2);
    await selection.step(-1);
    await selection.step(-1); // already the first
    expect(selection.fid).toBe(1);
  });

  it('shows only the last region asked for when answers come out of order', async () => {
    regionServices();
    let releaseFirst!: () => void;
    services.handle('regions:get', ({ fid }) =>
      fid === 1
        ? new Promise<RegionDetail>((resolve) => (releaseFirst = () => resolve(detail(1))))
        : detail(fid),
    );
    const selection = new SelectionState();
    const first = selection.select(1, 0);
    await selection.select(2, 1);
    releaseFirst();
    await first;
    expect(selection.detail?.fid).toBe(2);
  });

  it('saves a review with its note and shows it in the list at once', async () => {
    regionServices();
    await regions.useRun(1);
    services.handle('regions:review', ({ fid, state, note }) => ({
      ...page.items[fid - 1],
      reviewState: state,
      note: note ?? '',
    }));
    const selection = new SelectionState();
    await selection.select(2);
    selection.note = 'a new hall';
    await selection.review('confirmed');
    expect(services.callsTo('regions:review')).toEqual([{ fid: 2, state: 'confirmed', note: 'a new hall' }]);
    expect(selection.detail?.reviewState).toBe('confirmed');
    expect(regions.rowAt(1)?.reviewState).toBe('confirmed');
    expect(regions.rowAt(1)?.note).toBe('a new hall');
  });
});
