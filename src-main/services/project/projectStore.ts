// Opens, creates and migrates project files. A project is one SQLite file that is also a GeoPackage.
// Every check that can refuse a file runs on a read-only connection first, so a file we refuse keeps its bytes.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { fileFailureOf, specialFileKind } from '../fileSafety/fileErrors';
import type { MapView, ProjectSummary } from '../../ipc/contract';
import { ProjectLock } from './projectLock';
import { schemaMismatch } from './schemaCheck';
import { parseStoredJson } from './storedValues';
import { syncRunRegionLayers } from './runRegionLayers';
import { GPKG_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, USER_VERSION_BASE } from './schema';

const SQLITE_MAGIC = 'SQLite format 3\0';

export type Db = Database.Database;

/** The folder beside a project file that holds its rasters, previews and caches: `name.gpkg` -> `name.data/`. */
export function projectDataDir(projectPath: string): string {
  const parsed = path.parse(projectPath);
  return path.join(parsed.dir, `${parsed.name}.data`);
}

interface Inspection {
  schemaVersion: number;
}

/** Reads what a file is without writing to it; throws a ChangeMapError naming what is wrong. */
export function inspectProjectFile(file: string): Inspection {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ChangeMapError('NOT_FOUND', `The project file ${file} does not exist.`);
  }
  // Checked before reading a byte: a FIFO would block the read, a device (/dev/urandom) never ends.
  const kind = specialFileKind(stat);
  if (kind) throw new ChangeMapError('NOT_A_PROJECT', `${file} is ${kind}, not a project file.`);
  const header = Buffer.alloc(16);
  let read: number;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      read = fs.readSync(fd, header, 0, 16, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    throw new ChangeMapError(
      'PROJECT_NO_PERMISSION',
      `${path.basename(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'read failed'}): ChangeMap may not read it. Check its permissions, or copy it somewhere you can read.`,
      { cause: error },
    );
  }
  if (read < 16 || header.toString('latin1') !== SQLITE_MAGIC) {
    throw new ChangeMapError(
      'NOT_A_PROJECT',
      `${path.basename(file)} is not a ChangeMap project: it is not a SQLite/GeoPackage file.`,
    );
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(String(check));
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    const hasSettings = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cm_settings'")
      .get();
    if (applicationId !== GPKG_APPLICATION_ID || !hasSettings) {
      throw new ChangeMapError(
        'NOT_A_PROJECT',
        `${path.basename(file)} is a SQLite database but not a ChangeMap project (no ChangeMap tables in it).`,
      );
    }
    const schemaVersion = userVersion - USER_VERSION_BASE;
    if (schemaVersion > LATEST_SCHEMA_VERSION) {
      throw new ChangeMapError(
        'PROJECT_TOO_NEW',
        `${path.basename(file)} was written by a newer ChangeMap (project format ${schemaVersion}; this version reads up to ${LATEST_SCHEMA_VERSION}). Update ChangeMap to open it.`,
      );
    }
    if (schemaVersion < 1) {
      throw new ChangeMapError(
        'PROJECT_CORRUPT',
        `${path.basename(file)} has an unknown project format (${userVersion}).`,
      );
    }
    const mismatch = schemaMismatch(db, schemaVersion);
    if (mismatch) {
      throw new ChangeMapError(
        'PROJECT_CORRUPT',
        `${path.basename(file)} is damaged and cannot be opened: ${mismatch} (project format ${schemaVersion}). The file was left as it is; open a backup of the project.`,
      );
    }
    return { schemaVersion };
  } catch (error) {
    if (error instanceof ChangeMapError) throw error;
    // Not damage: SQLite may not create the -wal/-shm files a project in WAL mode needs beside it, even to read.
    if (fileFailureOf(error) === 'NO_PERMISSION') {
      throw new ChangeMapError(
        'PROJECT_READ_ONLY',
        `${path.basename(file)} is in a read-only place (${path.dirname(file)}), and SQLite needs to write its journal beside it even to read it. Copy the project (with its .data folder) to a folder you can write to, or make this one writable. The file was left as it is.`,
        { cause: error },
      );
    }
    throw new ChangeMapError(
      'PROJECT_CORRUPT',
      `${path.basename(file)} is damaged and cannot be opened (${(error as Error).message}). The file was left as it is.`,
      { cause: error },
    );
  } finally {
    db?.close();
  }
}

function isWritable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    fs.accessSync(path.dirname(file), fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the file's bytes are on disk (before it is renamed into place). */
function flushFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

/** Runs every migration above the file's version, each in its own transaction. */
export function migrate(
  db: Db,
  from: number,
  migrations: readonly { version: number; sql: string }[] = MIGRATIONS,
): number {
  let version = from;
  for (const migration of migrations) {
    if (migration.version <= version) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${USER_VERSION_BASE + migration.version}`);
    })();
    version = migration.version;
  }
  return version;
}

/** Path of the backup written before migrating a file from `version`. */
export function migrationBackupPath(file: string, version: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${file}.v${version}-${stamp}.bak`;
}

export interface OpenOptions {
  /** Open without writing, even where the file is writable (a second instance viewing a project). */
  readOnly?: boolean;
}

export class ProjectStore {
  private constructor(
    readonly file: string,
    readonly db: Db,
    readonly readOnly: boolean,
    private readonly lock: ProjectLock | null,
  ) {}

  get dataDir(): string {
    return projectDataDir(this.file);
  }

  static create(file: string, name?: string): ProjectStore {
    const absolute = path.resolve(file);
    const exists = (): ChangeMapError =>
      new ChangeMapError(
        'PROJECT_EXISTS',
        `${path.basename(absolute)} already exists; open it or pick another name.`,
      );
    if (fs.existsSync(absolute)) throw exists();
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    const lock = ProjectLock.acquire(absolute);
    // Checked again under the lock: another writer may have made it in between.
    if (fs.existsSync(absolute)) {
      lock.release();
      throw exists();
    }
    return ProjectStore.createLocked(absolute, name, lock);
  }

  /**
   * Creates a fresh project at `file`, replacing one that is there only if no one has it open and it holds no
   * review (a confirmed or rejected region, or a note): generated projects such as the demo's are remade this way,
   * a planner's work never is. The lock is held from the check to the new file, so no writer slips in between.
   */
  static createReplacing(file: string, name?: string): ProjectStore {
    const absolute = path.resolve(file);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    const lock = ProjectLock.acquire(absolute);
    try {
      if (fs.existsSync(absolute)) {
        inspectProjectFile(absolute);
        const reviewed = countReviewedRegions(absolute);
        if (reviewed > 0) {
          throw new ChangeMapError(
            'PROJECT_HAS_REVIEWS',
            `${path.basename(absolute)} holds ${reviewed} reviewed region${reviewed === 1 ? '' : 's'} (confirmed, rejected or with a note), so it is not replaced; move it away, or make the new project under another name or folder.`,
          );
        }
        removeProjectFiles(absolute);
      }
    } catch (error) {
      lock.release();
      throw mapFsError(error, absolute);
    }
    return ProjectStore.createLocked(absolute, name, lock);
  }

  private static createLocked(absolute: string, name: string | undefined, lock: ProjectLock): ProjectStore {
    const temp = `${absolute}.creating`;
    try {
      // Build the file under a temporary name and rename it into place: no half-made project on failure.
      fs.rmSync(temp, { force: true });
      const db = new Database(temp);
      // A file no one else sees yet, renamed into place only when whole: its steps need no journal on disk and no
      // flush each (about 40 flushes, a tenth of a second or more of every `changemap run` into a new project);
      // the finished file is flushed once before the rename.
      db.pragma('journal_mode = MEMORY');
      db.pragma('synchronous = OFF');
      db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
      db.pragma('foreign_keys = ON');
      migrate(db, 0);
      const settings = db.prepare('INSERT INTO cm_settings (key, value) VALUES (?, ?)');
      settings.run('name', JSON.stringify(name?.trim() || path.parse(absolute).name));
      settings.run('created_at', JSON.stringify(new Date().toISOString()));
      db.close();
      flushFile(temp);
      fs.renameSync(temp, absolute);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      lock.release();
      throw mapFsError(error, absolute);
    }
    const db = new Database(absolute, { fileMustExist: true });
    applyPragmas(db);
    return new ProjectStore(absolute, db, false, lock);
  }

  static open(file: string, options: OpenOptions = {}): ProjectStore {
    const absolute = path.resolve(file);
    const { schemaVersion } = inspectProjectFile(absolute);
    const readOnly = options.readOnly || !isWritable(absolute);
    if (readOnly) {
      if (schemaVersion < LATEST_SCHEMA_VERSION) {
        throw new ChangeMapError(
          'PROJECT_READ_ONLY',
          `${path.basename(absolute)} is read-only and was made by an older ChangeMap; it must be upgraded before it can be opened. Copy it somewhere writable first.`,
        );
      }
      return new ProjectStore(
        absolute,
        new Database(absolute, { readonly: true, fileMustExist: true }),
        true,
        null,
      );
    }
    const lock = ProjectLock.acquire(absolute);
    try {
      const db = new Database(absolute, { fileMustExist: true });
      if (schemaVersion < LATEST_SCHEMA_VERSION) {
        // VACUUM INTO writes a consistent copy synchronously, before anything is changed.
        db.prepare('VACUUM INTO ?').run(migrationBackupPath(absolute, schemaVersion));
        applyPragmas(db);
        migrate(db, schemaVersion);
      } else {
        applyPragmas(db);
      }
      syncRunRegionLayers(db); // projects from before per-run layers get theirs
      return new ProjectStore(absolute, db, false, lock);
    } catch (error) {
      lock.release();
      throw mapFsError(error, absolute);
    }
  }

  get schemaVersion(): number {
    return (this.db.pragma('user_version', { simple: true }) as number) - USER_VERSION_BASE;
  }

  getSetting<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM cm_settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row ? parseStoredJson<T>(row.value, `setting "${key}"`) : undefined;
  }

  setSetting(key: string, value: unknown): void {
    if (this.readOnly) throw readOnlyError(this.file);
    this.db
      .prepare(
        'INSERT INTO cm_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value));
  }

  getMapView(): MapView | null {
    return this.getSetting<MapView>('map_view') ?? null;
  }

  summary(): ProjectSummary {
    return {
      path: this.file,
      name: this.getSetting<string>('name') ?? path.parse(this.file).name,
      createdAt: this.getSetting<string>('created_at') ?? '',
      schemaVersion: this.schemaVersion,
      readOnly: this.readOnly,
      dataDir: this.dataDir,
    };
  }

  close(): void {
    try {
      if (this.db.open) {
        if (!this.readOnly) this.db.pragma('wal_checkpoint(TRUNCATE)');
        this.db.close();
      }
    } finally {
      this.lock?.release();
    }
  }
}

/**
 * Deletes a project file, its SQLite companions and its data folder; the caller holds no connection to it. The lock
 * file stays (see projectLock.ts for why).
 */
export function removeProjectFiles(file: string): void {
  for (const part of [file, `${file}-wal`, `${file}-shm`, `${file}.creating`])
    fs.rmSync(part, { force: true });
  fs.rmSync(projectDataDir(file), { recursive: true, force: true });
}

/** Regions of a project file a person has reviewed (state or note): work that must never be thrown away. */
function countReviewedRegions(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare("SELECT count(*) AS n FROM change_regions WHERE review_state <> 'unreviewed' OR note <> ''")
      .get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

export function readOnlyError(file: string): ChangeMapError {
  return new ChangeMapError(
    'PROJECT_READ_ONLY',
    `${path.basename(file)} is open read-only; changes cannot be saved.`,
  );
}

/** Turns file-system and SQLite failures into errors a planner can act on. */
export function mapFsError(error: unknown, file: string): unknown {
  if (error instanceof ChangeMapError) return error;
  const code = (error as { code?: string }).code;
  const name = path.basename(file);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return new ChangeMapError('DISK_FULL', `The disk holding ${name} is full; nothing was changed.`, {
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_READONLY') {
    return new ChangeMapError('PROJECT_READ_ONLY', `ChangeMap may not write ${name} or its folder.`, {
      cause: error,
    });
  }
  return error;
}
