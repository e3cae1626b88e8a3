import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatePlanetAsset, type PlanetAssetStatus } from './planetActivation';
import { downloadPlanetScene, planetSceneFile } from './planetDownload';
import { startFakePlanetApi, type FakePlanetApi } from './testing/fakePlanetApi';

let dir: string;
let fake: FakePlanetApi;
let env: NodeJS.ProcessEnv;
/** A little-endian TIFF header and some bytes: what the download checks. */
const tiff = Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00]), Buffer.alloc(20_000, 7)]);

const ITEM = {
  itemType: 'PSScene',
  acquired: '2021-06-01T10:00:00Z',
  cloudCover: 0,
  bbox: [15, 48, 15.1, 48.1] as [number, number, number, number],
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'planet-activation-'));
  fs.writeFileSync(path.join(dir, 'scene.tif'), tiff);
  const file = path.join(dir, 'scene.tif');
  fake = await startFakePlanetApi([
    { ...ITEM, id: 'a', file },
    { ...ITEM, id: 'b', file },
    { ...ITEM, id: 'c', file },
    { ...ITEM, id: 'd', file },
    { ...ITEM, id: 'e', file },
    { ...ITEM, id: 'locked', file, downloadable: [] },
  ]);
  env = { CHANGEMAP_PLANET_API_URL: fake.url };
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const assetsOf = (id: string) => `${fake.url}/item-types/PSScene/items/${id}/assets/`;
const fast = { pollMs: 5, maxPollMs: 10 };

describe('activatePlanetAsset', () => {
  it('asks for activation once, polls through activating until active, and gives the download location', async () => {
    fake.requests.length = 0;
    const seen: PlanetAssetStatus[] = [];
    const location = await activatePlanetAsset(assetsOf('a'), 'ortho_visual', fake.key, {
      ...fast,
      env,
      onStatus: (s) => seen.push(s),
    });
    expect(location).toBe(`${fake.url}/download/a/ortho_visual.tif?token=signed`);
    expect(seen[0]).toBe('inactive');
    expect(seen.at(-1)).toBe('active');
    expect(seen).toContain('activating');
    expect(fake.requests.filter((r) => r.path.endsWith('/activate')).map((r) => r.method)).toEqual(['POST']);
  });

  it('waits as long as Planet asks when it answers 429 while being polled, then goes on', async () => {
    fake.rateLimitAssetReads = 2;
    fake.requests.length = 0;
    try {
      const location = await activatePlanetAsset(assetsOf('e'), 'ortho_visual', fake.key, { ...fast, env });
      expect(location).toMatch(/\/download\/e\/ortho_visual\.tif/);
      expect(fake.rateLimitAssetReads).toBe(0);
      // Two refused reads, then inactive, activating..., active.
      expect(fake.requests.filter((r) => r.path.includes('/items/e/assets')).length).toBeGreaterThanOrEqual(
        5,
      );
    } finally {
      fake.rateLimitAssetReads = 0;
    }
  });

  it('a 429 asking for a longer wait than the bound allows ends in its own sentence', async () => {
    fake.rateLimitAssetReads = 1;
    fake.assetsRetryAfter = '600';
    try {
      await expect(
        activatePlanetAsset(assetsOf('e'), 'ortho_visual', fake.key, { ...fast, maxWaitMs: 5000, env }),
      ).rejects.toMatchObject({
        code: 'PLANET_RATE_LIMITED',
        message: expect.stringMatching(/try again in 600 s/),
      });
    } finally {
      fake.rateLimitAssetReads = 0;
      fake.assetsRetryAfter = '0';
    }
  });

  it('a cancel during the wait stops it in one sentence', async () => {
    fake.activationPolls = 1000;
    const controller = new AbortController();
    try {
      const waiting = activatePlanetAsset(assetsOf('b'), 'ortho_visual', fake.key, {
        pollMs: 20,
        env,
        signal: controller.signal,
        onStatus: (s) => s === 'activating' && controller.abort(),
      });
      await expect(waiting).rejects.toMatchObject({
        code: 'STAC_CANCELLED',
        message: expect.stringMatching(/was stopped; Planet goes on preparing it/),
      });
    } finally {
      fake.activationPolls = 2;
    }
  });

  it('gives up after its bound when Planet stays activating', async () => {
    fake.activationPolls = 1000;
    try {
      await expect(
        activatePlanetAsset(assetsOf('c'), 'ortho_visual', fake.key, { ...fast, maxWaitMs: 60, env }),
      ).rejects.toMatchObject({
        code: 'PLANET_ACTIVATION_TIMEOUT',
        message: expect.stringMatching(/still preparing/),
      });
    } finally {
      fake.activationPolls = 2;
    }
  });

  it('refuses an asset type the item lacks, or one the key may not download', async () => {
    await expect(
      activatePlanetAsset(assetsOf('a'), 'ortho_pansharpened', fake.key, { ...fast, env }),
    ).rejects.toMatchObject({
      code: 'PLANET_ASSET_MISSING',
    });
    await expect(
      activatePlanetAsset(assetsOf('locked'), 'ortho_visual', fake.key, { ...fast, env }),
    ).rejects.toMatchObject({
      code: 'PLANET_NO_PERMISSION',
    });
    await expect(
      activatePlanetAsset(assetsOf('a'), 'ortho_visual', 'PLAKwrong-key-00000000000', { ...fast, env }),
    ).rejects.toMatchObject({
      code: 'PLANET_KEY_REFUSED',
    });
  });
});

describe('downloadPlanetScene', () => {
  it('activates and downloads the image into the data folder, resuming a part already there', async () => {
    const dataDir = path.join(dir, 'project-data');
    const scene = { id: 'd', collection: 'PSScene', asset: { key: 'ortho_visual', href: assetsOf('d') } };
    const file = planetSceneFile(dataDir, scene);
    expect(file).toBe(path.join(dataDir, 'downloads', 'planet-PSScene', 'd-ortho_visual.tif'));
    // An earlier download broke off after 1000 bytes.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.part`, tiff.subarray(0, 1000));
    fake.requests.length = 0;
    const statuses: string[] = [];
    const got = await downloadPlanetScene(dataDir, scene, fake.key, {
      ...fast,
      env,
      onActivation: (s) => statuses.push(s),
    });
    expect(got).toBe(file);
    expect(fs.readFileSync(file).equals(tiff)).toBe(true);
    expect(statuses.at(-1)).toBe('active');
    const download = fake.requests.find((r) => r.path.startsWith('/download/'));
    // The signed location is fetched without the key.
    expect(download?.authorized).toBe(false);
    // A second use keeps the file as it is, asking Planet nothing.
    const before = fake.requests.length;
    expect(await downloadPlanetScene(dataDir, scene, fake.key, { ...fast, env })).toBe(file);
    expect(fake.requests.length).toBe(before);
  });
});
