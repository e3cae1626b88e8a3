import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader, encodeIfd, TiffType } from '../../core/raster/tiffIfd';
import { openAlignedPair } from './alignedPair';
import { crsFromEpsg } from './crs';
import { openGeoTiff } from './geotiffSource';
import { openImagerySet } from './imagerySet';
import { preflightPair } from './preflight';
import { pixelGrid, sceneData, utmGrid, writeFixture } from './testing/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cm-imagery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);

describe('reading imagery', () => {
  it('windowed reads equal the same pixels of a full read', async () => {
    const grid = utmGrid(150, 130);
    const data = sceneData(grid, 3, 'uint16');
    await writeFixture(file('full.tif'), grid, 3, data);
    const src = await openGeoTiff(file('full.tif'));
    const full = await src.readWindow({ x: 0, y: 0, width: 150, height: 130 });
    expect(Array.from(full.data)).toEqual(Array.from(data));
    for (const w of [
      { x: 63, y: 1, width: 70, height: 66 },
      { x: 140, y: 120, width: 10, height: 10 },
    ]) {
      const part = await src.readWindow(w, { bands: [2, 0] });
      const n = w.width * w.height;
      for (let r = 0; r < w.height; r++)
        for (let c = 0; c < w.width; c++) {
          expect(part.data[r * w.width + c]).toBe(data[2 * 150 * 130 + (w.y + r) * 150 + w.x + c]);
          expect(part.data[n + r * w.width + c]).toBe(data[(w.y + r) * 150 + w.x + c]);
        }
    }
    await src.close();
  });

  it('a 2 x 2 mosaic of tiles reads as the single image', async () => {
    const grid = utmGrid(128, 96);
    const data = sceneData(grid, 2, 'uint16');
    await writeFixture(file('whole.tif'), grid, 2, data);
    const tiles: string[] = [];
    for (const [tx, ty] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ]) {
      const tg = utmGrid(64, 48, 500000 + tx * 640, 5600000 - ty * 480);
      tiles.push(file(`tile${tx}${ty}.tif`));
      await writeFixture(tiles[tiles.length - 1], tg, 2, sceneData(tg, 2, 'uint16', tx * 64, ty * 48));
    }
    const mosaic = await openImagerySet(tiles.reverse());
    const single = await openImagerySet([file('whole.tif')]);
    expect(mosaic.metadata.grid).toEqual(single.metadata.grid);
    const w = { x: 10, y: 5, width: 100, height: 80 };
    expect(Array.from((await mosaic.readWindow(w)).data)).toEqual(
      Array.from((await single.readWindow(w)).data),
    );
    expect((await mosaic.readWindow(w)).valid.every((v) => v === 1)).toBe(true);
    expect(mosaic.summary.areaKm2).toBeCloseTo((1280 * 960) / 1e6, 6);
    await mosaic.close();
    await single.close();
  });

  it('a VRT with simple and complex sources reads like the files it names', async () => {
    const grid = utmGrid(64, 48);
    await writeFixture(file('v.tif'), grid, 2, sceneData(grid, 2, 'uint8'));
    writeFileSync(
      file('v.vrt'),
      `<VRTDataset rasterXSize="64" rasterYSize="48"><SRS>EPSG:32633</SRS><GeoTransform>500000, 10, 0, 5600000, 0, -10</GeoTransform>
<VRTRasterBand dataType="Byte" band="1"><SimpleSource><SourceFilename relativeToVRT="1">v.tif</SourceFilename><SourceBand>2</SourceBand>
<SrcRect xOff="0" yOff="0" xSize="64" ySize="48"/><DstRect xOff="0" yOff="0" xSize="64" ySize="48"/></SimpleSource></VRTRasterBand>
<VRTRasterBand dataType="Byte" band="2"><ComplexSource><SourceFilename relativeToVRT="1">v.tif</SourceFilename><SourceBand>1</SourceBand>
<SrcRect xOff="0" yOff="0" xSize="32" ySize="48"/><DstRect xOff="32" yOff="0" xSize="32" ySize="48"/><ScaleRatio>0.5</ScaleRatio></ComplexSource></VRTRasterBand>
</VRTDataset>`,
    );
    const vrt = await openImagerySet([file('v.vrt')]);
    const tif = await openGeoTiff(file('v.tif'));
    const a = await vrt.readWindow({ x: 0, y: 0, width: 64, height: 48 });
    const b = await tif.readWindow({ x: 0, y: 0, width: 64, height: 48 });
    const n = 64 * 48;
    expect(a.data[10 * 64 + 5]).toBe(b.data[n + 10 * 64 + 5]);
    expect(a.data[n + 10 * 64 + 40]).toBe(Math.trunc(b.data[10 * 64 + 8] * 0.5));
    expect(vrt.metadata.grid.crs.code).toBe('EPSG:32633');
    await vrt.close();
    await tif.close();
  });

  it('alpha and nodata become invalid pixels', async () => {
    const grid = utmGrid(40, 40);
    const data = sceneData(grid, 4, 'uint8');
    for (let i = 0; i < 40 * 40; i++) data[3 * 1600 + i] = i % 40 < 10 ? 0 : 255; // left quarter transparent
    await writeFixture(file('rgba.tif'), grid, 4, data, { colour: 'rgba' });
    const rgba = await openGeoTiff(file('rgba.tif'));
    expect(rgba.metadata.bandRoles).toEqual(['red', 'green', 'blue', 'alpha']);
    const r = await rgba.readWindow({ x: 0, y: 0, width: 40, height: 40 }, { bands: [0, 1, 2] });
    expect(r.valid[5]).toBe(0);
    expect(r.valid[15]).toBe(1);
    const nd = sceneData(grid, 3, 'uint8');
    for (let b = 0; b < 3; b++) nd[b * 1600 + 3 * 40 + 3] = 0;
    nd[41] = 0; // one band only at zero: still data
    await writeFixture(file('nodata.tif'), grid, 3, nd, { nodata: 0 });
    const s = await openGeoTiff(file('nodata.tif'));
    const v = (await s.readWindow({ x: -2, y: 0, width: 40, height: 40 })).valid;
    expect(v[3 * 40 + 5]).toBe(0);
    expect(v[0]).toBe(0); // outside the raster
    expect(v[43]).toBe(1);
    await rgba.close();
    await s.close();
  });
});

describe('alignment', () => {
  it('a UTM image reprojected onto a geographic grid matches gdalwarp within 1 DN on >= 99% of pixels', async () => {
    const grid = utmGrid(200, 200, 400000, 5500000, 30);
    await writeFixture(file('utm.tif'), grid, 1, sceneData(grid, 1, 'uint8'));
    execFileSync('gdalwarp', [
      '-q',
      '-t_srs',
      'EPSG:4326',
      '-r',
      'bilinear',
      '-dstnodata',
      '0',
      file('utm.tif'),
      file('geo.tif'),
    ]);
    const geo = await openImagerySet([file('geo.tif')]);
    const utm = await openImagerySet([file('utm.tif')]);
    expect(geo.metadata.grid.crs.code).toBe('EPSG:4326');
    const roles = ['red'] as const;
    const pair = await openAlignedPair(geo.withBandRoles(['red']), utm.withBandRoles(['red']), {
      bands: [...roles],
    });
    const chunk = await pair.read({ x: 0, y: 0, width: pair.grid.width, height: pair.grid.height });
    let compared = 0;
    let close = 0;
    for (let i = 0; i < chunk.valid.length; i++) {
      if (!chunk.valid[i]) continue;
      compared++;
      if (Math.abs(chunk.before[i] * 255 - chunk.after[i] * 255) <= 1.0001) close++;
    }
    expect(compared).toBeGreaterThan(0.8 * 200 * 200);
    expect(close / compared).toBeGreaterThanOrEqual(0.99);
  });

  it('two same-size images without georeference are a pixel-aligned pair; other sizes or a georeferenced partner are not', async () => {
    await writeFixture(file('p1.tif'), pixelGrid(32, 32), 3, sceneData(pixelGrid(32, 32), 3, 'uint8'));
    await writeFixture(file('p2.tif'), pixelGrid(32, 32), 3, sceneData(pixelGrid(32, 32), 3, 'uint8', 1));
    await writeFixture(file('p3.tif'), pixelGrid(40, 32), 3, sceneData(pixelGrid(40, 32), 3, 'uint8'));
    await writeFixture(file('g.tif'), utmGrid(32, 32), 3, sceneData(utmGrid(32, 32), 3, 'uint8'));
    const [p1, p2, p3, g] = await Promise.all(
      ['p1', 'p2', 'p3', 'g'].map((n) => openImagerySet([file(`${n}.tif`)])),
    );
    const pair = await openAlignedPair(p1, p2);
    expect(pair.grid.width).toBe(32);
    expect((await pair.read({ x: 0, y: 0, width: 32, height: 32 })).valid.every((v) => v === 1)).toBe(true);
    await expect(openAlignedPair(p1, p3)).rejects.toMatchObject({ code: 'PIXEL_PAIR_SIZE_MISMATCH' });
    await expect(openAlignedPair(g, p1)).rejects.toMatchObject({ code: 'GEOREFERENCE_MISMATCH' });
    expect((await preflightPair(p1, p3)).errors[0].code).toBe('PIXEL_PAIR_SIZE_MISMATCH');
    expect((await preflightPair(p1, g)).errors[0].code).toBe('GEOREFERENCE_MISMATCH');
  });

  it('a pair that does not overlap is a blocking error; a partly overlapping one is clipped', async () => {
    const a = utmGrid(50, 50);
    const far = utmGrid(50, 50, 600000);
    const half = utmGrid(50, 50, 500250);
    await writeFixture(file('a.tif'), a, 3, sceneData(a, 3, 'uint8'));
    await writeFixture(file('far.tif'), far, 3, sceneData(far, 3, 'uint8'));
    await writeFixture(file('half.tif'), half, 3, sceneData(half, 3, 'uint8', 25));
    const [sa, sf, sh] = await Promise.all(
      ['a', 'far', 'half'].map((n) => openImagerySet([file(`${n}.tif`)])),
    );
    await expect(openAlignedPair(sa, sf)).rejects.toMatchObject({ code: 'NO_OVERLAP' });
    expect((await preflightPair(sa, sf)).errors.map((e) => e.code)).toEqual(['NO_OVERLAP']);
    const pair = await openAlignedPair(sa, sh);
    expect(pair.grid.width).toBe(25);
    expect(pair.grid.geoTransform[0]).toBe(500250);
    const chunk = await pair.read({ x: 0, y: 0, width: 25, height: 50 });
    expect(chunk.before[7]).toBeCloseTo(chunk.after[7], 6);
  });
});

describe('bad input gets its own error code', () => {
  it.each([
    ['0-byte file', 'FILE_EMPTY', (p: string) => writeFileSync(p, '')],
    [
      'PNG renamed .tif',
      'NOT_A_TIFF',
      (p: string) => writeFileSync(p, Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0])),
    ],
  ])('%s', async (_label, code, make) => {
    const p = file(`${code}.tif`);
    make(p);
    await expect(openGeoTiff(p)).rejects.toMatchObject({ code });
  });

  it('truncated TIFF', async () => {
    const g = utmGrid(64, 64);
    await writeFixture(file('trunc.tif'), g, 1, sceneData(g, 1, 'uint8'), { compression: 'none' });
    truncateSync(file('trunc.tif'), 2000);
    await expect(openGeoTiff(file('trunc.tif'))).rejects.toMatchObject({ code: 'TIFF_TRUNCATED' });
  });

  it('a 1 x 1 image', async () => {
    await writeFixture(file('one.tif'), utmGrid(1, 1), 1, new Uint8Array([7]));
    await expect(openGeoTiff(file('one.tif'))).rejects.toMatchObject({ code: 'IMAGE_TOO_SMALL' });
  });

  it('unsupported compression', async () => {
    const g = utmGrid(16, 16);
    await writeFixture(file('jp2.tif'), g, 1, sceneData(g, 1, 'uint8'), { compression: 'none' });
    const bytes = readFileSync(file('jp2.tif'));
    const entry = Buffer.from([0x03, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00]);
    const at = bytes.indexOf(entry);
    expect(at).toBeGreaterThan(0);
    bytes.writeUInt16LE(34712, at + 8); // JPEG 2000
    writeFileSync(file('jp2.tif'), bytes);
    await expect(openGeoTiff(file('jp2.tif'))).rejects.toMatchObject({ code: 'UNSUPPORTED_COMPRESSION' });
  });

  it('a header claiming 100000 x 100000 pixels with no data behind it fails fast', async () => {
    const ifd = encodeIfd(
      [
        { tag: 256, type: TiffType.LONG, values: [100000] },
        { tag: 257, type: TiffType.LONG, values: [100000] },
        { tag: 258, type: TiffType.SHORT, values: [8] },
        { tag: 259, type: TiffType.SHORT, values: [1] },
        { tag: 262, type: TiffType.SHORT, values: [1] },
        { tag: 273, type: TiffType.LONG, values: [512] },
        { tag: 277, type: TiffType.SHORT, values: [1] },
        { tag: 278, type: TiffType.LONG, values: [100000] },
        { tag: 279, type: TiffType.LONG, values: [4000000000] },
      ],
      8,
      false,
    );
    writeFileSync(file('huge.tif'), Buffer.concat([encodeHeader(8, false), ifd.bytes]));
    const started = Date.now();
    await expect(openGeoTiff(file('huge.tif'))).rejects.toMatchObject({ code: 'TIFF_TRUNCATED' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a CRS without EPSG code is named in the error', () => {
    expect(() => crsFromEpsg(999999)).toThrow(/EPSG:999999/);
  });
});
