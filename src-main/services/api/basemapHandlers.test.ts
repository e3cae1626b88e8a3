import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiTestSession } from './testing/apiTestSession';

let api: ApiTestSession;
let server: http.Server;
let origin: string;
const requested: string[] = [];
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

beforeEach(() => (api = new ApiTestSession('cm-basemaps-api-')));
afterEach(() => api.dispose());

describe('basemaps API', () => {
  it("keeps a project's basemaps, fetches their tiles for the renderer and forgets removed ones", async () => {
    const file = path.join(api.dir, 'p.gpkg');
    await api.call('project:create', { path: file });
    const added = await api.call('basemaps:add', {
      name: 'Local tiles',
      kind: 'xyz',
      url: `${origin}/tiles/{z}/{x}/{y}.png`,
      attribution: 'Test tiles',
    });
    expect(added).toHaveLength(1);
    const tile = await api.call('basemaps:tile', {
      id: added[0].id,
      z: 3,
      x: 4,
      y: 2,
    });
    expect(tile?.mime).toBe('image/png');
    expect(Buffer.from(tile!.data, 'base64').equals(PNG)).toBe(true);
    expect(requested).toContain('/tiles/3/4/2.png');

    // Saved in the project: a reopened project lists it.
    await api.call('project:close', {});
    await api.call('project:open', { path: file });
    const listed = await api.call('basemaps:list', {});
    expect(listed.map((b) => [b.name, b.url, b.attribution])).toEqual([
      ['Local tiles', `${origin}/tiles/{z}/{x}/{y}.png`, 'Test tiles'],
    ]);
    expect(await api.call('basemaps:remove', { id: listed[0].id })).toEqual([]);
    expect(await api.result('basemaps:tile', { id: listed[0].id, z: 0, x: 0, y: 0 })).toMatchObject({
      ok: false,
      error: { code: 'BASEMAP_NOT_FOUND' },
    });
  });

  it('refuses addresses that are not http(s) tile services, and tiles that are not images', async () => {
    await api.call('project:create', { path: path.join(api.dir, 'q.gpkg') });
    for (const url of ['file:///etc/passwd?{z}{x}{y}', 'https://host/no-placeholders.png'])
      expect(await api.result('basemaps:add', { name: 'bad', kind: 'xyz', url })).toMatchObject({
        ok: false,
        error: { code: 'BASEMAP_URL_INVALID' },
      });
    expect(await api.call('basemaps:list', {})).toEqual([]);
    const [page] = await api.call('basemaps:add', {
      name: 'page',
      kind: 'xyz',
      url: `${origin}/page/{z}/{x}/{y}`,
    });
    expect(await api.result('basemaps:tile', { id: page.id, z: 1, x: 0, y: 0 })).toMatchObject({
      ok: false,
      error: { code: 'BASEMAP_NOT_IMAGE' },
    });
    // A tile the server does not have is an empty tile, not an error.
    const [missing] = (
      await api.call('basemaps:add', { name: 'm', kind: 'xyz', url: `${origin}/none/{z}/{x}/{y}` })
    ).slice(-1);
    expect(await api.call('basemaps:tile', { id: missing.id, z: 1, x: 1, y: 1 })).toBeNull();
    // Tile numbers outside their zoom level never reach the service.
    expect(await api.result('basemaps:tile', { id: missing.id, z: 1, x: 2, y: 0 })).toMatchObject({
      ok: false,
    });
  });
});
