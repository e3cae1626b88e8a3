// The run panel's "Computed on" field drives a scale-out run end to end: a real Redis (Debian's redis-server on a
// loopback port) and two `changemap worker` processes started as a user starts them (bin/changemap.js), the address
// typed into the field, and the panel following the run to its end with the tally of which worker computed how many
// chunks, the same tally the workers' own logs give. A run computed in the app's process (the field ignored) shows
// no workers and fails here. Then the same through an S3-compatible store typed into the panel (s3rver on a loopback
// port): every chunk is uploaded by a worker and taken back by the app, none through the shared folder.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followJsonLines } from '../src-main/cli/testing/cliChild';
import { killed } from '../src-main/cli/testing/killChild';
import { TestRedis } from '../src-main/services/scaleout/testing/redisServer';
import { S3RVER_ENV, TestS3 } from '../src-main/services/scaleout/testing/s3Server';
import { ChangeMapApp } from './support/changeMapApp';
import { REPO_ROOT, TINY_CHANGE_MODEL, writeScenePair } from './support/fixtures';
import { Workbench } from './support/workbench';

// A 1024 px scene cut into 256 px chunks: 16 chunks.
const SCENE_PX = 1024;
const CHUNKS = (SCENE_PX / 256) ** 2;
const WORKERS = ['e2e-worker-1', 'e2e-worker-2'];

interface WorkerLine {
  type: string;
  idx?: number;
}

/** `changemap worker --engine <url> --name <name>`; resolves once it takes jobs, every JSON line kept in `lines`. */
async function startWorker(
  engine: string,
  name: string,
  lines: WorkerLine[],
  env: NodeJS.ProcessEnv,
): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'changemap.js'), 'worker', '--engine', engine, '--name', name],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], env },
  ) as unknown as ChildProcessWithoutNullStreams;
  await followJsonLines<WorkerLine>(child, (line) => {
    lines.push(line);
    return line.type === 'worker:ready';
  });
  return child;
}

describe('a run computed on workers through the run panel', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let redis: TestRedis;
  let s3: TestS3;
  const savedEnv = Object.fromEntries(Object.keys(S3RVER_ENV).map((k) => [k, process.env[k]]));
  const workers: ChildProcessWithoutNullStreams[] = [];
  const logs = new Map(WORKERS.map((name) => [name, [] as WorkerLine[]]));

  beforeAll(async () => {
    redis = await TestRedis.start();
    s3 = await TestS3.start(['cm-chunks']);
    // The app (the coordinator, in this process) and the workers hold the store's keys in the AWS environment; the
    // workers' endpoint is theirs too, the app's comes from the panel.
    Object.assign(process.env, S3RVER_ENV);
    const workerEnv = { ...process.env, AWS_ENDPOINT_URL_S3: s3.endpoint };
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    const [scene] = await Promise.all([
      writeScenePair(path.join(app.workDir, 'scene'), { size: SCENE_PX }),
      app.waitForSignal('start:ready'),
      ...WORKERS.map(async (name) =>
        workers.push(await startWorker(redis.url, name, logs.get(name)!, workerEnv)),
      ),
    ]);
    await bench.newProject('Scale-out check');
    await bench.addImagery('before', [scene.before]);
    await bench.addImagery('after', [scene.after]);
    await bench.addModel(TINY_CHANGE_MODEL);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => killed(w)));
    await app?.dispose();
    await redis?.dispose();
    await s3?.dispose();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('checks the address typed before the run starts', async () => {
    await bench.byTestId('run-engine').fill('http://127.0.0.1:6379');
    expect(await bench.byTestId('run-engine-problem').textContent()).toMatch(/redis:\/\/host:6379/);
    expect(await bench.byTestId('run-start').isDisabled()).toBe(true);
  });

  it('runs on the workers and shows which worker computed how many chunks', async () => {
    await bench.byTestId('chunk-size').selectOption({ label: '256 px' });
    await bench.byTestId('run-engine').fill(redis.url);
    expect(await bench.byTestId('run-engine-problem').count()).toBe(0);
    await bench.startRun();
    expect(Number(await bench.byTestId('run-progress').getAttribute('data-chunks-total'))).toBe(CHUNKS);
    await bench.waitForRunDone(1);
    expect(await bench.byTestId('run-status').textContent()).toBe('done');
    expect(await bench.byTestId('run-chunks').textContent()).toMatch(
      new RegExp(`${CHUNKS} / ${CHUNKS} chunks`),
    );
    // The panel's tally: "<name> <count>" per worker, busiest first.
    const tally = ((await bench.byTestId('run-workers').textContent()) ?? '').replace(/\s+/g, ' ').trim();
    const shown = new Map(
      [...tally.matchAll(/(\S+) (\d+)(?:,|$)/g)].map((m) => [m[1], Number(m[2])] as const),
    );
    expect([...shown.keys()].every((name) => WORKERS.includes(name))).toBe(true);
    expect([...shown.values()].reduce((a, b) => a + b, 0)).toBe(CHUNKS);
    // The same tally the workers' own logs give: each chunk computed once, by the worker the panel names.
    for (const name of WORKERS) {
      const computed = logs.get(name)!.filter((l) => l.type === 'chunk:done').length;
      expect(shown.get(name) ?? 0).toBe(computed);
    }
    await app.screenshot('run-scaleout-done');
  });

  it('hands the chunks over through the S3 store typed in the panel, each uploaded and taken back once', async () => {
    const computedBefore = WORKERS.map((n) => logs.get(n)!.filter((l) => l.type === 'chunk:done').length);
    await bench.byTestId('run-output').fill('s3://Not_A_Bucket');
    expect(await bench.byTestId('run-engine-problem').textContent()).toMatch(/s3:\/\/bucket\/prefix/);
    expect(await bench.byTestId('run-start').isDisabled()).toBe(true);
    await bench.byTestId('run-output').fill('s3://cm-chunks/e2e');
    await bench.byTestId('run-s3-endpoint').fill(s3.endpoint);
    expect(await bench.byTestId('run-engine-problem').count()).toBe(0);
    await bench.startRun();
    await bench.waitForRunDone(2);
    expect(await bench.byTestId('run-status').textContent()).toBe('done');
    const computed = WORKERS.map(
      (n, k) => logs.get(n)!.filter((l) => l.type === 'chunk:done').length - computedBefore[k],
    );
    expect(computed.reduce((a, b) => a + b, 0)).toBe(CHUNKS);
    const uploaded = s3.events.filter((e) => /^ObjectCreated:\S+ e2e\/.+\/chunks\/\d+\.chunk$/.test(e));
    const removed = s3.events.filter((e) => /^ObjectRemoved:\S+ e2e\/.+\/chunks\/\d+\.chunk$/.test(e));
    expect(uploaded).toHaveLength(CHUNKS);
    expect(removed).toHaveLength(CHUNKS);
  });
});
