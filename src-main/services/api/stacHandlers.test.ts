import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inAppSession } from '../../cli/testing/inAppSession';
import type { ImagerySource, StacScene } from '../../ipc/stacSchemas';
import { IMAGERY_URL_UNREADABLE } from '../imagery/remoteAddress';
import { ProjectStore } from '../project/projectStore';
import { imagerySources } from '../stac/imagerySources';
import {
  SAMPLE_AFTER_ID,
  SAMPLE_BEFORE_ID,
  startSampleCatalogue,
  type SampleCatalogue,
} from '../stac/testing/sampleCatalogue';

let dir: string;
let catalogue: SampleCatalogue;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-stac-api-'));
  catalogue = await startSampleCatalogue(path.join(dir, 'scene'), 300);
  // Generating and writing the scene and its band COGs takes seconds on a busy machine.
}, 60_000);
afterAll(async () => {
  await catalogue.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const searchFor = (from: string, to: string) => ({
  apiUrl: catalogue.stac.url,
  bbox: catalogue.bbox,
  from,
  to,
  maxCloudCover: 20,
});

describe('the stac: channels', () => {
  it('search, pick one scene per date, and the project records where each image came from', async () => {
    const project = path.join(dir, 'stac.gpkg');
    await inAppSession(path.join(dir, 'user'), project, async (call) => {
      await call('project:create', { path: project });
      const before = await call('stac:search', searchFor('2019-01-01', '2019-12-31'));
      // The cloudy scene is left out; every other 2019 scene is listed.
      expect(before.scenes.map((s) => s.id)).toEqual([SAMPLE_BEFORE_ID]);
      const after = await call('stac:search', searchFor('2021-01-01', '2021-12-31'));
      expect(after.scenes.map((s) => s.id)).toEqual([
        SAMPLE_AFTER_ID,
        'SAMPLE_2021-06-15_missing',
        'SAMPLE_2021-06-20_bands',
      ]);
      const pick = (s: StacScene) => ({ ...s, asset: s.asset! });
      await call('stac:useScenes', {
        role: 'before',
        catalogue: catalogue.stac.url,
        scenes: [pick(before.scenes[0])],
      });
      const state = await call('stac:useScenes', {
        role: 'after',
        catalogue: catalogue.stac.url,
        scenes: [pick(after.scenes[0])],
      });
      expect(state.before?.uris).toEqual([before.scenes[0].asset!.href]);
      expect(state.after?.acquiredAt).toBe('2021-06-01');
      expect(state.before?.acquiredAt).toBe('2019-06-01');
      expect(state.preflight.filter((p) => p.severity === 'error')).toEqual([]);
      // Thumbnails come through the services, only for addresses a search returned.
      expect(await call('stac:thumbnail', { url: before.scenes[0].thumbnailUrl! })).toMatch(
        /^data:image\/png;base64,iVBOR/,
      );
      expect(
        await call('stac:thumbnail', { url: `${catalogue.stac.url}items/${SAMPLE_BEFORE_ID}` }),
      ).toBeNull();
      // The catalogue this project searched is offered next time.
      const catalogues = await call('stac:catalogues', {});
      expect(catalogues.some((c) => c.kind === 'added' && c.url === catalogue.stac.url)).toBe(true);
    });
    const store = ProjectStore.open(project, { readOnly: true });
    try {
      const sources = Object.values(imagerySources(store)) as ImagerySource[];
      expect(sources.map((s) => s.itemId).sort()).toEqual([SAMPLE_BEFORE_ID, SAMPLE_AFTER_ID]);
      expect(sources[0]).toMatchObject({
        kind: 'stac',
        catalogue: catalogue.stac.url,
        collection: 'sample-aerial',
      });
      expect(sources[0].itemUrl).toMatch(/\/items\/SAMPLE_/);
    } finally {
      store.close();
    }
  });

  it('downloads the picked images into the project for offline work, keeping where they came from', async () => {
    const project = path.join(dir, 'download.gpkg');
    await inAppSession(path.join(dir, 'user'), project, async (call, session) => {
      await call('project:create', { path: project });
      const progress: number[] = [];
      session.events.subscribe((name, payload) => {
        if (name === 'stac:downloadProgress') progress.push((payload as { bytes: number }).bytes);
      });
      const { scenes } = await call('stac:search', searchFor('2019-01-01', '2019-12-31'));
      const state = await call('stac:useScenes', {
        role: 'before',
        catalogue: catalogue.stac.url,
        download: true,
        scenes: [{ ...scenes[0], asset: scenes[0].asset! }],
      });
      const local = state.before!.uris[0];
      expect(local.startsWith(path.join(session.currentProject!.dataDir, 'downloads', 'sample-aerial'))).toBe(
        true,
      );
      expect(fs.readFileSync(local).equals(fs.readFileSync(catalogue.files.before))).toBe(true);
      expect(progress.at(-1)).toBe(fs.statSync(local).size);
      expect(imagerySources(session.currentProject!)[local]).toMatchObject({
        itemId: SAMPLE_BEFORE_ID,
        downloadedFrom: scenes[0].asset!.href,
      });
    });
  });

  it('stacks a per-band scene by reference (a VRT naming its band COGs) or downloaded, recording the bands', async () => {
    const project = path.join(dir, 'bands.gpkg');
    await inAppSession(path.join(dir, 'user'), project, async (call, session) => {
      await call('project:create', { path: project });
      const before = await call('stac:search', searchFor('2019-01-01', '2019-12-31'));
      await call('stac:useScenes', { role: 'before', scenes: before.scenes });
      const { scenes } = await call('stac:search', searchFor('2021-06-20', '2021-06-20'));
      const [bands] = scenes;
      expect(bands.id).toBe('SAMPLE_2021-06-20_bands');
      const dataDir = session.currentProject!.dataDir;
      // By reference, the default red, green, blue: the same pixels as the scene's RGB file.
      let state = await call('stac:useScenes', { role: 'after', scenes: [bands] });
      const vrt = state.after!.uris[0];
      expect(vrt).toBe(
        path.join(dataDir, 'stacks', 'sample-aerial', 'SAMPLE_2021-06-20_bands-red-green-blue.vrt'),
      );
      expect(state.after?.bands.map((b) => b.role)).toEqual(['red', 'green', 'blue']);
      const { openRaster } = await import('../imagery/imagerySet');
      const [stack, rgb] = await Promise.all([openRaster(vrt), openRaster(catalogue.files.after)]);
      const window = { x: 10, y: 20, width: 50, height: 40 };
      expect(Array.from((await stack.readWindow(window)).data)).toEqual(
        Array.from((await rgb.readWindow(window)).data),
      );
      await Promise.all([stack.close(), rgb.close()]);
      expect(imagerySources(session.currentProject!)[vrt]).toMatchObject({
        itemId: 'SAMPLE_2021-06-20_bands',
        assetKey: 'red+green+blue',
        bands: [
          { assetKey: 'red', commonName: 'red' },
          { assetKey: 'green', commonName: 'green' },
          { assetKey: 'blue', commonName: 'blue' },
        ],
      });
      // Downloaded, other bands (the 6 m nir08 resampled onto the 3 m grid): one GeoTIFF, with progress.
      const progress: number[] = [];
      session.events.subscribe((name, payload) => {
        if (name === 'stac:downloadProgress') progress.push((payload as { bytes: number }).bytes);
      });
      state = await call('stac:useScenes', {
        role: 'after',
        download: true,
        bands: ['nir08', 'red', 'green'],
        scenes: [bands],
      });
      const tif = state.after!.uris[0];
      expect(tif).toBe(
        path.join(dataDir, 'downloads', 'sample-aerial', 'SAMPLE_2021-06-20_bands-nir08-red-green.tif'),
      );
      expect(state.after?.bands).toHaveLength(3);
      expect(state.after?.widthPx).toBe(300);
      expect(progress.length).toBeGreaterThan(0);
      expect(imagerySources(session.currentProject!)[tif]?.bands?.map((b) => b.commonName)).toEqual([
        'nir08',
        'red',
        'green',
      ]);
      // A band the scene lacks: one sentence, the date as it was.
      const { dispatch } = await import('../../ipc/dispatch');
      const refused = await dispatch(session.handlers(), 'stac:useScenes', {
        role: 'after',
        bands: ['red', 'swir16'],
        scenes: [bands],
      });
      expect(!refused.ok && refused.error).toMatchObject({
        code: 'STAC_BAND_MISSING',
        message:
          'Scene SAMPLE_2021-06-20_bands has no swir16 band of its own (it has red, green, blue, nir08); choose among its bands.',
      });
      expect((await call('imagery:get', {})).after?.uris).toEqual([tif]);
    });
  });

  it('a scene whose image is missing is refused and leaves the date as it was', async () => {
    const project = path.join(dir, 'missing.gpkg');
    await inAppSession(path.join(dir, 'user'), project, async (call, session) => {
      await call('project:create', { path: project });
      const { scenes } = await call('stac:search', searchFor('2021-06-10', '2021-06-16'));
      const missing = scenes.find((s) => s.id === 'SAMPLE_2021-06-15_missing')!;
      const { dispatch } = await import('../../ipc/dispatch');
      const result = await dispatch(session.handlers(), 'stac:useScenes', {
        role: 'after',
        scenes: [{ ...missing, asset: missing.asset! }],
      });
      expect(result.ok).toBe(false);
      // One answer for every address that cannot be read (imagery/remoteAddress.ts): no HTTP status.
      expect(!result.ok && result.error.code).toBe(IMAGERY_URL_UNREADABLE);
      expect((await call('imagery:get', {})).after).toBeNull();
      expect(Object.keys(imagerySources(session.currentProject!))).toHaveLength(0);
    });
  });

  it('refuses image addresses that are not http(s)', async () => {
    const project = path.join(dir, 'scheme.gpkg');
    await inAppSession(path.join(dir, 'user'), project, async (_call, session) => {
      const { dispatch } = await import('../../ipc/dispatch');
      const result = await dispatch(session.handlers(), 'stac:useScenes', {
        role: 'before',
        scenes: [
          {
            id: 'x',
            collection: null,
            itemUrl: null,
            datetime: null,
            platform: null,
            asset: { key: 'a', href: 'file:///etc/passwd' },
          },
        ],
      });
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.code).toBe('VALIDATION');
    });
  });
});

describe('catalogue failures through the API', () => {
  it('are rate-limited like imagery addresses, so the search cannot serve to probe local ports', async () => {
    const project = path.join(dir, 'limit.gpkg');
    await inAppSession(path.join(dir, 'user'), project, async (_call, session) => {
      const { dispatch } = await import('../../ipc/dispatch');
      const codes: string[] = [];
      for (let i = 0; i < 11; i++) {
        const started = Date.now();
        const result = await dispatch(session.handlers(), 'stac:search', {
          apiUrl: `http://127.0.0.1:9/${i}`,
          bbox: catalogue.bbox,
          from: '2019-01-01',
          to: '2019-01-02',
        });
        codes.push(result.ok ? 'ok' : result.error.code);
        if (i === 0) expect(Date.now() - started).toBeGreaterThanOrEqual(950);
        if (!result.ok && i === 0) expect(result.error.message).not.toMatch(/ECONNREFUSED|refused/i);
      }
      expect(codes.slice(0, 10).every((c) => c === 'STAC_UNREACHABLE')).toBe(true);
      expect(codes[10]).toBe('STAC_RATE_LIMITED');
    });
  }, 60_000);
});
