// Fixture rasters for tests, written by the project's own writer.
import type { GridSpec, SampleType } from '../../../core/raster/types';
import { crsFromEpsg, PIXEL_CRS, PIXEL_GEOTRANSFORM } from '../crs';
import { createGeoTiffWriter, type GeoTiffWriterOptions } from '../geotiffWriter';

export function utmGrid(
  width: number,
  height: number,
  originX = 500000,
  originY = 5600000,
  pixel = 10,
): GridSpec {
  return { width, height, geoTransform: [originX, pixel, 0, originY, 0, -pixel], crs: crsFromEpsg(32633) };
}

export function pixelGrid(width: number, height: number): GridSpec {
  return { width, height, geoTransform: PIXEL_GEOTRANSFORM, crs: PIXEL_CRS };
}

/** Smooth but non-trivial values (so resampling differences show) for band b at (x, y). */
export function sceneValue(x: number, y: number, b: number, max = 255): number {
  return Math.round(((Math.sin(x / 7 + b) + Math.cos(y / 11 - b) + 2) / 4) * (max - 1)) + 1;
}

export function sceneData(
  grid: GridSpec,
  bands: number,
  type: SampleType,
  x0 = 0,
  y0 = 0,
): Uint8Array | Uint16Array {
  const n = grid.width * grid.height;
  const data = type === 'uint16' ? new Uint16Array(n * bands) : new Uint8Array(n * bands);
  const max = type === 'uint16' ? 10000 : 255;
  for (let b = 0; b < bands; b++)
    for (let y = 0; y < grid.height; y++)
      for (let x = 0; x < grid.width; x++)
        data[b * n + y * grid.width + x] = sceneValue(x + x0, y + y0, b, max);
  return data;
}

export async function writeFixture(
  path: string,
  grid: GridSpec,
  bands: number,
  data: ArrayLike<number>,
  options: Partial<GeoTiffWriterOptions> = {},
): Promise<void> {
  const writer = await createGeoTiffWriter(path, {
    width: grid.width,
    height: grid.height,
    bands,
    sampleType: data instanceof Uint16Array ? 'uint16' : data instanceof Float32Array ? 'float32' : 'uint8',
    grid,
    tileSize: 64,
    overviews: false,
    ...options,
  });
  await writer.writeWindow({ x: 0, y: 0, width: grid.width, height: grid.height }, data);
  await writer.close();
}
