// Issue 12: a lock held (or left) by ChangeMap on another machine is named (lock file, machine, process) with the way
// to take it over, `changemap unlock`, which never takes a lock that a live process on this machine holds.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectLock, projectLockPath } from '../services/project/projectLock';
import { ProjectStore } from '../services/project/projectStore';
import { EXIT } from './exitCodes';
import { runCli } from './testing/cliChild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-unlock-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const changemap = (...args: string[]) => runCli(args, { userData: path.join(dir, 'user') });

describe('a lock from another machine', () => {
  const project = path.join(dir, 'shared.gpkg');

  it('is named with its file, machine and process, and the way to take it over', () => {
    ProjectStore.create(project).close();
    // pid 1 lives on every machine: the lock must not be judged by a process of this one.
    fs.writeFileSync(projectLockPath(project), JSON.stringify({ pid: 1, host: 'build-server-7' }));
    const r = changemap('regions', '--project', project);
    expect(r.status, r.stderr).toBe(EXIT.refused);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      `locked by ChangeMap on build-server-7 (process 1) through its lock file ${projectLockPath(project)}`,
    );
    expect(r.stderr).toContain(`changemap unlock --project "${project}"`);
    expect(r.stderr).toContain('[PROJECT_IN_USE]');
  });

  it('`changemap unlock` takes it over, after which the project opens', () => {
    const r = changemap('unlock', '--project', project);
    expect(r.status, r.stderr).toBe(EXIT.done);
    expect(r.stderr).toMatch(
      /Took over the lock of shared\.gpkg from ChangeMap on build-server-7 \(process 1\)/,
    );
    expect(() => ProjectLock.acquire(project).release()).not.toThrow();
    expect(changemap('unlock', '--project', project).stderr).toMatch(/is not locked; nothing to do/);
  });
});

describe('a lock a live process on this machine holds', () => {
  it('names that process, and unlock refuses to take it', () => {
    const project = path.join(dir, 'busy.gpkg');
    ProjectStore.create(project).close();
    const lock = ProjectLock.acquire(project);
    try {
      const r = changemap('unlock', '--project', project);
      expect(r.status, r.stderr).toBe(EXIT.refused);
      expect(r.stderr).toContain(`(process ${process.pid}, lock file ${projectLockPath(project)})`);
      expect(r.stderr).toContain('[PROJECT_IN_USE]');
    } finally {
      lock.release();
    }
    expect(fs.existsSync(`${projectLockPath(project)}-owner`)).toBe(false);
  });

  it('a lock path that is a folder is named, not an unexpected error', () => {
    const project = path.join(dir, 'folder-lock.gpkg');
    ProjectStore.create(project).close();
    fs.rmSync(projectLockPath(project));
    fs.mkdirSync(projectLockPath(project));
    const r = changemap('regions', '--project', project);
    expect(r.status, r.stderr).toBe(EXIT.refused);
    expect(r.stderr).toMatch(
      /is a folder, so no one can lock the project; remove it.*\[PROJECT_LOCK_UNUSABLE\]/,
    );
  });

  it('an old JSON lock of a process that is gone is taken over silently', () => {
    const project = path.join(dir, 'legacy.gpkg');
    ProjectStore.create(project).close();
    fs.writeFileSync(projectLockPath(project), JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname() }));
    expect(() => ProjectLock.acquire(project).release()).not.toThrow();
    expect(() => new Database(projectLockPath(project)).close()).not.toThrow();
  });
});
