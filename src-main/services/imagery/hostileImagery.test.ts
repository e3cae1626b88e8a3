// Hostile and damaged files, built byte by byte here: each must end in one coded error, quickly and in bounded
// memory, never a hang, a crash or an image of zeros.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from './geotiffSource';
import { openImagerySet } from './imagerySet';
import { utmGrid, writeFixture } from './testing/fixtures';
import { tinyTiff, tinyTiffPairLoop, type TinyTiff } from './testing/tinyTiff';
import { ZlibDeflateDecoder } from './zlibDecoder';

const dir = mkdtempSync(join(tmpdir(), 'cm-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);

function writeTiff(name: string, options: TinyTiff = {}): string {
  writeFileSync(file(name), tinyTiff(options));
  return file(name);
}

async function openError(open: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await open.then(
    () => null,
    (e: unknown) => e as { code?: string; message: string },
  );
  if (!error) throw new Error('the hostile file was accepted');
  return error;
}

describe('hostile TIFF structure', () => {
  it('the tiny builder makes a TIFF the reader accepts (so the refusals below are about the damage)', async () => {
    const source = await openGeoTiff(writeTiff('good.tif'));
    const read = await source.readWindow({ x: 0, y: 0, width: 16, height: 16 });
    expect(Array.from(read.data).every((v) => v === 7)).toBe(true);
    await source.close();
  });

  it('refuses an image directory whose next-IFD pointer points to itself', async () => {
    const error = await openError(openGeoTiff(writeTiff('self-loop.tif', { next: 'self' })));
    expect(error.code).toBe('TIFF_IFD_CYCLE');
    expect(error.message).toMatch(/self-loop\.tif.*loop.*re-export/);
  });

  it('refuses two image directories pointing at each other', async () => {
    const bytes = tinyTiffPairLoop();
    writeFileSync(file('pair-loop.tif'), bytes);
    expect((await openError(openGeoTiff(file('pair-loop.tif')))).code).toBe('TIFF_IFD_CYCLE');
  });

  it('refuses a 300-byte TIFF claiming 200000 x 200000 pixels before any work starts', async () => {
    const path = writeTiff('huge-claim.tif', { width: 200_000, height: 200_000, data: new Uint8Array(64) });
    const error = await openError(openGeoTiff(path));
    expect(error.code).toBe('TIFF_DATA_MISSING');
    expect(error.message).toMatch(/200000 x 200000.*re-export/);
  });

  it('refuses a strip table shorter than the strips the size needs', async () => {
    const path = writeTiff('short-table.tif', {
      width: 64,
      height: 64,
      data: new Uint8Array(64 * 8),
      tags: { 278: [8] },
    });
    expect((await openError(openGeoTiff(path))).code).toBe('TIFF_TRUNCATED');
  });

  it('refuses a 3-byte strip for a 16 x 16 image instead of reading zeros', async () => {
    const error = await openError(
      openGeoTiff(writeTiff('three-bytes.tif', { data: new Uint8Array([1, 2, 3]) })),
    );
    expect(error.code).toBe('TIFF_DATA_MISSING');
    expect(error.message).toMatch(/3 bytes, too few for its 256/);
  });

  it('refuses a compressed strip too small to inflate to its pixels', async () => {
    // 10 DEFLATE bytes can give at most 10 320 bytes; the image needs 1 000 000.
    const path = writeTiff('deflate-short.tif', {
      width: 1000,
      height: 1000,
      compression: 8,
      data: new Uint8Array(10),
    });
    expect((await openError(openGeoTiff(path))).code).toBe('TIFF_DATA_MISSING');
  });

  it('refuses TileWidth 0', async () => {
    const path = writeTiff('tile-width-0.tif', {
      tags: { 273: null, 278: null, 279: null, 322: [0], 323: [16], 324: [8], 325: [256] },
    });
    const error = await openError(openGeoTiff(path));
    expect(error.code).toBe('TIFF_BLOCK_INVALID');
    expect(error.message).toMatch(/tiles of 0 x 16/);
  });

  it('still reads what the project writes (tiled, several bands, overviews)', async () => {
    const grid = utmGrid(200, 150);
    const data = new Uint16Array(200 * 150 * 3).map((_, i) => i % 1000);
    await writeFixture(file('written.tif'), grid, 3, data, { overviews: true });
    const source = await openGeoTiff(file('written.tif'));
    const read = await source.readWindow({ x: 0, y: 0, width: 200, height: 150 });
    expect(Array.from(read.data.subarray(0, 5))).toEqual(Array.from(data.subarray(0, 5)));
    expect(source.metadata.overviews.length).toBeGreaterThan(0);
    await source.close();
  });
});

describe('DEFLATE bombs', () => {
  it('caps inflating at what the block declares and says so with a code', async () => {
    // 64 MiB of zeros squeezed into ~64 KiB, for a block that declares 16 x 16 one-byte pixels.
    const bomb = deflateSync(new Uint8Array(64 * 1024 * 1024));
    const decoder = new ZlibDeflateDecoder({
      tileWidth: 16,
      tileHeight: 16,
      predictor: 1,
      bitsPerSample: [8],
      planarConfiguration: 1,
    });
    const buffer = bomb.buffer.slice(bomb.byteOffset, bomb.byteOffset + bomb.byteLength);
    // Through openError: a regression must fail with a line, not by printing 64 MiB of inflated bytes.
    const error = await openError(decoder.decode(buffer));
    expect(error.code).toBe('TIFF_BLOCK_TOO_LARGE');
    expect(error.message).toMatch(/more than the 256 bytes its size declares/);
  });

  it('a DEFLATE strip inflating past its size fails the read with TIFF_BLOCK_TOO_LARGE', async () => {
    const bomb = deflateSync(new Uint8Array(32 * 1024 * 1024).fill(3));
    const path = writeTiff('bomb.tif', { width: 256, height: 256, compression: 8, data: bomb });
    const source = await openGeoTiff(path);
    const error = await openError(source.readWindow({ x: 0, y: 0, width: 256, height: 256 }));
    expect(error.code).toBe('TIFF_BLOCK_TOO_LARGE');
    expect(error.message).toMatch(/bomb\.tif.*65536 bytes.*re-export/);
    await source.close();
  });
});

describe('hostile VRTs', () => {
  const vrt = (source: string, band = 1) =>
    `<VRTDataset rasterXSize="16" rasterYSize="16"><VRTRasterBand dataType="Byte" band="1">` +
    `<SimpleSource><SourceFilename relativeToVRT="1">${source}</SourceFilename><SourceBand>${band}</SourceBand>` +
    `</SimpleSource></VRTRasterBand></VRTDataset>`;

  it('refuses a VRT naming itself', async () => {
    writeFileSync(file('self.vrt'), vrt('self.vrt'));
    const error = await openError(openImagerySet([file('self.vrt')]));
    expect(error.code).toBe('VRT_CYCLE');
    expect(error.message).toMatch(/self\.vrt -> self\.vrt/);
  });

  it('refuses two VRTs naming each other', async () => {
    writeFileSync(file('ping.vrt'), vrt('pong.vrt'));
    writeFileSync(file('pong.vrt'), vrt('ping.vrt'));
    const error = await openError(openImagerySet([file('ping.vrt')]));
    expect(error.code).toBe('VRT_CYCLE');
    expect(error.message).toMatch(/ping\.vrt -> pong\.vrt -> ping\.vrt/);
  });

  it('refuses VRTs nested deeper than the limit, and reads a shallow chain', async () => {
    writeTiff('leaf.tif');
    writeFileSync(file('deep0.vrt'), vrt('leaf.tif'));
    for (let i = 1; i <= 12; i++) writeFileSync(file(`deep${i}.vrt`), vrt(`deep${i - 1}.vrt`));
    const shallow = await openImagerySet([file('deep2.vrt')]);
    expect((await shallow.readWindow({ x: 0, y: 0, width: 2, height: 1 })).data[0]).toBe(7);
    await shallow.close();
    expect((await openError(openImagerySet([file('deep12.vrt')]))).code).toBe('VRT_TOO_DEEP');
  });

  it('refuses a SourceBand beyond the source file bands', async () => {
    writeTiff('one-band.tif');
    writeFileSync(file('band-5.vrt'), vrt('one-band.tif', 5));
    const error = await openError(openImagerySet([file('band-5.vrt')]));
    expect(error.code).toBe('VRT_SOURCE_BAND_INVALID');
    expect(error.message).toMatch(/SourceBand 5 of "one-band\.tif", which has 1 band; fix/);
    writeFileSync(file('band-0.vrt'), vrt('one-band.tif', 0));
    expect((await openError(openImagerySet([file('band-0.vrt')]))).code).toBe('VRT_SOURCE_BAND_INVALID');
  });
});

describe('sparse TIFFs (empty blocks: offset 0, byte count 0)', () => {
  it('refuses a sparse strip as missing data, naming the next step', async () => {
    const error = await openError(
      openGeoTiff(writeTiff('sparse-strip.tif', { tags: { 273: [0], 279: [0] } })),
    );
    expect(error.code).toBe('TIFF_DATA_MISSING');
    expect(error.message).toMatch(/sparse-strip\.tif.*re-export/);
  });

  it('refuses a tiled file with one sparse tile', async () => {
    const path = writeTiff('sparse-tile.tif', {
      width: 32,
      data: new Uint8Array(256).fill(9),
      tags: { 273: null, 278: null, 279: null, 322: [16], 323: [16], 324: [8, 0], 325: [256, 0] },
    });
    const error = await openError(openGeoTiff(path));
    expect(error.code).toBe('TIFF_DATA_MISSING');
    expect(error.message).toMatch(/sparse-tile\.tif.*re-export/);
  });
});
