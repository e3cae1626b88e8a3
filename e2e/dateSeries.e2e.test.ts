// Issue 13, many dates and run history in the app: a project with three dates, the time slider at each date, a
// batch run of both pairs, the Results by period, the "when did it change" view, the run history with a comparison
// of two runs; and a project of the previous version opening migrated, with a backup and the same regions and
// reviews. Screenshots land in artefacts/e2e/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject } from '../src-main/services/exports/exportTestProject';
import { utmGrid, writeThreeDates } from '../src-main/services/imagery/testing/fixtures';
import { GPKG_APPLICATION_ID, MIGRATIONS, USER_VERSION_BASE } from '../src-main/services/project/schema';
import { COMPARISON_COLOURS, PERIOD_COLOURS } from '../src-renderer/src/lib/map/seriesColours';
import { ChangeMapApp } from './support/changeMapApp';
import { TINY_CHANGE_MODEL } from './support/fixtures';
import { Workbench } from './support/workbench';

/** Three dates of one scene: date 2 adds a bright block (A), date 3 keeps it and adds a dark block (B). */
async function writeSeries(dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files = ['date1.tif', 'date2.tif', 'date3.tif'].map((f) => path.join(dir, f)) as [
    string,
    string,
    string,
  ];
  await writeThreeDates(files, utmGrid(384, 320, 500000, 5600000, 3));
  return files;
}

describe('many dates and run history (issue 13)', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let files: string[];

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    files = await writeSeries(path.join(app.workDir, 'series'));
  }, 120_000);
  afterAll(async () => app?.dispose());

  it('holds three dates, steps the time slider through them, runs both pairs and shows when things changed', async () => {
    const page = app.page;
    await bench.newProject('Three dates');
    await bench.addModel(TINY_CHANGE_MODEL);
    await page.getByTestId('panel-dates').getByRole('button', { name: 'Dates' }).click();
    const acquired = ['2019-06-01', '2020-06-01', '2021-06-01'];
    for (const [i, file] of files.entries()) {
      await bench.byTestId('series-add-date').click();
      await bench.byTestId('file-picker-name').fill(file);
      await bench.expectSignal('series:date-added', () => bench.byTestId('file-picker-confirm').click());
      await bench.byTestId('series-date-acquired').nth(i).fill(acquired[i]);
      await bench.byTestId('series-date-acquired').nth(i).dispatchEvent('change');
    }
    await expect.poll(() => bench.byTestId('series-date').count()).toBe(3);
    await expect
      .poll(() =>
        bench
          .byTestId('series-date-acquired')
          .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      )
      .toEqual(acquired);
    // The two-date cards show the first and last date of the series.
    await expect
      .poll(() => bench.byTestId('imagery-meta-after').textContent())
      .toMatch(/date3\.tif|2021-06-01/);

    // The time slider: each date's own imagery on the map.
    await bench.byTestId('time-slider-on').check();
    const ids = await bench
      .byTestId('series-date')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-date-id')));
    for (let i = 0; i < 3; i++) {
      await bench.byTestId('time-slider-range').fill(String(i));
      await expect
        .poll(() => bench.byTestId('time-slider-label').textContent())
        .toContain(`date ${i + 1}: ${acquired[i]}`);
      await app.waitForSignal(`tile:series-date:${ids[i]}`);
      await app.waitForMapSettled();
      await app.screenshot(`series-time-slider-date-${i + 1}`);
    }
    await bench.byTestId('time-slider-on').uncheck();

    // A batch of both pairs, one after the other.
    await bench.byTestId('series-run-batch').click();
    await bench.waitForRunDone(2);
    await page.getByTestId('panel-history').getByRole('button', { name: 'Run history' }).click();
    await expect.poll(() => bench.byTestId('run-history-row').count()).toBe(2);
    await expect
      .poll(() => bench.byTestId('run-history-count').allTextContents(), { timeout: 60_000 })
      .toEqual(['1', '1']);
    await expect
      .poll(() => bench.byTestId('run-history-row').nth(0).textContent())
      .toMatch(/2019-06-01 → 2020-06-01/);
    await app.waitForMapSettled();
    await app.screenshot('series-batch-run');

    // The Results by period: each period's run and its regions.
    await expect.poll(() => bench.byTestId('period-option').count()).toBe(2);
    await bench.expectSignal('series:run-shown', () => bench.byTestId('period-option').nth(0).click());
    await expect.poll(() => bench.byTestId('period-option').nth(0).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => bench.byTestId('region-list').getAttribute('data-total')).toBe('1');
    await expect.poll(() => bench.byTestId('run-progress').getAttribute('data-run-id')).toBe('1');

    // "When did it change": each period's region in its period's colour.
    await bench.expectSignal('series:periods-loaded', () => bench.byTestId('when-view-toggle').check());
    await expect
      .poll(() =>
        bench.byTestId('when-period').evaluateAll((els) => els.map((e) => e.getAttribute('data-on-map'))),
      )
      .toEqual(['1', '1']);
    await app.waitForMapSettled();
    await app.screenshot('series-when-did-it-change');
    expect(PERIOD_COLOURS.length).toBeGreaterThan(2);
    await bench.byTestId('when-view-toggle').uncheck();

    // Any two dates: a third run, the first date against the last, is said not to hide the one on screen; then
    // compare runs 1 and 3.
    await bench.byTestId('series-pair-from').selectOption({ label: acquired[0] });
    await bench.byTestId('series-pair-to').selectOption({ label: acquired[2] });
    await bench.expectSignal('run:started', () => bench.byTestId('series-pair-run').click());
    await expect
      .poll(() => bench.byTestId('toast').evaluateAll((els) => els.map((e) => e.getAttribute('data-code'))))
      .toContain('RUN_PREVIOUS_KEPT');
    await bench.waitForRunDone(3);
    await expect.poll(() => bench.byTestId('run-history-row').count()).toBe(3);
    await expect
      .poll(() => bench.byTestId('run-history-count').nth(2).textContent(), { timeout: 60_000 })
      .toBe('2');
    await bench.byTestId('run-history-pick').nth(0).check();
    await bench.byTestId('run-history-pick').nth(2).check();
    await bench.expectSignal('series:comparison-loaded', () => bench.byTestId('run-compare').click());
    await expect.poll(() => bench.byTestId('compare-only-a').textContent()).toMatch(/Only in run 1:\s*0/);
    await expect.poll(() => bench.byTestId('compare-only-b').textContent()).toMatch(/Only in run 3:\s*1/);
    await expect
      .poll(() => bench.byTestId('compare-both').textContent())
      .toMatch(/In both:\s*1 of run 1, 1 of run 3/);
    // On the map: the shared region twice (once per run) in the "both" colour, run 3's other one in its own.
    await expect
      .poll(() => bench.byTestId('run-comparison').getAttribute('data-on-map'))
      .toBe(`${COMPARISON_COLOURS.both}:2,${COMPARISON_COLOURS.onlyB}:1`);
    await app.waitForMapSettled();
    await app.screenshot('series-run-history-comparison');

    // Switching back to an earlier run from the history.
    await bench.expectSignal('series:run-shown', () => bench.byTestId('run-history-show').nth(1).click());
    await expect.poll(() => bench.byTestId('run-progress').getAttribute('data-run-id')).toBe('2');
  }, 600_000);

  it("replaces a middle date's imagery from its row, and its runs keep their results", async () => {
    const replacement = path.join(app.workDir, 'series', 'date2-reshot.tif');
    fs.copyFileSync(files[1], replacement);
    await bench.byTestId('series-date-replace').nth(1).click();
    expect(await bench.byTestId('file-picker-confirm').textContent()).toContain('Replace');
    await bench.byTestId('file-picker-name').fill(replacement);
    await bench.expectSignal('series:date-replaced', () => bench.byTestId('file-picker-confirm').click());
    await expect
      .poll(() => bench.byTestId('series-date').nth(1).locator('.file').textContent())
      .toBe('date2-reshot.tif');
    // The other dates stay in their places, and so do the runs that compared the old imagery. The date entered for
    // the old scene goes with it: the new files' own date (none in these test files) is shown until one is entered.
    await expect
      .poll(() => bench.byTestId('series-date').locator('.file').allTextContents())
      .toEqual(['date1.tif', 'date2-reshot.tif', 'date3.tif']);
    await expect
      .poll(() =>
        bench
          .byTestId('series-date-acquired')
          .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      )
      .toEqual(['2019-06-01', '', '2021-06-01']);
    await expect.poll(() => bench.byTestId('run-history-row').count()).toBe(3);
    await app.screenshot('series-date-replaced');
  });

  it('opens a project of the previous version migrated, with a backup, the same regions and reviews', async () => {
    const old = createTestProject(
      undefined,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    old.db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
    old.db.pragma(`user_version = ${USER_VERSION_BASE + 4}`);
    old.db.prepare("INSERT INTO cm_settings VALUES ('name', '\"Previous version\"')").run();
    old.db
      .prepare("UPDATE change_regions SET review_state = 'confirmed', note = 'seen on site' WHERE run_id = ?")
      .run(old.otherRunId);
    old.db.close();
    const file = path.join(app.workDir, 'previous-version.gpkg');
    fs.copyFileSync(old.file, file);
    fs.rmSync(old.dir, { recursive: true, force: true });

    await app.closeProject();
    await bench.openProject(file);
    expect(
      fs.readdirSync(app.workDir).filter((f) => /^previous-version\.gpkg\.v4-.*\.bak$/.test(f)),
    ).toHaveLength(1);
    // The latest run's region, reviewed as before; both runs in the history, comparing the before and after dates.
    await expect.poll(() => bench.byTestId('region-list').getAttribute('data-total')).toBe('1');
    await expect.poll(() => bench.byTestId('region-list').textContent()).toMatch(/confirmed|✓/i);
    await page().getByTestId('panel-history').getByRole('button', { name: 'Run history' }).click();
    await expect.poll(() => bench.byTestId('run-history-row').count()).toBe(2);
    await expect
      .poll(() => bench.byTestId('run-history-row').nth(0).textContent())
      .toMatch(/2021-06-01.*→.*2023/);
    await app.screenshot('series-previous-version-migrated');

    function page() {
      return app.page;
    }
  }, 120_000);
});
