// `changemap export` end to end, in a child process as a user runs it, on the export tests' project.
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestProject,
  stampAsProject,
  TEST_REGIONS,
  writeEarlierExport,
  type TestProject,
} from '../services/exports/exportTestProject';
import { runCli } from './testing/cliChild';

let tp: TestProject;

beforeAll(() => {
  tp = createTestProject();
  stampAsProject(tp, 'CLI');
  tp.db.close();
});
afterAll(() => fs.rmSync(tp.dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args, { userData: path.join(tp.dir, 'user') });
/** `changemap export` of the test project. */
const changemap = (...args: string[]) => cli('export', '--project', tp.file, ...args);

describe('changemap export', () => {
  it('writes a zipped Shapefile GDAL reads, every region but rejected ones unless asked', () => {
    const out = path.join(tp.dir, 'regions');
    const r = changemap(
      '--run',
      String(tp.runId),
      '--format',
      'shapefile',
      '--crs',
      'grid',
      '--out',
      out,
      '--json',
    );
    expect(r.status).toBe(0);
    const done = JSON.parse(r.stdout.trim()) as { type: string; path: string; featureCount: number };
    const kept = TEST_REGIONS.filter((t) => t.reviewState !== 'rejected').length;
    expect(kept).toBeLessThan(TEST_REGIONS.length);
    expect(done).toMatchObject({ type: 'export:done', path: `${out}.zip`, featureCount: kept });
    const info = execFileSync('ogrinfo', ['-ro', '-so', '-al', `/vsizip/${out}.zip`], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`Feature Count: ${kept}`));
    expect(info).toMatch(/UTM zone 33N/);
    const all = changemap(
      '--run',
      String(tp.runId),
      '--format',
      'geojson',
      '--include-rejected',
      '--out',
      path.join(tp.dir, 'all.geojson'),
    );
    expect(all.stdout).toMatch(new RegExp(`Exported ${TEST_REGIONS.length} regions`));
  });

  it('keeps only confirmed regions when asked, and refuses to overwrite with exit code 3', () => {
    const out = path.join(tp.dir, 'confirmed.csv');
    const first = changemap('--run', String(tp.runId), '--format', 'csv', '--confirmed-only', '--out', out);
    expect(first.status).toBe(0);
    const confirmed = TEST_REGIONS.filter((r) => r.reviewState === 'confirmed').length;
    expect(first.stdout).toMatch(new RegExp(`Exported ${confirmed} regions`));
    const again = changemap('--run', String(tp.runId), '--format', 'csv', '--out', out);
    expect(again.status).toBe(3);
    expect(again.stderr).toMatch(/EXPORT_EXISTS/);
    expect(again.stderr).toMatch(/--overwrite/);
  });

  it('--overwrite replaces an earlier export, never a file of another kind or the project (exit code 3)', () => {
    const out = path.join(tp.dir, 'replaced.geojson');
    writeEarlierExport(out, 'geojson');
    const replaced = changemap('--run', String(tp.runId), '--format', 'geojson', '--out', out, '--overwrite');
    expect(replaced.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).features.length).toBeGreaterThan(0);
    const notes = path.join(tp.dir, 'notes.csv');
    fs.writeFileSync(notes, 'not a table\0 of regions');
    const refused = changemap('--run', String(tp.runId), '--format', 'csv', '--out', notes, '--overwrite');
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(
      /is not a CSV table like the ones ChangeMap exports.*\[EXPORT_NOT_REPLACEABLE\]/,
    );
    expect(fs.readFileSync(notes, 'utf8')).toBe('not a table\0 of regions');
    const project = changemap('--run', String(tp.runId), '--format', 'gpkg', '--out', tp.file, '--overwrite');
    expect(project.status).toBe(3);
    expect(project.stderr).toMatch(/EXPORT_PROTECTED/);
  }, 90_000);

  it('refuses a run without regions with exit code 3, names the command that finds them, writes nothing', () => {
    const db = new Database(tp.file);
    db.prepare("UPDATE cm_runs SET region_settings = '{}' WHERE id = ?").run(tp.runId);
    db.close();
    const out = path.join(tp.dir, 'none.geojson');
    try {
      const r = changemap('--run', String(tp.runId), '--format', 'geojson', '--out', out);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/EXPORT_NO_REGIONS/);
      expect(r.stderr).toMatch(new RegExp(`changemap regions --project .* --run ${tp.runId}`));
      expect(r.stdout).not.toMatch(/Exported/);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      const restore = new Database(tp.file);
      restore
        .prepare('UPDATE cm_runs SET region_settings = ? WHERE id = ?')
        .run('{"threshold":0.5,"openingRadius":0,"closingRadius":0,"minAreaM2":0}', tp.runId);
      restore.close();
    }
  });

  it('refuses a project that is not there with exit code 3, writing nothing', () => {
    const out = path.join(tp.dir, 'nothing.csv');
    const r = cli('export', '--project', path.join(tp.dir, 'missing.gpkg'), '--format', 'csv', '--out', out);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/does not exist/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('explains a missing option with exit code 2', () => {
    expect(changemap('--format', 'csv').status).toBe(2);
  });
});
