// Issue 12: a georeference no place on Earth can hold is refused at open with its own code (it was reported as "no
// overlap", or longitude 5000 was written into the outputs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GeoTransform, GridSpec } from '../../core/raster/types';
import { crsFromEpsg, PIXEL_CRS } from './crs';
import { checkGeoreference } from './georeferenceCheck';
import { openImagerySet } from './imagerySet';
import { sceneData, writeFixture } from './testing/fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-georef-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const grid = (geoTransform: GeoTransform, epsg = 32633): GridSpec => ({
  width: 64,
  height: 64,
  geoTransform,
  crs: crsFromEpsg(epsg),
});
const codeOf = (g: GridSpec) => {
  try {
    checkGeoreference(g, 'x.tif');
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('checkGeoreference', () => {
  it('accepts ordinary grids, south-up ones, global ones and grids centred on the Pacific', () => {
    expect(codeOf(grid([500000, 10, 0, 5600000, 0, -10]))).toBeNull();
    expect(codeOf(grid([500000, 10, 0, 5600000, 0, 10]))).toBeNull();
    expect(codeOf({ ...grid([-180, 1, 0, 90, 0, -1], 4326), width: 360, height: 180 })).toBeNull();
    expect(codeOf({ ...grid([0, 1, 0, 90, 0, -1], 4326), width: 360, height: 180 })).toBeNull();
    expect(codeOf({ ...grid([0, 1, 0, 0, 0, -1]), crs: PIXEL_CRS })).toBeNull();
  });

  it('refuses a geotransform without area, with NaN, or running west', () => {
    expect(codeOf(grid([500000, 0, 0, 5600000, 0, 0]))).toBe('GEOREFERENCE_INVALID');
    expect(codeOf(grid([500000, 10, 10, 5600000, 10, 10]))).toBe('GEOREFERENCE_INVALID');
    expect(codeOf(grid([NaN, 10, 0, 5600000, 0, -10]))).toBe('GEOREFERENCE_INVALID');
    expect(codeOf(grid([500000, -10, 0, 5600000, 0, 10]))).toBe('GEOREFERENCE_INVALID');
  });

  it('refuses coordinates outside the Earth', () => {
    expect(codeOf(grid([5000, 0.0001, 0, 45, 0, -0.0001], 4326))).toBe('GEOREFERENCE_OUT_OF_RANGE');
    expect(codeOf(grid([10, 0.0001, 0, 95, 0, -0.0001], 4326))).toBe('GEOREFERENCE_OUT_OF_RANGE');
    expect(codeOf(grid([1e12, 10, 0, 5600000, 0, -10]))).toBe('GEOREFERENCE_OUT_OF_RANGE');
  });
});

describe('opening imagery', () => {
  it('refuses a GeoTIFF at longitude 5000 naming the file, the value and the next step', async () => {
    const g = grid([5000, 0.0001, 0, 45, 0, -0.0001], 4326);
    const file = path.join(dir, 'lon5000.tif');
    await writeFixture(file, g, 3, sceneData(g, 3, 'uint8'));
    const error = await openImagerySet([file]).catch((e: unknown) => e as { code: string; message: string });
    expect(error).toMatchObject({ code: 'GEOREFERENCE_OUT_OF_RANGE' });
    expect((error as { message: string }).message).toMatch(
      /"lon5000\.tif" reaches longitude 5000, .*gdal_edit\.py/,
    );
  });

  it('refuses a zero pixel size as GEOREFERENCE_INVALID, not as "no overlap"', async () => {
    const g = grid([500000, 0, 0, 5600000, 0, 0]);
    const file = path.join(dir, 'zero.tif');
    await writeFixture(file, g, 3, sceneData(g, 3, 'uint8'));
    const error = await openImagerySet([file]).catch((e: unknown) => e as { code: string; message: string });
    expect(error).toMatchObject({ code: 'GEOREFERENCE_INVALID' });
    expect((error as { message: string }).message).toMatch(/zero pixel size or a singular geotransform/);
  });
});
