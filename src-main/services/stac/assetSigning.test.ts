import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from '../imagery/geotiffSource';
import { RemoteFailureLimit } from '../imagery/remoteAddress';
import { utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { AssetSigner, setAssetSigner, TOKEN_RENEW_MARGIN_MS } from './assetSigning';
import { downloadImage } from './downloadImage';
import { ThumbnailGate } from './stacThumbnail';
import { startLocalStac, type LocalStac } from './testing/localStacServer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-signing-'));
const file = path.join(dir, 'scene.tif');
const GRID = utmGrid(256, 256);
// Noise, uncompressed: every window is its own range request (nothing fits in the header's first block).
const pixels = Uint8Array.from({ length: 256 * 256 }, (_, i) => (i * 7919 + (i >> 8) * 104729) % 251);
const LIFETIME_MS = 3_600_000;

let stac: LocalStac;
let clock = Date.now();
let signer: AssetSigner;
let href = '';
const tokenRequests = () => stac.requests.filter((r) => r.path.startsWith('/api/sas/v1/token/')).length;
const blobReadCount = () => stac.requests.filter((r) => r.path.startsWith('/blob/')).length;

beforeAll(async () => {
  await writeFixture(file, GRID, 1, pixels, { compression: 'none', tileSize: 32 });
  stac = await startLocalStac(
    [
      {
        id: 'PC_1',
        collection: 'sentinel-2-l2a',
        datetime: '2021-06-01T10:00:00Z',
        bbox: [15, 48, 15.1, 48.1],
        file,
      },
    ],
    { signedStorage: { account: 'sentinel2l2a01', container: 'sentinel2-l2', tokenLifetimeMs: LIFETIME_MS } },
  );
  href = `${stac.storageEmulator}sentinel2l2a01/sentinel2-l2/data/PC_1.tif`;
  signer = new AssetSigner(
    { sasApi: stac.sasApi, storageEmulator: stac.storageEmulator },
    { now: () => clock },
  );
  setAssetSigner(signer);
});
afterAll(async () => {
  setAssetSigner(null);
  await stac.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('which addresses are signed', () => {
  const pc = new AssetSigner({ sasApi: 'https://pc.example/api/sas/v1', storageEmulator: null });
  it('Azure Blob addresses by account and container; public storage, signed and other addresses as they are', () => {
    expect(pc.storageOf('https://sentinel2l2a01.blob.core.windows.net/sentinel2-l2/10/T/a/B04.tif')).toEqual({
      kind: 'planetary-computer',
      account: 'sentinel2l2a01',
      container: 'sentinel2-l2',
    });
    expect(pc.storageOf('https://ai4edatasetspublicassets.blob.core.windows.net/assets/x.png')).toBeNull();
    expect(pc.storageOf('https://naipeuwest.blob.core.windows.net/naip/x.tif?st=1&sig=abc')).toBeNull();
    expect(pc.storageOf('https://sentinel-cogs.s3.us-west-2.amazonaws.com/x/B04.tif')).toBeNull();
    expect(pc.storageOf('http://evil.blob.core.windows.net/c/x.tif')).toBeNull();
  });
});

describe('Planetary Computer signing against the loopback storage', () => {
  it('the storage refuses a read without a token', async () => {
    const response = await fetch(href);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('AuthenticationFailed');
  });

  it('reads a COG by its unsigned address, with one token for every read until shortly before expiry', async () => {
    const before = tokenRequests();
    const source = await openGeoTiff(href, { remoteFailures: new RemoteFailureLimit() });
    const { data } = await source.readWindow({ x: 100, y: 100, width: 20, height: 20 });
    expect(data[0]).toBe(pixels[100 * 256 + 100]);
    expect(data[20 * 20 - 1]).toBe(pixels[119 * 256 + 119]);
    await source.close();
    const again = await openGeoTiff(href, { remoteFailures: new RemoteFailureLimit() });
    await again.readWindow({ x: 0, y: 200, width: 10, height: 10 });
    await again.close();
    expect(tokenRequests() - before).toBe(1);
    // Within the renewal margin of its expiry the token is not handed out again: a new one is asked for.
    clock += LIFETIME_MS - TOKEN_RENEW_MARGIN_MS + 1000;
    expect(await signer.sign(href)).toMatch(/\?se=.*&sig=/);
    expect(tokenRequests() - before).toBe(2);
  });

  it('a read refused for an expired token renews it once and goes on (an open image outlives its token)', async () => {
    const source = await openGeoTiff(href, { remoteFailures: new RemoteFailureLimit() });
    stac.expireTokens();
    const before = tokenRequests();
    const blobReads = blobReadCount();
    const { data } = await source.readWindow({ x: 200, y: 10, width: 30, height: 30 });
    expect(data[0]).toBe(pixels[10 * 256 + 200]);
    expect(tokenRequests() - before).toBe(1);
    // The refused request, then the same request signed anew.
    expect(blobReadCount() - blobReads).toBeGreaterThanOrEqual(2);
    await source.close();
  });

  it('downloads and thumbnails are signed the same way', async () => {
    stac.expireTokens();
    const target = path.join(dir, 'download.tif');
    await downloadImage(href, target);
    expect(fs.readFileSync(target).equals(fs.readFileSync(file))).toBe(true);
    const thumb = `${stac.storageEmulator}sentinel2l2a01/sentinel2-l2/thumbs/PC_1.png`;
    const gate = new ThumbnailGate();
    gate.allow([thumb]);
    expect(await gate.fetch(thumb)).toMatch(/^data:image\/png;base64,/);
  });

  it('a token service that does not answer with a token ends in one sentence', async () => {
    const broken = new AssetSigner({
      sasApi: `${stac.url}nope/sas/v1`,
      storageEmulator: stac.storageEmulator,
    });
    await expect(broken.sign(href)).rejects.toMatchObject({
      code: 'STAC_SIGNING_FAILED',
      message: expect.stringMatching(
        /^The Planetary Computer did not hand out a read token for sentinel2l2a01\/sentinel2-l2 .*; try again later\.$/,
      ),
    });
  });
});
