// The one lock that keeps two writers off a project file: the app (Electron or browser host), every `changemap`
// command that writes (run, resume, regions, demo) and tests all take it through ProjectStore.
//
// Why an SQLite lock and not a "pid in a file" lock: the operating system holds it (fcntl on Unix, LockFileEx on
// Windows) and drops it the moment its process dies, SIGKILL included, so there is no staleness to guess (a reused
// pid, a lock from another host) and no race between two processes both taking over a stale lock. better-sqlite3
// is already a dependency and SQLite's own locking handles several connections in one process correctly (closing one
// never drops another's lock, which a hand-made fcntl lock through node:fs would). The holder keeps a write
// transaction open on an empty database `name.gpkg.lock` beside the project; it never writes to it. The file stays
// after release: deleting a lock file races with a process that has just opened it, and a 0-byte file is harmless.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';

/** Path of the lock beside a project file. */
export function projectLockPath(projectFile: string): string {
  return `${projectFile}.lock`;
}

function inUse(projectFile: string): ChangeMapError {
  return new ChangeMapError(
    'PROJECT_IN_USE',
    `${path.basename(projectFile)} is open in another ChangeMap window or command; close it there (or let the command finish) and try again.`,
  );
}

/**
 * Every lock this process holds. A lock must not depend on its owner staying reachable: better-sqlite3 closes a
 * collected connection, which would drop the lock while the project is still written through another reference.
 */
const held = new Set<Database.Database>();

export class ProjectLock {
  private constructor(private db: Database.Database | null) {}

  /** Takes the project's lock or throws PROJECT_IN_USE; never waits. */
  static acquire(projectFile: string): ProjectLock {
    const lockPath = projectLockPath(projectFile);
    for (let attempt = 0; attempt < 2; attempt++) {
      const db = new Database(lockPath, { timeout: 0 });
      try {
        // RESERVED lock: a second BEGIN IMMEDIATE, in this process or another, fails with SQLITE_BUSY.
        db.exec('BEGIN IMMEDIATE');
        held.add(db);
        return new ProjectLock(db);
      } catch (error) {
        db.close();
        const code = (error as { code?: string }).code;
        if (code === 'SQLITE_BUSY') throw inUse(projectFile);
        if (code !== 'SQLITE_NOTADB' || attempt > 0) throw error;
        // A JSON lock (the owner's pid) from an earlier ChangeMap build: honour it while that process lives.
        if (legacyOwnerAlive(lockPath)) throw inUse(projectFile);
        fs.rmSync(lockPath, { force: true });
      }
    }
    throw inUse(projectFile);
  }

  /** Whether some process holds the project's lock now (without taking it). */
  static isHeld(projectFile: string): boolean {
    try {
      ProjectLock.acquire(projectFile).release();
      return false;
    } catch (error) {
      if ((error as ChangeMapError).code === 'PROJECT_IN_USE') return true;
      throw error;
    }
  }

  release(): void {
    if (!this.db) return;
    const db = this.db;
    this.db = null;
    held.delete(db);
    try {
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
  }
}

function legacyOwnerAlive(lockPath: string): boolean {
  try {
    const owner = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { pid?: unknown };
    if (typeof owner.pid !== 'number' || owner.pid === process.pid) return false;
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
