// Writes the generated sample scene to a folder as real GeoTIFFs (before.tif, after.tif, truth.tif) and a
// truth.json of the planted changes, so the demo, end-to-end tests and `npm run eval` use it like any imagery.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateSampleScene,
  type SampleScene,
  type SampleSceneOptions,
} from '../../core/sampleScene/generateSampleScene';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';

export interface SampleSceneFiles {
  before: string;
  after: string;
  truth: string;
  truthJson: string;
}

/** File names inside the folder. */
export const SAMPLE_SCENE_FILE_NAMES = {
  before: 'before.tif',
  after: 'after.tif',
  truth: 'truth.tif',
  truthJson: 'truth.json',
} as const;

/** The truth.json document: what was planted where (polygons in the scene's CRS, metres). */
export interface SampleSceneTruthDocument {
  schema: 'changemap.sample-scene-truth/1';
  seed: number;
  crs: string | null;
  geoTransform: number[];
  width: number;
  height: number;
  changedPixels: number;
  changes: SampleScene['changes'];
}

async function writeRaster(
  path: string,
  scene: SampleScene,
  bands: number,
  data: Uint8Array,
  mask: boolean,
): Promise<void> {
  const { width, height } = scene.grid;
  const writer = await createGeoTiffWriter(path, {
    width,
    height,
    bands,
    sampleType: 'uint8',
    grid: scene.grid,
    compression: 'deflate',
    nodata: null,
    overviewResampling: mask ? 'nearest' : 'average',
  });
  try {
    await writer.writeWindow({ x: 0, y: 0, width, height }, data);
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Writes an already generated scene into `folder` (created if missing). */
export async function writeSampleSceneFiles(folder: string, scene: SampleScene): Promise<SampleSceneFiles> {
  await mkdir(folder, { recursive: true });
  const files: SampleSceneFiles = {
    before: join(folder, SAMPLE_SCENE_FILE_NAMES.before),
    after: join(folder, SAMPLE_SCENE_FILE_NAMES.after),
    truth: join(folder, SAMPLE_SCENE_FILE_NAMES.truth),
    truthJson: join(folder, SAMPLE_SCENE_FILE_NAMES.truthJson),
  };
  await writeRaster(files.before, scene, 3, scene.before, false);
  await writeRaster(files.after, scene, 3, scene.after, false);
  await writeRaster(files.truth, scene, 1, scene.truth, true);
  let changedPixels = 0;
  for (const v of scene.truth) changedPixels += v;
  const document: SampleSceneTruthDocument = {
    schema: 'changemap.sample-scene-truth/1',
    seed: scene.seed,
    crs: scene.grid.crs.code,
    geoTransform: [...scene.grid.geoTransform],
    width: scene.grid.width,
    height: scene.grid.height,
    changedPixels,
    changes: scene.changes,
  };
  await writeFile(files.truthJson, JSON.stringify(document, null, 2) + '\n');
  return files;
}

/** Generates the sample scene (deterministic for the options) and writes it into `folder`. */
export async function writeSampleScene(
  folder: string,
  options: SampleSceneOptions = {},
): Promise<SampleSceneFiles> {
  return writeSampleSceneFiles(folder, generateSampleScene(options));
}
