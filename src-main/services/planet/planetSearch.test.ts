import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stacSearchRequest, type StacSearchRequest } from '../../ipc/stacSchemas';
import { searchPlanet } from './planetSearch';
import { startFakePlanetApi, type FakePlanetApi, type FakePlanetItem } from './testing/fakePlanetApi';

const item = (id: string, day: string, extra: Partial<FakePlanetItem> = {}): FakePlanetItem => ({
  id,
  itemType: 'PSScene',
  acquired: `${day}T10:11:12.5Z`,
  cloudCover: 0.05,
  bbox: [15.0, 48.0, 15.2, 48.2],
  file: '/nonexistent.tif',
  ...extra,
});

const ITEMS: FakePlanetItem[] = [
  item('20190601_101112_1001', '2019-06-01'),
  item('20190611_101112_1002', '2019-06-11', { cloudCover: 0.8 }),
  item('20190621_101112_1003', '2019-06-21'),
  item('20190701_101112_1004', '2019-07-01'),
  item('20190711_101112_1005', '2019-07-11', { downloadable: [] }),
  item('20190721_101112_1006', '2019-07-21', { assets: ['ortho_analytic_4b_sr'] }),
  item('20200601_101112_1007', '2020-06-01'),
  item('20190605_elsewhere', '2019-06-05', { bbox: [100, 10, 101, 11] }),
  item('20190615_skysat', '2019-06-15', { itemType: 'SkySatCollect' }),
];

let fake: FakePlanetApi;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  fake = await startFakePlanetApi(ITEMS, { pageSize: 2 });
  env = { CHANGEMAP_PLANET_API_URL: fake.url };
});
afterAll(() => fake.close());

const query = (q: Partial<StacSearchRequest> = {}) =>
  stacSearchRequest.parse({
    apiUrl: fake.url,
    collections: ['PSScene'],
    bbox: [15.05, 48.05, 15.1, 48.1],
    from: '2019-06-01',
    to: '2019-07-31',
    ...q,
  });

describe('searchPlanet', () => {
  it('sends a quick search with the area, days and cloud fraction, and follows _next pages', async () => {
    fake.requests.length = 0;
    const result = await searchPlanet(query({ maxCloudCover: 20 }), fake.key, { env });
    expect(result.scenes.map((s) => s.id)).toEqual([
      '20190601_101112_1001',
      '20190621_101112_1003',
      '20190701_101112_1004',
      '20190711_101112_1005',
      '20190721_101112_1006',
    ]);
    // 5 matches at 2 a page.
    expect(result.pages).toBe(3);
    const [first, ...later] = fake.requests;
    expect(first.method).toBe('POST');
    expect(first.path).toMatch(/^\/quick-search\?/);
    expect(first.body).toEqual({
      item_types: ['PSScene'],
      filter: {
        type: 'AndFilter',
        config: [
          {
            type: 'GeometryFilter',
            field_name: 'geometry',
            config: {
              type: 'Polygon',
              coordinates: [
                [
                  [15.05, 48.05],
                  [15.1, 48.05],
                  [15.1, 48.1],
                  [15.05, 48.1],
                  [15.05, 48.05],
                ],
              ],
            },
          },
          {
            type: 'DateRangeFilter',
            field_name: 'acquired',
            config: { gte: '2019-06-01T00:00:00.000Z', lte: '2019-07-31T23:59:59.999Z' },
          },
          { type: 'RangeFilter', field_name: 'cloud_cover', config: { lte: 0.2 } },
        ],
      },
    });
    expect(later.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(fake.requests.every((r) => r.authorized)).toBe(true);
  });

  it('makes scenes of Planet items: percent cloud cover, resolution, footprint, thumbnail and the asset to activate', async () => {
    const { scenes } = await searchPlanet(query({ to: '2019-06-01' }), fake.key, { env });
    expect(scenes).toHaveLength(1);
    const [scene] = scenes;
    expect(scene).toMatchObject({
      id: '20190601_101112_1001',
      collection: 'PSScene',
      itemUrl: `${fake.url}/item-types/PSScene/items/20190601_101112_1001`,
      datetime: '2019-06-01T10:11:12.500Z',
      cloudCover: 5,
      gsdM: 3,
      platform: '2416',
      bbox: [15.0, 48.0, 15.2, 48.2],
      thumbnailUrl: `${fake.url}/thumb/PSScene/20190601_101112_1001`,
      asset: {
        key: 'ortho_visual',
        href: `${fake.url}/item-types/PSScene/items/20190601_101112_1001/assets/`,
        commonNames: ['red', 'green', 'blue'],
      },
      unusable: null,
    });
    expect(scene.footprint[0]).toHaveLength(5);
  });

  it('takes the analytic image where no visual one is offered, and says why when none may be downloaded', async () => {
    const { scenes } = await searchPlanet(query({ from: '2019-07-11', to: '2019-07-21' }), fake.key, { env });
    const byId = Object.fromEntries(scenes.map((s) => [s.id, s]));
    expect(byId['20190721_101112_1006'].asset?.key).toBe('ortho_analytic_4b_sr');
    expect(byId['20190721_101112_1006'].asset?.commonNames).toEqual(['blue', 'green', 'red', 'nir']);
    expect(byId['20190711_101112_1005'].asset).toBeNull();
    expect(byId['20190711_101112_1005'].unusable).toMatch(/may not download/);
  });

  it('searches the item types asked for, and stops at the limit saying there was more', async () => {
    const skysat = await searchPlanet(query({ collections: ['SkySatCollect'] }), fake.key, { env });
    expect(skysat.scenes.map((s) => s.id)).toEqual(['20190615_skysat']);
    const limited = await searchPlanet(query({ limit: 3 }), fake.key, { env });
    expect(limited.scenes).toHaveLength(3);
    expect(limited.truncated).toBe(true);
  });

  describe('every bad answer ends in one sentence', () => {
    const cases: [NonNullable<FakePlanetApi['failSearch']>, string, RegExp][] = [
      ['http401', 'PLANET_KEY_REFUSED', /refused your API key .*HTTP 401.*enter it again/],
      ['http429', 'PLANET_RATE_LIMITED', /HTTP 429.*try again in 7 s/],
      ['http500', 'PLANET_SERVER_ERROR', /failed to answer the search \(HTTP 500\)/],
      ['badjson', 'PLANET_BAD_RESPONSE', /not JSON/],
      ['stall', 'PLANET_TIMEOUT', /did not answer the search within 1 s/],
    ];
    for (const [failure, code, message] of cases) {
      it(`${failure} -> ${code}`, async () => {
        fake.failSearch = failure;
        try {
          await expect(searchPlanet(query(), fake.key, { env, timeoutMs: 1000 })).rejects.toMatchObject({
            code,
            message: expect.stringMatching(message),
          });
        } finally {
          fake.failSearch = null;
        }
      });
    }

    it('a wrong key is refused', async () => {
      await expect(searchPlanet(query(), 'PLAKnot-the-right-key-000000000', { env })).rejects.toMatchObject({
        code: 'PLANET_KEY_REFUSED',
      });
    });

    it('a cancelled search says so', async () => {
      fake.failSearch = 'stall';
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      try {
        await expect(
          searchPlanet(query(), fake.key, { env, signal: controller.signal }),
        ).rejects.toMatchObject({
          code: 'STAC_CANCELLED',
        });
      } finally {
        fake.failSearch = null;
      }
    });

    it('the key is never sent to a host other than Planet', async () => {
      await expect(
        searchPlanet(query(), fake.key, { env: { CHANGEMAP_PLANET_API_URL: 'http://127.0.0.2:9' } }),
      ).rejects.toMatchObject({ code: 'PLANET_UNREACHABLE' });
      const { keyMayGoTo } = await import('./planetApi');
      expect(keyMayGoTo('https://tiles.planet.com/data/v1/x', env)).toBe(true);
      expect(keyMayGoTo('https://evil.example/planet.com', env)).toBe(false);
      expect(keyMayGoTo('http://tiles.planet.com/x', env)).toBe(false);
      expect(keyMayGoTo('https://planet.com.evil.example/', env)).toBe(false);
    });
  });
});
