import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeMapError } from '../../core/errors';
import { ProjectStore, inspectProjectFile, migrate, projectDataDir } from './projectStore';
import { GPKG_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, USER_VERSION_BASE } from './schema';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-store-'));
});
afterEach(() => {
  fs.chmodSync(dir, 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as ChangeMapError).code;
  }
  return undefined;
}

/** Writes a project file at an older schema version, as an older ChangeMap would have. */
function writeProjectAtVersion(file: string, version: number): void {
  const db = new Database(file);
  db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  migrate(
    db,
    0,
    MIGRATIONS.filter((m) => m.version <= version),
  );
  db.prepare("INSERT INTO cm_settings VALUES ('name', '\"Old project\"')").run();
  db.close();
}

describe('ProjectStore', () => {
  it('creates a GeoPackage project with WAL, foreign keys and the latest schema', () => {
    const file = path.join(dir, 'a.gpkg');
    const store = ProjectStore.create(file, 'Harbour');
    expect(store.summary()).toMatchObject({
      name: 'Harbour',
      schemaVersion: LATEST_SCHEMA_VERSION,
      readOnly: false,
    });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('application_id', { simple: true })).toBe(GPKG_APPLICATION_ID);
    expect(store.db.pragma('user_version', { simple: true })).toBe(USER_VERSION_BASE + LATEST_SCHEMA_VERSION);
    expect(store.dataDir).toBe(projectDataDir(file));
    store.close();
    // closing releases the lock: the next writer opens it
    ProjectStore.open(file).close();
  });

  it('refuses to create over an existing file', () => {
    const file = path.join(dir, 'a.gpkg');
    fs.writeFileSync(file, 'x');
    expect(codeOf(() => ProjectStore.create(file))).toBe('PROJECT_EXISTS');
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it('reopens a project with its settings', () => {
    const file = path.join(dir, 'a.gpkg');
    const store = ProjectStore.create(file, 'Harbour');
    store.setSetting('map_view', { center: [1, 2], zoom: 9 });
    store.close();
    const again = ProjectStore.open(file);
    expect(again.getMapView()).toEqual({ center: [1, 2], zoom: 9 });
    again.close();
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'NOT_A_PROJECT'],
    ['a PNG', Buffer.from('\x89PNG\r\n\x1a\n0000000000000000', 'latin1'), 'NOT_A_PROJECT'],
    [
      'a damaged database',
      Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(2048, 7)]),
      'PROJECT_CORRUPT',
    ],
  ])('refuses %s and leaves its bytes unchanged', (_label, bytes, code) => {
    const file = path.join(dir, 'x.gpkg');
    fs.writeFileSync(file, bytes);
    expect(codeOf(() => ProjectStore.open(file))).toBe(code);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a SQLite database that is not a ChangeMap project, unchanged', () => {
    const file = path.join(dir, 'other.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const bytes = fs.readFileSync(file);
    expect(codeOf(() => ProjectStore.open(file))).toBe('NOT_A_PROJECT');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('names what a path that is not a file really is (issue 12), reading nothing from it', () => {
    const fifo = path.join(dir, 'pipe.gpkg');
    execFileSync('mkfifo', [fifo]);
    fs.mkdirSync(path.join(dir, 'folder.gpkg'));
    const cases: [string, RegExp][] = [
      ['/dev/null', /\/dev\/null is a device, not a project file/],
      ['/dev/urandom', /is a device, not a project file/],
      [fifo, /is a named pipe \(FIFO\), not a project file/],
      [path.join(dir, 'folder.gpkg'), /is a folder, not a project file/],
    ];
    for (const [file, message] of cases) {
      let error: unknown;
      try {
        ProjectStore.open(file);
      } catch (e) {
        error = e;
      }
      expect(error, file).toBeInstanceOf(ChangeMapError);
      expect((error as ChangeMapError).code).toBe('NOT_A_PROJECT');
      expect((error as ChangeMapError).message).toMatch(message);
    }
  });

  it('refuses a project written by a newer version, unchanged', () => {
    const file = path.join(dir, 'new.gpkg');
    ProjectStore.create(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${USER_VERSION_BASE + LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    const bytes = fs.readFileSync(file);
    expect(codeOf(() => ProjectStore.open(file))).toBe('PROJECT_TOO_NEW');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('opens a read-only file read-only and refuses writes with a clear code', () => {
    const file = path.join(dir, 'ro.gpkg');
    ProjectStore.create(file).close();
    fs.chmodSync(file, 0o444);
    const bytes = fs.readFileSync(file);
    // root ignores file modes; a read-only open is what a second viewer asks for explicitly as well
    const store = ProjectStore.open(file, { readOnly: true });
    expect(store.readOnly).toBe(true);
    expect(codeOf(() => store.setSetting('name', 'x'))).toBe('PROJECT_READ_ONLY');
    store.close();
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('migrates an older project after writing a backup', () => {
    const file = path.join(dir, 'old.gpkg');
    writeProjectAtVersion(file, 1);
    const before = fs.readFileSync(file);
    expect(inspectProjectFile(file).schemaVersion).toBe(1);
    const store = ProjectStore.open(file);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const columns = store.db.prepare('PRAGMA table_info(cm_runs)').all() as { name: string }[];
    expect(columns.map((c) => c.name)).toContain('region_settings');
    expect(store.summary().name).toBe('Old project');
    store.close();
    const backups = fs.readdirSync(dir).filter((f) => f.startsWith('old.gpkg.v1-') && f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    const backup = new Database(path.join(dir, backups[0]), { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(USER_VERSION_BASE + 1);
    backup.close();
    expect(before.length).toBeGreaterThan(0);
  });

  it('tells a second opener that the project is in use, and takes over a stale lock', () => {
    const file = path.join(dir, 'busy.gpkg');
    const first = ProjectStore.create(file);
    expect(codeOf(() => ProjectStore.open(file))).toBe('PROJECT_IN_USE');
    first.close();
    // a JSON lock left by an earlier build's process that died
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() }));
    const second = ProjectStore.open(file);
    expect(codeOf(() => ProjectStore.create(path.join(dir, 'busy')))).toBeUndefined();
    expect(codeOf(() => ProjectStore.createReplacing(file))).toBe('PROJECT_IN_USE');
    second.close();
    // ... and one whose process lives
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, host: os.hostname() }));
    expect(codeOf(() => ProjectStore.open(file))).toBe('PROJECT_IN_USE');
  });

  it('replaces a generated project only when it holds no review', () => {
    const file = path.join(dir, 'sample.gpkg');
    const first = ProjectStore.create(file, 'First');
    const runId = first.db
      .prepare(
        `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
         VALUES ('done', 'm', '1', 'x', 'cpu', '{}')`,
      )
      .run().lastInsertRowid;
    const insertRegion = first.db.prepare(
      `INSERT INTO change_regions (run_id, pixel_count, area_m2, perimeter_m, prob_mean, prob_max, centroid_x,
         centroid_y, centroid_lon, centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, note)
       VALUES (?, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, ?)`,
    );
    insertRegion.run(runId, '');
    fs.mkdirSync(path.join(projectDataDir(file), 'runs'), { recursive: true });
    first.close();

    const second = ProjectStore.createReplacing(file, 'Second');
    expect(second.summary().name).toBe('Second');
    expect(second.db.prepare('SELECT count(*) AS n FROM change_regions').get()).toEqual({ n: 0 });
    expect(fs.existsSync(path.join(projectDataDir(file), 'runs'))).toBe(false);
    const run2 = second.db
      .prepare(
        `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
         VALUES ('done', 'm', '1', 'x', 'cpu', '{}')`,
      )
      .run().lastInsertRowid;
    second.db.prepare(insertRegion.source).run(run2, 'looked at it');
    second.close();

    const bytes = fs.readFileSync(file);
    expect(codeOf(() => ProjectStore.createReplacing(file, 'Third'))).toBe('PROJECT_HAS_REVIEWS');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // a file that is not a project is never replaced either
    const other = path.join(dir, 'notes.gpkg');
    fs.writeFileSync(other, 'not a project');
    expect(codeOf(() => ProjectStore.createReplacing(other))).toBe('NOT_A_PROJECT');
    expect(fs.readFileSync(other, 'utf8')).toBe('not a project');
  });

  it('is a valid GeoPackage for GDAL', () => {
    const file = path.join(dir, 'gdal.gpkg');
    ProjectStore.create(file).close();
    const run = (args: string[]): string =>
      execFileSync('ogrinfo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run(['-ro', '-q', file])).toMatch(/change_regions \(Multi Polygon\)/);
    const layer = run(['-ro', '-so', file, 'change_regions']);
    expect(layer).toMatch(/Geometry: Multi Polygon/);
    expect(layer).toMatch(/ID\["EPSG",4326\]/);
    expect(layer).toMatch(/review_state: String/);
    // GDAL's own GeoPackage conformance check (it warns on a wrong application id or user_version)
    const checked = spawnSync('ogrinfo', ['-ro', '-q', file], { encoding: 'utf8' });
    expect(checked.status).toBe(0);
    expect(checked.stderr).not.toMatch(/Warning|ERROR/);
  });
});
