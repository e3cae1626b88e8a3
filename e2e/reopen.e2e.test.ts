// A project reopens exactly as it was left: the run, the region settings, the review states and notes, and the
// map view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { Workbench } from './support/workbench';

const NOTE = 'Cloud shadow in the after image.';

interface ShownView {
  lon: number;
  lat: number;
  zoom: number;
}

async function shownView(bench: Workbench): Promise<ShownView> {
  const map = bench.byTestId('map');
  const read = async (name: string) => Number(await map.getAttribute(name));
  return {
    lon: await read('data-center-lon'),
    lat: await read('data-center-lat'),
    zoom: await read('data-zoom'),
  };
}

describe('reopening a project', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let projectFile: string;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    // A card threshold unlike the one used below, so a restored threshold cannot be the card's by chance.
    projectFile = await bench.finishedSampleRun('Reopen check', 0.62);
  });
  afterAll(async () => app?.dispose());

  it('shows the same run, region settings, reviews, note and map view after closing and reopening', async () => {
    await bench.computeRegions({ threshold: 0.55, minAreaM2: 60 });
    const threshold = await bench.byTestId('threshold-value').textContent();
    expect(threshold).toBe('0.55');
    const runId = await bench.byTestId('run-progress').getAttribute('data-run-id');
    const total = await bench.byTestId('region-list').getAttribute('data-total');
    expect(Number(total)).toBeGreaterThan(1);

    // Open the first region, step with the keyboard, confirm one and reject the next with a note.
    const rows = bench.regionRows();
    const firstFid = await rows.nth(0).getAttribute('data-fid');
    const secondFid = await rows.nth(1).getAttribute('data-fid');
    await bench.expectSignal('spotcheck:ready', () => rows.nth(0).click());
    await bench.expectSignal('review:saved', () => app.page.keyboard.press('c'));
    await bench.expectSignal('spotcheck:ready', () => app.page.keyboard.press('j'));
    expect(await bench.byTestId('spot-check').getAttribute('data-fid')).toBe(secondFid);
    await app.page.keyboard.press('n');
    await app.page.keyboard.type(NOTE);
    await app.page.keyboard.press('Escape');
    await bench.expectSignal('review:saved', () => app.page.keyboard.press('r'));
    const count = (state: string) => () => bench.byTestId(`review-count-${state}`).textContent();
    await expect.poll(count('confirmed')).toBe('1');
    await expect.poll(count('rejected')).toBe('1');

    // Leave the map somewhere of our own choosing: one step out from the region the spot check zoomed to.
    const zoomed = (await shownView(bench)).zoom;
    await app.page.locator('.ol-zoom-out').click();
    await expect.poll(async () => (await shownView(bench)).zoom).toBeCloseTo(zoomed - 1, 3);
    const before = await shownView(bench);

    const tiles = {
      probability: await app.signalCount('tile:probability'),
      after: await app.signalCount('tile:preview-after'),
    };
    await app.closeProject();
    const recent = app.page.locator(`[data-testid="recent-item"][data-path="${projectFile}"] button.open`);
    await bench.expectSignal('regions:restored', () => recent.click());
    await app.waitForSignal('map:ready', 2);

    // The same run, done, with its chunk grid.
    expect(await bench.byTestId('run-progress').getAttribute('data-run-id')).toBe(runId);
    expect(await bench.byTestId('run-status').textContent()).toBe('done');
    expect(await bench.byTestId('run-chunks').textContent()).toMatch(/(\d+) \/ \1 chunks/);
    // The same region settings and regions.
    expect(await bench.byTestId('threshold-value').textContent()).toBe(threshold);
    expect(await bench.byTestId('min-area').inputValue()).toBe('60');
    expect(await bench.byTestId('region-list').getAttribute('data-total')).toBe(total);
    await bench.regionRows().first().waitFor();
    const review = (fid: string | null) =>
      app.page.locator(`[data-testid="region-row"][data-fid="${fid}"]`).getAttribute('data-review');
    expect(await review(firstFid)).toBe('confirmed');
    expect(await review(secondFid)).toBe('rejected');
    await expect.poll(count('confirmed')).toBe('1');

    // Its probability tiles and the imagery are drawn again.
    await app.waitForSignal('tile:probability', tiles.probability + 1);
    await app.waitForSignal('tile:preview-after', tiles.after + 1);
    await app.waitForMapSettled();

    // The same map view, within a small tolerance.
    const after = await shownView(bench);
    expect(Math.abs(after.lon - before.lon)).toBeLessThan(1e-6);
    expect(Math.abs(after.lat - before.lat)).toBeLessThan(1e-6);
    expect(Math.abs(after.zoom - before.zoom)).toBeLessThan(1e-3);
    await app.screenshot('reopen-restored');

    // The rejected region keeps its note.
    await bench.expectSignal('spotcheck:ready', () =>
      app.page.locator(`[data-testid="region-row"][data-fid="${secondFid}"]`).click(),
    );
    expect(await bench.byTestId('review-state').getAttribute('data-state')).toBe('rejected');
    expect(await bench.byTestId('review-note').inputValue()).toBe(NOTE);
    await app.waitForMapSettled();
    await app.screenshot('reopen-region-note');
  });
});
