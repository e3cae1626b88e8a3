import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from '../imagery/geotiffSource';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import { openMemoryProjectDb } from '../project/memoryDb';
import { computeRegions } from './computeRegions';
import { listRegions } from './listRegions';
import { memoryProbabilityReader, probabilityReaderFromRaster } from './probabilityReader';
import { blobs, utmGrid } from './regions.testutil';
import { insertFinishedRun } from '../project/testing/finishedRun';

const dir = mkdtempSync(join(tmpdir(), 'cm-regions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probabilityReaderFromRaster', () => {
  it('finds the same regions in a tiled float32 GeoTIFF as in memory', async () => {
    const W = 300;
    const H = 200;
    const grid = utmGrid(W, H);
    const values = blobs(W, H, [
      [60, 60, 30],
      [200, 120, 45],
      [280, 20, 8],
    ]);
    const file = join(dir, 'probability.tif');
    const writer = await createGeoTiffWriter(file, {
      width: W,
      height: H,
      bands: 1,
      sampleType: 'float32',
      grid: { ...grid, crs: { ...grid.crs } },
      tileSize: 64,
      nodata: -1,
      overviews: false,
    });
    await writer.writeWindow({ x: 0, y: 0, width: W, height: H }, values);
    await writer.close();
    const source = await openGeoTiff(file);
    const reader = probabilityReaderFromRaster(source);
    expect(reader.nodata).toBe(-1);
    const settings = { threshold: 0.5, openingRadius: 1, closingRadius: 1, minAreaM2: 0, chunkSize: 100 };
    const db = openMemoryProjectDb();
    const run = insertFinishedRun(db, { model: 't' });
    const fromFile = await computeRegions(db, run, reader, settings);
    const a = listRegions(db, { runId: run }).regions.map((r) => [r.pixelCount, r.areaM2]);
    const inMemory = await computeRegions(db, run, memoryProbabilityReader(grid, values, -1), settings);
    const b = listRegions(db, { runId: run }).regions.map((r) => [r.pixelCount, r.areaM2]);
    expect(fromFile.regionCount).toBe(3);
    expect(inMemory.regionCount).toBe(3);
    expect(a).toEqual(b);
    await source.close();
  });
});
