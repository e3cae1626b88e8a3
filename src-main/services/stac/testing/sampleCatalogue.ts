// A loopback STAC API whose scenes are the generated sample scene's two dates (and a few that cannot be used), for
// tests that go from a catalogue search to a run.
import proj4 from 'proj4';
import { generateSampleScene, SAMPLE_SCENE_CRS } from '../../../core/sampleScene/generateSampleScene';
import { writeSampleSceneFiles, type SampleSceneFiles } from '../../sampleScene/writeSampleScene';
import { startLocalStac, type LocalScene, type LocalStac } from './localStacServer';

export interface SampleCatalogue {
  stac: LocalStac;
  files: SampleSceneFiles;
  /** The scene's extent, west, south, east, north (WGS 84). */
  bbox: [number, number, number, number];
  close(): Promise<void>;
}

export const SAMPLE_BEFORE_ID = 'SAMPLE_2019-06-01';
export const SAMPLE_AFTER_ID = 'SAMPLE_2021-06-01';

export async function startSampleCatalogue(folder: string, size = 600): Promise<SampleCatalogue> {
  const scene = generateSampleScene({ width: size, height: size });
  const files = await writeSampleSceneFiles(folder, scene);
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
    { ...base, id: SAMPLE_BEFORE_ID, datetime: '2019-06-01T10:30:00Z', cloudCover: 2, file: files.before },
    {
      ...base,
      id: 'SAMPLE_2019-06-20_cloudy',
      datetime: '2019-06-20T10:30:00Z',
      cloudCover: 85,
      file: files.before,
    },
    { ...base, id: SAMPLE_AFTER_ID, datetime: '2021-06-01T10:30:00Z', cloudCover: 4, file: files.after },
    { ...base, id: 'SAMPLE_2021-06-15_missing', datetime: '2021-06-15T10:30:00Z', cloudCover: 1, file: null },
    {
      ...base,
      id: 'SAMPLE_2021-06-20_bands',
      datetime: '2021-06-20T10:30:00Z',
      cloudCover: 3,
      file: files.after,
      layout: 'per-band',
    },
  ];
  const stac = await startLocalStac(scenes, { pageSize: 2 });
  return { stac, files, bbox, close: () => stac.close() };
}
