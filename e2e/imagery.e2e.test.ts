import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { writeFlatTile, writeNotATiff, writeScenePair } from './support/fixtures';
import { Workbench } from './support/workbench';

describe('imagery panel', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let scene: { before: string; after: string };

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    scene = await writeScenePair(path.join(app.workDir, 'scene'), { size: 512 });
    await bench.newProject('Imagery check');
  });
  afterAll(async () => app?.dispose());

  it('reads the before date and shows what a planner needs to know about it', async () => {
    await bench.addImagery('before', [scene.before]);
    const meta = bench.byTestId('imagery-meta-before');
    expect(await meta.getByTestId('crs').textContent()).toMatch(/EPSG:32633.*UTM zone 33N/);
    expect(await meta.getByTestId('pixel-size').textContent()).toMatch(/3\.00 m/);
    expect(await meta.getByTestId('size').textContent()).toMatch(/512 × 512 px · 2\.36 km²/);
    expect(await meta.getByTestId('data-type').textContent()).toMatch(/uint8/);
    const roles = await bench
      .byTestId('bands-before')
      .getByTestId('band-role')
      .evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
    expect(roles).toEqual(['red', 'green', 'blue']);
    expect(await bench.byTestId('preflight-ok').count()).toBe(0);
  });

  it('adds the after date, checks the pair and zooms to the imagery', async () => {
    await bench.addImagery('after', [scene.after]);
    await bench.byTestId('preflight-ok').waitFor();
    expect(await bench.byTestId('preflight-issue').count()).toBe(0);
    expect(await bench.byTestId('run-start').isEnabled()).toBe(true);

    await bench.byTestId('zoom-to-imagery').click();
    // The scene is near 15.7° E, 48.3° N (Lower Austria); after the zoom the map's centre lies inside it.
    const box = (await bench.byTestId('map').boundingBox())!;
    await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await app.page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="pointer-position"]')?.textContent ?? '';
      const m = /([\d.]+)° N, ([\d.]+)° E/.exec(text);
      return !!m && Math.abs(Number(m[1]) - 48.3) < 0.05 && Math.abs(Number(m[2]) - 15.7) < 0.1;
    });
    await app.screenshot('imagery-pair');
  });

  it('says that dropping files needs the desktop app in the browser host', async () => {
    const card = bench.byTestId('imagery-before');
    const filesBefore = await card.getByTestId('files').textContent();
    await bench.expectSignal('imagery:drop-refused:before', () =>
      card.evaluate((el) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(16)], 'dropped.tif', { type: 'image/tiff' }));
        for (const type of ['dragenter', 'dragover', 'drop']) {
          el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
        }
      }),
    );
    const notice = bench.byTestId('drop-notice-before');
    expect(await notice.textContent()).toMatch(/needs the desktop app/);
    // One line: no taller than a single line of its text.
    const box = (await notice.boundingBox())!;
    expect(box.height).toBeLessThan(26);
    // The date keeps its files.
    expect(await card.getByTestId('files').textContent()).toBe(filesBefore);
    await app.screenshot('imagery-drop-browser');
  });

  it('draws preview tiles of the imagery through the API', async () => {
    // The after date's preview layer is on by default; once zoomed in, tiles with pixels must arrive.
    await app.waitForSignal('tile:preview-after', 1, 60_000);
    await bench.expectSignal('map:rendered', () => bench.byTestId('zoom-to-imagery').click());
    await app.screenshot('imagery-preview');
  });

  it('changes a band role and keeps it when the project is reopened', async () => {
    const select = bench.byTestId('bands-after').getByTestId('band-role').first();
    await bench.expectSignal('imagery:bands:after', () => select.selectOption('nir'));
    expect(await select.inputValue()).toBe('nir');

    await app.page.reload();
    await app.waitForSignal('imagery:ready');
    const reopened = bench.byTestId('bands-after').getByTestId('band-role').first();
    await reopened.waitFor();
    expect(await reopened.inputValue()).toBe('nir');
    await bench.expectSignal('imagery:bands:after', () => reopened.selectOption('red'));
  });

  it('enters an acquisition date the files do not carry and keeps it when the project is reopened', async () => {
    expect(await bench.byTestId('acquired-source-before').textContent()).toMatch(/unknown/);
    await bench.expectSignal('imagery:date:before', () =>
      bench.byTestId('acquired-input-before').fill('2019-06-01'),
    );
    expect(await bench.byTestId('acquired-source-before').textContent()).toMatch(/entered/);
    await app.page.reload();
    await app.waitForSignal('imagery:ready');
    const input = bench.byTestId('acquired-input-before');
    await input.waitFor();
    expect(await input.inputValue()).toBe('2019-06-01');
    expect(await bench.byTestId('acquired').first().textContent()).toBe('2019-06-01');
  });

  it('refuses a file that is not a GeoTIFF with its code, and keeps the date as it was', async () => {
    const bad = writeNotATiff(path.join(app.workDir, 'bad', 'page.tif'));
    await bench.expectSignal('error:NOT_A_TIFF', () => bench.typeImageryPath('before', bad));
    const error = bench.byTestId('imagery-error-before');
    expect(await error.getAttribute('data-code')).toBe('NOT_A_TIFF');
    expect(await error.textContent()).toMatch(/not a GeoTIFF/);
    expect(await bench.byTestId('toast').filter({ hasText: 'page.tif' }).getAttribute('data-code')).toBe(
      'NOT_A_TIFF',
    );
    expect(await bench.byTestId('imagery-meta-before').getByTestId('files').textContent()).toMatch(
      /before\.tif/,
    );
    await app.screenshot('imagery-error');
  });

  it('warns, without blocking the run, when the after date has a coarser pixel size', async () => {
    const coarse = await writeFlatTile(path.join(app.workDir, 'coarse', 'coarse.tif'), {
      origin: [551_000 + 300, 5_353_200 - 300],
      size: 200,
      pixelSizeM: 4.5,
    });
    await bench.byTestId('clear-after').click();
    await bench.addImagery('after', [coarse]);
    const warning = bench.byTestId('preflight').locator('[data-code="PIXEL_SIZE_DIFFERS"]');
    await warning.waitFor();
    expect(await warning.getAttribute('data-severity')).toBe('warning');
    expect(await warning.textContent()).toMatch(/resampl/i);
    expect(await bench.byTestId('preflight').locator('[data-severity="error"]').count()).toBe(0);
    expect(await bench.byTestId('run-start').isDisabled()).toBe(false);
    await app.waitForMapSettled();
    await app.screenshot('imagery-preflight-warning');
  });

  it('shows a pair that does not overlap as a red pre-flight error and blocks the run', async () => {
    const far = await writeFlatTile(path.join(app.workDir, 'far', 'elsewhere.tif'), {
      origin: [700_000, 5_500_000],
    });
    await bench.byTestId('clear-after').click();
    await bench.addImagery('after', [far]);
    const issue = bench
      .byTestId('preflight-issue')
      .filter({ has: app.page.locator('[data-code="NO_OVERLAP"]') });
    const noOverlap = bench.byTestId('preflight').locator('[data-code="NO_OVERLAP"]');
    await noOverlap.waitFor();
    expect(await noOverlap.getAttribute('data-severity')).toBe('error');
    expect(await issue.count()).toBeLessThanOrEqual(1);
    expect(await bench.byTestId('run-start').isDisabled()).toBe(true);
    await app.screenshot('imagery-no-overlap');
  });

  it('adds many tiles of one date at once through the picker', async () => {
    const dir = path.join(app.workDir, 'tiles');
    // Two side-by-side tiles of the "after" date over the scene's top-left corner.
    const a = await writeFlatTile(path.join(dir, 'tile_0_0.tif'), {
      origin: [551_000, 5_353_200],
      value: 90,
    });
    const b = await writeFlatTile(path.join(dir, 'tile_0_1.tif'), {
      origin: [551_192, 5_353_200],
      value: 150,
    });
    await bench.byTestId('clear-after').click();
    await bench.addImagery('after', [a, b]);
    const meta = bench.byTestId('imagery-meta-after');
    expect(await meta.getByTestId('files').textContent()).toMatch(/2 tiles/);
    expect(await meta.getByTestId('size').textContent()).toMatch(/128 × 64 px/);
    await app.screenshot('imagery-tiles');
  });
});
