// Issue 13: a two-date project written by the previous ChangeMap (schema 4) opens with a backup, becomes a series
// of two dates (before first, after second) whose runs compare them, and shows the same regions and reviews.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestProject, DATES, type TestProject } from '../exports/exportTestProject';
import { listRegions } from '../regions/listRegions';
import { inAppSession } from '../../cli/testing/inAppSession';
import { ProjectStore } from './projectStore';
import { GPKG_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, USER_VERSION_BASE } from './schema';

/** The schema version before the series of dates (5). */
const PREVIOUS = 4;
let project: TestProject | null = null;
afterEach(() => {
  project?.close();
  project = null;
});

/** A previous-version project: the old migrations only, imagery of both dates with files, reviewed regions. */
function previousVersionProject(): TestProject {
  const made = createTestProject(
    undefined,
    MIGRATIONS.filter((m) => m.version <= PREVIOUS),
  );
  const db = made.db;
  db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  db.pragma(`user_version = ${USER_VERSION_BASE + PREVIOUS}`);
  db.prepare("INSERT INTO cm_settings VALUES ('name', '\"Harbour 2021-2023\"')").run();
  const sets = db.prepare('SELECT id, role FROM cm_imagery_sets').all() as { id: number; role: string }[];
  const insert = db.prepare(
    'INSERT INTO cm_imagery_files (set_id, position, uri, fingerprint) VALUES (?, ?, ?, ?)',
  );
  for (const set of sets) {
    insert.run(set.id, 0, `/imagery/${set.role}-1.tif`, 'f1');
    insert.run(set.id, 1, `/imagery/${set.role}-2.tif`, 'f2');
  }
  db.prepare(
    "UPDATE change_regions SET review_state = 'confirmed', note = 'seen on site' WHERE fid = 1",
  ).run();
  db.prepare("UPDATE change_regions SET review_state = 'rejected' WHERE fid = 2").run();
  return made;
}

const pageOf = (db: Database.Database, runId: number) =>
  listRegions(db, { runId, sort: { key: 'fid' }, limit: 1000 });

describe('a project from the previous version (issue 13)', () => {
  it('is migrated with a backup and keeps its dates, files, runs, regions and reviews', () => {
    project = previousVersionProject();
    const { db, file, runId, otherRunId } = project;
    const regionsBefore = [pageOf(db, runId), pageOf(db, otherRunId)];
    const filesBefore = db.prepare('SELECT * FROM cm_imagery_files ORDER BY id').all();
    db.close();

    const store = ProjectStore.open(file);
    try {
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      const backups = fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.bak'));
      expect(backups).toHaveLength(1);
      expect(backups[0]).toMatch(new RegExp(`^project\\.gpkg\\.v${PREVIOUS}-.*\\.bak$`));
      const backup = new Database(path.join(path.dirname(file), backups[0]), { readonly: true });
      expect(backup.pragma('user_version', { simple: true })).toBe(USER_VERSION_BASE + PREVIOUS);
      backup.close();

      const sets = store.db
        .prepare('SELECT id, role, position, acquired_at FROM cm_imagery_sets ORDER BY position')
        .all() as { id: number; role: string; position: number; acquired_at: string }[];
      expect(sets.map((s) => [s.role, s.position, s.acquired_at])).toEqual([
        ['before', 0, DATES.before],
        ['after', 1, DATES.after],
      ]);
      // The files survive the rebuild of their table (foreign keys are on: a careless rebuild cascades them away).
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.prepare('SELECT * FROM cm_imagery_files ORDER BY id').all()).toEqual(filesBefore);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      const runs = store.db.prepare('SELECT id, from_date_id, to_date_id FROM cm_runs ORDER BY id').all();
      expect(runs).toEqual([
        { id: runId, from_date_id: sets[0].id, to_date_id: sets[1].id },
        { id: otherRunId, from_date_id: sets[0].id, to_date_id: sets[1].id },
      ]);
      expect([pageOf(store.db, runId), pageOf(store.db, otherRunId)]).toEqual(regionsBefore);
      // A series date now fits beside them (role is optional, the first and last keep theirs).
      store.db.prepare('INSERT INTO cm_imagery_sets (role, position) VALUES (NULL, 2)').run();
    } finally {
      store.close();
    }
  });

  it('opens in the app with the same regions and reviews, and its runs in the run history with their dates', async () => {
    project = previousVersionProject();
    const { file, runId, db } = project;
    const before = pageOf(db, runId);
    db.close();
    await inAppSession(path.join(project.dir, 'user'), file, async (call) => {
      const page = await call('regions:list', { runId, limit: 1000 });
      expect(page.total).toBe(before.total);
      const byFid = [...page.items].sort((a, b) => a.fid - b.fid);
      expect(byFid.map((r) => [r.fid, r.reviewState, r.note])).toEqual(
        before.regions.map((r) => [r.fid, r.reviewState, r.note]),
      );
      expect(page.items.find((r) => r.fid === 1)).toMatchObject({
        reviewState: 'confirmed',
        note: 'seen on site',
      });
      const history = await call('run:history', {});
      expect(history[0]).toMatchObject({
        id: runId,
        from: { index: 1, acquiredAt: DATES.before },
        to: { index: 2, acquiredAt: DATES.after },
        regionCount: before.total,
      });
      const imagery = await call('imagery:get', {});
      // The files are gone from this machine: both dates are said to be unreadable, none is dropped silently.
      expect(imagery.preflight.filter((i) => i.code === 'IMAGERY_UNAVAILABLE')).toHaveLength(2);
    });
  });
});
