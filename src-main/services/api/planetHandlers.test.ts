import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inAppSession } from '../../cli/testing/inAppSession';
import type { StacScene } from '../../ipc/stacSchemas';
import type { ProjectStore } from '../project/projectStore';
import { imagerySources } from '../stac/imagerySources';
import {
  PLANET_AFTER_ID,
  PLANET_BEFORE_ID,
  startSamplePlanet,
  type SamplePlanet,
} from '../planet/testing/samplePlanet';

let dir: string;
let sample: SamplePlanet;
const saved = { url: process.env.CHANGEMAP_PLANET_API_URL, key: process.env.PL_API_KEY };
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-planet-api-'));
  sample = await startSamplePlanet(path.join(dir, 'scene'));
  process.env.CHANGEMAP_PLANET_API_URL = sample.planet.url;
  process.env.CHANGEMAP_PLANET_POLL_MS = '10';
  delete process.env.PL_API_KEY;
});
afterAll(async () => {
  await sample.close();
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.CHANGEMAP_PLANET_POLL_MS;
  if (saved.url === undefined) delete process.env.CHANGEMAP_PLANET_API_URL;
  else process.env.CHANGEMAP_PLANET_API_URL = saved.url;
  if (saved.key !== undefined) process.env.PL_API_KEY = saved.key;
});

const searchFor = (from: string, to: string) => ({
  apiUrl: sample.planet.url,
  collections: ['PSScene'],
  bbox: sample.bbox,
  from,
  to,
  maxCloudCover: 20,
});
const pick = (s: StacScene) => ({ ...s, asset: s.asset! });

describe('Planet through the API', () => {
  it('offers Planet as a catalogue, asks for the key, searches, and the used scenes record where they came from', async () => {
    const project = path.join(dir, 'planet.gpkg');
    await inAppSession(path.join(dir, 'user'), project, async (call, session) => {
      await call('project:create', { path: project });
      const catalogues = await call('stac:catalogues', {});
      expect(catalogues.find((c) => c.kind === 'planet')).toMatchObject({
        url: sample.planet.url,
        collections: ['PSScene', 'SkySatCollect'],
      });
      expect(await call('planet:status', {})).toMatchObject({ set: false });
      await expect(call('stac:search', searchFor('2019-01-01', '2019-12-31'))).rejects.toThrow(
        /PLANET_NO_KEY/,
      );

      const status = await call('planet:setKey', { key: sample.planet.key });
      expect(status).toMatchObject({ set: true, storage: 'session' });
      expect(JSON.stringify(status)).not.toContain(sample.planet.key);

      const before = await call('stac:search', searchFor('2019-01-01', '2019-12-31'));
      expect(before.scenes.map((s) => s.id)).toEqual([PLANET_BEFORE_ID]);
      const after = await call('stac:search', searchFor('2021-01-01', '2021-12-31'));
      expect(after.scenes.map((s) => s.id)).toEqual([PLANET_AFTER_ID, '20210610_103000_locked']);
      expect(after.scenes[1].asset).toBeNull();
      // Thumbnails come through the services, with the key; the renderer never sees it.
      expect(await call('stac:thumbnail', { url: before.scenes[0].thumbnailUrl! })).toMatch(
        /^data:image\/png;base64,/,
      );

      const progress: { activation?: string; bytes: number }[] = [];
      const off = session.events.subscribe((event, payload) => {
        if (event === 'stac:downloadProgress')
          progress.push(payload as { activation?: string; bytes: number });
      });
      await call('stac:useScenes', {
        role: 'before',
        catalogue: sample.planet.url,
        scenes: [pick(before.scenes[0])],
      });
      const state = await call('stac:useScenes', {
        role: 'after',
        catalogue: sample.planet.url,
        scenes: [pick(after.scenes[0])],
      });
      off();
      expect(progress.map((p) => p.activation)).toContain('activating');
      expect(progress.at(-1)).toMatchObject({ activation: 'active' });
      expect(state.before?.uris[0]).toMatch(
        /downloads[\\/]planet-PSScene[\\/]20190601_103000_0f4a-ortho_visual\.tif$/,
      );
      expect(fs.existsSync(state.after!.uris[0])).toBe(true);

      const store = session.currentProject as ProjectStore;
      const sources = imagerySources(store);
      expect(sources[state.before!.uris[0]]).toEqual({
        kind: 'planet',
        catalogue: sample.planet.url,
        itemUrl: `${sample.planet.url}/item-types/PSScene/items/${PLANET_BEFORE_ID}`,
        itemId: PLANET_BEFORE_ID,
        collection: 'PSScene',
        datetime: '2019-06-01T10:30:00.000Z',
        platform: '2416',
        assetKey: 'ortho_visual',
        downloadedFrom: `${sample.planet.url}/item-types/PSScene/items/${PLANET_BEFORE_ID}/assets/`,
      });
      // Nothing of the key went into the project file.
      session.closeProject();
      expect(fs.readFileSync(project).includes(Buffer.from(sample.planet.key))).toBe(false);
    });
  });

  it('Stop while Planet prepares a scene ends the use in one sentence and leaves the project as it was', async () => {
    const project = path.join(dir, 'stopped.gpkg');
    await inAppSession(path.join(dir, 'user3'), project, async (call, session) => {
      await call('project:create', { path: project });
      await call('planet:setKey', { key: sample.planet.key });
      // The cloudy scene: not activated by an earlier test (the fake remembers activations).
      const { scenes } = await call('stac:search', {
        ...searchFor('2019-01-01', '2019-12-31'),
        maxCloudCover: 100,
      });
      const cloudy = scenes.find((s) => s.id === '20190620_103000_cloudy')!;
      const imageryBefore = await call('imagery:get', {});
      sample.planet.activationPolls = 1_000_000;
      const off = session.events.subscribe((event, payload) => {
        if (
          event === 'stac:downloadProgress' &&
          (payload as { activation?: string }).activation === 'activating'
        )
          void call('stac:cancel', {});
      });
      try {
        await expect(
          call('stac:useScenes', { role: 'before', catalogue: sample.planet.url, scenes: [pick(cloudy)] }),
        ).rejects.toThrow(/STAC_CANCELLED The wait for Planet to prepare ortho_visual was stopped/);
      } finally {
        off();
        sample.planet.activationPolls = 1;
      }
      expect(await call('imagery:get', {})).toEqual(imageryBefore);
      expect(Object.keys(imagerySources(session.currentProject as ProjectStore))).toEqual([]);
    });
  });

  it('a refused key or a failing Planet ends in one sentence and leaves the project as it was', async () => {
    const project = path.join(dir, 'refused.gpkg');
    await inAppSession(path.join(dir, 'user2'), project, async (call, session) => {
      await call('project:create', { path: project });
      await call('planet:setKey', { key: 'PLAKnot-the-key-0123456789abcdef' });
      await expect(call('stac:search', searchFor('2019-01-01', '2019-12-31'))).rejects.toThrow(
        /PLANET_KEY_REFUSED Planet refused your API key/,
      );
      await call('planet:setKey', { key: sample.planet.key });
      const { scenes } = await call('stac:search', searchFor('2019-01-01', '2019-12-31'));
      const imageryBefore = await call('imagery:get', {});
      // The key is forgotten between search and use.
      expect(await call('planet:clearKey', {})).toMatchObject({ set: false });
      await expect(
        call('stac:useScenes', { role: 'before', catalogue: sample.planet.url, scenes: [pick(scenes[0])] }),
      ).rejects.toThrow(/PLANET_NO_KEY/);
      expect(await call('imagery:get', {})).toEqual(imageryBefore);
      expect(Object.keys(imagerySources(session.currentProject as ProjectStore))).toEqual([]);
    });
  });
});
