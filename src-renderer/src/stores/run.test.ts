// The run store against fake services: the latest run on opening, chunk by chunk progress, failures with their code.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeServiceError, raisedSignals, services } from '../testing/fakeServices';
import { runDetail } from '../testing/runs';
import { notices } from './notices.svelte';
import { RunState } from './run.svelte';

const chunks = (n: number) =>
  Array.from({ length: n }, (_, idx) => ({ idx, state: 'waiting' as const, ring: [], worker: null }));

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  services.reset();
  notices.clear();
});

describe('RunState', () => {
  it('shows the latest run of the project with its chunk states', async () => {
    services.handle('models:list', () => []);
    services.handle('providers:list', () => []);
    services.handle('run:list', () => [runDetail(2), runDetail(5), runDetail(3)]);
    services.handle('run:get', ({ runId }) =>
      runDetail(runId, {
        status: 'cancelled',
        chunks: [...chunks(3), { idx: 3, state: 'done', ring: [], worker: null }],
      }),
    );
    const run = new RunState();
    await run.load();
    expect(run.current?.id).toBe(5);
    expect(run.status).toBe('cancelled');
    expect(run.resumable).toBe(true);
    expect(run.chunkCounts).toEqual({ waiting: 3, running: 0, done: 1, failed: 0 });
    expect(raisedSignals()).toContain('run:ready');
  });

  it('follows a run chunk by chunk, and tells the map without going through reactivity', () => {
    const run = new RunState();
    run.listen();
    const seen: [number, string][] = [];
    run.onChunk((idx, state) => seen.push([idx, state]));
    services.emit('run:started', runDetail(8, { status: 'pending', chunks: chunks(4), chunksDone: 0 }));
    expect(run.active).toBe(true);
    services.emit('run:chunk', { runId: 8, idx: 0, state: 'running' });
    services.emit('run:chunk', { runId: 8, idx: 0, state: 'done' });
    services.emit('run:chunk', { runId: 99, idx: 1, state: 'done' }); // another run's: ignored
    expect(seen).toEqual([
      [0, 'running'],
      [0, 'done'],
    ]);
    expect(run.chunkCounts).toEqual({ waiting: 3, running: 0, done: 1, failed: 0 });
    const revision = run.probabilityRevision;
    vi.advanceTimersByTime(2000);
    expect(run.probabilityRevision).toBe(revision + 1); // the finished chunk reaches the probability tiles
    services.emit('run:done', runDetail(8));
    expect(run.status).toBe('done');
    expect(run.active).toBe(false);
  });

  it("tallies a scale-out run's chunks by the worker that computed them, also for a run shown again", () => {
    const run = new RunState();
    run.listen();
    services.emit('run:started', runDetail(8, { status: 'running', chunks: chunks(5), chunksDone: 0 }));
    expect(run.workers).toEqual([]);
    services.emit('run:chunk', { runId: 8, idx: 0, state: 'running', worker: 'node-a' });
    expect(run.workers).toEqual([]); // only finished chunks count
    services.emit('run:chunk', { runId: 8, idx: 0, state: 'done', worker: 'node-a' });
    services.emit('run:chunk', { runId: 8, idx: 1, state: 'done', worker: 'node-b' });
    services.emit('run:chunk', { runId: 8, idx: 2, state: 'done', worker: 'node-b' });
    services.emit('run:chunk', { runId: 8, idx: 2, state: 'done', worker: 'node-b' }); // told twice: counted once
    services.emit('run:chunk', { runId: 8, idx: 3, state: 'done' }); // computed here
    expect(run.workers).toEqual([
      { name: 'node-b', chunks: 2 },
      { name: 'node-a', chunks: 1 },
    ]);
    // A run shown again (reopened project, run history) tallies from its stored chunks.
    const stored = chunks(3).map((c, i) => ({
      ...c,
      state: 'done' as const,
      worker: i < 2 ? 'node-c' : null,
    }));
    services.emit('run:started', runDetail(9, { status: 'done', chunks: stored }));
    expect(run.workers).toEqual([{ name: 'node-c', chunks: 2 }]);
  });

  it('reports a failed run and a refused start with their codes', async () => {
    const run = new RunState();
    run.listen();
    services.emit('run:started', runDetail(3, { status: 'running', chunks: chunks(2) }));
    services.emit('run:failed', { runId: 3, code: 'DISK_FULL', message: 'The disk is full.' });
    expect(run.status).toBe('failed');
    expect(run.failure).toEqual({ code: 'DISK_FULL', message: 'The disk is full.' });
    expect(notices.latest?.code).toBe('DISK_FULL');

    services.handle('run:start', () => {
      throw new FakeServiceError('NO_IMAGERY', 'Add both dates first.');
    });
    run.modelId = 'auto';
    await run.start();
    expect(run.failure?.code).toBe('NO_IMAGERY');
    expect(run.busy).toBe(false);
  });

  it('asks for the area the user drew, in the request shape', async () => {
    services.handle('run:start', () => runDetail(4, { status: 'pending' }));
    services.handle('run:get', ({ runId }) => runDetail(runId, { status: 'pending', chunks: chunks(1) }));
    const run = new RunState();
    run.modelId = 'auto';
    run.area = { kind: 'bbox', min: [15, 48], max: [15.1, 48.1] };
    await run.start();
    expect(services.callsTo('run:start')[0]).toMatchObject({
      model: 'auto',
      aoi: { kind: 'bbox', min: [15, 48], max: [15.1, 48.1] },
    });
    expect(run.current?.id).toBe(4);
  });

  it('asks for an area drawn on imagery without georeference in grid (pixel) coordinates', async () => {
    services.handle('run:start', () => runDetail(5, { status: 'pending' }));
    services.handle('run:get', ({ runId }) => runDetail(runId, { status: 'pending', chunks: chunks(1) }));
    const run = new RunState();
    run.modelId = 'auto';
    run.area = {
      kind: 'polygon',
      ring: [
        [10, -20],
        [300, -25],
        [200, -180],
        [10, -20],
      ],
      inPixels: true,
    };
    await run.start();
    const request = services.callsTo('run:start')[0];
    expect(request).toMatchObject({ gridAoi: { minX: 10, minY: -180, maxX: 300, maxY: -20 } });
    expect(request).not.toHaveProperty('aoi');
  });

  it('sends the job engine typed for scale-out workers with start and resume, and checks it first', async () => {
    services.handle('run:start', () => runDetail(6, { status: 'pending' }));
    services.handle('run:resume', () => runDetail(6, { status: 'running' }));
    services.handle('run:get', ({ runId }) => runDetail(runId, { status: 'cancelled', chunks: chunks(2) }));
    const run = new RunState();
    run.modelId = 'auto';
    run.engine = 'http://queue:6379';
    expect(run.engineProblem).toMatch(/redis:\/\/host:6379/);
    run.engine = ' redis://queue.internal:6379 ';
    expect(run.engineProblem).toBeNull();
    await run.start();
    expect(services.callsTo('run:start')[0]).toMatchObject({ engine: 'redis://queue.internal:6379' });
    await run.resume();
    expect(services.callsTo('run:resume')[0]).toEqual({ runId: 6, engine: 'redis://queue.internal:6379' });
    run.engine = '';
    await run.start();
    expect(services.callsTo('run:start')[1]).not.toHaveProperty('engine');
  });

  it('sends the S3 store and its endpoint with the engine, checks them first, and leaves them out without one', async () => {
    services.handle('run:start', () => runDetail(7, { status: 'pending' }));
    services.handle('run:resume', () => runDetail(7, { status: 'running' }));
    services.handle('run:get', ({ runId }) => runDetail(runId, { status: 'cancelled', chunks: chunks(2) }));
    const run = new RunState();
    run.modelId = 'auto';
    run.engine = 'redis://queue:6379';
    run.output = 's3://Bad_Bucket';
    expect(run.engineProblem).toMatch(/s3:\/\/bucket\/prefix/);
    run.output = ' s3://changemap-chunks/county ';
    run.s3Endpoint = 'http://user:secret@minio:9000';
    expect(run.engineProblem).toMatch(/without a path or a password/);
    run.s3Endpoint = 'http://minio:9000';
    expect(run.engineProblem).toBeNull();
    await run.start();
    const sent = {
      engine: 'redis://queue:6379',
      output: 's3://changemap-chunks/county',
      s3Endpoint: 'http://minio:9000',
    };
    expect(services.callsTo('run:start')[0]).toMatchObject(sent);
    await run.resume();
    expect(services.callsTo('run:resume')[0]).toEqual({ runId: 7, ...sent });
    // Without an engine the run is computed here: the store fields are neither checked nor sent.
    run.engine = '';
    run.output = 'not a store';
    expect(run.engineProblem).toBeNull();
    await run.start();
    expect(services.callsTo('run:start')[1]).not.toHaveProperty('output');
    expect(services.callsTo('run:start')[1]).not.toHaveProperty('s3Endpoint');
  });
});
