// Real public imagery (read-only, /work/shared/data): open with correct metadata and align.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAlignedPair } from './alignedPair';
import { openImagerySet } from './imagerySet';
import { preflightPair } from './preflight';

const DATA = process.env.CHANGEMAP_DATA ?? join(process.cwd(), '..', 'shared', 'data');

describe('imagery on public data', () => {
  it('OSCD: 4-band uint16 in EPSG:4326, one grid for both dates', async () => {
    const before = await openImagerySet([join(DATA, 'oscd/aguasclaras/t1_RGBN_10m.tif')]);
    const after = await openImagerySet([join(DATA, 'oscd/aguasclaras/t2_RGBN_10m.tif')]);
    expect(before.summary.crs.code).toBe('EPSG:4326');
    expect(before.summary.sampleType).toBe('uint16');
    expect(before.summary.bandRoles).toEqual(['red', 'green', 'blue', 'nir']);
    expect(before.summary.pixelSizeM![0]).toBeGreaterThan(9);
    expect(before.summary.pixelSizeM![0]).toBeLessThan(11);
    expect(await preflightPair(before, after)).toEqual({ errors: [], warnings: [] });
    const pair = await openAlignedPair(before, after, { bands: ['red', 'green', 'blue', 'nir'] });
    expect(pair.grid).toEqual(before.metadata.grid);
    const chunk = await pair.read({ x: 0, y: 0, width: 256, height: 256 });
    expect(chunk.valid.every((v) => v === 1)).toBe(true);
    const mean = chunk.before.reduce((s, v) => s + v, 0) / chunk.before.length;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.8);
  });

  it('Landsat: 6-band uint8 in UTM, bands in TM order from the wavelength metadata', async () => {
    const before = await openImagerySet([join(DATA, 'landsat_taizhou_nanjing/nanjing/t1_2000_TM.tif')]);
    const after = await openImagerySet([join(DATA, 'landsat_taizhou_nanjing/nanjing/t2_2002_TM.tif')]);
    expect(before.summary.crs).toMatchObject({ code: 'EPSG:32650', name: 'WGS 84 / UTM zone 50N' });
    expect(before.summary.pixelSizeM).toEqual([30, 30]);
    expect(before.summary.areaKm2).toBeCloseTo(576, 6);
    expect(before.summary.bandRoles.slice(0, 4)).toEqual(['blue', 'green', 'red', 'nir']);
    const pair = await openAlignedPair(before, after);
    expect([pair.grid.width, pair.grid.height]).toEqual([800, 800]);
    const chunk = await pair.read({ x: 700, y: 700, width: 200, height: 200 });
    expect(chunk.valid[0]).toBe(1);
    expect(chunk.valid[199 * 200 + 199]).toBe(0); // past the grid's edge
  });

  it('RGB.byte.tif: UTM 18N with a nodata collar', async () => {
    const set = await openImagerySet([join(DATA, 'geotiff_samples/rasterio/RGB.byte.tif')]);
    expect(set.summary.crs.code).toBe('EPSG:32618');
    expect(set.summary.nodata).toBe(0);
    expect([set.summary.widthPx, set.summary.heightPx]).toEqual([791, 718]);
    const lon = set.summary.footprint!.coordinates[0][0][0];
    expect(lon).toBeGreaterThan(-80);
    expect(lon).toBeLessThan(-76);
    const pair = await openAlignedPair(set, set);
    const chunk = await pair.read({ x: 0, y: 0, width: 791, height: 718 });
    const validShare = chunk.valid.reduce((s, v) => s + v, 0) / chunk.valid.length;
    expect(validShare).toBeGreaterThan(0.4);
    expect(validShare).toBeLessThan(0.7);
    expect((await preflightPair(set, set)).warnings.map((w) => w.code)).toContain('MUCH_NODATA');
  });
});
