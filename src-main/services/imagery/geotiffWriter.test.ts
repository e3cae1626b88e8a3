import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import type { GridSpec } from '../../core/raster/types';
import { canValidateCog, gdalLayout, validateCog } from '../exports/gdalProbe';
import { createGeoTiffWriter } from './geotiffWriter';
import { gdalInfo, writeEnvi } from './testing/gdal';

const dir = mkdtempSync(join(tmpdir(), 'cm-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const utm: GridSpec = {
  width: 600,
  height: 500,
  geoTransform: [500000, 10, 0, 5600000, 0, -10],
  crs: { code: 'EPSG:32633', name: 'WGS 84 / UTM zone 33N', proj4: null, units: 'm' },
};

function pattern(width: number, height: number, bands: number): Uint16Array {
  const data = new Uint16Array(width * height * bands);
  for (let b = 0; b < bands; b++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        data[b * width * height + y * width + x] = ((x * 7 + y * 13 + b * 101) % 4000) + 1;
  return data;
}

function cut(
  data: Uint16Array,
  width: number,
  height: number,
  bands: number,
  x: number,
  y: number,
  w: number,
  h: number,
) {
  const out = new Uint16Array(w * h * bands);
  for (let b = 0; b < bands; b++)
    for (let r = 0; r < h; r++)
      out.set(
        data.subarray(b * width * height + (y + r) * width + x, b * width * height + (y + r) * width + x + w),
        b * w * h + r * w,
      );
  return out;
}

describe('createGeoTiffWriter', () => {
  it('writes a tiled DEFLATE GeoTIFF from windows in any order that GDAL reads with the right CRS, transform, nodata, tiling, overviews and checksum', async () => {
    const { width, height } = utm;
    const bands = 2;
    const data = pattern(width, height, bands);
    const path = join(dir, 'utm.tif');
    const writer = await createGeoTiffWriter(path, {
      width,
      height,
      bands,
      sampleType: 'uint16',
      grid: utm,
      nodata: 0,
    });
    // Windows not aligned to tiles, written out of order: 3 x 3 blocks of 200 x 167.
    const windows = [];
    for (let y = 0; y < height; y += 167)
      for (let x = 0; x < width; x += 200)
        windows.push({ x, y, width: Math.min(200, width - x), height: Math.min(167, height - y) });
    for (const w of windows.reverse())
      await writer.writeWindow(w, cut(data, width, height, bands, w.x, w.y, w.width, w.height));
    await writer.close();

    writeEnvi(join(dir, 'utm.raw'), data, width, height, bands);
    const reference = gdalInfo(join(dir, 'utm.raw'));
    const info = gdalInfo(path);
    expect(info.size).toEqual([600, 500]);
    expect(info.geoTransform).toEqual([500000, 10, 0, 5600000, 0, -10]);
    expect(info.coordinateSystem?.wkt).toContain('ID["EPSG",32633]');
    expect(info.bands).toHaveLength(2);
    for (let b = 0; b < bands; b++) {
      expect(info.bands[b].block).toEqual([256, 256]);
      expect(info.bands[b].type).toBe('UInt16');
      expect(info.bands[b].noDataValue).toBe(0);
      expect(info.bands[b].checksum).toBe(reference.bands[b].checksum);
      expect(info.bands[b].overviews?.map((o) => o.size)).toEqual([
        [300, 250],
        [150, 125],
      ]);
    }
    expect(info.metadata?.IMAGE_STRUCTURE?.COMPRESSION).toBe('DEFLATE');

    // geotiff.js reads the same values back.
    const tiff = await fromFile(path);
    const image = await tiff.getImage();
    const rasters = (await image.readRasters({ window: [100, 50, 400, 300] })) as unknown as Uint16Array[];
    expect(Array.from(rasters[1])).toEqual(
      Array.from(cut(data, width, height, bands, 100, 50, 300, 250).subarray(300 * 250)),
    );
    expect(await tiff.getImageCount()).toBe(3);
    await tiff.close();
  });

  it('writes LZW float32 in a geographic CRS, fills unwritten tiles with nodata, and averages overviews without nodata', async () => {
    const grid: GridSpec = {
      width: 300,
      height: 280,
      geoTransform: [10, 0.001, 0, 50, 0, -0.001],
      crs: { code: 'EPSG:4326', name: 'WGS 84', proj4: null, units: 'degree' },
    };
    const path = join(dir, 'geo.tif');
    const writer = await createGeoTiffWriter(path, {
      width: 300,
      height: 280,
      bands: 1,
      sampleType: 'float32',
      grid,
      compression: 'lzw',
      nodata: -1,
      tileSize: 128,
    });
    const block = new Float32Array(128 * 128).map((_, i) => (i % 128) / 128);
    await writer.writeWindow({ x: 0, y: 0, width: 128, height: 128 }, block);
    await writer.close();
    const info = gdalInfo(path);
    expect(info.coordinateSystem?.wkt).toContain('ID["EPSG",4326]');
    expect(info.geoTransform).toEqual([10, 0.001, 0, 50, 0, -0.001]);
    expect(info.bands[0].noDataValue).toBe(-1);
    expect(info.bands[0].block).toEqual([128, 128]);
    expect(info.metadata?.IMAGE_STRUCTURE?.COMPRESSION).toBe('LZW');
    const tiff = await fromFile(path);
    const full = ((await (await tiff.getImage(0)).readRasters()) as unknown as Float32Array[])[0];
    expect(full[5]).toBeCloseTo(5 / 128, 6);
    expect(full[200]).toBe(-1); // never written
    const overview = ((await (await tiff.getImage(1)).readRasters()) as unknown as Float32Array[])[0];
    expect(overview[1]).toBeCloseTo((2 / 128 + 3 / 128) / 2, 6);
    expect(overview[100]).toBe(-1);
    await tiff.close();
  });

  it('lays a Cloud-Optimized GeoTIFF out as GDAL does, with band scale, offset and description', async () => {
    const { width, height } = utm;
    const data = new Uint8Array(width * height).map((_, i) => (i * 31) % 255);
    const write = async (file: string, layout: 'cog' | 'streaming') => {
      const writer = await createGeoTiffWriter(file, {
        width,
        height,
        bands: 1,
        sampleType: 'uint8',
        grid: utm,
        nodata: 255,
        layout,
        bandInfo: [{ scale: 1 / 254, offset: 0, description: 'change probability' }],
      });
      // Out of order, so the staged tiles are not already in COG order.
      await writer.writeWindow({ x: 0, y: 256, width, height: height - 256 }, data.subarray(256 * width));
      await writer.writeWindow({ x: 0, y: 0, width, height: 256 }, data.subarray(0, 256 * width));
      await writer.close();
    };
    const cogPath = join(dir, 'cog.tif');
    const streamingPath = join(dir, 'streaming.tif');
    await write(cogPath, 'cog');
    await write(streamingPath, 'streaming');

    expect(existsSync(`${cogPath}.tiles`)).toBe(false); // the staging file is gone
    expect(gdalLayout(cogPath)).toBe('COG');
    expect(gdalLayout(streamingPath)).toBeUndefined();
    if (canValidateCog) {
      validateCog(cogPath);
      expect(() => validateCog(streamingPath)).toThrow();
    }
    const info = gdalInfo(cogPath);
    const reference = gdalInfo(streamingPath);
    expect(info.bands[0].checksum).toBe(reference.bands[0].checksum);
    expect(info.bands[0].overviews).toEqual(reference.bands[0].overviews);
    const band = info.bands[0] as { scale?: number; offset?: number; description?: string };
    expect(band).toMatchObject({ offset: 0, description: 'change probability' });
    expect(band.scale).toBeCloseTo(1 / 254, 12);
    const tiff = await fromFile(cogPath);
    const rasters = (await (await tiff.getImage()).readRasters()) as unknown as Uint8Array[];
    expect(Buffer.from(rasters[0]).equals(Buffer.from(data))).toBe(true);
    await tiff.close();
  });

  it('rejects windows outside the raster and data of the wrong length', async () => {
    const writer = await createGeoTiffWriter(join(dir, 'bad.tif'), {
      width: 600,
      height: 500,
      bands: 1,
      sampleType: 'uint8',
      grid: utm,
    });
    await expect(
      writer.writeWindow({ x: 590, y: 0, width: 20, height: 10 }, new Uint8Array(200)),
    ).rejects.toMatchObject({ code: 'WRITER_BAD_WINDOW' });
    await expect(
      writer.writeWindow({ x: 0, y: 0, width: 20, height: 10 }, new Uint8Array(10)),
    ).rejects.toMatchObject({ code: 'WRITER_BAD_WINDOW' });
    await writer.abort();
  });
});
