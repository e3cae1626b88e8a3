// A fake Planet Data API whose PSScene items are the generated sample scene's two dates (and a cloudy one, and one
// the key may not download), for tests that go from a Planet search to a project's imagery.
import { startSampleCatalogue } from '../../stac/testing/sampleCatalogue';
import { startFakePlanetApi, type FakePlanetApi } from './fakePlanetApi';

export const PLANET_BEFORE_ID = '20190601_103000_0f4a';
export const PLANET_AFTER_ID = '20210601_103000_1e2b';

export interface SamplePlanet {
  planet: FakePlanetApi;
  /** The scene's extent, west, south, east, north (WGS 84). */
  bbox: [number, number, number, number];
  close(): Promise<void>;
}

export async function startSamplePlanet(folder: string, size = 300): Promise<SamplePlanet> {
  // The sample catalogue writes the scene's two GeoTIFFs and knows their extent; only its files are used.
  const sample = await startSampleCatalogue(folder, size);
  await sample.close();
  const { files, bbox } = sample;
  const base = { itemType: 'PSScene', bbox };
  const planet = await startFakePlanetApi(
    [
      {
        ...base,
        id: PLANET_BEFORE_ID,
        acquired: '2019-06-01T10:30:00Z',
        cloudCover: 0.02,
        file: files.before,
      },
      {
        ...base,
        id: '20190620_103000_cloudy',
        acquired: '2019-06-20T10:30:00Z',
        cloudCover: 0.85,
        file: files.before,
      },
      { ...base, id: PLANET_AFTER_ID, acquired: '2021-06-01T10:30:00Z', cloudCover: 0.04, file: files.after },
      {
        ...base,
        id: '20210610_103000_locked',
        acquired: '2021-06-10T10:30:00Z',
        cloudCover: 0.01,
        file: files.after,
        downloadable: [],
      },
    ],
    { pageSize: 2, activationPolls: 1 },
  );
  return { planet, bbox, close: () => planet.close() };
}
