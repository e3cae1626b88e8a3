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

/** A block of pixels set to one value in every band of the after date: a planted change. */
export interface PlantedChange {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

/** A bright block (a new roof) and a dark one (cleared to water), for a grid of at least 300 x 240 pixels. */
export const TWO_PLANTED_CHANGES: readonly PlantedChange[] = [
  { x: 40, y: 60, width: 100, height: 60, value: 250 },
  { x: 250, y: 200, width: 50, height: 40, value: 5 },
];

/** A copy of band-planar `data` on `grid` with `changes` planted in each of its `bands`. */
export function withPlantedChanges(
  data: Uint8Array,
  grid: GridSpec,
  bands: number,
  changes: readonly PlantedChange[],
): Uint8Array {
  const changed = data.slice();
  const n = grid.width * grid.height;
  for (const c of changes)
    for (let b = 0; b < bands; b++)
      for (let y = c.y; y < c.y + c.height; y++)
        changed.fill(c.value, b * n + y * grid.width + c.x, b * n + y * grid.width + c.x + c.width);
  return changed;
}

/** Writes the smooth 3-band scene on `grid` as the before date, and as the after date with `changes` planted. */
export async function writePlantedPair(
  before: string,
  after: string,
  grid: GridSpec,
  changes: readonly PlantedChange[] = TWO_PLANTED_CHANGES,
): Promise<void> {
  const data = sceneData(grid, 3, 'uint8') as Uint8Array;
  await writeFixture(before, grid, 3, data);
  await writeFixture(after, grid, 3, withPlantedChanges(data, grid, 3, changes));
}

/**
 * Three dates of the smooth 3-band scene on `grid` (at least 300 x 240 pixels): date 2 adds the bright block of
 * TWO_PLANTED_CHANGES (A), date 3 keeps it and adds the dark one (B).
 */
export async function writeThreeDates(
  files: readonly [string, string, string],
  grid: GridSpec,
): Promise<void> {
  const first = sceneData(grid, 3, 'uint8') as Uint8Array;
  const second = withPlantedChanges(first, grid, 3, TWO_PLANTED_CHANGES.slice(0, 1));
  const third = withPlantedChanges(second, grid, 3, TWO_PLANTED_CHANGES.slice(1));
  await writeFixture(files[0], grid, 3, first);
  await writeFixture(files[1], grid, 3, second);
  await writeFixture(files[2], grid, 3, third);
}
