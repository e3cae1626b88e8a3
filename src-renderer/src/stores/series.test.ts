// The series store against fake services (issue 13): periods and their latest runs, the time slider, a batch of
// every consecutive pair with the run panel's options, switching runs, and comparing two.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunHistoryEntry } from '../../../src-main/ipc/contract';
import { raisedSignals, services } from '../testing/fakeServices';
import { seriesState } from '../testing/imagery';
import { runDetail, SETTINGS } from '../testing/runs';
import { imagery } from './imagery.svelte';
import { notices } from './notices.svelte';
import { run } from './run.svelte';
import { SeriesState } from './series.svelte';

function entry(id: number, from: number, to: number, patch: Partial<RunHistoryEntry> = {}): RunHistoryEntry {
  const { chunks: _c, extent: _e, regionSettings: _r, ...summary } = runDetail(id);
  return {
    ...summary,
    from: { id: from, acquiredAt: null, index: from },
    to: { id: to, acquiredAt: null, index: to },
    regionSettings: SETTINGS,
    regionCount: 3,
    area: 'whole',
    ...patch,
  };
}

afterEach(() => {
  services.reset();
  notices.clear();
  imagery.reset();
  run.reset();
});

describe('SeriesState', () => {
  it('gives each period of the series its latest finished run', async () => {
    imagery.apply(seriesState(['2019-06-01', '2020-06-01', '2021-06-01']));
    services.handle('run:history', () => [
      entry(1, 1, 2),
      entry(2, 2, 3),
      entry(3, 1, 2), // the same period again: the later run wins
      entry(4, 2, 3, { status: 'failed' }), // not finished: not a period's run
      entry(5, 1, 3), // not a consecutive pair
    ]);
    const series = new SeriesState();
    await series.load();
    expect(series.periods.map((p) => [p.index, p.runId, p.label])).toEqual([
      [0, 3, '2019-06-01 → 2020-06-01'],
      [1, 2, '2020-06-01 → 2021-06-01'],
    ]);
    expect(raisedSignals()).toContain('series:history');
  });

  it('steps the time slider within the series', () => {
    imagery.apply(seriesState(['2019-06-01', '2020-06-01', '2021-06-01']));
    const series = new SeriesState();
    series.step(5);
    expect(series.sliderIndex).toBe(2);
    expect(series.sliderDate?.acquiredAt).toBe('2021-06-01');
    series.step(-1);
    expect(series.sliderDate?.id).toBe(1);
    series.step(null);
    expect(series.sliderDate).toBeNull();
  });

  it("runs every pair as a batch with the run panel's options and shows the first run", async () => {
    imagery.apply(seriesState(['2019-06-01', '2020-06-01', '2021-06-01']));
    run.modelId = 'auto';
    run.provider = 'cpu';
    services.handle('run:startBatch', () => ({
      first: runDetail(7),
      pairs: [
        { from: 1, to: 2 },
        { from: 2, to: 3 },
      ],
    }));
    services.handle('run:get', ({ runId }) => runDetail(runId));
    const series = new SeriesState();
    await series.startBatch();
    expect(services.callsTo('run:startBatch')).toEqual([
      { model: 'auto', provider: 'cpu', aoi: null, chunkSize: undefined },
    ]);
    expect(run.current?.id).toBe(7);
    expect(notices.latest?.code).toBe('RUN_BATCH_STARTED');
  });

  it("runs any two dates with the run panel's options", async () => {
    imagery.apply(seriesState(['2019-06-01', '2020-06-01', '2021-06-01']));
    run.modelId = 'auto';
    services.handle('run:start', () => runDetail(9));
    services.handle('run:get', ({ runId }) => runDetail(runId));
    const series = new SeriesState();
    await series.startPair(1, 3);
    expect(services.callsTo('run:start')).toMatchObject([
      { model: 'auto', aoi: null, dates: { from: 1, to: 3 } },
    ]);
    expect(run.current?.id).toBe(9);
  });

  it('compares the two runs ticked last, earlier run first', async () => {
    services.handle('run:compare', ({ runA, runB }) => ({
      runA,
      runB,
      onlyA: [1],
      onlyB: [],
      bothA: [2],
      bothB: [9],
    }));
    const series = new SeriesState();
    series.pick(5);
    series.pick(2);
    series.pick(3); // a third tick replaces the oldest
    expect(series.picked).toEqual([2, 3]);
    series.pick(3);
    expect(series.picked).toEqual([2]);
    series.pick(4);
    await series.compare();
    expect(services.callsTo('run:compare')).toEqual([{ runA: 2, runB: 4 }]);
    expect(series.comparison?.bothB).toEqual([9]);
    const revision = series.mapRevision;
    series.clearComparison();
    expect(series.comparison).toBeNull();
    expect(series.mapRevision).toBe(revision + 1);
  });

  it('adds and dates series dates through the services, and shows a run of the history', async () => {
    const three = seriesState(['2019-06-01', '2020-06-01', '2021-06-01']);
    services.handle('imagery:addDate', () => three);
    services.handle('imagery:setAcquiredAt', () => three);
    services.handle('run:history', () => []);
    services.handle('run:get', ({ runId }) => runDetail(runId));
    const series = new SeriesState();
    expect(await series.addDate(['/data/d3.tif'], '2021-06-01')).toBe(true);
    expect(services.callsTo('imagery:addDate')).toEqual([
      { uris: ['/data/d3.tif'], acquiredAt: '2021-06-01' },
    ]);
    expect(series.dates).toHaveLength(3);
    await series.setAcquiredAt(2, '2020-07-01');
    expect(services.callsTo('imagery:setAcquiredAt')).toEqual([{ dateId: 2, date: '2020-07-01' }]);
    series.setWhenView(true);
    await series.show(4);
    expect(run.current?.id).toBe(4);
    expect(series.whenView).toBe(false); // showing one run leaves the all-periods view
  });
});

describe('a new run', () => {
  it('says where the run on screen went instead of hiding it', () => {
    run.listen();
    services.emit('run:started', runDetail(1, { status: 'pending' }));
    expect(notices.history.filter((n) => n.code === 'RUN_PREVIOUS_KEPT')).toEqual([]);
    services.emit('run:started', runDetail(2, { status: 'pending' }));
    expect(notices.latest).toMatchObject({
      code: 'RUN_PREVIOUS_KEPT',
      message: 'Run 2 started and is now on the map; run 1 is kept in the run history.',
    });
  });

  it('says it once whether the start request or the run:started event comes first', async () => {
    run.listen();
    services.emit('run:started', runDetail(1, { status: 'done' }));
    run.modelId = 'auto';
    services.handle('run:start', () => runDetail(2, { status: 'pending' }));
    services.handle('run:get', ({ runId }) => runDetail(runId, { status: 'pending' }));
    await run.start(); // the answer first ...
    services.emit('run:started', runDetail(2, { status: 'pending' })); // ... then the event
    expect(notices.history.filter((n) => n.code === 'RUN_PREVIOUS_KEPT').map((n) => n.message)).toEqual([
      'Run 2 started and is now on the map; run 1 is kept in the run history.',
    ]);
  });
});
