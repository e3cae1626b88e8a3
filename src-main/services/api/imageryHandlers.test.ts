import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageryState } from '../../ipc/contract';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { readRunProvenance } from '../exports/regionSource';
import { ApiTestSession } from './testing/apiTestSession';

let api: ApiTestSession;

beforeEach(() => (api = new ApiTestSession('cm-imagery-api-')));
afterEach(() => api.dispose());

describe('imagery API', () => {
  it('refuses imagery before a project is open', async () => {
    expect(await api.result('imagery:get', {})).toMatchObject({ ok: false, error: { code: 'NO_PROJECT' } });
  });

  it('sets both dates, reports metadata and pre-flight, and reopens them with the project', async () => {
    const before = path.join(api.dir, 'before.tif');
    const after = path.join(api.dir, 'after.tif');
    const grid = utmGrid(64, 48);
    await writeFixture(before, grid, 3, sceneData(grid, 3, 'uint8'));
    const shifted = utmGrid(64, 48, 500000 + 320, 5600000);
    await writeFixture(after, shifted, 3, sceneData(shifted, 3, 'uint8'));
    const project = path.join(api.dir, 'p.gpkg');
    await api.result('project:create', { path: project });

    const events: string[] = [];
    api.session.events.subscribe((name) => events.push(name));
    const first = await api.result('imagery:setFiles', { role: 'before', uris: [before] });
    expect(first.ok).toBe(true);
    const state = await api.result('imagery:setFiles', { role: 'after', uris: [after] });
    if (!state.ok) throw new Error(state.error.message);
    const value = state.value as ImageryState;
    expect(value.before).toMatchObject({
      crs: { code: 'EPSG:32633' },
      widthPx: 64,
      heightPx: 48,
      pixelSizeM: [10, 10],
    });
    expect(value.before?.areaKm2).toBeCloseTo((64 * 48 * 100) / 1e6, 6);
    expect(value.before?.bands.map((b) => b.role)).toEqual(['red', 'green', 'blue']);
    expect(value.before?.footprint?.length).toBeGreaterThan(4);
    // half the after image lies outside the before image: a warning, not an error
    expect(value.preflight.filter((i) => i.severity === 'error')).toEqual([]);
    expect(events.filter((e) => e === 'imagery:changed')).toHaveLength(2);

    await api.result('project:close', {});
    await api.result('project:open', { path: project });
    const reopened = await api.result('imagery:get', {});
    expect(reopened).toMatchObject({
      ok: true,
      value: { before: { uris: [before] }, after: { uris: [after] } },
    });
  });

  it('gives a coded error for a file that is not imagery and stores nothing', async () => {
    const bad = path.join(api.dir, 'not-an-image.tif');
    fs.writeFileSync(bad, 'hello');
    await api.result('project:create', { path: path.join(api.dir, 'p.gpkg') });
    const result = await api.result('imagery:setFiles', { role: 'before', uris: [bad] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).not.toBe('INTERNAL');
    expect(await api.result('imagery:get', {})).toMatchObject({ ok: true, value: { before: null } });
  });

  it('reports a pair that does not overlap as a blocking error', async () => {
    const a = path.join(api.dir, 'a.tif');
    const b = path.join(api.dir, 'b.tif');
    const grid = utmGrid(32, 32);
    await writeFixture(a, grid, 3, sceneData(grid, 3, 'uint8'));
    const far = utmGrid(32, 32, 700000, 5600000);
    await writeFixture(b, far, 3, sceneData(far, 3, 'uint8'));
    await api.result('project:create', { path: path.join(api.dir, 'p.gpkg') });
    await api.result('imagery:setFiles', { role: 'before', uris: [a] });
    const state = await api.result('imagery:setFiles', { role: 'after', uris: [b] });
    expect(state).toMatchObject({
      ok: true,
      value: { preflight: [{ code: 'NO_OVERLAP', severity: 'error' }] },
    });
  });

  it('reads acquisition dates from file names, lets the user set them, keeps them, and exports carry them', async () => {
    const grid = utmGrid(32, 32);
    const before = path.join(api.dir, 'S2A_MSIL2A_20200315T101021_N0214_R022_T33UXP_20200316T130000.tif');
    const after = path.join(api.dir, 'after.tif');
    await writeFixture(before, grid, 3, sceneData(grid, 3, 'uint8'));
    await writeFixture(after, grid, 3, sceneData(grid, 3, 'uint8'));
    const project = path.join(api.dir, 'p.gpkg');
    await api.result('project:create', { path: project });
    await api.result('imagery:setFiles', { role: 'before', uris: [before] });
    const detected = await api.result('imagery:setFiles', { role: 'after', uris: [after] });
    expect(detected).toMatchObject({
      ok: true,
      value: { before: { acquiredAt: '2020-03-15', acquiredAtSource: 'files' } },
    });

    for (const date of ['2021-02-29', '15/03/2021', '2021-3-1']) {
      const refused = await api.result('imagery:setAcquiredAt', { role: 'after', date });
      expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    const entered = await api.result('imagery:setAcquiredAt', { role: 'after', date: '2021-06-30' });
    expect(entered).toMatchObject({
      ok: true,
      value: { after: { acquiredAt: '2021-06-30', acquiredAtSource: 'user' } },
    });
    // Band roles rewrite the stored set: the date stays.
    await api.result('imagery:setBandRoles', { role: 'after', roles: ['blue', 'green', 'red'] });
    await api.result('project:close', {});
    await api.result('project:open', { path: project });
    expect(await api.result('imagery:get', {})).toMatchObject({
      ok: true,
      value: {
        before: { acquiredAt: '2020-03-15' },
        after: { acquiredAt: '2021-06-30', acquiredAtSource: 'user' },
      },
    });
    // What every export's before_date / after_date is made of.
    const db = api.session.requireProject().db;
    db.prepare(
      `INSERT INTO cm_runs (id, status, model_name, model_version, model_sha256, provider_requested, params)
       VALUES (1, 'done', 'm', '1', 'x', 'cpu', '{}')`,
    ).run();
    expect(readRunProvenance(db, 1)).toMatchObject({ beforeDate: '2020-03-15', afterDate: '2021-06-30' });

    // null goes back to the files' date (after.tif carries none).
    const reset = await api.result('imagery:setAcquiredAt', { role: 'after', date: null });
    expect(reset).toMatchObject({ ok: true, value: { after: { acquiredAt: null, acquiredAtSource: null } } });
    expect(readRunProvenance(db, 1).afterDate).toBeNull();
  });
});
