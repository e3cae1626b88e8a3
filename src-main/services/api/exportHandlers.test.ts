import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../ipc/dispatch';
import {
  createTestProject,
  stampAsProject,
  TEST_REGIONS,
  type TestProject,
} from '../exports/exportTestProject';
import { AppSession } from '../session';

const silent = { error: () => undefined, warn: () => undefined };
let tp: TestProject;
let session: AppSession;

/** The export tests' project, stamped as a ChangeMap project and opened through the session. */
function openTestProject(): void {
  tp = createTestProject();
  stampAsProject(tp, 'Exports');
  tp.db.close();
  session = new AppSession({
    userDataDir: path.join(tp.dir, 'user'),
    version: 'test',
    shell: { transport: 'in-process' },
  });
  session.openProject(tp.file);
}

afterEach(() => {
  session?.dispose();
  fs.rmSync(tp.dir, { recursive: true, force: true });
});

describe('export API', () => {
  it('exports every region but rejected ones as GeoJSON by default, and refuses to overwrite without confirmation', async () => {
    openTestProject();
    const out = path.join(tp.dir, 'regions.geojson');
    const first = await dispatch(
      session.handlers(),
      'export:regions',
      { runId: tp.runId, format: 'geojson', out },
      silent,
    );
    const kept = TEST_REGIONS.filter((r) => r.reviewState !== 'rejected');
    expect(kept.length).toBeLessThan(TEST_REGIONS.length);
    expect(first).toMatchObject({ ok: true, value: { path: out, featureCount: kept.length } });
    const geojson = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      features: { properties: { review_state: string } }[];
    };
    expect(geojson.features).toHaveLength(kept.length);
    expect(geojson.features.some((f) => f.properties.review_state === 'rejected')).toBe(false);
    const again = await dispatch(
      session.handlers(),
      'export:regions',
      { runId: tp.runId, format: 'geojson', out },
      silent,
    );
    expect(again).toMatchObject({ ok: false, error: { code: 'EXPORT_EXISTS' } });
  });

  it('includes rejected regions when the request names every review state', async () => {
    openTestProject();
    const out = path.join(tp.dir, 'all.geojson');
    const reviewStates = ['unreviewed', 'confirmed', 'rejected'] as const;
    const result = await dispatch(
      session.handlers(),
      'export:regions',
      { runId: tp.runId, format: 'geojson', out, filters: { reviewStates } },
      silent,
    );
    expect(result).toMatchObject({ ok: true, value: { featureCount: TEST_REGIONS.length } });
  });

  it('refuses to export a run whose regions were never found, and writes no file', async () => {
    openTestProject();
    session
      .requireProject()
      .db.prepare("UPDATE cm_runs SET region_settings = '{}' WHERE id = ?")
      .run(tp.runId);
    const out = path.join(tp.dir, 'none.geojson');
    const result = await dispatch(
      session.handlers(),
      'export:regions',
      { runId: tp.runId, format: 'geojson', out },
      silent,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'EXPORT_NO_REGIONS' } });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('exports a GeoPackage that GDAL reads, filtered to confirmed regions', async () => {
    openTestProject();
    const out = path.join(tp.dir, 'confirmed.gpkg');
    const result = await dispatch(
      session.handlers(),
      'export:regions',
      { runId: tp.runId, format: 'gpkg', out, filters: { reviewStates: ['confirmed'] } },
      silent,
    );
    const confirmed = TEST_REGIONS.filter((r) => r.reviewState === 'confirmed').length;
    expect(result).toMatchObject({ ok: true, value: { featureCount: confirmed } });
    expect(execFileSync('ogrinfo', ['-ro', '-so', out, 'change_regions'], { encoding: 'utf8' })).toMatch(
      new RegExp(`Feature Count: ${confirmed}`),
    );
  });
});
