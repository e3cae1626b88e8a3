// The coordinator of a scale-out run: the run's chunks become jobs on the queue (one per chunk, its id keyed by the
// run and the chunk, so a chunk is never queued twice), `changemap worker` processes compute them, and a finished
// chunk is adopted by the same rule a resume uses: its intact file in the run's chunk folder makes it done, once.
// The run's events are the local run's (chunk grid, progress with Mpx/s across every worker), the worker of each
// chunk is recorded in the ledger, and the probability raster is assembled here as a local run assembles it.
import { Queue, QueueEvents } from 'bullmq';
import { ChangeMapError } from '../../core/errors';
import type { ProviderId } from '../inference/providers';
import type { ChunkStore } from '../runs/chunkStore';
import { assemble } from '../runs/probabilityAssembly';
import { adoptStoredChunks, emptyStats, runProgress } from '../runs/runEngine';
import type { RunEvent, RunStats } from '../runs/runEvents';
import type { RunLedger } from '../runs/runLedger';
import type { RunRecord } from '../runs/runTypes';
import {
  CHUNK_QUEUE,
  chunkDirOf,
  chunkJobId,
  runKeyOf,
  type ChunkJob,
  type ChunkJobProgress,
  type ChunkJobResult,
} from './chunkJob';
import { failureOf } from './chunkWorker';
import { engineConnection, engineLabel } from './engineConnection';

export interface ScaleoutContext {
  run: RunRecord;
  ledger: RunLedger;
  store: ChunkStore;
  probabilityPath: string;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
  resumed: boolean;
  engine: string;
  /** The project's data folder (the chunk folder is runs/<id>/chunks inside it). */
  dataDir: string;
  version: string;
  providerUsed: ProviderId;
  /** Seconds the engine may stay unreachable before the run stops, resumable (default 60). */
  engineTimeoutS?: number;
  /** How often every chunk still out is checked against its file and its job (default 2 s). */
  reconcileMs?: number;
}

/** Retries of a chunk whose computation failed (a worker's disk, a read); a worker's death is counted apart. */
const JOB_ATTEMPTS = 3;

export async function executeScaleoutRun(ctx: ScaleoutContext): Promise<RunStats> {
  const { run, ledger, store, emit, signal } = ctx;
  const stats = emptyStats();
  const started = performance.now();
  const label = engineLabel(ctx.engine);
  const runKey = runKeyOf(ctx.dataDir, run.id, run.createdAt);
  await adoptStoredChunks(run, ledger, store);
  const tracker = runProgress(run, emit, ctx.providerUsed, started);
  const out = new Map(run.chunks.filter((c) => c.state !== 'done').map((c) => [c.idx, c]));
  const idxOfJob = (jobId: string | undefined): number | null => {
    const m = jobId?.startsWith(`${runKey}-`) ? Number(jobId.slice(runKey.length + 1)) : NaN;
    return out.has(m) ? m : null;
  };

  emit({
    type: 'run:started',
    runId: run.id,
    grid: run.params.grid,
    chunks: run.chunks.map((c) => ({ idx: c.idx, window: c.window, state: c.state })),
    providerUsed: ctx.providerUsed,
    warnings: run.warnings,
    resumed: ctx.resumed,
  });
  tracker.report();

  const queueConnection = engineConnection(ctx.engine);
  const queue = new Queue(CHUNK_QUEUE, { connection: queueConnection });
  const eventsConnection = engineConnection(ctx.engine);
  const events = new QueueEvents(CHUNK_QUEUE, { connection: eventsConnection });
  let failure: ChangeMapError | null = null;
  let wake: () => void = () => undefined;
  const woken = () => new Promise<void>((resolve) => (wake = resolve));
  const fail = (error: ChangeMapError) => {
    failure ??= error;
    wake();
  };

  /** A chunk whose file is intact is done (once: it leaves `out`); false if its file is not (yet) there. */
  const adopt = async (idx: number, result: ChunkJobResult | null): Promise<boolean> => {
    const chunk = out.get(idx);
    if (!chunk || !(await store.isIntact(idx, chunk.window))) return false;
    if (!out.delete(idx)) return true; // adopted meanwhile by the other path
    const pixels = chunk.window.width * chunk.window.height;
    ledger.chunkDone(run.id, idx, result?.millis ?? null, result?.worker ?? null);
    tracker.chunkDone(pixels);
    stats.pixels += pixels;
    stats.chunksComputed++;
    stats.inferenceMs += result?.computeMs ?? 0;
    emit({
      type: 'run:chunk',
      runId: run.id,
      idx,
      window: chunk.window,
      state: 'done',
      chunkPath: store.pathOf(idx),
      ...(result ? { millis: result.millis, worker: result.worker } : {}),
    });
    tracker.report();
    if (out.size === 0) wake();
    return true;
  };

  const jobData = (idx: number): ChunkJob => ({
    changemapVersion: ctx.version,
    runKey,
    runId: run.id,
    idx,
    window: out.get(idx)!.window,
    dataDir: ctx.dataDir,
    chunkDir: chunkDirOf(run.id),
    model: { cardPath: run.params.modelCardPath, name: run.modelName, sha256: run.modelSha256 },
    provider: run.providerRequested,
    params: run.params,
  });
  const jobOptions = (idx: number) => ({
    jobId: chunkJobId(runKey, idx),
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1000 },
    // Kept a while so a chunk finished moments ago is not queued again; then Redis forgets them.
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 24 * 3600 },
  });

  /**
   * Every chunk still out: adopted where its file is there (its completion event may have been lost), queued again
   * where Redis has no job for it (a Redis restarted without persistence), and a failed job fails the run.
   */
  let reconciling = false;
  const reconcile = async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      for (const idx of [...out.keys()]) {
        if (await adopt(idx, null)) continue;
        const job = await queue.getJob(chunkJobId(runKey, idx));
        if (!job) {
          await queue.add(`chunk ${idx}`, jobData(idx), jobOptions(idx));
          continue;
        }
        const state = await job.getState();
        if (state === 'failed') {
          // Read again: the job fetched above may predate its failure (its reason not yet in it).
          const reason = (await queue.getJob(chunkJobId(runKey, idx)))?.failedReason ?? job.failedReason;
          const { code, message } = failureOf(reason ?? 'no reason given');
          ledger.chunkFailed(run.id, idx, message);
          fail(new ChangeMapError(code, `Chunk ${idx} failed on the workers: ${message}`));
          return;
        }
        if (state === 'completed') {
          const result = job.returnvalue as ChunkJobResult | undefined;
          // It may have completed since the file was looked for above.
          if (await adopt(idx, result ?? null)) continue;
          // Completed, yet its file is not where this project reads it: the workers write somewhere else.
          fail(
            new ChangeMapError(
              'SCALEOUT_CHUNK_NOT_SHARED',
              `Worker ${result?.worker ?? '?'} finished chunk ${idx} but its file is not in ${store.dir}; the workers' --output-dir must be this project's data folder (${ctx.dataDir}) on shared storage.`,
            ),
          );
          return;
        }
      }
    } finally {
      reconciling = false;
    }
  };

  events.on('progress', ({ jobId, data }) => {
    const idx = idxOfJob(jobId);
    const progress = data as ChunkJobProgress;
    if (idx === null || progress?.state !== 'running') return;
    ledger.chunkRunning(run.id, idx);
    emit({
      type: 'run:chunk',
      runId: run.id,
      idx,
      window: out.get(idx)!.window,
      state: 'running',
      worker: String(progress.worker),
    });
  });
  events.on('completed', ({ jobId, returnvalue }) => {
    const idx = idxOfJob(jobId);
    if (idx !== null)
      void adopt(idx, returnvalue as unknown as ChunkJobResult)
        .then((ok) => (ok ? undefined : reconcile()))
        .catch(() => undefined);
  });
  events.on('failed', ({ jobId }) => {
    if (idxOfJob(jobId) !== null) void reconcile().catch(() => undefined);
  });
  events.on('error', () => undefined); // reconnects on its own; the watchdog below decides when to give up

  // The engine unreachable for longer than engineTimeoutS stops the run with a resumable state.
  let unreachableSince: number | null = null;
  queueConnection.on('ready', () => {
    unreachableSince = null;
    void reconcile().catch(() => undefined);
  });
  queueConnection.on('close', () => (unreachableSince ??= performance.now()));
  const timeoutMs = (ctx.engineTimeoutS ?? 60) * 1000;
  const ticker = setInterval(() => {
    if (unreachableSince !== null && performance.now() - unreachableSince > timeoutMs) {
      fail(
        new ChangeMapError(
          'SCALEOUT_ENGINE_UNREACHABLE',
          `The job engine at ${label} has not answered for ${timeoutMs / 1000} s; the ${run.chunks.length - out.size} finished chunks are kept. Resume the run with --engine once it is back.`,
        ),
      );
    } else if (unreachableSince === null) void reconcile().catch(() => undefined);
  }, ctx.reconcileMs ?? 2000);
  const onAbort = () => wake();
  signal.addEventListener('abort', onAbort);

  try {
    await events.waitUntilReady();
    // Jobs of this run that finished or failed in an earlier session are removed first, so they are queued anew.
    const toQueue: number[] = [];
    for (const idx of out.keys()) {
      const job = await queue.getJob(chunkJobId(runKey, idx));
      const state = job ? await job.getState() : null;
      if (job && (state === 'completed' || state === 'failed')) await job.remove();
      else if (job) continue;
      toQueue.push(idx);
    }
    await queue.addBulk(
      toQueue.map((idx) => ({ name: `chunk ${idx}`, data: jobData(idx), opts: jobOptions(idx) })),
    );
    while (out.size > 0 && !failure && !signal.aborted) {
      const next = woken();
      if (out.size === 0 || failure || signal.aborted) break;
      await next;
    }
    if (signal.aborted) {
      await removeQueued(queue, runKey, [...out.keys()]);
      signal.throwIfAborted();
    }
    if (failure) {
      await removeQueued(queue, runKey, [...out.keys()]).catch(() => undefined);
      throw failure;
    }
    const t = performance.now();
    await assemble(ctx);
    stats.assembleMs = performance.now() - t;
    return stats;
  } catch (error) {
    // Chunks a worker had in hand go back to waiting: a resume adopts their files or queues them again.
    for (const chunk of out.values()) ledger.chunkWaiting(run.id, chunk.idx);
    throw error;
  } finally {
    clearInterval(ticker);
    signal.removeEventListener('abort', onAbort);
    stats.wallMs = performance.now() - started;
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    // BullMQ leaves connections it was given open: without this the process would never exit.
    queueConnection.disconnect();
    eventsConnection.disconnect();
  }
}

/** Takes the run's chunks that no worker has started off the queue (a chunk being computed finishes on its own). */
async function removeQueued(queue: Queue, runKey: string, indices: number[]): Promise<void> {
  for (const idx of indices) {
    const job = await queue.getJob(chunkJobId(runKey, idx));
    if (job && ['waiting', 'delayed', 'prioritized', 'failed'].includes(await job.getState()))
      await job.remove().catch(() => undefined);
  }
}
