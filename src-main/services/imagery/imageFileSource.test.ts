// PNG and JPEG images, and the sidecars that georeference them (.aux.xml, world files, .prj), read as GDAL reads them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { openImageFile } from './imageFileSource';
import { openImagerySet } from './imagerySet';
import { pixelGrid, sceneData, writeFixture } from './testing/fixtures';
import { gdalInfo } from './testing/gdal';

const dir = mkdtempSync(join(tmpdir(), 'cm-imagefile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);

/** Pixel-interleaved RGB(A) samples of the fixture scene. */
function interleaved(width: number, height: number, channels: number): Uint8Array {
  const planar = sceneData(pixelGrid(width, height), channels, 'uint8');
  const n = width * height;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) for (let b = 0; b < channels; b++) out[i * channels + b] = planar[b * n + i];
  return out;
}

const esriUtm33 = () => execFileSync('gdalsrsinfo', ['-o', 'wkt_esri', 'EPSG:32633'], { encoding: 'utf8' });

describe('PNG and JPEG images', () => {
  it('a PNG without sidecars is an upright image in pixel space with its pixels as written', async () => {
    const rgb = interleaved(40, 30, 3);
    writeFileSync(file('plain.png'), encodePng({ width: 40, height: 30, data: rgb, channels: 3, depth: 8 }));
    const image = await openImageFile(file('plain.png'));
    const m = image.metadata;
    expect(m.grid.crs.code).toBeNull();
    expect(m.grid.geoTransform).toEqual([0, 1, 0, 0, 0, -1]);
    expect([m.grid.width, m.grid.height, m.bandCount, m.sampleType]).toEqual([40, 30, 3, 'uint8']);
    expect(m.bandRoles).toEqual(['red', 'green', 'blue']);
    const w = { x: 30, y: 25, width: 20, height: 10 };
    const read = await image.readWindow(w, { bands: [2] });
    // Pixel (35, 27), band 2: inside. Pixel (45, 27): outside the image, so invalid.
    expect(read.data[2 * 20 + 5]).toBe(rgb[(27 * 40 + 35) * 3 + 2]);
    expect(read.valid[2 * 20 + 5]).toBe(1);
    expect(read.valid[2 * 20 + 15]).toBe(0);
    expect(read.valid[6 * 20 + 5]).toBe(0);
    await image.close();
  });

  it('alpha, 16-bit and palette PNGs keep their meaning', async () => {
    const rgba = interleaved(16, 16, 4);
    rgba[3] = 0; // top-left pixel transparent
    writeFileSync(file('rgba.png'), encodePng({ width: 16, height: 16, data: rgba, channels: 4, depth: 8 }));
    const a = await openImageFile(file('rgba.png'));
    expect(a.metadata.bandRoles).toEqual(['red', 'green', 'blue', 'alpha']);
    const valid = (await a.readWindow({ x: 0, y: 0, width: 2, height: 1 }, { bands: [0, 1, 2] })).valid;
    expect(Array.from(valid)).toEqual([0, 1]);
    const grey16 = new Uint16Array(16 * 16).map((_, i) => i * 200);
    writeFileSync(
      file('g16.png'),
      encodePng({ width: 16, height: 16, data: grey16, channels: 1, depth: 16 }),
    );
    const g = await openImageFile(file('g16.png'));
    expect(g.metadata.sampleType).toBe('uint16');
    expect((await g.readWindow({ x: 3, y: 2, width: 1, height: 1 })).data[0]).toBe((2 * 16 + 3) * 200);
    const indices = new Uint8Array(16 * 16).map((_, i) => i % 2);
    writeFileSync(
      file('palette.png'),
      encodePng({
        width: 16,
        height: 16,
        data: indices,
        channels: 1,
        depth: 8,
        palette: [
          [10, 20, 30],
          [200, 100, 50],
        ],
      }),
    );
    const p = await openImageFile(file('palette.png'));
    expect(p.metadata.bandCount).toBe(3);
    expect(Array.from((await p.readWindow({ x: 1, y: 0, width: 1, height: 1 })).data)).toEqual([
      200, 100, 50,
    ]);
    await Promise.all([a.close(), g.close(), p.close()]);
  });

  it('a JPEG decodes to what GDAL (libjpeg) decodes, up to chroma upsampling differences', async () => {
    const rgba = interleaved(64, 48, 4);
    writeFileSync(file('photo.jpg'), jpeg.encode({ width: 64, height: 48, data: rgba }, 95).data);
    const image = await openImagerySet([file('photo.jpg')]);
    expect(image.metadata.compression).toBe('jpeg');
    const ours = (await image.readWindow({ x: 0, y: 0, width: 64, height: 48 })).data;
    execFileSync('gdal_translate', ['-q', '-of', 'GTiff', file('photo.jpg'), file('photo-gdal.tif')]);
    const gdal = await openImagerySet([file('photo-gdal.tif')]);
    const theirs = (await gdal.readWindow({ x: 0, y: 0, width: 64, height: 48 })).data;
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < ours.length; i++) {
      worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
      sum += Math.abs(ours[i] - theirs[i]);
    }
    expect(worst).toBeLessThanOrEqual(4);
    expect(sum / ours.length).toBeLessThan(1);
    await Promise.all([image.close(), gdal.close()]);
  });

  it('bytes that are not an image are refused by name', async () => {
    writeFileSync(file('fake.png'), '<html>not an image</html>');
    await expect(openImageFile(file('fake.png'))).rejects.toMatchObject({ code: 'NOT_AN_IMAGE' });
    writeFileSync(
      file('cut.png'),
      encodePng({ width: 16, height: 16, data: interleaved(16, 16, 3), channels: 3 }).slice(0, 60),
    );
    await expect(openImageFile(file('cut.png'))).rejects.toMatchObject({ code: 'IMAGE_DAMAGED' });
  });

  it('a small PNG whose header declares 40000 x 40000 is refused from its header, before decoding (issue 12)', async () => {
    const png = Buffer.from(encodePng({ width: 16, height: 16, data: interleaved(16, 16, 1), channels: 1 }));
    png.writeUInt32BE(40_000, 16);
    png.writeUInt32BE(40_000, 20);
    png.writeUInt32BE(crc32(png.subarray(12, 29)), 29); // a valid header: only its size is hostile
    writeFileSync(file('claims-40000.png'), png);
    await expect(openImageFile(file('claims-40000.png'))).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      message: expect.stringMatching(/claims-40000\.png" has more than 120 million pixels.*gdal_translate/),
    });
  });
});

describe('sidecars', () => {
  it('a world file and an ESRI .prj georeference a PNG exactly as GDAL reads them', async () => {
    writeFileSync(
      file('tile.png'),
      encodePng({ width: 32, height: 24, data: interleaved(32, 24, 3), channels: 3 }),
    );
    // Centre of the upper-left pixel at (500005, 5599995) with 10 m pixels: corner at (500000, 5600000).
    writeFileSync(file('tile.pgw'), '10\n0\n0\n-10\n500005\n5599995\n');
    writeFileSync(file('tile.prj'), esriUtm33());
    const image = await openImagerySet([file('tile.png')]);
    const info = gdalInfo(file('tile.png'));
    expect(image.metadata.grid.geoTransform).toEqual(info.geoTransform);
    expect(image.metadata.grid.geoTransform).toEqual([500000, 10, 0, 5600000, 0, -10]);
    expect(image.metadata.grid.crs.code).toBe('EPSG:32633');
    expect(image.summary.pixelSizeM).toEqual([10, 10]);
    await image.close();
  });

  it('an .aux.xml gives SRS, geotransform, nodata and metadata (a PNG world file wins, as in GDAL)', async () => {
    writeFileSync(
      file('aux.png'),
      encodePng({ width: 32, height: 24, data: interleaved(32, 24, 3), channels: 3 }),
    );
    writeFileSync(file('aux.wld'), '99\n0\n0\n-99\n0\n0\n');
    writeFileSync(
      file('aux.png.aux.xml'),
      `<PAMDataset>
  <SRS dataAxisToSRSAxisMapping="1,2">EPSG:32633</SRS>
  <GeoTransform>  4.0e5,  2.5,  0,  5.5e6,  0, -2.5</GeoTransform>
  <Metadata><MDI key="ACQUISITIONDATETIME">2021-06-30T10:11:12Z</MDI></Metadata>
  <PAMRasterBand band="1"><NoDataValue>0</NoDataValue></PAMRasterBand>
</PAMDataset>`,
    );
    const image = await openImagerySet([file('aux.png')]);
    const info = gdalInfo(file('aux.png'));
    expect(image.metadata.grid.geoTransform).toEqual(info.geoTransform);
    expect(image.metadata.grid.geoTransform).toEqual([-49.5, 99, 0, 49.5, 0, -99]);
    rmSync(file('aux.wld'));
    const withoutWorld = await openImagerySet([file('aux.png')]);
    expect(withoutWorld.metadata.grid.geoTransform).toEqual(gdalInfo(file('aux.png')).geoTransform);
    expect(withoutWorld.metadata.grid.geoTransform).toEqual([400000, 2.5, 0, 5500000, 0, -2.5]);
    await withoutWorld.close();
    expect(image.metadata.grid.crs.code).toBe('EPSG:32633');
    expect(image.metadata.nodata).toBe(info.bands[0].noDataValue);
    expect(image.summary.acquiredAt).toBe('2021-06-30');
    await image.close();
  });

  it('a .tfw and .prj georeference a TIFF that has no GeoTIFF tags', async () => {
    const grid = pixelGrid(20, 20);
    await writeFixture(file('bare.tif'), grid, 1, sceneData(grid, 1, 'uint8'));
    writeFileSync(file('bare.TFW'), '3\n0\n0\n-3\n600001.5\n5200998.5\n');
    writeFileSync(file('bare.prj'), esriUtm33());
    const image = await openImagerySet([file('bare.tif')]);
    expect(image.metadata.grid.geoTransform).toEqual([600000, 3, 0, 5201000, 0, -3]);
    expect(image.metadata.grid.crs.code).toBe('EPSG:32633');
    await image.close();
  });

  it('a world file without a CRS, or with bad numbers, is refused with what to do', async () => {
    writeFileSync(
      file('nocrs.png'),
      encodePng({ width: 16, height: 16, data: interleaved(16, 16, 3), channels: 3 }),
    );
    writeFileSync(file('nocrs.pgw'), '1\n0\n0\n-1\n0.5\n-0.5\n');
    await expect(openImageFile(file('nocrs.png'))).rejects.toMatchObject({
      code: 'GEOREFERENCE_NO_CRS',
      message: expect.stringContaining('.prj'),
    });
    writeFileSync(
      file('badworld.png'),
      encodePng({ width: 16, height: 16, data: interleaved(16, 16, 3), channels: 3 }),
    );
    writeFileSync(file('badworld.pgw'), '1\n0\nzero\n');
    await expect(openImageFile(file('badworld.png'))).rejects.toMatchObject({ code: 'WORLD_FILE_INVALID' });
  });
});
