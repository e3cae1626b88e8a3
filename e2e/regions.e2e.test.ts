import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { insertSyntheticRegions } from './support/manyRegions';
import { Workbench } from './support/workbench';

const CARD_THRESHOLD = 0.62;

async function rowAreas(bench: Workbench): Promise<number[]> {
  return bench.regionRows().evaluateAll((rows) =>
    rows
      .map((r) => ({ i: Number(r.getAttribute('data-index')), a: Number(r.getAttribute('data-area')) }))
      .sort((x, y) => x.i - y.i)
      .map((r) => r.a),
  );
}

describe('results panel: change regions, spot check and review', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let projectFile: string;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    projectFile = await bench.finishedSampleRun('Regions check', CARD_THRESHOLD);
  });
  afterAll(async () => app?.dispose());

  it('shows the regions of the finished run without "Find regions"', async () => {
    await bench.regionRows().first().waitFor({ timeout: 120_000 });
    await bench.byTestId('regions-found').waitFor({ timeout: 120_000 });
    const total = Number(await bench.byTestId('region-list').getAttribute('data-total'));
    expect(total).toBeGreaterThan(0);
    expect(await bench.byTestId('regions-found').textContent()).toMatch(
      new RegExp(`^\\s*${total.toLocaleString('en-GB')} regions`),
    );
    expect(await bench.byTestId('status-regions').textContent()).toBe(
      `${total.toLocaleString('en-GB')} regions`,
    );
  });

  it('starts the threshold at the model card and lists the regions largest first', async () => {
    expect(await bench.byTestId('threshold-value').textContent()).toBe(CARD_THRESHOLD.toFixed(2));
    await bench.computeRegions({ minAreaM2: 50 });
    expect(await bench.byTestId('regions-found').textContent()).toMatch(/\d+ regions in [\d.]+ s/);
    await bench.regionRows().first().waitFor();
    const areas = await rowAreas(bench);
    expect(areas.length).toBeGreaterThan(0);
    for (let i = 1; i < areas.length; i++) expect(areas[i]).toBeLessThanOrEqual(areas[i - 1]);
    expect(areas[areas.length - 1]).toBeGreaterThanOrEqual(50);
    const first = bench.regionRows().first();
    expect(await first.getByTestId('region-area').textContent()).toMatch(/m² · [\d.,]+ ha/);
    // "from → to", or "change within <class>" when both dates have the same class.
    expect(await first.getByTestId('region-transition').textContent()).toMatch(/→|^\s*change within \S/);
    expect(await first.textContent()).toMatch(/° N, .*° E/);
    await app.screenshot('regions-list');
  });

  it('applies a moved threshold by itself, never showing the old count beside the new value', async () => {
    const ready = await app.signalCount('regions:ready');
    await bench.byTestId('threshold').fill('0.9');
    // At once: the new value, and no count until the regions of 0.9 are in.
    expect(await bench.byTestId('threshold-value').textContent()).toBe('0.90');
    expect(await bench.byTestId('regions-updating').isVisible()).toBe(true);
    expect(await bench.byTestId('regions-found').count()).toBe(0);
    expect(await bench.byTestId('status-regions').textContent()).toMatch(/updating/);
    // No "Find regions": the change applies once the slider rests.
    await app.waitForSignal('regions:ready', ready + 1, 120_000);
    // The count beside 0.90 is the one of 0.90: the list's, the status bar's and the services' figure agree.
    const after = Number(await bench.byTestId('region-list').getAttribute('data-total'));
    expect(await bench.byTestId('threshold-value').textContent()).toBe('0.90');
    expect(await bench.byTestId('regions-found').textContent()).toMatch(
      new RegExp(`^\\s*${after.toLocaleString('en-GB')} regions`),
    );
    expect(await bench.byTestId('status-regions').textContent()).toBe(
      `${after.toLocaleString('en-GB')} regions`,
    );
    // back to the settings the other tests expect
    await bench.computeRegions({ threshold: CARD_THRESHOLD, minAreaM2: 50 });
  });

  it('sorts and filters the list on the server', async () => {
    const total = Number(await bench.byTestId('region-list').getAttribute('data-total'));
    await bench.expectSignal('regions:listed', () => bench.byTestId('sort-area').click());
    const ascending = await rowAreas(bench);
    for (let i = 1; i < ascending.length; i++) expect(ascending[i]).toBeGreaterThanOrEqual(ascending[i - 1]);
    await bench.expectSignal('regions:listed', () => bench.byTestId('sort-area').click());

    const areas = await rowAreas(bench);
    const cut = areas[Math.floor(areas.length / 2)];
    await bench.expectSignal('regions:listed', async () => {
      await bench.byTestId('filter-min-area').fill(String(cut));
      await bench.byTestId('filter-min-area').press('Tab');
    });
    const filtered = await rowAreas(bench);
    expect(filtered.length).toBeGreaterThan(0);
    for (const a of filtered) expect(a).toBeGreaterThanOrEqual(cut);
    expect(await bench.byTestId('region-count').textContent()).toMatch(
      new RegExp(`of ${total.toLocaleString('en-GB')} regions`),
    );
    await bench.expectSignal('regions:listed', () => bench.byTestId('clear-filters').click());
    expect(Number(await bench.byTestId('region-list').getAttribute('data-total'))).toBe(total);
  });

  it('draws outlines on the map with a legend, and opens the spot check of a clicked row', async () => {
    await app.waitForSignal('regions:outlines-loaded');
    expect(await bench.byTestId('region-legend').isVisible()).toBe(true);
    const first = bench.regionRows().first();
    const fid = await first.getAttribute('data-fid');
    await bench.expectSignal('spotcheck:ready', () => first.click());
    const spot = bench.byTestId('spot-check');
    expect(await spot.getAttribute('data-fid')).toBe(fid);
    const sizes = await spot
      .locator('img')
      .evaluateAll((imgs) =>
        imgs.map((i) => [(i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).naturalHeight]),
      );
    expect(sizes).toHaveLength(3);
    expect(sizes[0][0]).toBeGreaterThan(0);
    expect(sizes[1]).toEqual(sizes[0]);
    expect(sizes[2]).toEqual(sizes[0]);

    // The map zoomed to the region: its outline is near the middle of the view, and hovering shows the summary.
    const [cx, cy] = await bench.mapPoint(0.5, 0.35);
    await bench.hoverRegionNear(cx, cy);
    expect(await bench.byTestId('region-tooltip').textContent()).toMatch(/Region \d+/);
    await app.screenshot('regions-spot-check');
  });

  it('reviews with the keyboard: C confirms, J steps, R rejects, N writes a note', async () => {
    const rows = bench.regionRows();
    const firstFid = await rows.nth(0).getAttribute('data-fid');
    await bench.expectSignal('review:saved', () => app.page.keyboard.press('c'));
    expect(await bench.byTestId('review-state').getAttribute('data-state')).toBe('confirmed');
    expect(
      await app.page
        .locator(`[data-testid="region-row"][data-fid="${firstFid}"]`)
        .getAttribute('data-review'),
    ).toBe('confirmed');

    const secondFid = await rows.nth(1).getAttribute('data-fid');
    await bench.expectSignal('spotcheck:ready', () => app.page.keyboard.press('j'));
    expect(await bench.byTestId('spot-check').getAttribute('data-fid')).toBe(secondFid);
    await bench.expectSignal('review:saved', () => app.page.keyboard.press('r'));
    expect(
      await app.page
        .locator(`[data-testid="region-row"][data-fid="${secondFid}"]`)
        .getAttribute('data-review'),
    ).toBe('rejected');

    await app.page.keyboard.press('n');
    expect(await app.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'review-note',
    );
    await app.page.keyboard.type('Shadow of a new hall, not a change on the ground.');
    await bench.expectSignal('review:saved', () => app.page.keyboard.press('Control+Enter'));
    await app.page.keyboard.press('Escape');

    await bench.expectSignal('spotcheck:ready', () => app.page.keyboard.press('k'));
    expect(await bench.byTestId('spot-check').getAttribute('data-fid')).toBe(firstFid);
    await bench.expectSignal('spotcheck:ready', () => app.page.keyboard.press('ArrowDown'));
    expect(await bench.byTestId('review-note').inputValue()).toBe(
      'Shadow of a new hall, not a change on the ground.',
    );
    expect(await bench.byTestId('review-state').getAttribute('data-state')).toBe('rejected');
    await app.screenshot('regions-reviewed');
  });

  it('filters by review state', async () => {
    await bench.expectSignal('regions:listed', () => bench.byTestId('filter-review-confirmed').click());
    const states = await bench
      .regionRows()
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-review')));
    expect(states).toEqual(['confirmed']);
    await bench.expectSignal('regions:listed', () => bench.byTestId('clear-filters').click());
  });

  it('stays fast with 100,000 regions: only the rows in view exist, pages load as they scroll in', async () => {
    const runId = Number(await bench.byTestId('run-progress').getAttribute('data-run-id'));
    insertSyntheticRegions(projectFile, runId, 100_000);
    await bench.expectSignal('regions:listed', () => bench.byTestId('sort-area').click());
    await bench.expectSignal('regions:listed', () => bench.byTestId('sort-area').click());
    const total = Number(await bench.byTestId('region-list').getAttribute('data-total'));
    expect(total).toBeGreaterThanOrEqual(100_000);
    expect(await bench.regionRows().count()).toBeLessThan(40);

    // The synthetic regions draw both classes at random: the same class on both dates reads as change within it.
    const shown = await bench
      .regionRows()
      .getByTestId('region-transition')
      .evaluateAll((els) =>
        els.map((e) => ({
          kind: e.getAttribute('data-kind'),
          text: (e.textContent ?? '').replace(/\s+/g, ' ').trim(),
        })),
      );
    const within = shown.filter((t) => t.kind === 'within');
    expect(within.length).toBeGreaterThan(0);
    for (const t of within) expect(t.text).toMatch(/^change within [a-z/]+ [\d.]+ \/ [\d.]+$/);
    for (const t of shown.filter((s) => s.kind !== 'within')) {
      expect(t.text).toMatch(/→/);
      const [from, to] = t.text.split('→').map((s) => s.trim().replace(/ [\d.]+$/, ''));
      expect(from === to && from !== 'uncertain').toBe(false);
    }

    const started = Date.now();
    await bench.byTestId('region-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await app.page
      .locator(`[data-testid="region-row"][data-index="${total - 1}"]`)
      .waitFor({ timeout: 10_000 });
    const toBottomMs = Date.now() - started;
    expect(await bench.regionRows().count()).toBeLessThan(40);
    expect(toBottomMs).toBeLessThan(5_000);
    console.log(`[regions] ${total} regions: jump to the end of the list in ${toBottomMs} ms`);
    await app.screenshot('regions-100k');
  });
});
