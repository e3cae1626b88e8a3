// The stores wired together (stores/wiring.svelte.ts): a project switch, whatever causes it, leaves nothing of the
// old project on screen (issue 10 item 10), and a finished run's regions follow the run (item 6).
import { flushSync } from 'svelte';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProjectSummary } from '../../../src-main/ipc/contract';
import { services } from '../testing/fakeServices';
import { SETTINGS, regionPage, runDetail } from '../testing/runs';
import { exportsState } from './exports.svelte';
import { notices } from './notices.svelte';
import { project } from './project.svelte';
import { regions } from './regions.svelte';
import { run } from './run.svelte';
import { selection } from './selection.svelte';
import { wireStores } from './wiring.svelte';

const summary = (name: string): ProjectSummary => ({
  path: `/projects/${name}.gpkg`,
  name,
  createdAt: '2026-12-01T10:00:00Z',
  schemaVersion: 2,
  readOnly: false,
  dataDir: `/projects/${name}.data`,
});

/** A project's imagery state with no imagery yet, on a WGS 84 map: a new object each time, as the services send. */
const noImagery = () => ({
  before: null,
  dates: [],
  after: null,
  preflight: [],
  mapSpace: { kind: 'wgs84' as const },
});

/** Fake services of a project whose latest run is done, with regions. */
function projectServices(runId: number | null): void {
  services.handle('recent:list', () => []);
  services.handle('imagery:get', noImagery);
  services.handle('models:list', () => []);
  services.handle('models:choose', () => null);
  services.handle('providers:list', () => []);
  services.handle('boundaries:list', () => []);
  services.handle('run:list', () => (runId === null ? [] : [runDetail(runId)]));
  services.handle('run:get', ({ runId: id }) => runDetail(id, { regionSettings: SETTINGS }));
  services.handle('run:history', () => []);
  services.handle('regions:list', () => regionPage(3));
  services.handle('regions:facets', () => ({
    transitions: [],
    classes: [],
    reviewStates: { unreviewed: 3, confirmed: 0, rejected: 0 },
  }));
  services.handle(
    'regions:get',
    ({ fid }) =>
      ({
        ...regionPage(3).items[fid - 1],
        perimeterM: 1,
        pixelCount: 1,
        fromTop3: [],
        toTop3: [],
      }) as never,
  );
  services.handle('regions:spotCheck', () => ({ before: '', change: '', after: '', metresPerPixel: 1 }));
}

async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
  flushSync();
  await vi.advanceTimersByTimeAsync(0);
}

beforeAll(() => {
  wireStores();
});
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  services.reset();
});

describe('the stores wired together', () => {
  it('shows the regions of the latest run once the project opens, and resets everything on a switch', async () => {
    projectServices(4);
    services.handle('project:open', () => summary('A'));
    await project.open('/projects/A.gpkg');
    await settle();
    expect(run.current?.id).toBe(4);
    expect(regions.runId).toBe(4);
    expect(regions.total).toBe(3);
    await selection.select(2);
    exportsState.show();
    notices.push('error', 'EXPORT_FAILED', 'An export of A failed');
    const scopeOfA = notices.scope;

    // The services open another project on their own (Electron's File > Open): nothing of A stays.
    services.reset();
    projectServices(null);
    services.emit('project:changed', { project: summary('B') });
    await settle();
    expect(project.current?.name).toBe('B');
    expect(notices.toasts).toEqual([]);
    expect(notices.latest).toBeNull();
    expect(selection.fid).toBeNull();
    expect(exportsState.open).toBe(false);
    expect(run.current).toBeNull();
    expect(regions.runId).toBeNull();
    expect(services.callsTo('imagery:get')).toHaveLength(1);
    expect(services.callsTo('run:list')).toHaveLength(1);
    // A message of work started in A that ends now does not land on B.
    notices.push('success', 'EXPORTED', 'Exported A', scopeOfA);
    expect(notices.latest).toBeNull();

    services.handle('project:close', () => null);
    notices.push('warning', 'WARNING', 'B warns');
    await project.close();
    expect(project.current).toBeNull();
    expect(notices.latest).toBeNull();
  });

  it('follows a run to the end: its regions show up when it is done', async () => {
    projectServices(null);
    services.handle('project:open', () => summary('C'));
    await project.open('/projects/C.gpkg');
    await settle();
    expect(regions.runId).toBeNull();
    services.emit('run:started', runDetail(9, { status: 'running' }));
    await settle();
    expect(regions.runId).toBeNull();
    services.emit('run:done', runDetail(9));
    await settle();
    expect(regions.runId).toBe(9);
    expect(regions.finding).toBe(true);
    services.emit('regions:changed', { runId: 9, regionCount: 3 });
    await settle();
    expect(regions.finding).toBe(false);
    expect(regions.total).toBe(3);
  });

  it('asks which model a run would use while a project is open, again when the imagery changes', async () => {
    services.handle('project:close', () => null);
    await project.close();
    services.reset();
    projectServices(null);
    services.emit('imagery:changed', noImagery());
    await settle();
    expect(services.callsTo('models:choose')).toEqual([]); // no project: nothing to ask about

    services.handle('project:open', () => summary('E'));
    await project.open('/projects/E.gpkg');
    await settle();
    const asked = services.callsTo('models:choose').length;
    expect(asked).toBeGreaterThan(0);
    services.emit('imagery:changed', noImagery());
    await settle();
    expect(services.callsTo('models:choose').length).toBe(asked + 1);
  });

  it('closes the spot check when the regions it showed are replaced', async () => {
    projectServices(5);
    services.handle('project:open', () => summary('D'));
    await project.open('/projects/D.gpkg');
    await settle();
    await selection.select(1);
    expect(selection.fid).toBe(1);
    services.handle('regions:compute', ({ runId }) => ({
      runId,
      regionCount: 3,
      settings: SETTINGS,
      seconds: 0,
    }));
    await regions.compute();
    await settle();
    expect(selection.fid).toBeNull();
  });

  it('finds the regions again when the pixel size of a pair without georeference changes', async () => {
    projectServices(6);
    services.handle('project:open', () => summary('F'));
    services.handle('regions:compute', ({ runId }) => ({
      runId,
      regionCount: 3,
      settings: SETTINGS,
      seconds: 0,
    }));
    await project.open('/projects/F.gpkg');
    await settle();
    expect(regions.runId).toBe(6);
    const pixelState = (pixelSizeM: number | null) => ({
      ...noImagery(),
      mapSpace: {
        kind: 'pixel' as const,
        width: 100,
        height: 80,
        pixelSizeM,
        tiles: { nativeZoom: 16, maxZoom: 20, tileSize: 256 },
      },
    });
    services.emit('imagery:changed', pixelState(null));
    await settle();
    const before = services.callsTo('regions:compute').length;
    services.emit('imagery:changed', pixelState(null));
    await settle();
    expect(services.callsTo('regions:compute').length).toBe(before); // same size: nothing to redo
    services.emit('imagery:changed', pixelState(0.5));
    await settle();
    expect(services.callsTo('regions:compute').length).toBe(before + 1);
  });
});
