// `changemap run --dates d1 d2 d3` (issue 13, many dates): a series of three dates becomes three dates in the
// project and one run per consecutive pair; `--date-ids` runs any two dates again; the run history lists each run
// with its dates and counts, and comparing two runs by geometry tells the regions apart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utmGrid, writeThreeDates } from '../services/imagery/testing/fixtures';
import { jsonLines, runCli } from './testing/cliChild';
import { TINY_CHANGE_CARD } from '../services/inference/testing/testModels';
import { inAppSession } from './testing/inAppSession';
import { seriesUsageError } from './main';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-series-'));
const dates = ['d1.tif', 'd2.tif', 'd3.tif'].map((f) => path.join(dir, f)) as [string, string, string];

const changemap = (...args: string[]) => runCli(args, { userData: path.join(dir, 'user'), timeout: 180_000 });

// Date 2 adds a bright block (A); date 3 keeps it and adds a dark block (B) elsewhere.
beforeAll(() => writeThreeDates(dates, utmGrid(384, 320, 500000, 5600000, 3)));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const model = ['--model', TINY_CHANGE_CARD, '--provider', 'cpu'];

describe('changemap run --dates', () => {
  it('stores three dates, runs both consecutive pairs as a batch, and the app sees each run with its dates', async () => {
    const project = path.join(dir, 'series.gpkg');
    const r = changemap(
      'run',
      '--dates',
      ...dates,
      '--acquired',
      '2019-06-01',
      '2020-06-01',
      '2021-06-01',
      '--project',
      project,
      ...model,
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const summaries = jsonLines(r.stdout).filter((e) => e.type === 'run:summary');
    expect(summaries.map((e) => e.runId)).toEqual([1, 2]);

    await inAppSession(path.join(dir, 'app-user'), project, async (call) => {
      const imagery = await call('imagery:get', {});
      expect(imagery.dates.map((d) => [d.uris[0], d.acquiredAt, d.role])).toEqual([
        [dates[0], '2019-06-01', 'before'],
        [dates[1], '2020-06-01', null],
        [dates[2], '2021-06-01', 'after'],
      ]);
      // The two-date view of the series: its first and last date.
      expect(imagery.before?.uris).toEqual([dates[0]]);
      expect(imagery.after?.uris).toEqual([dates[2]]);
      const ids = imagery.dates.map((d) => d.id);
      const history = await call('run:history', {});
      expect(history.map((h) => [h.id, h.from?.id, h.to?.id, h.status])).toEqual([
        [1, ids[0], ids[1], 'done'],
        [2, ids[1], ids[2], 'done'],
      ]);
      expect(history[0].from).toEqual({ id: ids[0], acquiredAt: '2019-06-01', index: 1 });
      expect(history[0].regionSettings.threshold).toBe(0.5);
      // Each period found its own block: one region each, in different places.
      expect(history.map((h) => h.regionCount)).toEqual([1, 1]);
      const comparison = await call('run:compare', { runA: 1, runB: 2 });
      expect(comparison.bothA).toEqual([]);
      expect(comparison.onlyA).toHaveLength(1);
      expect(comparison.onlyB).toHaveLength(1);
    });

    // Any two dates by id: the first against the last finds both blocks; one of them is run 1's region.
    const again = changemap('run', '--date-ids', '1', '3', '--project', project, ...model, '--json');
    expect(again.status, again.stderr).toBe(0);
    await inAppSession(path.join(dir, 'app-user'), project, async (call) => {
      const history = await call('run:history', {});
      expect(history.at(-1)).toMatchObject({ id: 3, from: { index: 1 }, to: { index: 3 }, regionCount: 2 });
      const comparison = await call('run:compare', { runA: 1, runB: 3 });
      expect(comparison.bothA).toHaveLength(1);
      expect(comparison.bothB).toHaveLength(1);
      expect(comparison.onlyA).toEqual([]);
      expect(comparison.onlyB).toHaveLength(1);
      // Run 2's region is run 3's other one.
      const fromTwo = await call('run:compare', { runA: 2, runB: 3 });
      expect(fromTwo.bothB).toHaveLength(1);
      expect(fromTwo.bothB).not.toEqual(comparison.bothB);
    });

    const listed = changemap('runs', '--project', project);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^date 1 {2}2019-06-01 {2}.*d1\.tif$/m);
    expect(listed.stdout).toMatch(/^run 3 .* dates 1 -> 3 /m);
  });

  it('refuses dates given out of order before anything runs (exit 3, nothing changed)', () => {
    const project = path.join(dir, 'series.gpkg');
    const before = changemap('runs', '--project', project, '--json').stdout;
    const r = changemap('run', '--date-ids', '3', '1', '--project', project, ...model);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /comes after date 1 in the series; give the earlier date first\. \[RUN_DATES_ORDER\]/,
    );
    expect(changemap('runs', '--project', project, '--json').stdout).toBe(before);
    const unknown = changemap('run', '--date-ids', '1', '9', '--project', project, ...model);
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toMatch(/There is no date 9 in this project.*\[DATE_NOT_FOUND\]/);
  });

  it('takes a fresh project away again when a date of the series cannot be read', () => {
    const project = path.join(dir, 'bad.gpkg');
    const r = changemap(
      'run',
      '--dates',
      dates[0],
      path.join(dir, 'missing.tif'),
      '--project',
      project,
      ...model,
    );
    expect(r.status).toBe(3);
    expect(fs.existsSync(project)).toBe(false);
  });

  it('gives usage errors for a series of one, mixed forms and a wrong count of --acquired (exit 2)', () => {
    const one = changemap('run', '--dates', dates[0], '--project', path.join(dir, 'x.gpkg'));
    expect(one.status).toBe(2);
    expect(one.stderr).toMatch(/--dates needs at least two dates/);
    const mixed = changemap(
      'run',
      '--dates',
      ...dates,
      '--before',
      dates[0],
      '--project',
      path.join(dir, 'x.gpkg'),
    );
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/give the imagery one way/);
    const badId = changemap('run', '--date-ids', '1', '0', '--project', path.join(dir, 'x.gpkg'));
    expect(badId.status).toBe(2);
    expect(seriesUsageError({ dates: dates, acquired: ['2019-06-01'] })).toMatch(
      /one date per --dates entry \(3 there, 1 given\)/,
    );
    expect(seriesUsageError({ before: ['a.tif'], after: ['b.tif'] })).toBeNull();
    expect(seriesUsageError({ before: ['a.tif'] })).toMatch(/--before FILE... --after FILE.../);
  });
});
