import { PROBABILITY_SCALE } from '../../core/tiling/blend';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChangeMapError } from '../../core/errors';
import type { GridSpec } from '../../core/raster/types';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import { projectDataDir } from '../project/projectStore';
import { exportRaster } from './exportRaster';
import { createTestProject, TEST_GRID, writeEarlierExport, type TestProject } from './exportTestProject';
import { canValidateCog, gdalInfo, gdalLayout, validateCog } from './gdalProbe';

// Not a multiple of the 256-pixel tile nor of the block, so edge blocks and partial tiles are exercised.
const WIDTH = 520;
const HEIGHT = 300;
const GRID: GridSpec = { ...TEST_GRID, width: WIDTH, height: HEIGHT };
const NODATA = -1;

function probabilityAt(x: number, y: number): number {
  if (x < 20 && y < 10) return NODATA; // a corner without data
  return ((x * 7 + y * 13) % 100) / 100;
}

/** Writes a run's probability raster over GRID into the project's data folder at `runs/<runDir>/probability.tif`. */
async function writeRunProbability(
  runDir: string,
  data: Float32Array | Uint8Array,
  nodata: number,
): Promise<void> {
  const dir = path.join(projectDataDir(project.file), 'runs', runDir);
  fs.mkdirSync(dir, { recursive: true });
  const writer = await createGeoTiffWriter(path.join(dir, 'probability.tif'), {
    width: WIDTH,
    height: HEIGHT,
    bands: 1,
    sampleType: data instanceof Uint8Array ? 'uint8' : 'float32',
    grid: GRID,
    nodata,
  });
  await writer.writeWindow({ x: 0, y: 0, width: WIDTH, height: HEIGHT }, data);
  await writer.close();
}

let project: TestProject;
let outDir: string;
let counter = 0;

beforeAll(async () => {
  project = createTestProject(GRID);
  const data = new Float32Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) data[y * WIDTH + x] = probabilityAt(x, y);
  await writeRunProbability(String(project.runId), data, NODATA);
  project.db
    .prepare('UPDATE cm_runs SET probability_path = ? WHERE id = ?')
    .run(`runs/${project.runId}/probability.tif`, project.runId);
});
afterAll(() => project.close());
beforeEach(() => {
  outDir = path.join(project.dir, `raster${counter++}`);
  fs.mkdirSync(outDir);
});

/** Pixel values as GDAL decodes them (gdal_translate to XYZ text: "x y value" per pixel, rows top to bottom). */
function gdalPixels(file: string): number[] {
  const text = execFileSync('gdal_translate', ['-q', '-of', 'XYZ', file, '/vsistdout/'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return text
    .trim()
    .split('\n')
    .map((line) => Number(line.split(/\s+/)[2]));
}

interface GdalRasterInfo {
  size: number[];
  geoTransform: number[];
  coordinateSystem: { wkt: string };
  bands: { type: string; noDataValue?: number; computedMin?: number; computedMax?: number }[];
}

function expectSameGrid(info: GdalRasterInfo) {
  expect(info.size).toEqual([WIDTH, HEIGHT]);
  expect(info.geoTransform).toEqual(GRID.geoTransform);
  expect(info.coordinateSystem.wkt).toMatch(/ID\["EPSG",32633\]\]$/);
}

/** A Cloud-Optimized GeoTIFF for gdalinfo (LAYOUT=COG) and, where python3-gdal is installed, GDAL's validator. */
function expectCog(file: string) {
  expect(gdalLayout(file)).toBe('COG');
  if (canValidateCog) validateCog(file);
}

describe('raster exports', () => {
  it('exports the probability raster with the run’s values as a Cloud-Optimized GeoTIFF', async () => {
    const out = path.join(outDir, 'probability.tif');
    const result = await exportRaster(project.db, { runId: project.runId, kind: 'probability', out });
    expect(result).toEqual({ path: out, width: WIDTH, height: HEIGHT });
    const source = path.join(projectDataDir(project.file), 'runs', String(project.runId), 'probability.tif');
    const info = gdalInfo(out) as unknown as GdalRasterInfo;
    expectSameGrid(info);
    expect(info.bands[0].type).toBe('Float32');
    expect(info.bands[0].noDataValue).toBe(NODATA);
    expect(gdalPixels(out)).toEqual(gdalPixels(source));
    expectCog(out);
  });

  it('exports the change mask: 1 at or above the threshold, 0 below, 255 without data, on the same grid', async () => {
    const out = path.join(outDir, 'mask.tif');
    const threshold = 0.62;
    const result = await exportRaster(
      project.db,
      { runId: project.runId, kind: 'mask', threshold, out },
      { blockSize: 256 },
    );
    const info = gdalInfo(out) as unknown as GdalRasterInfo;
    expectSameGrid(info);
    expect(info.bands[0]).toMatchObject({ type: 'Byte', noDataValue: 255, computedMin: 0, computedMax: 1 });

    const pixels = gdalPixels(out);
    expect(pixels).toHaveLength(WIDTH * HEIGHT);
    let expectedChanged = 0;
    let mismatches = 0;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const p = probabilityAt(x, y);
        // Compare in float32, as the raster stores it
        const expected = p === NODATA ? 255 : Math.fround(p) >= Math.fround(threshold) ? 1 : 0;
        if (expected === 1) expectedChanged++;
        if (pixels[y * WIDTH + x] !== expected) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(result.changedPixels).toBe(expectedChanged);
    expect(fs.readdirSync(outDir)).toEqual(['mask.tif']);
    expectCog(out);
  });

  it('reads uint8 probability rasters (as runs write them: probability x 254, nodata 255)', async () => {
    const info = project.db
      .prepare(
        `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params, probability_path)
         SELECT status, model_name, model_version, model_sha256, provider_requested, params, 'runs/u8/probability.tif'
         FROM cm_runs WHERE id = ?`,
      )
      .run(project.runId);
    const data = new Uint8Array(WIDTH * HEIGHT);
    for (let i = 0; i < data.length; i++) data[i] = i % 256; // 255 = no data
    await writeRunProbability('u8', data, 255);

    const out = path.join(outDir, 'mask.tif');
    const threshold = 0.5;
    const result = await exportRaster(project.db, {
      runId: Number(info.lastInsertRowid),
      kind: 'mask',
      threshold,
      out,
    });
    const pixels = gdalPixels(out);
    const expected = Array.from(data, (v) => (v === 255 ? 255 : v / PROBABILITY_SCALE >= threshold ? 1 : 0));
    expect(pixels).toEqual(expected);
    expect(result.changedPixels).toBe(expected.filter((v) => v === 1).length);

    // The probability keeps its bytes, and says how to read them: GDAL (and QGIS) see 0..1.
    const probability = path.join(outDir, 'probability.tif');
    await exportRaster(project.db, {
      runId: Number(info.lastInsertRowid),
      kind: 'probability',
      out: probability,
    });
    expect(gdalPixels(probability)).toEqual(Array.from(data));
    expectCog(probability);
    const band = (gdalInfo(probability) as unknown as { bands: { scale: number; offset: number }[] })
      .bands[0];
    expect(band.offset).toBe(0);
    expect(band.scale).toBeCloseTo(1 / PROBABILITY_SCALE, 12);
    const unscaled = path.join(outDir, 'unscaled.tif');
    execFileSync('gdal_translate', ['-q', '-unscale', '-ot', 'Float32', probability, unscaled]);
    const stats = (gdalInfo(unscaled) as unknown as GdalRasterInfo).bands[0];
    expect(stats).toMatchObject({ computedMin: 0, computedMax: 1 });
  });

  it('uses the run’s region threshold when none is given, else 0.5', async () => {
    const count = async (name: string) =>
      (await exportRaster(project.db, { runId: project.runId, kind: 'mask', out: path.join(outDir, name) }))
        .changedPixels;
    const atHalf = await count('a.tif');
    project.db
      .prepare('UPDATE cm_runs SET region_settings = ? WHERE id = ?')
      .run('{"threshold":0.9}', project.runId);
    try {
      const atNinety = await count('b.tif');
      expect(atNinety).toBeLessThan(atHalf!);
      expect(atNinety).toBeGreaterThan(0);
    } finally {
      project.db.prepare("UPDATE cm_runs SET region_settings = '{}' WHERE id = ?").run(project.runId);
    }
  });

  it('a full disk while writing the mask leaves the old file and no temporary file', async () => {
    const out = path.join(outDir, 'mask.tif');
    const earlier = writeEarlierExport(out, 'geotiff');
    const fsync = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' });
    };
    const error = await exportRaster(
      project.db,
      { runId: project.runId, kind: 'mask', out, overwrite: out },
      { fileOps: { fsync } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangeMapError);
    expect((error as ChangeMapError).code).toBe('EXPORT_DISK_FULL');
    expect(fs.readdirSync(outDir)).toEqual(['mask.tif']);
    expect(fs.readFileSync(out)).toEqual(earlier);
  });

  it('a full disk while writing the probability raster leaves nothing behind', async () => {
    const out = path.join(outDir, 'p.tif');
    const fsync = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' });
    };
    const error = await exportRaster(
      project.db,
      { runId: project.runId, kind: 'probability', out },
      { fileOps: { fsync } },
    ).catch((e: unknown) => e);
    expect((error as ChangeMapError).code).toBe('EXPORT_DISK_FULL');
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it('says when a run has no probability raster, and refuses an existing file without overwrite', async () => {
    const error = await exportRaster(project.db, {
      runId: project.otherRunId,
      kind: 'mask',
      out: path.join(outDir, 'x.tif'),
    }).catch((e: unknown) => e as ChangeMapError);
    expect((error as ChangeMapError).code).toBe('EXPORT_NO_RASTER');
    const out = path.join(outDir, 'exists.tif');
    fs.writeFileSync(out, 'keep');
    const exists = await exportRaster(project.db, { runId: project.runId, kind: 'mask', out }).catch(
      (e: unknown) => e as ChangeMapError,
    );
    expect((exists as ChangeMapError).code).toBe('EXPORT_EXISTS');
    expect(fs.readFileSync(out, 'utf8')).toBe('keep');
    expect(fs.readdirSync(outDir)).toEqual(['exists.tif']);
  });
});
