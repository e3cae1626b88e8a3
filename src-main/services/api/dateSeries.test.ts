// Issue 13, many dates through the API: a series of dates (added, taken out, dated by id), the two-date API naming
// its first and last date, tiles by date id, and the checks a pair of dates gets before a run or a batch starts.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageryState } from '../../ipc/contract';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { readRunProvenance } from '../exports/regionSource';
import { ApiTestSession } from './testing/apiTestSession';

let api: ApiTestSession;

beforeEach(() => (api = new ApiTestSession('cm-series-api-')));
afterEach(() => api.dispose());

async function image(name: string, easting = 500000): Promise<string> {
  const file = path.join(api.dir, name);
  const grid = utmGrid(64, 48, easting, 5600000);
  await writeFixture(file, grid, 3, sceneData(grid, 3, 'uint8'));
  return file;
}

/** The web-mercator tile holding a lon/lat point (its centre nudged inside the footprint's corner). */
function tileAt([lon, lat]: [number, number], z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const rad = ((lat - 0.0005) * Math.PI) / 180;
  const x = Math.floor(((lon + 0.0005 + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { z, x, y };
}

describe('a series of dates', () => {
  it('adds dates in order, tags the first before and the last after, and keeps ids when dates change', async () => {
    const files = await Promise.all(['a.tif', 'b.tif', 'c.tif'].map((f) => image(f)));
    await api.call('project:create', { path: path.join(api.dir, 'p.gpkg') });
    await api.call('imagery:addDate', { uris: [files[0]], acquiredAt: '2019-05-01' });
    await api.call('imagery:addDate', { uris: [files[1]] });
    let state: ImageryState = await api.call('imagery:addDate', {
      uris: [files[2]],
      acquiredAt: '2021-05-01',
    });
    expect(state.dates.map((d) => [d.uris[0], d.role, d.acquiredAt])).toEqual([
      [files[0], 'before', '2019-05-01'],
      [files[1], null, null],
      [files[2], 'after', '2021-05-01'],
    ]);
    expect(state.before?.uris).toEqual([files[0]]);
    expect(state.after?.uris).toEqual([files[2]]);
    const [first, middle, last] = state.dates.map((d) => d.id);

    state = await api.call('imagery:setAcquiredAt', { dateId: middle, date: '2020-05-01' });
    expect(state.dates[1]).toMatchObject({ id: middle, acquiredAt: '2020-05-01', acquiredAtSource: 'user' });
    // The two-date API replaces the first date's files in place: same id, same place in the series.
    state = await api.call('imagery:setFiles', { role: 'before', uris: [files[1]] });
    expect(state.dates.map((d) => d.id)).toEqual([first, middle, last]);

    // A tile of any date by id; the first date's by id and by role are the same picture.
    const tile = tileAt(state.dates[1].footprint![0], 16);
    const middleTile = await api.call('imagery:previewTile', { dateId: middle, ...tile });
    expect(middleTile?.png.length).toBeGreaterThan(100);
    expect(await api.call('imagery:previewTile', { dateId: first, ...tile })).toEqual(
      await api.call('imagery:previewTile', { role: 'before', ...tile }),
    );

    // Taking out the last date makes the middle one the after date; reopening keeps the series.
    state = await api.call('imagery:removeDate', { dateId: last });
    expect(state.dates.map((d) => [d.id, d.role])).toEqual([
      [first, 'before'],
      [middle, 'after'],
    ]);
    await api.call('project:close', {});
    await api.call('project:open', { path: path.join(api.dir, 'p.gpkg') });
    state = await api.call('imagery:get', {});
    expect(state.dates.map((d) => [d.id, d.role, d.acquiredAt])).toEqual([
      [first, 'before', null],
      [middle, 'after', '2020-05-01'],
    ]);
  });

  it('refuses unknown dates, a pair out of order or not overlapping, and checks every pair of a batch first', async () => {
    const a = await image('a.tif');
    const b = await image('b.tif');
    const far = await image('far.tif', 700000);
    await api.call('project:create', { path: path.join(api.dir, 'p.gpkg') });
    for (const file of [a, b, far]) await api.call('imagery:addDate', { uris: [file] });
    const [one, two, three] = (await api.call('imagery:get', {})).dates.map((d) => d.id);

    expect(await api.refusal('imagery:setAcquiredAt', { dateId: 99, date: '2020-01-01' })).toMatchObject({
      code: 'DATE_NOT_FOUND',
    });
    expect(await api.refusal('imagery:removeDate', { dateId: 99 })).toMatchObject({ code: 'DATE_NOT_FOUND' });
    expect(await api.refusal('run:start', { dates: { from: two, to: one } })).toMatchObject({
      code: 'RUN_DATES_ORDER',
      message: `Date ${two} comes after date ${one} in the series; give the earlier date first.`,
    });
    expect(await api.refusal('run:start', { dates: { from: one, to: one } })).toMatchObject({
      code: 'VALIDATION',
    });
    expect(await api.refusal('run:start', { dates: { from: two, to: three } })).toMatchObject({
      code: 'NO_OVERLAP',
    });
    // The batch's default pairs are each date and the next: the second pair does not overlap, so none starts.
    expect(await api.refusal('run:startBatch', { model: 'nonexistent-model' })).toMatchObject({
      code: 'NO_OVERLAP',
    });
    expect(await api.call('run:list', {})).toEqual([]);
    expect(await api.refusal('run:startBatch', { pairs: [] })).toMatchObject({ code: 'VALIDATION' });
  });

  it('gives each run the dates it compared, and exports carry those dates', async () => {
    // No model is needed to see what a run records: the ledger row is what exports read.
    const a = await image('a.tif');
    await api.call('project:create', { path: path.join(api.dir, 'p.gpkg') });
    await api.call('imagery:addDate', { uris: [a], acquiredAt: '2019-05-01' });
    await api.call('imagery:addDate', { uris: [a], acquiredAt: '2020-05-01' });
    await api.call('imagery:addDate', { uris: [a], acquiredAt: '2021-05-01' });
    const [, two, three] = (await api.call('imagery:get', {})).dates.map((d) => d.id);
    const db = api.session.services().project.db;
    db.prepare(
      `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params, from_date_id,
       to_date_id) VALUES ('done', 'm', '1', 'x', 'cpu', '{}', ?, ?)`,
    ).run(two, three);
    const provenance = readRunProvenance(db, 1);
    expect([provenance.beforeDate, provenance.afterDate]).toEqual(['2020-05-01', '2021-05-01']);
  });
});
