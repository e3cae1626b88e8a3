import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../ipc/dispatch';
import type { Basemap } from '../../ipc/contract';
import { AppSession } from '../session';

let dir: string;
let session: AppSession;
let server: http.Server;
let origin: string;
const requested: string[] = [];
const silent = { error: () => undefined, warn: () => undefined };
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  // A tiny tile server: PNG tiles under /tiles, a web page under /page, nothing elsewhere.
  server = http.createServer((req, res) => {
    requested.push(req.url ?? '');
    if (req.url?.startsWith('/tiles/')) res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else if (req.url?.startsWith('/page/'))
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-basemaps-api-'));
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

async function call(channel: string, payload: unknown) {
  return dispatch(session.handlers(), channel, payload, silent);
}
async function value<T>(channel: string, payload: unknown): Promise<T> {
  const result = await call(channel, payload);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe('basemaps API', () => {
  it("keeps a project's basemaps, fetches their tiles for the renderer and forgets removed ones", async () => {
    const file = path.join(dir, 'p.gpkg');
    await value('project:create', { path: file });
    const added = await value<Basemap[]>('basemaps:add', {
      name: 'Local tiles',
      kind: 'xyz',
      url: `${origin}/tiles/{z}/{x}/{y}.png`,
      attribution: 'Test tiles',
    });
    expect(added).toHaveLength(1);
    const tile = await value<{ data: string; mime: string }>('basemaps:tile', {
      id: added[0].id,
      z: 3,
      x: 4,
      y: 2,
    });
    expect(tile.mime).toBe('image/png');
    expect(Buffer.from(tile.data, 'base64').equals(PNG)).toBe(true);
    expect(requested).toContain('/tiles/3/4/2.png');

    // Saved in the project: a reopened project lists it.
    await value('project:close', {});
    await value('project:open', { path: file });
    const listed = await value<Basemap[]>('basemaps:list', {});
    expect(listed.map((b) => [b.name, b.url, b.attribution])).toEqual([
      ['Local tiles', `${origin}/tiles/{z}/{x}/{y}.png`, 'Test tiles'],
    ]);
    expect(await value('basemaps:remove', { id: listed[0].id })).toEqual([]);
    expect(await call('basemaps:tile', { id: listed[0].id, z: 0, x: 0, y: 0 })).toMatchObject({
      ok: false,
      error: { code: 'BASEMAP_NOT_FOUND' },
    });
  });

  it('refuses addresses that are not http(s) tile services, and tiles that are not images', async () => {
    await value('project:create', { path: path.join(dir, 'q.gpkg') });
    for (const url of ['file:///etc/passwd?{z}{x}{y}', 'https://host/no-placeholders.png'])
      expect(await call('basemaps:add', { name: 'bad', kind: 'xyz', url })).toMatchObject({
        ok: false,
        error: { code: 'BASEMAP_URL_INVALID' },
      });
    expect(await value('basemaps:list', {})).toEqual([]);
    const [page] = await value<Basemap[]>('basemaps:add', {
      name: 'page',
      kind: 'xyz',
      url: `${origin}/page/{z}/{x}/{y}`,
    });
    expect(await call('basemaps:tile', { id: page.id, z: 1, x: 0, y: 0 })).toMatchObject({
      ok: false,
      error: { code: 'BASEMAP_NOT_IMAGE' },
    });
    // A tile the server does not have is an empty tile, not an error.
    const [missing] = (
      await value<Basemap[]>('basemaps:add', { name: 'm', kind: 'xyz', url: `${origin}/none/{z}/{x}/{y}` })
    ).slice(-1);
    expect(await value('basemaps:tile', { id: missing.id, z: 1, x: 1, y: 1 })).toBeNull();
    // Tile numbers outside their zoom level never reach the service.
    expect(await call('basemaps:tile', { id: missing.id, z: 1, x: 2, y: 0 })).toMatchObject({ ok: false });
  });
});
