// The registry of an open project's services: one instance each while the project is open, closed with it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppSession } from './session';

let dir: string;
let session: AppSession;

afterEach(() => {
  session?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function newSession(): AppSession {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-project-services-'));
  session = new AppSession({
    userDataDir: path.join(dir, 'user'),
    version: 'test',
    shell: { transport: 'in-process' },
    modelsDir: path.join(dir, 'models'),
  });
  return session;
}

describe('ProjectServices', () => {
  it('makes each service once per open project and starts afresh for the next project', () => {
    const s = newSession();
    expect(() => s.services()).toThrow(expect.objectContaining({ code: 'NO_PROJECT' }));
    s.createProject(path.join(dir, 'a.gpkg'));
    const first = s.services();
    expect(first.imagery).toBe(s.services().imagery);
    expect(first.regions).toBe(s.services().regions);
    expect(first.runs).toBe(s.services().runs);
    expect(first.modelDirs()).toEqual([path.join(dir, 'models')]);
    s.createProject(path.join(dir, 'b.gpkg'));
    expect(s.services()).not.toBe(first);
    expect(s.services().imagery).not.toBe(first.imagery);
    s.closeProject();
    expect(() => s.services()).toThrow(expect.objectContaining({ code: 'NO_PROJECT' }));
  });

  it('says when the regions a finished run starts cannot be found (regions:failed and a warning)', async () => {
    const s = newSession();
    s.createProject(path.join(dir, 'a.gpkg'));
    const events: [string, unknown][] = [];
    s.events.subscribe((name, payload) => events.push([name, payload]));
    s.services().regions.afterRun(99);
    await s.services().regions.whenAutomaticDone(99);
    expect(events).toContainEqual([
      'regions:failed',
      expect.objectContaining({ runId: 99, code: 'RUN_NOT_FOUND' }),
    ]);
    expect(events.map(([name]) => name)).toContain('log:warning');
  });

  it('closes what it made when the project closes, and reports a failure as a warning', async () => {
    const s = newSession();
    s.createProject(path.join(dir, 'a.gpkg'));
    const warnings: string[] = [];
    s.events.subscribe((name, payload) => {
      if (name === 'log:warning') warnings.push((payload as { message: string }).message);
    });
    const imagery = s.services().imagery;
    let closed = false;
    imagery.dispose = async () => {
      closed = true;
      throw new Error('disk gone');
    };
    s.closeProject();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(closed).toBe(true);
    expect(warnings).toEqual(['Closing imagery failed: disk gone']);
  });

  it('closes the project only after its services when the caller waits (close)', async () => {
    const s = newSession();
    const project = s.createProject(path.join(dir, 'a.gpkg'));
    const warnings: string[] = [];
    s.events.subscribe((name, payload) => {
      if (name === 'log:warning') warnings.push((payload as { message: string }).message);
    });
    // A service whose closing still reads the project a turn later, as a run being cancelled records it.
    let read: unknown = null;
    s.services().imagery.dispose = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      read = project.db.prepare('SELECT 1').pluck().get();
    };
    await s.close();
    expect(warnings).toEqual([]);
    expect(read).toBe(1);
    expect(project.db.open).toBe(false);
    expect(s.currentProject).toBeNull();
  });

  it('lets the app close or switch a project only after its services are done with it', async () => {
    const s = newSession();
    const handlers = s.handlers();
    const warnings: string[] = [];
    s.events.subscribe((name, payload) => {
      if (name === 'log:warning') warnings.push((payload as { message: string }).message);
    });
    s.createProject(path.join(dir, 'b.gpkg'));
    // A service whose closing still writes to the project a turn later, as a run being cancelled records it.
    const slowToClose = () => {
      const project = s.currentProject!;
      const seen = { read: null as unknown };
      s.services().imagery.dispose = async () => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.read = project.db.prepare('SELECT 1').pluck().get();
      };
      return { project, seen };
    };
    for (const change of [
      () => handlers['project:create']({ path: path.join(dir, 'a.gpkg') }),
      () => handlers['project:open']({ path: path.join(dir, 'b.gpkg') }),
      () => handlers['project:close'](undefined as never),
    ]) {
      const { project, seen } = slowToClose();
      await change();
      expect(seen.read).toBe(1);
      expect(project.db.open).toBe(false);
    }
    expect(warnings).toEqual([]);
    expect(s.currentProject).toBeNull();
  });
});
