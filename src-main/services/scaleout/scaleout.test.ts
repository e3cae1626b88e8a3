// One run spread over three worker processes through BullMQ on a real Redis (Debian's redis-server, started here on
// a loopback port): a worker SIGKILLed in the middle of a chunk has its chunk taken over by another, Redis stopped
// and started again mid-run costs nothing, and either way the probability raster is byte for byte the one a single
// process makes and the ledger shows each chunk done once. Missing redis-server fails these tests (CI installs it).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { followJsonLines } from '../../cli/testing/cliChild';
import { killed, spawnTsx } from '../../cli/testing/killChild';
import { ProjectStore } from '../project/projectStore';
import { openRunInputs } from '../runs/openRunInputs';
import { RunService, type RunServiceDeps } from '../runs/RunService';
import type { RunEvent } from '../runs/runEvents';
import type { RunInputs, StartRunParams } from '../runs/runTypes';
import { Queue } from 'bullmq';
import { CHUNK_QUEUE, runKeyOf } from './chunkJob';
import { startChunkWorker } from './chunkWorker';
import { engineConnection } from './engineConnection';
import { S3ChunkStore } from './s3ChunkStore';
import { heldBackPredictor } from './testing/heldBackPredictor';
import { TestRedis } from './testing/redisServer';
import { S3RVER_ENV, TestS3 } from './testing/s3Server';
import { TEST_MODELS } from './testing/workerChild';

const VERSION = 'scaleout-test';
const workerScript = fileURLToPath(new URL('./testing/workerChild.ts', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-scaleout-'));
/** 1024 x 760 at 256-px chunks: 16 chunks. */
const INPUTS: RunInputs = { kind: 'synthetic', width: 1024, height: 760, bands: 3, seed: 17 };
const REQUEST: StartRunParams = {
  inputs: INPUTS,
  model: path.join(TEST_MODELS, 'tiny-change.card.json'),
  provider: 'cpu',
  chunkSize: 256,
  batchSize: 16,
  threads: 1,
};

let redis: TestRedis;
const stores: ProjectStore[] = [];
const workers: ReturnType<typeof spawnTsx>[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => killed(w)));
  for (const s of stores) s.close();
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function project(
  name: string,
  version = VERSION,
  openPair: RunServiceDeps['openPair'] = openRunInputs,
): RunService {
  const store = ProjectStore.create(path.join(dir, `${name}.gpkg`));
  stores.push(store);
  return new RunService({
    db: store.db,
    dataDir: store.dataDir,
    modelDirs: [TEST_MODELS],
    openPair,
    version,
  });
}

interface WorkerLine {
  worker: string;
  type: string;
  idx?: number;
  runId?: number;
}

/** Starts a worker child; every line it prints goes to `lines`; resolves once it takes jobs. */
async function startWorker(
  name: string,
  lines: WorkerLine[],
  timing: { lockMs: number; stalledMs: number; delayMs: number },
  onLine: (line: WorkerLine, child: ReturnType<typeof spawnTsx>) => void = () => undefined,
  machine: { outputDir?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const child = spawnTsx(
    workerScript,
    [
      redis.url,
      name,
      String(timing.lockMs),
      String(timing.stalledMs),
      String(timing.delayMs),
      machine.outputDir ?? '',
    ],
    machine.env,
  );
  workers.push(child);
  await followJsonLines<WorkerLine>(child, (line) => {
    lines.push(line);
    onLine(line, child);
    return line.type === 'worker:ready';
  });
  return child;
}

async function stopWorkers() {
  await Promise.all(workers.splice(0).map((w) => killed(w)));
}

async function runLocally(): Promise<Buffer> {
  const service = project(`local-${stores.length}`);
  const id = await service.startRun(REQUEST);
  const run = await service.whenSettled(id);
  expect(run.status).toBe('done');
  return readFileSync(run.probabilityPath!);
}

/**
 * Runs `work` with an s3rver holding the bucket cm-chunks, this process (the coordinator) holding its credentials in
 * the AWS environment; the environment is restored and the server stopped after.
 */
async function withS3(work: (s3: TestS3) => Promise<void>): Promise<void> {
  const s3 = await TestS3.start(['cm-chunks']);
  const saved = Object.fromEntries(Object.keys(S3RVER_ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, S3RVER_ENV);
  try {
    await work(s3);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await stopWorkers();
    await s3.dispose();
  }
}

let referenceRun: Promise<Buffer> | null = null;
/** The single-process run of the same request, computed once. */
const reference = () => (referenceRun ??= runLocally());

it(
  'finishes a run whose worker is killed mid-chunk, equal to a local run, each chunk done once',
  { timeout: 100_000 },
  async () => {
    const lines: WorkerLine[] = [];
    // Locks of 2 s checked every second: a killed worker's chunk is taken over within a few seconds.
    const timing = { lockMs: 2000, stalledMs: 1000, delayMs: 40 };
    let victimChunk: number | null = null;
    await Promise.all([
      startWorker('w1', lines, timing),
      startWorker('w2', lines, timing, (line, child) => {
        // Its second chunk: started and not written, so the kill lands in the middle of it.
        if (
          line.type === 'chunk:start' &&
          lines.filter((l) => l.worker === 'w2' && l.type === 'chunk:start').length === 2
        ) {
          victimChunk = line.idx!;
          child.kill('SIGKILL');
        }
      }),
      startWorker('w3', lines, timing),
    ]);
    // The coordinator lets its imagery go when the workers take over, and only then: a second close of a GeoTIFF
    // shut a descriptor reused for a socket (the e2e fork's abort).
    let closes = 0;
    const service = project('scaled', VERSION, async (inputs, options) => {
      const source = await openRunInputs(inputs, options);
      return { ...source, close: () => (closes++, source.close()) };
    });
    const events: RunEvent[] = [];
    service.subscribe((e) => events.push(e));
    const id = await service.startRun({ ...REQUEST, engine: redis.url });
    const run = await service.whenSettled(id);
    expect(run.error).toBeNull();
    expect(run.status).toBe('done');
    expect(run.chunks.length).toBeGreaterThanOrEqual(12);
    expect(victimChunk).not.toBeNull();
    // The killed chunk was started by w2 and finished by another worker.
    const victim = run.chunks.find((c) => c.idx === victimChunk)!;
    expect(victim.worker).toMatch(/^w[13]$/);
    expect(
      lines.filter((l) => l.type === 'chunk:start' && l.idx === victimChunk).map((l) => l.worker),
    ).toContain('w2');
    expect(run.chunks.map((c) => [c.state, c.computedCount])).toEqual(run.chunks.map(() => ['done', 1]));
    expect(new Set(run.chunks.map((c) => c.worker)).size).toBeGreaterThanOrEqual(2);
    // Every chunk names the worker that computed it (from its job's result, not only from its file).
    expect(run.chunks.filter((c) => !/^w[123]$/.test(c.worker ?? ''))).toEqual([]);
    expect(readFileSync(run.probabilityPath!).equals(await reference())).toBe(true);
    // The project followed it live: each chunk reported done once, with its worker.
    const done = events.filter((e) => e.type === 'run:chunk' && e.state === 'done');
    expect(done.map((e) => (e as { idx: number }).idx).sort((a, b) => a - b)).toEqual(
      run.chunks.map((c) => c.idx),
    );
    expect(events.some((e) => e.type === 'run:progress' && e.chunksDone === run.chunks.length)).toBe(true);
    expect(closes).toBe(1);
    await stopWorkers();
  },
);

it(
  'finishes without duplicate work when Redis is stopped and started again mid-run',
  { timeout: 100_000 },
  async () => {
    const lines: WorkerLine[] = [];
    const timing = { lockMs: 20_000, stalledMs: 5000, delayMs: 40 };
    let restarted: Promise<void> | null = null;
    const onLine = (line: WorkerLine) => {
      if (
        line.type === 'chunk:done' &&
        !restarted &&
        lines.filter((l) => l.type === 'chunk:done').length === 3
      ) {
        restarted = (async () => {
          await redis.stop();
          await new Promise((r) => setTimeout(r, 2500));
          await redis.resume();
        })();
      }
    };
    await Promise.all(['r1', 'r2', 'r3'].map((name) => startWorker(name, lines, timing, onLine)));
    const service = project('restarted');
    const id = await service.startRun({ ...REQUEST, engine: redis.url });
    const run = await service.whenSettled(id);
    expect(restarted).not.toBeNull();
    await restarted;
    expect(run.error).toBeNull();
    expect(run.status).toBe('done');
    expect(run.chunks.map((c) => [c.state, c.computedCount])).toEqual(run.chunks.map(() => ['done', 1]));
    // No chunk was computed twice by the workers.
    const computed = lines.filter((l) => l.type === 'chunk:done' && l.runId === id).map((l) => l.idx);
    expect([...computed].sort((a, b) => a! - b!)).toEqual(run.chunks.map((c) => c.idx));
    expect(readFileSync(run.probabilityPath!).equals(await reference())).toBe(true);
    await stopWorkers();
  },
);

it(
  'cancels by taking the queued chunks off the queue, and resumes through the workers',
  { timeout: 60_000 },
  async () => {
    const service = project('cancelled');
    const connection = engineConnection(redis.url);
    const queue = new Queue(CHUNK_QUEUE, { connection });
    // No worker yet: every chunk waits on the queue.
    const id = await service.startRun({ ...REQUEST, engine: redis.url });
    const chunks = service.getRun(id)!.chunks.length;
    while ((await queue.getWaitingCount()) < chunks) await new Promise((r) => setTimeout(r, 100));
    await service.cancelRun(id);
    const cancelled = await service.whenSettled(id);
    expect(cancelled.status).toBe('cancelled');
    expect(await queue.getWaitingCount()).toBe(0);
    await queue.close();
    connection.disconnect();
    await startWorker('c1', [], { lockMs: 5000, stalledMs: 5000, delayMs: 0 });
    await service.resumeRun(id, { engine: redis.url });
    const resumed = await service.whenSettled(id);
    expect(resumed.status).toBe('done');
    expect(resumed.chunks.map((c) => [c.computedCount, c.worker])).toEqual(
      resumed.chunks.map(() => [1, 'c1']),
    );
    expect(readFileSync(resumed.probabilityPath!).equals(await reference())).toBe(true);
    await stopWorkers();
  },
);

it(
  'writes through --output-dir where the data folder is mounted, and names a worker writing elsewhere',
  { timeout: 60_000 },
  async () => {
    const service = project('mounted');
    const dataDir = stores.at(-1)!.dataDir;
    // The same folder under another path (as a mount), then a folder that is not the project's.
    const mount = path.join(dir, 'mount');
    symlinkSync(dataDir, mount);
    const elsewhere = mkdtempSync(path.join(dir, 'elsewhere-'));
    for (const [outputDir, ok] of [
      [mount, true],
      [elsewhere, false],
    ] as const) {
      const worker = await startChunkWorker({
        engine: redis.url,
        version: VERSION,
        modelDirs: [TEST_MODELS],
        outputDir,
        name: 'inproc',
      });
      try {
        const id = await service.startRun({ ...REQUEST, engine: redis.url });
        const run = await service.whenSettled(id);
        if (ok) {
          expect(run.status).toBe('done');
          expect(readFileSync(run.probabilityPath!).equals(await reference())).toBe(true);
        } else {
          expect(run.status).toBe('failed');
          expect(run.error).toMatch(
            /finished chunk \d+ but its file is not in .*--output-dir must be this project's data folder/,
          );
        }
      } finally {
        await worker.close();
      }
    }
  },
);

it(
  'hands the chunks over through an S3 store to workers that share no folder with the project',
  { timeout: 100_000 },
  async () =>
    // The coordinator's keys are this process's environment; its endpoint comes with the request (--s3-endpoint).
    withS3(async (s3) => {
      const lines: WorkerLine[] = [];
      const timing = { lockMs: 5000, stalledMs: 5000, delayMs: 20 };
      // Each worker has a folder of its own, empty, and its endpoint from AWS_ENDPOINT_URL_S3.
      const own = ['s1', 's2'].map((name) => mkdtempSync(path.join(dir, `${name}-own-`)));
      const env = { ...process.env, AWS_ENDPOINT_URL_S3: s3.endpoint };
      await Promise.all(
        ['s1', 's2'].map((name, i) =>
          startWorker(name, lines, timing, undefined, { outputDir: own[i], env }),
        ),
      );
      const service = project('s3');
      const dataDir = stores.at(-1)!.dataDir;
      const id = await service.startRun({
        ...REQUEST,
        engine: redis.url,
        output: 's3://cm-chunks/county',
        s3Endpoint: s3.endpoint,
      });
      const run = await service.whenSettled(id);
      expect(run.error).toBeNull();
      expect(run.status).toBe('done');
      expect(run.chunks.map((c) => [c.state, c.computedCount])).toEqual(run.chunks.map(() => ['done', 1]));
      expect(new Set(run.chunks.map((c) => c.worker))).toEqual(new Set(['s1', 's2']));
      const computed = lines.filter((l) => l.type === 'chunk:done' && l.runId === id).map((l) => l.idx);
      expect([...computed].sort((a, b) => a! - b!)).toEqual(run.chunks.map((c) => c.idx));
      expect(readFileSync(run.probabilityPath!).equals(await reference())).toBe(true);
      // Every chunk went through the store once, under the run's key, and was deleted after its adoption.
      const runKey = runKeyOf(dataDir, id, run.createdAt);
      const keysOf = (event: string) =>
        s3.events.filter((e) => e.startsWith(`${event} `)).map((e) => e.slice(event.length + 1));
      const chunkKeys = run.chunks.map((c) => `county/${runKey}/chunks/${c.idx}.chunk`);
      expect(keysOf('ObjectCreated:Put').sort()).toEqual([...chunkKeys].sort());
      expect(keysOf('ObjectRemoved:Delete').sort()).toEqual([...chunkKeys].sort());
      const listing = await S3ChunkStore.open('s3://cm-chunks/county', { endpoint: s3.endpoint });
      expect(await listing.list(runKey)).toEqual([]);
      listing.close();
      // Nothing was written where the workers could have shared a folder with the project.
      expect(own.map((d) => readdirSync(d))).toEqual([[], []]);
    }),
);

it(
  'resumes a cancelled S3 run reusing the chunk a worker uploaded after the cancel',
  { timeout: 100_000 },
  async () =>
    withS3(async (s3) => {
      const service = project('s3-resumed');
      const dataDir = stores.at(-1)!.dataDir;
      const request = { engine: redis.url, output: 's3://cm-chunks/county', s3Endpoint: s3.endpoint };
      const lines: WorkerLine[] = [];
      // The first chunk's model call waits for `release`: the run is cancelled while that chunk is in hand.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let taken: (idx: number) => void = () => undefined;
      const firstTaken = new Promise<number>((resolve) => (taken = resolve));
      const worker = await startChunkWorker({
        engine: redis.url,
        version: VERSION,
        modelDirs: [TEST_MODELS],
        s3Endpoint: s3.endpoint,
        name: 'p1',
        log: (line) => {
          lines.push({ worker: 'p1', ...line } as WorkerLine);
          if (line.type === 'chunk:start') taken(line.idx as number);
        },
        startPredictor: heldBackPredictor(() => held),
      });
      try {
        const id = await service.startRun({ ...REQUEST, ...request });
        const first = await firstTaken;
        await service.cancelRun(id);
        expect((await service.whenSettled(id)).status).toBe('cancelled');
        release();
        while (!lines.some((l) => l.type === 'chunk:done')) await new Promise((r) => setTimeout(r, 50));
        const runKey = runKeyOf(dataDir, id, service.getRun(id)!.createdAt);
        const key = `county/${runKey}/chunks/${first}.chunk`;
        // Uploaded with no one to adopt it: the object waits, the chunk is not done.
        const listing = await S3ChunkStore.open('s3://cm-chunks/county', { endpoint: s3.endpoint });
        expect(await listing.list(runKey)).toEqual([key]);
        listing.close();
        expect(service.getRun(id)!.chunks.find((c) => c.idx === first)!.state).not.toBe('done');
        await service.resumeRun(id, request);
        const run = await service.whenSettled(id);
        expect(run.error).toBeNull();
        expect(run.status).toBe('done');
        expect(readFileSync(run.probabilityPath!).equals(await reference())).toBe(true);
        // The resume adopted the uploaded chunk instead of computing it again.
        expect(run.chunks.find((c) => c.idx === first)).toMatchObject({ computedCount: 1, worker: 'p1' });
        const computed = lines.filter((l) => l.type === 'chunk:done').map((l) => l.idx!);
        expect([...computed].sort((a, b) => a - b)).toEqual(run.chunks.map((c) => c.idx));
        const puts = s3.events.filter((e) => e.startsWith('ObjectCreated:Put '));
        expect(puts.filter((e) => e.endsWith(` ${key}`))).toHaveLength(1);
        expect(puts).toHaveLength(run.chunks.length);
      } finally {
        release();
        await worker.close();
      }
    }),
);

it(
  'stops a run whose S3 store has no such bucket before any chunk is queued, resumable',
  { timeout: 60_000 },
  async () =>
    withS3(async (s3) => {
      const connection = engineConnection(redis.url);
      const queue = new Queue(CHUNK_QUEUE, { connection });
      try {
        const waiting = await queue.getWaitingCount();
        const service = project('s3-missing');
        const id = await service.startRun({
          ...REQUEST,
          engine: redis.url,
          output: 's3://no-such-bucket/county',
          s3Endpoint: s3.endpoint,
        });
        const run = await service.whenSettled(id);
        expect(run.status).toBe('failed');
        expect(run.error).toMatch(
          /The bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+; create it/,
        );
        expect(await queue.getWaitingCount()).toBe(waiting);
        expect(run.chunks.every((c) => c.state === 'waiting' && c.computedCount === 0)).toBe(true);
      } finally {
        await queue.close();
        connection.disconnect();
      }
    }),
);

it(
  "fails a run at once, naming the worker, when the store refuses that worker's credentials",
  { timeout: 60_000 },
  async () =>
    withS3(async (s3) => {
      const env = {
        ...process.env,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: 'NOT-THE-KEY',
        AWS_SECRET_ACCESS_KEY: 'NOT-THE-SECRET',
      };
      await startWorker('d1', [], { lockMs: 5000, stalledMs: 5000, delayMs: 0 }, undefined, { env });
      const service = project('s3-denied');
      const id = await service.startRun({
        ...REQUEST,
        engine: redis.url,
        output: 's3://cm-chunks/county',
        s3Endpoint: s3.endpoint,
      });
      const run = await service.whenSettled(id);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(
        /Worker d1 cannot use the run's output store: s3:\/\/cm-chunks\/county at http:\S+ refused .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      );
      expect(run.chunks.every((c) => c.state !== 'done' && c.state !== 'running')).toBe(true);
    }),
);

it(
  'fails a run whose workers run another ChangeMap version, with a clear resumable state',
  { timeout: 60_000 },
  async () => {
    const lines: WorkerLine[] = [];
    await startWorker('v1', lines, { lockMs: 5000, stalledMs: 5000, delayMs: 0 });
    const service = project('other-version', '9.9.9');
    const id = await service.startRun({ ...REQUEST, engine: redis.url });
    const run = await service.whenSettled(id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/runs ChangeMap scaleout-test but run \d+ was started by ChangeMap 9\.9\.9/);
    expect(run.chunks.every((c) => c.state !== 'running' && c.computedCount === 0)).toBe(true);
    await stopWorkers();
  },
);

it('refuses a job engine that is not a Redis address on the command line, exit code 2', () => {
  const bin = fileURLToPath(new URL('../../../bin/changemap.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'worker', '--engine', 'http://127.0.0.1:6379'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/Give the job engine as redis:\/\/host:6379/);
});

it('refuses an output store that is not an s3:// address on the command line, exit code 2', () => {
  const bin = fileURLToPath(new URL('../../../bin/changemap.js', import.meta.url));
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'run',
      '--project',
      path.join(dir, 'never.gpkg'),
      '--synthetic',
      '64x64',
      '--engine',
      redis.url,
    ].concat(['--output', 'https://bucket.s3.amazonaws.com/x']),
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/Give the output store as s3:\/\/bucket\/prefix/);
});
