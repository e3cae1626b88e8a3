// The Find imagery store's Planet side: Planet is recognised from the catalogue list, the key goes to the services
// once and only the status comes back, a refused key is shown as an error, and Planet scenes are always downloaded.
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanetKeyStatus } from '../../../src-main/ipc/planetSchemas';
import type { StacCatalogue, StacScene } from '../../../src-main/ipc/stacSchemas';
import { services, FakeServiceError } from '../testing/fakeServices';
import { StacFinder } from './stacFinder.svelte';

const PLANET_URL = 'https://api.planet.com/data/v1';
const CATALOGUES: StacCatalogue[] = [
  { url: 'https://stac.example/v1', title: 'Example', kind: 'well-known', collections: ['s2'], note: null },
  { url: PLANET_URL, title: 'Planet', kind: 'planet', collections: ['PSScene', 'SkySatCollect'], note: null },
];
const NO_KEY: PlanetKeyStatus = { set: false, storage: null, note: 'kept in memory until ChangeMap stops' };
const KEY_SET: PlanetKeyStatus = {
  set: true,
  storage: 'session',
  note: 'kept in memory until ChangeMap stops',
};
const scene: StacScene = {
  id: '20190601_103000_0f4a',
  collection: 'PSScene',
  itemUrl: `${PLANET_URL}/item-types/PSScene/items/20190601_103000_0f4a`,
  datetime: '2019-06-01T10:30:00.000Z',
  cloudCover: 2,
  gsdM: 3,
  platform: '2416',
  bbox: [15, 48, 15.1, 48.1],
  footprint: [],
  thumbnailUrl: null,
  asset: {
    key: 'ortho_visual',
    href: `${PLANET_URL}/item-types/PSScene/items/x/assets/`,
    title: null,
    commonNames: [],
  },
  unusable: null,
};

afterEach(() => services.reset());

describe('StacFinder with Planet', () => {
  it('knows Planet from the catalogue list, proposes its item type, and learns only whether a key is set', async () => {
    services.handle('stac:catalogues', () => CATALOGUES);
    services.handle('planet:status', () => NO_KEY);
    services.handle('planet:setKey', () => KEY_SET);
    const finder = new StacFinder();
    await finder.load();
    expect(finder.isPlanet).toBe(false);
    finder.choose(PLANET_URL);
    expect(finder.isPlanet).toBe(true);
    expect(finder.collection).toBe('PSScene');
    expect(finder.planetKey).toEqual(NO_KEY);
    expect(await finder.savePlanetKey('PLAK0123456789abcdef0123456789ab')).toBe(true);
    expect(services.callsTo('planet:setKey')).toEqual([{ key: 'PLAK0123456789abcdef0123456789ab' }]);
    expect(JSON.stringify(finder.planetKey)).not.toContain('PLAK0123');
  });

  it('a key the services refuse is shown as the error, and nothing is kept', async () => {
    services.handle('stac:catalogues', () => CATALOGUES);
    services.handle('planet:status', () => NO_KEY);
    services.handle('planet:setKey', () => {
      throw new FakeServiceError('VALIDATION', 'A Planet API key has at least 16 characters.');
    });
    const finder = new StacFinder();
    await finder.load();
    expect(await finder.savePlanetKey('short')).toBe(false);
    expect(finder.error).toEqual({
      code: 'VALIDATION',
      message: 'A Planet API key has at least 16 characters.',
    });
    expect(finder.planetKey).toEqual(NO_KEY);
  });

  it('Planet scenes are used downloaded, whatever the download box says', async () => {
    services.handle('stac:catalogues', () => CATALOGUES);
    services.handle('planet:status', () => KEY_SET);
    services.handle('stac:useScenes', () => {
      throw new FakeServiceError('STAC_CANCELLED', 'stopped');
    });
    const finder = new StacFinder();
    await finder.load();
    finder.choose(PLANET_URL);
    finder.results = { before: { scenes: [scene], truncated: false, method: 'POST', pages: 1 }, after: null };
    finder.picked = { before: [scene.id], after: [] };
    finder.download = false;
    await finder.use();
    expect(services.callsTo('stac:useScenes')[0]).toMatchObject({ catalogue: PLANET_URL, download: true });
  });
});
