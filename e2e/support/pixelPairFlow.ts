// A pixel-aligned pair (two same-size images without georeference) taken through the app as a planner would:
// add imagery, run, find regions, spot check, review, export. Shared by the generated-PNG e2e test and the
// SZTAKI AirChange integration test.
import fs from 'node:fs';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { expect } from 'vitest';
import { generateSampleScene } from '../../src-main/core/sampleScene/generateSampleScene';
import { gdalFeatures, gdalLayerSummary } from '../../src-main/services/exports/gdalProbe';
import type { Workbench } from './workbench';

/** The generated sample scene written as two RGB PNGs, without any georeference, dates in their names. */
export function writePngScenePair(dir: string, size = 384): { before: string; after: string } {
  const scene = generateSampleScene({ width: size, height: size, seed: 7 });
  fs.mkdirSync(dir, { recursive: true });
  const n = size * size;
  const write = (planar: Uint8Array, name: string): string => {
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) for (let b = 0; b < 3; b++) rgb[i * 3 + b] = planar[b * n + i];
    const file = path.join(dir, name);
    fs.writeFileSync(file, encodePng({ width: size, height: size, data: rgb, channels: 3, depth: 8 }));
    return file;
  };
  return {
    before: write(scene.before, 'site_2019-06-01.png'),
    after: write(scene.after, 'site_2021-07-15.png'),
  };
}

/** Adds both dates and checks that the app sees a pixel-aligned pair drawn in pixel space. */
export async function addPixelPair(bench: Workbench, pair: { before: string; after: string }): Promise<void> {
  const app = bench.app;
  const mapsBefore = await app.signalCount('map:ready');
  await bench.addImagery('before', [pair.before]);
  const meta = bench.byTestId('imagery-meta-before');
  expect(await meta.getByTestId('crs').textContent()).toMatch(/No georeference/);
  // The map is made again in the image's pixel space.
  await app.waitForSignal('map:ready', mapsBefore + 1);
  expect(await bench.byTestId('map').getAttribute('data-space')).toBe('pixel');
  await bench.addImagery('after', [pair.after]);
  await bench.byTestId('preflight-ok').waitFor();
  expect(await bench.byTestId('run-start').isEnabled()).toBe(true);
  // "Zoom to imagery" brings the image under the map's centre, in pixel coordinates.
  await bench.expectSignal('map:rendered', () => bench.byTestId('zoom-to-imagery').click());
  await app.waitForSignal('tile:preview-after');
  const [cx, cy] = await bench.mapPoint(0.5, 0.5);
  await app.page.mouse.move(cx, cy);
  await app.page.waitForFunction(() =>
    /^x \d+, row \d+$/.test(
      document.querySelector('[data-testid="pointer-position"]')?.textContent?.trim() ?? '',
    ),
  );
}

/** After a finished run: regions in pixels, a spot check and a confirmed region. Returns the region count. */
export async function reviewPixelRegions(bench: Workbench): Promise<number> {
  await bench.computeRegions({ minAreaM2: 20 });
  const total = Number(await bench.byTestId('region-list').getAttribute('data-total'));
  expect(total).toBeGreaterThan(0);
  // Without a pixel size, areas are in pixels.
  expect(await bench.byTestId('region-area').first().textContent()).toMatch(/^[\d,]+ px$/);
  const first = bench.regionRows().first();
  await bench.expectSignal('spotcheck:ready', () => first.click());
  expect(await bench.byTestId('spot-before').getAttribute('src')).toMatch(/^data:image\/png/);
  await bench.expectSignal('review:saved', () => bench.byTestId('review-confirm').click());
  return total;
}

/** Exports: GeoJSON is refused with its reason; the GeoPackage holds the regions in pixel coordinates, no CRS. */
export async function exportPixelRegions(
  bench: Workbench,
  outDir: string,
  expected: { total: number; beforeDate: string | null },
): Promise<string> {
  fs.mkdirSync(outDir, { recursive: true });
  await bench.byTestId('topbar-export').click();
  await bench.byTestId('export-format-geojson').check();
  await bench.byTestId('export-path').fill(path.join(outDir, 'regions.geojson'));
  await bench.expectSignal('error:EXPORT_NO_GEOREFERENCE', () => bench.byTestId('export-submit').click());
  expect(await bench.byTestId('export-error').textContent()).toMatch(/pixel coordinates/);
  expect(fs.existsSync(path.join(outDir, 'regions.geojson'))).toBe(false);

  const gpkg = path.join(outDir, 'regions.gpkg');
  await bench.byTestId('export-format-gpkg').check();
  await bench.byTestId('export-all').check();
  await bench.byTestId('export-path').fill(gpkg);
  await bench.expectSignal('export:done', () => bench.byTestId('export-submit').click());
  await bench.byTestId('export-close').click();
  const summary = gdalLayerSummary(gpkg);
  expect(summary).toMatchObject({ featureCount: expected.total, epsg: null });
  const features = gdalFeatures(gpkg);
  expect(features.some((f) => f.properties.review_state === 'confirmed')).toBe(true);
  expect(features[0].properties.before_date ?? null).toBe(expected.beforeDate);
  const ring = (features[0].geometry!.coordinates as number[][][][])[0][0];
  for (const [x, y] of ring) {
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeLessThanOrEqual(0);
  }
  return gpkg;
}
