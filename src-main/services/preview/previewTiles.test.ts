// The two tile channels through the API dispatcher, as the app calls them (tile worker threads included).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../ipc/dispatch';
import { utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { AppSession } from '../session';
import { decodeTile, lonLatOfPixel, tilePixelOf } from './testing/tileMath';

let dir: string;
let session: AppSession;
const silent = { error: () => undefined, warn: () => undefined };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-preview-api-'));
  session = new AppSession({
    userDataDir: path.join(dir, 'user'),
    version: 'test',
    shell: { transport: 'in-process' },
  });
});
afterEach(() => {
  session.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = (channel: string, payload: unknown) => dispatch(session.handlers(), channel, payload, silent);

describe('tile channels', () => {
  it('imagery:previewTile gives a PNG where the imagery is and null elsewhere', async () => {
    const grid = utmGrid(128, 128);
    const n = grid.width * grid.height;
    const data = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) [data[i], data[n + i], data[2 * n + i]] = [200, 100, 50];
    const file = path.join(dir, 'before.tif');
    await writeFixture(file, grid, 3, data);
    await call('project:create', { path: path.join(dir, 'p.gpkg') });
    expect(await call('imagery:previewTile', { role: 'before', z: 14, x: 0, y: 0 })).toEqual({
      ok: true,
      value: null,
    });
    await call('imagery:setFiles', { role: 'before', uris: [file] });

    const [lon, lat] = lonLatOfPixel(grid, 64, 64);
    const where = tilePixelOf(lon, lat, 14);
    const result = await call('imagery:previewTile', { role: 'before', z: 14, x: where.x, y: where.y });
    if (!result.ok) throw new Error(result.error.message);
    const tile = decodeTile((result.value as { png: string }).png);
    expect(tile.at(where.px, where.py)).toEqual([200, 100, 50, 255]);
    expect(await call('imagery:previewTile', { role: 'before', z: 14, x: 0, y: 0 })).toEqual({
      ok: true,
      value: null,
    });
    expect(await call('imagery:previewTile', { role: 'after', z: 14, x: where.x, y: where.y })).toEqual({
      ok: true,
      value: null,
    });
    // bad requests are refused by the contract
    expect(await call('imagery:previewTile', { role: 'before', z: -1, x: 0, y: 0 })).toMatchObject({
      ok: false,
    });
  });

  it('run:probabilityTile refuses an unknown run with its code', async () => {
    await call('project:create', { path: path.join(dir, 'p.gpkg') });
    expect(await call('run:probabilityTile', { runId: 42, z: 3, x: 1, y: 1 })).toMatchObject({
      ok: false,
      error: { code: 'RUN_NOT_FOUND' },
    });
  });
});
