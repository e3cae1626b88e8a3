// Issue 14 in the window: draw a sample of 50 points, label them with the keyboard in the spot-check view, read
// the accuracy panel, export the sample and make the report (its PDF read back with pdftotext).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { Workbench } from './support/workbench';

describe('accuracy assessment and report', () => {
  let app: ChangeMapApp;
  let bench: Workbench;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    await bench.finishedSampleRun('Accuracy check', 0.62);
    await bench.regionRows().first().waitFor({ timeout: 120_000 });
  });
  afterAll(async () => app?.dispose());

  it('draws a seeded stratified sample of 50 points', async () => {
    expect(await bench.byTestId('accuracy-draw').isVisible()).toBe(true);
    await bench.byTestId('accuracy-points').fill('50');
    await bench.byTestId('accuracy-minimum').fill('20');
    await bench.byTestId('accuracy-seed').fill('11');
    await bench.expectSignal('accuracy:drawn', () => bench.byTestId('accuracy-draw').click());
    const summary = (await bench.byTestId('accuracy-summary').textContent())!.replace(/\s+/g, ' ');
    expect(summary).toMatch(/50\s*points \(\d+ in change regions, \d+ elsewhere\), seed 11/);
    expect(await bench.byTestId('accuracy-labelled').textContent()).toBe('0');
    expect(await bench.byTestId('accuracy-missing').textContent()).toMatch(
      /label at least two in every stratum/,
    );
    await app.screenshot('accuracy-sample');
  });

  it('labels every point from the keyboard, C change / N no change, moving on by itself', async () => {
    await bench.expectSignal('accuracy:point', () => bench.byTestId('accuracy-label-start').click());
    const check = bench.byTestId('point-check');
    expect(await check.getAttribute('data-index')).toBe('0');
    for (const key of ['before', 'change', 'after'])
      expect(await bench.byTestId(`point-image-${key}`).getAttribute('src')).toMatch(
        /^data:image\/png;base64,/,
      );
    await app.screenshot('accuracy-point-check');
    for (let i = 0; i < 50; i++) {
      expect(await check.getAttribute('data-index')).toBe(String(i));
      const mapSays = (await check.textContent())!.includes('map says: change') ? 'change' : 'no change';
      // The planner disagrees with the map at every seventh point.
      const agree = i % 7 !== 3;
      const key = (mapSays === 'change') === agree ? 'c' : 'n';
      const labelled = await app.signalCount('accuracy:labelled');
      const shown = await app.signalCount('accuracy:point');
      await app.page.keyboard.press(key);
      await app.waitForSignal('accuracy:labelled', labelled + 1);
      if (i < 49) await app.waitForSignal('accuracy:point', shown + 1);
    }
    expect(await bench.byTestId('point-label').getAttribute('data-label')).not.toBe('none');
    await app.page.keyboard.press('Escape');
    expect(await check.count()).toBe(0);
    expect(await bench.byTestId('accuracy-labelled').textContent()).toBe('50');
  });

  it('shows the error matrix, the accuracies and the error-adjusted changed area with their intervals', async () => {
    const matrix = await bench.byTestId('accuracy-matrix').locator('td').allTextContents();
    expect(matrix.map(Number).reduce((s, n) => s + n, 0)).toBe(50);
    // 7 of 50 points were labelled against the map.
    expect(Number(matrix[1]) + Number(matrix[2])).toBe(7);
    expect(await bench.byTestId('accuracy-overall').textContent()).toMatch(
      /^\d+\.\d% \(\d+\.\d% – \d+\.\d%\)$/,
    );
    expect(await bench.byTestId('accuracy-users').textContent()).toMatch(/%\s*\(/);
    // Interval ends are shown within 0-100% (the Wald interval of a high accuracy may pass 100%).
    const shown = (await bench.byTestId('accuracy-figures').textContent())!;
    for (const [, v] of shown.matchAll(/([\d.]+)%/g)) expect(Number(v)).toBeLessThanOrEqual(100);
    expect(await bench.byTestId('accuracy-adjusted').textContent()).toMatch(/m²|ha/);
    await bench.byTestId('panel-accuracy').scrollIntoViewIfNeeded();
    await app.screenshot('accuracy-panel');
  });

  it('exports the sample and its labels as a GeoPackage', async () => {
    const out = path.join(app.workDir, 'sample.gpkg');
    await bench.byTestId('accuracy').locator('summary', { hasText: 'Export the sample' }).click();
    await bench.byTestId('accuracy-export-path').fill(out);
    await bench.expectSignal('accuracy:exported', () => bench.byTestId('accuracy-export').click());
    const info = execFileSync('ogrinfo', ['-so', out, 'accuracy_points'], { encoding: 'utf8' });
    expect(info).toMatch(/Feature Count: 50/);
  });

  it('estimates the changed area per district once a boundary layer is joined', async () => {
    // West and east halves of the 512-px sample scene (origin 551000, 5353200; 3 m pixels), in EPSG:32633.
    const half = (x0: number) => [
      [x0, 5_353_200],
      [x0, 5_351_664],
      [x0 + 768, 5_351_664],
      [x0 + 768, 5_353_200],
      [x0, 5_353_200],
    ];
    const file = path.join(app.workDir, 'districts.geojson');
    fs.writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32633' } },
        features: ['West', 'East'].map((name, i) => ({
          type: 'Feature',
          properties: { name },
          geometry: { type: 'Polygon', coordinates: [half(551_000 + i * 768)] },
        })),
      }),
    );
    await bench.byTestId('boundary-add').click();
    await bench.byTestId('file-picker-name').fill(file);
    await bench.expectSignal('boundaries:added', () => bench.byTestId('file-picker-confirm').click());
    await bench.expectSignal('boundaries:joined', () => bench.byTestId('boundary-join').click(), 120_000);
    await bench.byTestId('accuracy-by-feature').locator('summary').click();
    const rows = bench.byTestId('accuracy-feature-row');
    await rows.first().waitFor();
    const names = await rows.locator('td:nth-child(1)').allTextContents();
    expect(names.map((t) => t.trim()).sort()).toEqual(['East', 'West']);
    // Every point lies in one half: the labelled/points columns add up to the sample.
    const counts = (await rows.locator('td:nth-child(2)').allTextContents()).map((t) =>
      Number(t.split('/')[1]),
    );
    expect(counts[0] + counts[1]).toBe(50);
    await bench.byTestId('accuracy-by-feature').scrollIntoViewIfNeeded();
    await app.screenshot('accuracy-by-district');
  });

  it('makes the report: a PDF with the overview, the method, the accuracy figures and a page per largest region', async () => {
    const out = path.join(app.workDir, 'report.pdf');
    await bench.byTestId('report-path').fill(out);
    await bench.expectSignal('report:done', () => bench.byTestId('report-make').click(), 120_000);
    expect(await bench.byTestId('report-done').textContent()).toBe(out);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [out], { encoding: 'utf8' }))![1]);
    const regionCount = Number(await bench.byTestId('region-list').getAttribute('data-total'));
    // Cover, districts, method and accuracy, and one page for each of the (at most five) largest regions.
    expect(pages).toBe(3 + Math.min(5, regionCount));
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
    for (const expected of [
      'ChangeMap report — Accuracy check',
      'By districts',
      'Method',
      'Change model',
      'Accuracy assessment',
      'Error-adjusted changed area',
      'Olofsson et al. (2014)',
      'Region 1:',
    ])
      expect(text).toContain(expected);
    expect(text).toMatch(/Sample \d+: 50 points/);
    for (const [, v] of text.matchAll(/([\d.]+)%/g)) expect(Number(v)).toBeLessThanOrEqual(100);
    // The report's first page as an image, for the README and for a person to look at.
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-f',
      '1',
      '-l',
      '2',
      out,
      path.join(app.workDir, 'report-page'),
    ]);
    const artefacts = path.dirname(await app.screenshot('accuracy-report-made'));
    for (const f of fs.readdirSync(app.workDir).filter((n) => n.startsWith('report-page')))
      fs.copyFileSync(path.join(app.workDir, f), path.join(artefacts, f));
  });
});
