// A loopback STAC API whose scenes are the generated sample scene's two dates (and a few that cannot be used), for
// tests that go from a catalogue search to a run. Optionally the two dates come only as one COG per band (red,
// green, blue at the scene's pixel size, nir08 at twice it, as Sentinel-2's 10 m and 20 m bands), and the assets
// live on storage that needs Planetary Computer tokens.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import proj4 from 'proj4';
import type { GridSpec } from '../../../core/raster/types';
import { generateSampleScene, SAMPLE_SCENE_CRS } from '../../../core/sampleScene/generateSampleScene';
import { writeSampleSceneFiles, type SampleSceneFiles } from '../../sampleScene/writeSampleScene';
import { createGeoTiffWriter } from '../../imagery/geotiffWriter';
import { startLocalStac, type LocalBand, type LocalScene, type LocalStac } from './localStacServer';

export interface SampleCatalogueOptions {
  /** The two dates as one COG per band only (no visual asset). */
  perBand?: boolean;
  /** Assets on token-guarded storage (stac.sasApi / stac.storageEmulator say where). */
  signed?: boolean;
}

export interface SampleCatalogue {
  stac: LocalStac;
  files: SampleSceneFiles;
  /** The scene's extent, west, south, east, north (WGS 84). */
  bbox: [number, number, number, number];
  close(): Promise<void>;
}

export const SAMPLE_BEFORE_ID = 'SAMPLE_2019-06-01';
export const SAMPLE_AFTER_ID = 'SAMPLE_2021-06-01';
/** A scene with only a near-infrared band of its own: nothing ChangeMap can read as true colour. */
export const SAMPLE_NIR_ONLY_ID = 'SAMPLE_2020-06-01_nir_only';

export async function startSampleCatalogue(
  folder: string,
  size = 600,
  options: SampleCatalogueOptions = {},
): Promise<SampleCatalogue> {
  const scene = generateSampleScene({ width: size, height: size });
  const files = await writeSampleSceneFiles(folder, scene);
  // The before date's bands only where asked for (each file costs a test's set-up time).
  const bandsBefore = options.perBand
    ? await writeBandFiles(path.join(folder, 'bands-before'), scene.grid, scene.before)
    : undefined;
  const bandsAfter = await writeBandFiles(path.join(folder, 'bands-after'), scene.grid, scene.after);
  const perBand = options.perBand ? { layout: 'per-band' as const } : {};
  const [x0, dx, , y0, , dy] = scene.grid.geoTransform;
  const corners = [
    [x0, y0],
    [x0 + dx * size, y0],
    [x0, y0 + dy * size],
    [x0 + dx * size, y0 + dy * size],
  ].map(([x, y]) => proj4(SAMPLE_SCENE_CRS.proj4, 'EPSG:4326', [x, y]));
  const lons = corners.map((c) => c[0]);
  const lats = corners.map((c) => c[1]);
  const bbox: [number, number, number, number] = [
    Math.min(...lons),
    Math.min(...lats),
    Math.max(...lons),
    Math.max(...lats),
  ];
  const base = { collection: 'sample-aerial', bbox, platform: 'sample-camera', gsd: 3 };
  const scenes: LocalScene[] = [
    {
      ...base,
      id: SAMPLE_BEFORE_ID,
      datetime: '2019-06-01T10:30:00Z',
      cloudCover: 2,
      file: files.before,
      ...perBand,
      bands: bandsBefore,
    },
    {
      ...base,
      id: 'SAMPLE_2019-06-20_cloudy',
      datetime: '2019-06-20T10:30:00Z',
      cloudCover: 85,
      file: files.before,
    },
    {
      ...base,
      id: SAMPLE_AFTER_ID,
      datetime: '2021-06-01T10:30:00Z',
      cloudCover: 4,
      file: files.after,
      ...perBand,
      bands: bandsAfter,
    },
    { ...base, id: 'SAMPLE_2021-06-15_missing', datetime: '2021-06-15T10:30:00Z', cloudCover: 1, file: null },
    {
      ...base,
      id: 'SAMPLE_2021-06-20_bands',
      datetime: '2021-06-20T10:30:00Z',
      cloudCover: 3,
      file: files.after,
      layout: 'per-band',
      bands: bandsAfter,
    },
    {
      ...base,
      id: SAMPLE_NIR_ONLY_ID,
      datetime: '2020-06-01T10:30:00Z',
      cloudCover: 3,
      file: null,
      layout: 'per-band',
      bands: bandsAfter.filter((b) => b.commonName === 'nir08'),
    },
  ];
  const stac = await startLocalStac(scenes, {
    pageSize: 2,
    ...(options.signed ? { signedStorage: { account: 'sampleaccount', container: 'sample-aerial' } } : {}),
  });
  return { stac, files, bbox, close: () => stac.close() };
}

/** The scene's bands as single-band COGs, as Earth Search describes Sentinel-2's (nodata 0, a reflectance scale). */
async function writeBandFiles(folder: string, grid: GridSpec, pixels: Uint8Array): Promise<LocalBand[]> {
  await mkdir(folder, { recursive: true });
  const n = grid.width * grid.height;
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  const common = { scale: 1 / 255, offset: 0, nodata: 0 };
  const bands: LocalBand[] = ['red', 'green', 'blue'].map((commonName, b) => ({
    key: commonName,
    commonName,
    name: `B0${4 - b}`,
    file: path.join(folder, `${commonName}.tif`),
    resolutionM: Math.abs(dx),
    ...common,
  }));
  for (const [b, band] of bands.entries()) {
    await writeCog(band.file, grid, pixels.subarray(b * n, (b + 1) * n));
  }
  // nir08 at half the resolution (each pixel the mean of a 2 x 2 block of red: a stand-in signal).
  const coarse: GridSpec = {
    ...grid,
    width: Math.ceil(grid.width / 2),
    height: Math.ceil(grid.height / 2),
    geoTransform: [x0, dx * 2, 0, y0, 0, dy * 2],
  };
  const nir = new Uint8Array(coarse.width * coarse.height);
  for (let y = 0; y < coarse.height; y++) {
    for (let x = 0; x < coarse.width; x++) {
      let sum = 0;
      let count = 0;
      for (let j = 0; j < 2; j++)
        for (let i = 0; i < 2; i++) {
          const sx = 2 * x + i;
          const sy = 2 * y + j;
          if (sx < grid.width && sy < grid.height) {
            sum += pixels[sy * grid.width + sx];
            count++;
          }
        }
      nir[y * coarse.width + x] = Math.max(1, Math.round(sum / count));
    }
  }
  const nirFile = path.join(folder, 'nir08.tif');
  await writeCog(nirFile, coarse, nir);
  bands.push({
    key: 'nir08',
    commonName: 'nir08',
    name: 'B8A',
    file: nirFile,
    resolutionM: Math.abs(dx) * 2,
    ...common,
  });
  return bands;
}

async function writeCog(file: string, grid: GridSpec, data: Uint8Array): Promise<void> {
  const writer = await createGeoTiffWriter(file, {
    width: grid.width,
    height: grid.height,
    bands: 1,
    sampleType: 'uint8',
    grid,
    tileSize: 128,
    nodata: 0,
    // Tiled, without overviews: what range reads need, and quick to write.
    overviews: false,
  });
  await writer.writeWindow({ x: 0, y: 0, width: grid.width, height: grid.height }, data);
  await writer.close();
}
