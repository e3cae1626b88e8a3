import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadImage } from './downloadImage';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-download-'));
// A TIFF-looking payload: the magic bytes, then 300 kB of a pattern.
const tiff = Buffer.concat([
  Buffer.from('49492a00', 'hex'),
  Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251)),
]);
let server: Server;
let base = '';
const ranges: (string | undefined)[] = [];
let cutFirst = true;

beforeAll(async () => {
  server = createServer((req, res) => {
    ranges.push(req.headers.range);
    if (req.url === '/notiff.tif') return void res.writeHead(200).end('<html>login</html>');
    if (req.url === '/missing.tif') return void res.writeHead(404).end();
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const honourRange = req.url !== '/norange.tif';
    const start = m && honourRange ? Number(m[1]) : 0;
    const body = tiff.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'content-length': body.length,
      ...(start > 0 ? { 'content-range': `bytes ${start}-${tiff.length - 1}/${tiff.length}` } : {}),
    });
    if (req.url === '/cut.tif' && cutFirst) {
      // The first attempt breaks off after 100 kB, as a dropped connection does.
      cutFirst = false;
      res.write(body.subarray(0, 100_000), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('downloading a scene for offline work', () => {
  it('resumes an interrupted download where it stopped and ends with the whole file', async () => {
    const file = path.join(dir, 'cut.tif');
    const first = await downloadImage(`${base}/cut.tif`, file).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'STAC_DOWNLOAD_FAILED' });
    expect(fs.existsSync(file)).toBe(false);
    const kept = fs.statSync(`${file}.part`).size;
    expect(kept).toBeGreaterThan(0);
    const progress: number[] = [];
    await downloadImage(`${base}/cut.tif`, file, { onProgress: (p) => progress.push(p.bytes) });
    expect(ranges.at(-1)).toBe(`bytes=${kept}-`);
    expect(progress[0]).toBeGreaterThan(kept);
    expect(fs.readFileSync(file).equals(tiff)).toBe(true);
    expect(fs.existsSync(`${file}.part`)).toBe(false);
  });

  it('starts again where the server ignores ranges', async () => {
    const file = path.join(dir, 'norange.tif');
    fs.writeFileSync(`${file}.part`, tiff.subarray(0, 5000));
    await downloadImage(`${base}/norange.tif`, file);
    expect(fs.readFileSync(file).equals(tiff)).toBe(true);
  });

  it('keeps a file that is already complete without asking again', async () => {
    const file = path.join(dir, 'done.tif');
    fs.writeFileSync(file, tiff);
    const asked = ranges.length;
    expect(await downloadImage(`${base}/whatever.tif`, file)).toBe(tiff.length);
    expect(ranges.length).toBe(asked);
  });

  it('refuses what is not a TIFF and keeps nothing of it', async () => {
    const file = path.join(dir, 'notiff.tif');
    await expect(downloadImage(`${base}/notiff.tif`, file)).rejects.toMatchObject({
      code: 'STAC_DOWNLOAD_NOT_TIFF',
    });
    expect(fs.existsSync(file) || fs.existsSync(`${file}.part`)).toBe(false);
  });

  it('says when the server refuses', async () => {
    await expect(downloadImage(`${base}/missing.tif`, path.join(dir, 'm.tif'))).rejects.toMatchObject({
      code: 'STAC_DOWNLOAD_FAILED',
      message: expect.stringMatching(/HTTP 404/),
    });
  });
});
