import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from './geotiffSource';
import { sceneData, utmGrid, writeFixture } from './testing/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cm-http-'));
let server: Server;
let base = '';
let cog: Buffer;
const stalled: ServerResponse[] = [];

beforeAll(async () => {
  const g = utmGrid(100, 80);
  await writeFixture(join(dir, 'cog.tif'), g, 3, sceneData(g, 3, 'uint8'));
  cog = readFileSync(join(dir, 'cog.tif'));
  server = createServer((req, res) => {
    if (req.url === '/stall.tif') return void stalled.push(res);
    if (req.url !== '/cog.tif') return void res.writeHead(404).end('not found');
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
    if (!m) return void res.writeHead(200, { 'content-length': cog.length }).end(cog);
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), cog.length - 1);
    res.writeHead(206, {
      'content-range': `bytes ${start}-${end}/${cog.length}`,
      'content-length': end - start + 1,
    });
    res.end(cog.subarray(start, end + 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  stalled.forEach((r) => r.destroy());
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GeoTIFF over HTTP', () => {
  it('reads windows with range requests', async () => {
    const src = await openGeoTiff(`${base}/cog.tif`);
    expect(src.metadata.grid.crs.code).toBe('EPSG:32633');
    const r = await src.readWindow({ x: 10, y: 10, width: 5, height: 5 }, { bands: [1] });
    expect(r.data[0]).toBe(sceneData(utmGrid(100, 80), 3, 'uint8')[8000 + 10 * 100 + 10]);
    await src.close();
  });

  it('a 404 is its own error', async () => {
    await expect(openGeoTiff(`${base}/missing.tif`)).rejects.toMatchObject({ code: 'HTTP_NOT_FOUND' });
  });

  it('a server that stalls times out instead of hanging', async () => {
    await expect(openGeoTiff(`${base}/stall.tif`, { httpTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'HTTP_TIMEOUT',
    });
  });
});
