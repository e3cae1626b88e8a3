// Comparing the dates on the map (swipe, side by side, flicker, opacity) and the map basics a planner reaches for
// (measure, coordinates, scale, go to, zoom to a region at the imagery's scale), against the real services.
import path from 'node:path';
import geodesicPkg from 'geographiclib-geodesic';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleScene } from '../src-main/services/sampleScene/writeSampleScene';
import { ChangeMapApp } from './support/changeMapApp';
import { TINY_CHANGE_MODEL, writeScenePair } from './support/fixtures';
import { blend, cropOf, meanDifference, type Crop } from './support/mapPixels';
import { Workbench } from './support/workbench';

interface Wgs84Geodesic {
  Inverse(lat1: number, lon1: number, lat2: number, lon2: number): { s12?: number };
  Polygon(polyline: boolean): {
    AddPoint(lat: number, lon: number): void;
    Compute(reverse: boolean, sign: boolean): { area?: number };
  };
}
const geodesic = (geodesicPkg as unknown as { Geodesic: { WGS84: Wgs84Geodesic } }).Geodesic.WGS84;
const UTM33N = '+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs';

describe('map: comparing dates and map tools', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  const crops: { before?: Crop; after?: Crop } = {};

  /** A band across the middle of the map (clear of the swipe's labels at the top and the layer list). */
  async function band(): Promise<{ x: number; y: number; width: number; height: number }> {
    const box = (await bench.byTestId('map').boundingBox())!;
    return { x: box.x, y: box.y + box.height * 0.55, width: box.width * 0.9, height: 60 };
  }

  async function settled(action: () => Promise<unknown>): Promise<void> {
    const before = await app.signalCount('map:rendered');
    await action();
    await app.waitForSignal('map:rendered', before + 1);
    await app.waitForMapSettled();
  }

  async function resolutionNear(metres: number): Promise<number> {
    await app.page.waitForFunction(
      (m) => {
        const r = Number(document.querySelector('[data-testid="map"]')?.getAttribute('data-resolution-m'));
        return Math.abs(r - m) / m < 0.03;
      },
      metres,
      { timeout: 10_000 },
    );
    return Number(await bench.byTestId('map').getAttribute('data-resolution-m'));
  }

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    const scene = await writeScenePair(path.join(app.workDir, 'scene'), { size: 512 });
    await bench.finishedRun('Compare', scene, TINY_CHANGE_MODEL);
    await bench.regionRows().first().waitFor({ timeout: 120_000 });
    // Only the two dates on the map for the pixel comparisons.
    for (const id of ['probability', 'regions', 'footprints', 'chunks'])
      await bench.byTestId(`layer-visible-${id}`).uncheck();
    await settled(() => bench.byTestId('zoom-to-imagery').click());
  });
  afterAll(async () => app?.dispose());

  it('flickers between the dates with the F key', async () => {
    await settled(() => bench.byTestId('compare-flicker').click());
    expect(await bench.byTestId('map').getAttribute('data-flicker')).toBe('after');
    crops.after = await cropOf(app.page, await band());
    await settled(() => app.page.keyboard.press('f'));
    expect(await bench.byTestId('map').getAttribute('data-flicker')).toBe('before');
    expect(await bench.byTestId('flicker-shows').textContent()).toMatch(/^before/);
    crops.before = await cropOf(app.page, await band());
    // The dates differ (illumination, season, planted changes): flicker shows one, then the other.
    expect(meanDifference(crops.before, crops.after)).toBeGreaterThan(3);
    await app.screenshot('compare-flicker');
    await settled(() => app.page.keyboard.press('F'));
    expect(await bench.byTestId('map').getAttribute('data-flicker')).toBe('after');
  });

  it('swipes: "before" left of the divider and "after" right of it, at two divider positions', async () => {
    await settled(() => bench.byTestId('compare-swipe').click());
    const map = (await bench.byTestId('map').boundingBox())!;
    const divider = bench.byTestId('swipe-divider');
    const bandBox = await band();
    for (const fraction of [0.3, 0.7]) {
      const at = (await divider.boundingBox())!;
      await settled(async () => {
        await app.page.mouse.move(at.x + at.width / 2, at.y + at.height / 3);
        await app.page.mouse.down();
        await app.page.mouse.move(map.x + map.width * fraction, at.y + at.height / 3, { steps: 5 });
        await app.page.mouse.up();
      });
      expect(Number(await divider.getAttribute('data-fraction'))).toBeCloseTo(fraction, 2);
      const shown = await cropOf(app.page, bandBox);
      // Column by column: left of the divider is "before", right of it "after" (12 px clear of the divider).
      const split = map.x + map.width * fraction - bandBox.x;
      const columns = (crop: Crop, from: number, to: number): Crop => {
        const width = Math.round(to - from);
        const data = new Uint8Array(width * crop.height * 4);
        for (let y = 0; y < crop.height; y++)
          data.set(
            crop.data.subarray(
              (y * crop.width + Math.round(from)) * 4,
              (y * crop.width + Math.round(from) + width) * 4,
            ),
            y * width * 4,
          );
        return { width, height: crop.height, data };
      };
      const left = [0, split - 12] as const;
      const right = [split + 12, bandBox.width] as const;
      const dBefore = meanDifference(columns(shown, ...left), columns(crops.before!, ...left));
      const dAfterLeft = meanDifference(columns(shown, ...left), columns(crops.after!, ...left));
      const dAfter = meanDifference(columns(shown, ...right), columns(crops.after!, ...right));
      const dBeforeRight = meanDifference(columns(shown, ...right), columns(crops.before!, ...right));
      expect(dBefore).toBeLessThan(1.5);
      expect(dAfter).toBeLessThan(1.5);
      expect(dAfterLeft).toBeGreaterThan(3);
      expect(dBeforeRight).toBeGreaterThan(3);
      await app.screenshot(`compare-swipe-${Math.round(fraction * 100)}`);
    }
  });

  it('shows the dates side by side on two maps that share one view', async () => {
    const sideDrawn = await app.signalCount('map:side-rendered');
    await settled(() => bench.byTestId('compare-side-by-side').click());
    await app.waitForSignal('map:side-rendered', sideDrawn + 1);
    await app.waitForMapSettled();
    const side = (await bench.byTestId('side-map').boundingBox())!;
    const main = (await bench.byTestId('map').boundingBox())!;
    expect(Math.abs(side.width - main.width)).toBeLessThan(4);
    expect(side.x + side.width).toBeLessThanOrEqual(main.x + 1);
    // Both maps show the same place: the middle of the side map is "before" there, the main map's is "after".
    const middle = (b: { x: number; y: number; width: number; height: number }) => ({
      x: b.x + b.width / 2 - 60,
      y: b.y + b.height / 2 - 40,
      width: 120,
      height: 80,
    });
    const sideCrop = await cropOf(app.page, middle(side));
    const mainCrop = await cropOf(app.page, middle(main));
    expect(meanDifference(sideCrop, mainCrop)).toBeGreaterThan(2);
    // Zooming the main map zooms the side map with it (one shared View).
    const zoom = Number(await bench.byTestId('map').getAttribute('data-zoom'));
    await settled(() => app.page.locator('.ol-zoom-in').first().click());
    expect(Number(await bench.byTestId('map').getAttribute('data-zoom'))).toBeCloseTo(zoom + 1, 1);
    const sideZoom = await app.page.evaluate(() => {
      const canvas = document.querySelector('[data-testid="side-map"] canvas') as HTMLCanvasElement | null;
      return canvas ? canvas.width : 0;
    });
    expect(sideZoom).toBeGreaterThan(0);
    await app.screenshot('compare-side-by-side');
    await settled(() => app.page.locator('.ol-zoom-out').first().click());
  });

  it('draws "after" over "before" at the opacity the layer list sets', async () => {
    await settled(() => bench.byTestId('compare-off').click());
    await settled(() => bench.byTestId('layer-visible-before').check());
    await settled(() => bench.byTestId('layer-opacity-after').fill('30'));
    const shown = await cropOf(app.page, await band());
    const expected = blend(crops.after!, crops.before!, 0.3);
    const spread = meanDifference(crops.after!, crops.before!);
    expect(meanDifference(shown, expected)).toBeLessThan(spread * 0.35);
    expect(meanDifference(shown, crops.after!)).toBeGreaterThan(spread * 0.5);
    await app.screenshot('compare-opacity');
    await settled(() => bench.byTestId('layer-opacity-after').fill('100'));
  });

  it('measures a distance and an area within 0.5% of the geodesic on the WGS 84 ellipsoid', async () => {
    const clickAt = async (fx: number, fy: number, double = false) => {
      const [x, y] = await bench.mapPoint(fx, fy);
      await app.page.mouse.move(x, y, { steps: 2 });
      if (double) await app.page.mouse.dblclick(x, y);
      else await app.page.mouse.click(x, y);
    };
    await bench.byTestId('measure-distance').click();
    await bench.expectSignal('measure:done', async () => {
      await clickAt(0.2, 0.3);
      await clickAt(0.6, 0.35);
      await clickAt(0.5, 0.7, true);
    });
    const result = bench.byTestId('measure-result');
    const line = JSON.parse((await result.getAttribute('data-vertices'))!) as [number, number][];
    expect(line).toHaveLength(3);
    let length = 0;
    for (let i = 1; i < line.length; i++)
      length += geodesic.Inverse(line[i - 1][1], line[i - 1][0], line[i][1], line[i][0]).s12!;
    const shownLength = Number(await result.getAttribute('data-value'));
    expect(await result.getAttribute('data-unit')).toBe('m');
    expect(Math.abs(shownLength - length) / length).toBeLessThan(0.005);
    expect(length).toBeGreaterThan(300);
    await app.screenshot('measure-distance');

    await bench.byTestId('measure-area').click();
    await bench.expectSignal('measure:done', async () => {
      await clickAt(0.25, 0.25);
      await clickAt(0.55, 0.25);
      await clickAt(0.6, 0.6);
      await clickAt(0.3, 0.65, true);
    });
    const ring = JSON.parse((await result.getAttribute('data-vertices'))!) as [number, number][];
    expect(ring).toHaveLength(4);
    const polygon = geodesic.Polygon(false);
    for (const [lon, lat] of ring) polygon.AddPoint(lat, lon);
    const area = Math.abs(polygon.Compute(false, true).area!);
    const shownArea = Number(await result.getAttribute('data-value'));
    expect(await result.getAttribute('data-kind')).toBe('area');
    expect(Math.abs(shownArea - area) / area).toBeLessThan(0.005);
    expect(await result.textContent()).toMatch(/m² · [\d.]+ ha/);
    await app.screenshot('measure-area');
    await bench.byTestId('measure-area').click();
    expect(await result.count()).toBe(0);
  });

  it('reads the pointer in WGS 84 and in the grid CRS, and the scale as a bar and 1:n', async () => {
    const [x, y] = await bench.mapPoint(0.4, 0.4);
    await app.page.mouse.move(x, y);
    await bench.byTestId('pointer-grid').waitFor();
    const wgs = (await bench.byTestId('pointer-wgs84').textContent())!;
    const [, lat, lon] = /([\d.]+)° N, ([\d.]+)° E/.exec(wgs)!.map(Number);
    const grid = (await bench.byTestId('pointer-grid').textContent())!;
    const m = /E ([\d,.]+)\s+N ([\d,.]+) \(EPSG:32633\)/.exec(grid)!;
    const [e, n] = [Number(m[1].replaceAll(',', '')), Number(m[2].replaceAll(',', ''))];
    const [ex, ny] = proj4('EPSG:4326', UTM33N, [lon, lat]);
    // Five decimals of a degree are about a metre.
    expect(Math.abs(e - ex)).toBeLessThan(2);
    expect(Math.abs(n - ny)).toBeLessThan(2);

    const scaleText = (await bench.byTestId('scale-line').locator('.ol-scale-text').textContent())!;
    const scale = /^\s*1\s*:\s*([\d\s,.]+)$/.exec(scaleText);
    expect(scale).not.toBeNull();
    const denominator = Number(scale![1].replace(/[\s,.]/g, ''));
    // OpenLayers' scale assumes 0.28 mm screen pixels (the OGC standard rendering pixel).
    const metresPerPixel = Number(await bench.byTestId('map').getAttribute('data-resolution-m'));
    expect(Math.abs(denominator - metresPerPixel / 0.00028) / denominator).toBeLessThan(0.03);
    expect(await app.page.locator('.ol-scale-bar').count()).toBe(1);
  });

  it('goes to a latitude/longitude and to a grid easting/northing', async () => {
    await bench.byTestId('goto-input').fill('48.31, 15.72');
    await bench.expectSignal('map:goto', () => bench.byTestId('goto-submit').click());
    await app.page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="map"]')!;
      return (
        Math.abs(Number(el.getAttribute('data-center-lat')) - 48.31) < 1e-4 &&
        Math.abs(Number(el.getAttribute('data-center-lon')) - 15.72) < 1e-4
      );
    });
    await bench.byTestId('goto-input').fill('551700 5352500');
    await bench.expectSignal('map:goto', () => bench.byTestId('goto-submit').click());
    const [lon, lat] = proj4(UTM33N, 'EPSG:4326', [551700, 5352500]);
    await app.page.waitForFunction(
      ([lon, lat]) => {
        const el = document.querySelector('[data-testid="map"]')!;
        return (
          Math.abs(Number(el.getAttribute('data-center-lat')) - lat) < 1e-5 &&
          Math.abs(Number(el.getAttribute('data-center-lon')) - lon) < 1e-5
        );
      },
      [lon, lat],
    );
    await bench.byTestId('goto-input').fill('somewhere');
    await bench.byTestId('goto-submit').click();
    expect(await bench.byTestId('goto-error').textContent()).toMatch(/latitude and longitude/);
  });

  it('zooms to a region of a 3 m scene at 1.5 m per screen pixel, not a fixed zoom level', async () => {
    await bench.expectSignal('regions:listed', () => bench.byTestId('sort-area').click());
    await bench.expectSignal('region:selected', () => bench.regionRows().first().click());
    expect(await resolutionNear(1.5)).toBeCloseTo(1.5, 1);
    await app.screenshot('zoom-region-3m');
    await bench.byTestId('spot-close').click();
  });

  it('zooms to a region of a 10 m scene at 5 m per screen pixel', async () => {
    const scene = await writeSampleScene(path.join(app.workDir, 'scene10'), {
      width: 256,
      height: 256,
      seed: 11,
      pixelSizeM: 10,
    });
    await app.closeProject();
    await bench.finishedRun('Ten metres', scene, TINY_CHANGE_MODEL);
    await bench.regionRows().first().waitFor({ timeout: 120_000 });
    await bench.expectSignal('regions:listed', () => bench.byTestId('sort-area').click());
    await bench.expectSignal('region:selected', () => bench.regionRows().first().click());
    expect(await resolutionNear(5)).toBeCloseTo(5, 0);
    await app.screenshot('zoom-region-10m');
  });
});
