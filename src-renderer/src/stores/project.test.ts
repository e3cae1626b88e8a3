// The project store: opening and closing, the "project switched" hook every per-project store hangs on, and refusals.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectSummary } from '../../../src-main/ipc/contract';
import { FakeServiceError, raisedSignals, services } from '../testing/fakeServices';
import { ProjectState } from './project.svelte';

const summary = (name: string): ProjectSummary => ({
  path: `/p/${name}.gpkg`,
  name,
  createdAt: '',
  schemaVersion: 3,
  readOnly: false,
  dataDir: `/p/${name}.data`,
});

afterEach(() => services.reset());

describe('ProjectState', () => {
  it('tells its listeners once per switch, whoever switched', async () => {
    services.handle('recent:list', () => []);
    services.handle('project:open', ({ path }) => summary(path.includes('A') ? 'A' : 'B'));
    services.handle('project:close', () => null);
    const project = new ProjectState();
    project.listen();
    const switches: (string | null)[] = [];
    project.onSwitch((current) => switches.push(current?.name ?? null));
    await project.open('/p/A.gpkg');
    services.emit('project:changed', { project: summary('A') }); // the same project again: no switch
    services.emit('project:changed', { project: summary('B') }); // File > Open in the desktop shell
    await project.close();
    expect(switches).toEqual(['A', 'B', null]);
    expect(raisedSignals()).toEqual(expect.arrayContaining(['project:loaded', 'project:closed']));
  });

  it('finishes the work registered for closing before the project closes', async () => {
    const order: string[] = [];
    services.handle('recent:list', () => []);
    services.handle('project:close', () => {
      order.push('closed');
      return null;
    });
    const project = new ProjectState();
    project.beforeClose(async () => void order.push('map view saved'));
    await project.close();
    expect(order).toEqual(['map view saved', 'closed']);
  });

  it('keeps a refusal with its code for the banner, and clears it on the next attempt', async () => {
    services.handle('project:open', () => {
      throw new FakeServiceError('PROJECT_IN_USE', 'A.gpkg is open in another ChangeMap window or command.');
    });
    const project = new ProjectState();
    expect(await project.open('/p/A.gpkg')).toBe(false);
    expect(project.error?.code).toBe('PROJECT_IN_USE');
    expect(project.current).toBeNull();
    expect(raisedSignals()).toContain('error:PROJECT_IN_USE');
    services.handle('project:open', () => summary('A'));
    services.handle('recent:list', () => []);
    expect(await project.open('/p/A.gpkg')).toBe(true);
    expect(project.error).toBeNull();
  });
});
