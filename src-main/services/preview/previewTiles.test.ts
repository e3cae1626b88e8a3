// The two tile channels through the API dispatcher, as the app calls them (tile worker threads included).
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { ApiTestSession } from '../api/testing/apiTestSession';
import { decodeTile, lonLatOfPixel, tilePixelOf } from './testing/tileMath';

let api: ApiTestSession;

beforeEach(() => (api = new ApiTestSession('cm-preview-api-')));
afterEach(() => api.dispose());

describe('tile channels', () => {
  it('imagery:previewTile gives a PNG where the imagery is and null elsewhere', async () => {
    const grid = utmGrid(128, 128);
    const n = grid.width * grid.height;
    const data = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) [data[i], data[n + i], data[2 * n + i]] = [200, 100, 50];
    const file = path.join(api.dir, 'before.tif');
    await writeFixture(file, grid, 3, data);
    await api.result('project:create', { path: path.join(api.dir, 'p.gpkg') });
    expect(await api.result('imagery:previewTile', { role: 'before', z: 14, x: 0, y: 0 })).toEqual({
      ok: true,
      value: null,
    });
    await api.result('imagery:setFiles', { role: 'before', uris: [file] });

    const [lon, lat] = lonLatOfPixel(grid, 64, 64);
    const where = tilePixelOf(lon, lat, 14);
    const result = await api.result('imagery:previewTile', { role: 'before', z: 14, x: where.x, y: where.y });
    if (!result.ok) throw new Error(result.error.message);
    const tile = decodeTile((result.value as { png: string }).png);
    expect(tile.at(where.px, where.py)).toEqual([200, 100, 50, 255]);
    expect(await api.result('imagery:previewTile', { role: 'before', z: 14, x: 0, y: 0 })).toEqual({
      ok: true,
      value: null,
    });
    expect(await api.result('imagery:previewTile', { role: 'after', z: 14, x: where.x, y: where.y })).toEqual(
      {
        ok: true,
        value: null,
      },
    );
    // bad requests are refused by the contract
    expect(await api.result('imagery:previewTile', { role: 'before', z: -1, x: 0, y: 0 })).toMatchObject({
      ok: false,
    });
  });

  it('run:probabilityTile refuses an unknown run with its code', async () => {
    await api.result('project:create', { path: path.join(api.dir, 'p.gpkg') });
    expect(await api.result('run:probabilityTile', { runId: 42, z: 3, x: 1, y: 1 })).toMatchObject({
      ok: false,
      error: { code: 'RUN_NOT_FOUND' },
    });
  });
});
