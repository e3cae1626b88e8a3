// Imagery for end-to-end tests, written by the project's own sample-scene generator and GeoTIFF writer into the
// test's fresh work folder (never read from /work/shared/data).
import fs from 'node:fs';
import path from 'node:path';
import { SAMPLE_SCENE_CRS } from '../../src-main/core/sampleScene/generateSampleScene';
import { createGeoTiffWriter } from '../../src-main/services/imagery/geotiffWriter';
import {
  writeSampleScene,
  type SampleSceneFiles,
} from '../../src-main/services/sampleScene/writeSampleScene';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The test-only change model (kilobytes, hand-set weights) and the shipped one. */
export const TINY_CHANGE_MODEL = path.join(REPO_ROOT, 'models', 'test', 'tiny-change.onnx');

/** A before/after pair of the sample scene: 3 m pixels, UTM 33N, planted changes. */
export async function writeScenePair(
  dir: string,
  options: { size?: number; seed?: number; origin?: [number, number] } = {},
): Promise<SampleSceneFiles> {
  const size = options.size ?? 512;
  return writeSampleScene(dir, {
    width: size,
    height: size,
    seed: options.seed ?? 7,
    origin: options.origin,
  });
}

/** A small flat RGB GeoTIFF somewhere in UTM 33N (for footprints that must not overlap another date). */
export async function writeFlatTile(
  file: string,
  options: { origin: [number, number]; size?: number; pixelSizeM?: number; value?: number },
): Promise<string> {
  const size = options.size ?? 64;
  const px = options.pixelSizeM ?? 3;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const writer = await createGeoTiffWriter(file, {
    width: size,
    height: size,
    bands: 3,
    sampleType: 'uint8',
    grid: {
      width: size,
      height: size,
      crs: { ...SAMPLE_SCENE_CRS },
      geoTransform: [options.origin[0], px, 0, options.origin[1], 0, -px],
    },
    nodata: null,
    overviews: false,
  });
  await writer.writeWindow(
    { x: 0, y: 0, width: size, height: size },
    new Uint8Array(size * size * 3).fill(options.value ?? 120),
  );
  await writer.close();
  return file;
}

/** Bytes that are not a TIFF at all, under a .tif name. */
export function writeNotATiff(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '<html><body>This is a web page, saved with the wrong name.</body></html>\n');
  return file;
}

/**
 * A copy of the tiny test model whose card says another region threshold, so a test can tell the card's
 * threshold from the app's default.
 */
export function copyTinyModel(dir: string, threshold: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const onnx = path.join(dir, 'tiny-change.onnx');
  fs.copyFileSync(TINY_CHANGE_MODEL, onnx);
  const card = JSON.parse(fs.readFileSync(TINY_CHANGE_MODEL.replace(/\.onnx$/, '.card.json'), 'utf8'));
  card.threshold = threshold;
  fs.writeFileSync(path.join(dir, 'tiny-change.card.json'), JSON.stringify(card, null, 2));
  return onnx;
}
