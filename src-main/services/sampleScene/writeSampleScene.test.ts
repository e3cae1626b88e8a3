import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSampleScene } from '../../core/sampleScene/generateSampleScene';
import { writeSampleSceneFiles, type SampleSceneTruthDocument } from './writeSampleScene';

describe('writeSampleSceneFiles', () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const f of folders) await rm(f, { recursive: true, force: true });
  });

  it('writes georeferenced GeoTIFFs that read back pixel for pixel, and the truth document', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'cm-sample-'));
    folders.push(folder);
    const scene = generateSampleScene({ seed: 3, width: 700, height: 600 });
    const files = await writeSampleSceneFiles(folder, scene);

    const tiff = await fromFile(files.after);
    const image = await tiff.getImage();
    expect(image.getWidth()).toBe(700);
    expect(image.getHeight()).toBe(600);
    expect(image.getSamplesPerPixel()).toBe(3);
    expect(image.getResolution()[0]).toBe(3);
    expect(image.getOrigin()[0]).toBe(scene.grid.geoTransform[0]);
    expect(image.getGeoKeys()?.ProjectedCSTypeGeoKey).toBe(32633);
    const rasters = (await image.readRasters({ window: [100, 200, 140, 230] })) as unknown as Uint8Array[];
    // Band 2 (blue), row 210, col 120 of the band-planar array.
    const n = 700 * 600;
    expect(rasters[2][10 * 40 + 20]).toBe(scene.after[2 * n + 210 * 700 + 120]);
    await tiff.close?.();

    const truthTiff = await fromFile(files.truth);
    const truth = (await (await truthTiff.getImage()).readRasters()) as unknown as Uint8Array[];
    let ones = 0;
    for (const v of truth[0]) ones += v;
    const document = JSON.parse(await readFile(files.truthJson, 'utf8')) as SampleSceneTruthDocument;
    expect(document.crs).toBe('EPSG:32633');
    expect(document.changedPixels).toBe(ones);
    expect(document.changes.length).toBe(scene.changes.length);
  });
});
