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
//
// Who holds a lock (machine, process, since when) is written beside it in `name.gpkg.lock-owner` by the holder once
// it holds the lock, and removed before it lets go, so a refusal can name them. The OS cannot settle a lock taken
// from another machine on a shared folder (or a JSON lock an earlier build left there): `changemap unlock` takes
// such a lock over once the user says that ChangeMap no longer runs there (takeOverLock).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';

/** Path of the lock beside a project file. */
export function projectLockPath(projectFile: string): string {
  return `${projectFile}.lock`;
}

/** Who holds a lock, as its holder wrote it. */
export interface LockOwner {
  host: string;
  pid: number;
  since?: string;
}

const ownerPath = (lockPath: string) => `${lockPath}-owner`;

/** The holder of a project's lock as recorded beside it (or in an earlier build's JSON lock); null if unknown. */
export function lockOwner(projectFile: string): LockOwner | null {
  const lockPath = projectLockPath(projectFile);
  return readOwner(ownerPath(lockPath)) ?? readOwner(lockPath);
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner> & { hostname?: unknown };
    const host = typeof owner.host === 'string' ? owner.host : owner.hostname;
    if (typeof owner.pid !== 'number') return null;
    return {
      host: typeof host === 'string' ? host : os.hostname(),
      pid: owner.pid,
      since: typeof owner.since === 'string' ? owner.since : undefined,
    };
  } catch {
    return null; // not there, or not JSON (the SQLite lock itself)
  }
}

const onThisMachine = (owner: LockOwner) => owner.host === os.hostname();

function inUse(projectFile: string, owner: LockOwner | null): ChangeMapError {
  const lockPath = projectLockPath(projectFile);
  const base = path.basename(projectFile);
  if (owner && !onThisMachine(owner))
    return new ChangeMapError(
      'PROJECT_IN_USE',
      `${base} is locked by ChangeMap on ${owner.host} (process ${owner.pid}${owner.since ? `, since ${owner.since}` : ''}) through its lock file ${lockPath}; close it there, or if ChangeMap no longer runs there, take the lock over with: changemap unlock --project "${projectFile}".`,
    );
  const holder = owner ? ` (process ${owner.pid}, lock file ${lockPath})` : ` (lock file ${lockPath})`;
  return new ChangeMapError(
    'PROJECT_IN_USE',
    `${base} is open in another ChangeMap window or command${holder}; close it there (or let the command finish) and try again.`,
  );
}

/** A lock path that is not a file ChangeMap can use (a folder, a FIFO, ...): named, never opened. */
function refuseUnusable(projectFile: string): void {
  const lockPath = projectLockPath(projectFile);
  const stat = fs.statSync(lockPath, { throwIfNoEntry: false });
  if (stat && !stat.isFile())
    throw new ChangeMapError(
      'PROJECT_LOCK_UNUSABLE',
      `The lock file of ${path.basename(projectFile)} (${lockPath}) is ${stat.isDirectory() ? 'a folder' : 'not a file'}, so no one can lock the project; remove it and try again.`,
    );
}

/**
 * Every lock this process holds. A lock must not depend on its owner staying reachable: better-sqlite3 closes a
 * collected connection, which would drop the lock while the project is still written through another reference.
 */
const held = new Set<Database.Database>();

export class ProjectLock {
  private constructor(
    private db: Database.Database | null,
    private readonly lockPath: string,
  ) {}

  /** Takes the project's lock or throws PROJECT_IN_USE (naming who holds it); never waits. */
  static acquire(projectFile: string): ProjectLock {
    const lockPath = projectLockPath(projectFile);
    refuseUnusable(projectFile);
    for (let attempt = 0; attempt < 2; attempt++) {
      const db = new Database(lockPath, { timeout: 0 });
      try {
        // RESERVED lock: a second BEGIN IMMEDIATE, in this process or another, fails with SQLITE_BUSY.
        db.exec('BEGIN IMMEDIATE');
        held.add(db);
        writeOwner(lockPath);
        return new ProjectLock(db, lockPath);
      } catch (error) {
        db.close();
        const code = (error as { code?: string }).code;
        if (code === 'SQLITE_BUSY') throw inUse(projectFile, lockOwner(projectFile));
        if (code !== 'SQLITE_NOTADB' || attempt > 0) throw error;
        // A JSON lock (the owner's pid) from an earlier ChangeMap build: honour it while that process lives, and
        // always when it was written on another machine, where this one cannot tell.
        const legacy = readOwner(lockPath);
        if (legacy && (!onThisMachine(legacy) || processAlive(legacy.pid))) throw inUse(projectFile, legacy);
        fs.rmSync(lockPath, { force: true });
      }
    }
    throw inUse(projectFile, lockOwner(projectFile));
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
    // Still holding the lock: no one else can have written the owner file yet.
    fs.rmSync(ownerPath(this.lockPath), { force: true });
    try {
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
  }
}

function writeOwner(lockPath: string): void {
  const owner: LockOwner = { host: os.hostname(), pid: process.pid, since: new Date().toISOString() };
  try {
    fs.writeFileSync(ownerPath(lockPath), JSON.stringify(owner));
  } catch {
    // Naming the holder is a courtesy to whoever is refused; the lock itself holds without it.
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `changemap unlock`: takes over a project's lock that a ChangeMap on another machine holds (or left), once the user
 * has said it no longer runs there. Refuses a lock that a live process on this machine holds (PROJECT_IN_USE): the
 * OS drops those by itself when their holder ends. Returns the owner it took the lock from; null if none held it.
 */
export function takeOverLock(projectFile: string): LockOwner | null {
  try {
    ProjectLock.acquire(projectFile).release();
    return null;
  } catch (error) {
    if ((error as ChangeMapError).code !== 'PROJECT_IN_USE') throw error;
    const owner = lockOwner(projectFile);
    if (!owner || onThisMachine(owner)) throw error;
    const lockPath = projectLockPath(projectFile);
    fs.rmSync(ownerPath(lockPath), { force: true });
    fs.rmSync(lockPath, { force: true });
    ProjectLock.acquire(projectFile).release();
    return owner;
  }
}
