import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from './geotiffSource';
import { IMAGERY_URL_UNREADABLE, RemoteFailureLimit, unreadableAddress } from './remoteAddress';
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

  it('a 404 and a stalled server get the one answer for every address that cannot be read, no status, no timing', async () => {
    const limit = new RemoteFailureLimit();
    const options = { remoteFailures: limit, remoteFailureFloorMs: 300, httpTimeoutMs: 500 };
    const started = Date.now();
    const missing = await openGeoTiff(`${base}/missing.tif`, options).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300); // a 404 on loopback answers in a millisecond
    const stalled = await openGeoTiff(`${base}/stall.tif`, options).catch((e: unknown) => e);
    for (const [error, uri] of [
      [missing, `${base}/missing.tif`],
      [stalled, `${base}/stall.tif`],
    ] as const) {
      expect(error).toMatchObject({
        code: IMAGERY_URL_UNREADABLE,
        message: unreadableAddress(uri, null).message,
      });
      expect((error as Error).message.replace(uri, '')).not.toMatch(/404|HTTP|time|stopped/i);
    }
  });
});
