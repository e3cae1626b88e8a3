// The generated pair (syntheticPair) written as two RGB GeoTIFFs, so `changemap run --synthetic` makes a project
// like any other: its imagery is files the app can open, draw and run again.
import fs from 'node:fs';
import path from 'node:path';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import { syntheticPair, syntheticSample, type SyntheticPairOptions } from './syntheticPair';

const BLOCK = 1024;
/** Byte value where the generated pair has no data. */
const NODATA = 0;

export async function writeSyntheticPairFiles(
  dir: string,
  options: SyntheticPairOptions,
): Promise<{ before: string; after: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const pair = syntheticPair({ ...options, bands: 3 });
  const { grid } = pair;
  const files = { before: path.join(dir, 'before.tif'), after: path.join(dir, 'after.tif') };
  const writers = await Promise.all(
    [files.before, files.after].map((file) =>
      createGeoTiffWriter(file, {
        width: grid.width,
        height: grid.height,
        bands: 3,
        sampleType: 'uint8',
        grid,
        nodata: NODATA,
        colour: 'rgb',
      }),
    ),
  );
  try {
    for (let y = 0; y < grid.height; y += BLOCK) {
      for (let x = 0; x < grid.width; x += BLOCK) {
        const window = {
          x,
          y,
          width: Math.min(BLOCK, grid.width - x),
          height: Math.min(BLOCK, grid.height - y),
        };
        const chunk = await pair.read(window);
        const n = window.width * window.height;
        for (const [i, values] of [chunk.before, chunk.after].entries()) {
          const bytes = new Uint8Array(values.length);
          for (let b = 0; b < 3; b++)
            for (let p = 0; p < n; p++)
              // 1..255 where valid, so the nodata value 0 marks only the generated gaps.
              bytes[b * n + p] = chunk.valid[p] ? syntheticSample(values[b * n + p]) : NODATA;
          await writers[i].writeWindow(window, bytes);
        }
      }
    }
    await Promise.all(writers.map((w) => w.close()));
  } catch (error) {
    await Promise.all(writers.map((w) => w.abort().catch(() => undefined)));
    throw error;
  } finally {
    await pair.close();
  }
  return files;
}
