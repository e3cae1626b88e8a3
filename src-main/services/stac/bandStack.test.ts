import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridSpec } from '../../core/raster/types';
import { stacSearchRequest, type StacScene } from '../../ipc/stacSchemas';
import { crsFromEpsg } from '../imagery/crs';
import { openGeoTiff } from '../imagery/geotiffSource';
import { openRaster } from '../imagery/imagerySet';
import { RemoteFailureLimit } from '../imagery/remoteAddress';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { AssetSigner, setAssetSigner } from './assetSigning';
import { downloadBandStack, pickBands, planBandStack, writeBandStackVrt } from './bandStack';
import { searchStac } from './stacSearch';
import { startLocalStac, type LocalBand, type LocalStac } from './testing/localStacServer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-bands-'));
const FINE = utmGrid(96, 80, 500000, 5600000, 10);
const COARSE = utmGrid(48, 40, 500000, 5600000, 20);
const OTHER_CRS: GridSpec = { ...FINE, crs: crsFromEpsg(32634) };
const S2 = { scale: 0.0001, offset: -0.1, nodata: 0 };

async function band(
  id: string,
  key: string,
  commonName: string,
  grid: GridSpec,
  seed: number,
): Promise<LocalBand> {
  const file = path.join(dir, `${id}-${key}.tif`);
  // Each band its own values (sceneData's band `seed`), a few nodata pixels in the corner.
  const data = sceneData(grid, seed + 1, 'uint16').subarray(seed * grid.width * grid.height);
  data.fill(0, 0, 3);
  await writeFixture(file, grid, 1, data, { nodata: 0 });
  return { key, commonName, name: key, file, resolutionM: grid.geoTransform[1], ...S2 };
}

let stac: LocalStac;
const scenes: Record<string, StacScene> = {};
const opts = () => ({ remoteFailures: new RemoteFailureLimit() });

beforeAll(async () => {
  const base = {
    collection: 'sentinel-2-l2a',
    bbox: [15, 48, 15.1, 48.1] as [number, number, number, number],
  };
  const layout = 'per-band' as const;
  stac = await startLocalStac(
    [
      {
        ...base,
        id: 'S2_OK',
        datetime: '2021-06-01T10:00:00Z',
        file: null,
        layout,
        bands: [
          await band('ok', 'B04', 'red', FINE, 0),
          await band('ok', 'B03', 'green', FINE, 1),
          await band('ok', 'B02', 'blue', FINE, 2),
          await band('ok', 'B8A', 'nir08', COARSE, 3),
        ],
      },
      {
        ...base,
        id: 'S2_MIXED',
        datetime: '2021-06-02T10:00:00Z',
        file: null,
        layout,
        bands: [
          await band('mixed', 'B04', 'red', FINE, 0),
          await band('mixed', 'B03', 'green', FINE, 1),
          await band('mixed', 'B02', 'blue', OTHER_CRS, 2),
        ],
      },
      {
        ...base,
        id: 'NO_BLUE',
        datetime: '2021-06-03T10:00:00Z',
        file: null,
        layout,
        bands: [await band('noblue', 'B04', 'red', FINE, 0), await band('noblue', 'B03', 'green', FINE, 1)],
      },
    ],
    { pageSize: 10, signedStorage: { account: 's2account', container: 'sentinel2-l2' } },
  );
  setAssetSigner(new AssetSigner({ sasApi: stac.sasApi, storageEmulator: stac.storageEmulator }));
  const result = await searchStac(
    stacSearchRequest.parse({ apiUrl: stac.url, bbox: base.bbox, from: '2021-06-01', to: '2021-06-30' }),
  );
  for (const s of result.scenes) scenes[s.id] = s;
});
afterAll(async () => {
  setAssetSigner(null);
  await stac.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('per-band scenes', () => {
  it('are usable by stacking: their bands by common name, with raster:bands scale, offset, nodata and resolution', () => {
    const ok = scenes.S2_OK;
    expect(ok.asset).toBeNull();
    expect(ok.unusable).toBeNull();
    expect(ok.bands?.map((b) => [b.commonName, b.key, b.resolutionM])).toEqual([
      ['red', 'B04', 10],
      ['green', 'B03', 10],
      ['blue', 'B02', 10],
      ['nir08', 'B8A', 20],
    ]);
    expect(ok.bands?.[0]).toMatchObject({ scale: 0.0001, offset: -0.1, nodata: 0, name: 'B04' });
    expect(scenes.NO_BLUE.unusable).toBe(
      'The scene has no true-colour image and no blue band of its own to stack.',
    );
  });

  it('a stack by reference reads the same window from each band COG (signed), the 20 m band resampled onto 10 m', async () => {
    const picked = pickBands(scenes.S2_OK, ['red', 'green', 'blue', 'nir08']);
    const layout = await planBandStack('S2_OK', picked, opts());
    expect(layout.grid).toEqual(FINE);
    expect(layout.bands.map((b) => b.dstRect)).toEqual([
      { x: 0, y: 0, width: 96, height: 80 },
      { x: 0, y: 0, width: 96, height: 80 },
      { x: 0, y: 0, width: 96, height: 80 },
      { x: 0, y: 0, width: 96, height: 80 },
    ]);
    const vrt = writeBandStackVrt(path.join(dir, 'stacks', 'S2_OK.vrt'), layout);
    // The project keeps the unsigned addresses.
    expect(fs.readFileSync(vrt, 'utf8')).not.toContain('sig=');
    expect(fs.readFileSync(vrt, 'utf8')).toContain('<Scale>0.0001</Scale>');
    const stack = await openRaster(vrt, opts());
    expect(stack.metadata.bandCount).toBe(4);
    expect(stack.metadata.bandRoles).toEqual(['red', 'green', 'blue', 'nir']);
    expect(stack.metadata.sampleType).toBe('uint16');
    expect(stack.metadata.nodata).toBe(0);
    const window = { x: 0, y: 0, width: 96, height: 80 };
    const read = await stack.readWindow(window);
    const n = 96 * 80;
    for (const [b, asset] of picked.slice(0, 3).entries()) {
      const single = await openGeoTiff(asset.href, opts());
      const own = await single.readWindow(window);
      await single.close();
      expect(Array.from(read.data.subarray(b * n, (b + 1) * n))).toEqual(Array.from(own.data));
    }
    const nir = await openGeoTiff(picked[3].href, opts());
    const coarse = await nir.readWindow({ x: 0, y: 0, width: 48, height: 40 });
    await nir.close();
    for (let y = 0; y < 80; y++) {
      for (let x = 0; x < 96; x++) {
        expect(read.data[3 * n + y * 96 + x]).toBe(coarse.data[Math.floor(y / 2) * 48 + Math.floor(x / 2)]);
      }
    }
    // Nodata (0) in the bands is nodata in the stack.
    expect(Array.from(read.valid.subarray(0, 4))).toEqual([0, 0, 0, 1]);
    await stack.close();
  });

  it('downloaded, the stack is one multi-band GeoTIFF equal to the stack read by reference, with progress', async () => {
    const picked = pickBands(scenes.S2_OK, ['red', 'green', 'nir08']);
    const layout = await planBandStack('S2_OK', picked, opts());
    const vrt = writeBandStackVrt(path.join(dir, 'stacks', 'S2_OK-rgn.vrt'), layout);
    const file = path.join(dir, 'downloads', 'S2_OK-rgn.tif');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const progress: number[] = [];
    await downloadBandStack(vrt, layout, file, { onProgress: (p) => progress.push(p.rows / p.totalRows) });
    expect(progress.at(-1)).toBe(1);
    expect(fs.existsSync(`${file}.part`)).toBe(false);
    const local = await openGeoTiff(file);
    const remote = await openRaster(vrt, opts());
    const window = { x: 5, y: 7, width: 60, height: 50 };
    expect(local.metadata.grid).toEqual(FINE);
    expect(Array.from((await local.readWindow(window)).data)).toEqual(
      Array.from((await remote.readWindow(window)).data),
    );
    await Promise.all([local.close(), remote.close()]);
  });

  it('bands in different CRSs are refused in one sentence', async () => {
    const picked = pickBands(scenes.S2_MIXED);
    await expect(planBandStack('S2_MIXED', picked, opts())).rejects.toMatchObject({
      code: 'STAC_BANDS_MIXED_CRS',
      message:
        'The blue band of scene S2_MIXED is in WGS 84 / UTM zone 34N and its red band in WGS 84 / UTM zone 33N; bands in different CRSs cannot be stacked, choose other bands.',
    });
  });

  it('a band the scene does not have is refused, naming the ones it has', () => {
    expect(() => pickBands(scenes.NO_BLUE)).toThrow(
      'Scene NO_BLUE has no blue band of its own (it has red, green); choose among its bands.',
    );
  });
});
