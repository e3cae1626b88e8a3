// Scale-out bench (`npm run bench -- scale`): one run on a real Redis (Debian's redis-server, started here on a
// loopback port) computed by 1 and then 2 `changemap worker` processes, against the same run in one process.
//
// Printed: wall time and scene-Mpx/s of each; per chunk, the worker's compute time (read, chips, model, blend) and
// the coordination overhead (everything else the run waited for: queueing, the job round trip through Redis, the
// chunk file write and its adoption into the ledger), as a share of the compute time (target < 5% at the default
// chunk size); and the chips each way computes (a worker computes a chunk's border chips itself, where a local run
// shares them between neighbouring chunks). Workers are warmed by a small run first, as a running deployment is.
// With --s3, the same run once more on 1 worker handing its chunk files over through an S3 store (s3rver on a
// loopback port: upload, sha256 check, download and delete are in the overhead).
//   npm run bench -- scale [--size 4608] [--model NAME|CARD] [--s3]
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { planChipSharing } from '../src-main/core/tiling/chipSharing';
import { ProjectStore } from '../src-main/services/project/projectStore';
import { openRunInputs } from '../src-main/services/runs/openRunInputs';
import { RunService } from '../src-main/services/runs/RunService';
import type { RunStats } from '../src-main/services/runs/runEvents';
import type { RunInputs, RunRecord } from '../src-main/services/runs/runTypes';
import { TestRedis } from '../src-main/services/scaleout/testing/redisServer';
import { S3RVER_ENV, TestS3 } from '../src-main/services/scaleout/testing/s3Server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Command()
  .option(
    '--size <px>',
    'edge of the generated scene (default chunk size: 1536 px for the shipped model)',
    '4608',
  )
  .option('--model <name|path>', 'change model (default: the automatic choice)')
  .option('--s3', 'also 1 worker through an S3 output store (s3rver on loopback)')
  .parse(process.argv)
  .opts<{ size: string; model?: string; s3?: boolean }>();

const cores = os.availableParallelism();
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-bench-scale-'));
const size = Number(args.size);
const inputs: Extract<RunInputs, { kind: 'synthetic' }> = {
  kind: 'synthetic',
  width: size,
  height: size,
  bands: 3,
  seed: 3,
};
let projects = 0;

interface ChunkLine {
  type: string;
  runId?: number;
  idx?: number;
  millis?: number;
  computeMs?: number;
}

function service(): { runs: RunService; store: ProjectStore } {
  const store = ProjectStore.create(path.join(dir, `p${++projects}.gpkg`));
  const runs = new RunService({
    db: store.db,
    dataDir: store.dataDir,
    modelDirs: [path.join(root, 'models')],
    openPair: openRunInputs,
  });
  return { runs, store };
}

async function run(request: {
  inputs: RunInputs;
  engine?: string;
  output?: string;
  s3Endpoint?: string;
  threads: number;
}): Promise<{ run: RunRecord; stats: RunStats }> {
  const { runs, store } = service();
  let stats: RunStats | null = null;
  runs.subscribe((e) => {
    if (e.type === 'run:done') stats = e.stats;
  });
  const id = await runs.startRun({ ...request, model: args.model, provider: 'cpu' });
  const record = await runs.whenSettled(id);
  store.close();
  if (record.status !== 'done' || !stats) throw new Error(`The run ended ${record.status}: ${record.error}`);
  return { run: record, stats };
}

function startWorker(
  engine: string,
  name: string,
  threads: number,
  lines: ChunkLine[],
  env: NodeJS.ProcessEnv = process.env,
) {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin', 'changemap.js'),
      'worker',
      '--engine',
      engine,
      '--name',
      name,
      '--threads',
      String(threads),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  ) as unknown as ChildProcessWithoutNullStreams;
  let buffer = '';
  return new Promise<ChildProcessWithoutNullStreams>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const text of parts) {
        const line = JSON.parse(text) as ChunkLine;
        lines.push(line);
        if (line.type === 'worker:ready') resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code})`)));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mpxs = (px: number, ms: number) => `${(px / 1e6 / (ms / 1000)).toFixed(2)} Mpx/s`;

async function main() {
  const redis = await TestRedis.start();
  try {
    const local = await run({ inputs, threads: cores });
    // Scale-out runs take their own default chunk (core/tiling/chunkPlan.ts scaleOutChunkSize).
    let scaledChunks = local.run.chunks.map((c) => c.window);
    const { params } = local.run;
    const px = size * size;
    console.log(
      `scene ${size}² (${(px / 1e6).toFixed(1)} Mpx), ${local.run.chunks.length} chunks of ${params.chunkSize} px, chip ${params.chipSize}, overlap ${params.overlap}, model ${local.run.modelName}; ${cores} cores, load ${load()}`,
    );
    console.log(
      `local, 1 process, ${cores} threads: ${seconds(local.stats.wallMs)}, ${mpxs(px, local.stats.wallMs)}`,
    );
    const s3 = args.s3 ? await TestS3.start(['bench']) : null;
    if (s3) Object.assign(process.env, S3RVER_ENV);
    const setups = [
      { workers: 1, s3: false },
      { workers: 2, s3: false },
      ...(s3 ? [{ workers: 1, s3: true }] : []),
    ];
    for (const setup of setups) {
      const { workers } = setup;
      const threads = Math.max(1, Math.floor(cores / workers));
      const lines: ChunkLine[] = [];
      const env = setup.s3 ? { ...process.env, AWS_ENDPOINT_URL_S3: s3!.endpoint } : process.env;
      const store = setup.s3 ? { output: 's3://bench/scale', s3Endpoint: s3!.endpoint } : {};
      const children = await Promise.all(
        Array.from({ length: workers }, (_, i) => startWorker(redis.url, `w${i + 1}`, threads, lines, env)),
      );
      try {
        // Warm-up: every worker loads the model (a deployment's workers are running before a run comes).
        await run({
          inputs: { ...inputs, width: 600 * workers, height: 600 },
          engine: redis.url,
          threads,
          ...store,
        });
        lines.length = 0;
        const scaled = await run({ inputs, engine: redis.url, threads, ...store });
        scaledChunks = scaled.run.chunks.map((c) => c.window);
        const done = lines.filter((l) => l.type === 'chunk:done');
        const computeMs = done.reduce((a, l) => a + l.computeMs!, 0);
        const jobMs = done.reduce((a, l) => a + l.millis!, 0);
        const n = scaled.run.chunks.length;
        const wall = scaled.stats.wallMs - scaled.stats.assembleMs;
        // With one worker the chunks run one after another: whatever of the wall time is not compute is overhead.
        // With more, each worker's share: wall x workers less the compute they did, per chunk.
        const overheadMs = (wall * workers - computeMs) / n;
        console.log(
          `${workers} worker${workers > 1 ? 's' : ''}${setup.s3 ? ' through an S3 store' : ''}, ${threads} thread${threads > 1 ? 's' : ''} each: ${seconds(scaled.stats.wallMs)}, ${mpxs(px, scaled.stats.wallMs)}; per chunk: compute ${seconds(computeMs / n)}, in the job ${seconds(jobMs / n)}, coordination overhead ${(overheadMs / 1000).toFixed(3)} s = ${((100 * overheadMs) / (computeMs / n)).toFixed(1)}% of compute; load ${load()}`,
        );
      } finally {
        for (const child of children) child.kill('SIGTERM');
      }
    }
    await s3?.dispose();
    const alone = planChipSharing(
      scaledChunks,
      size,
      size,
      params.chipSize,
      params.chipSize - params.overlap,
    );
    const each = alone.reduce((a, w) => a + w.chips.length, 0);
    const chipPx = params.chipSize ** 2;
    console.log(
      `chips computed: local ${(local.stats.chipPixels / px).toFixed(2)}x the scene (neighbouring chunks share border chips), scale-out ${((each * chipPx) / px).toFixed(2)}x (${scaledChunks.length} chunks, each computes its own)`,
    );
  } finally {
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
