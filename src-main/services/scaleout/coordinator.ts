// The coordinator of a scale-out run: the run's chunks become jobs on the queue (one per chunk, its id keyed by the
// run and the chunk, so a chunk is never queued twice), `changemap worker` processes compute them, and a finished
// chunk is adopted by the same rule a resume uses: its intact file in the run's chunk folder makes it done, once.
// With an S3 output store the workers upload their chunk files there instead, and a finished chunk's file is first
// downloaded into the run's chunk folder (checked, atomically), then adopted the same way and its object deleted.
// The run's events are the local run's (chunk grid, progress with Mpx/s across every worker), the worker of each
// chunk is recorded in the ledger, and the probability raster is assembled here as a local run assembles it.
import { Queue, QueueEvents } from 'bullmq';
import { ChangeMapError, isChangeMapError } from '../../core/errors';
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
import type { S3ChunkStore } from './s3ChunkStore';

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
  /**
   * The S3-compatible store the workers hand their chunk files over through (s3://bucket/prefix), and its endpoint
   * as this machine reaches it; absent: the workers write into the chunk folder on shared storage.
   */
  outputStore?: { url: string; endpoint?: string };
}

/** S3 failures that a later attempt may not meet (the store busy or out of reach): retried, not fatal at once. */
const TRANSIENT_S3_FAILURES = new Set(['SCALEOUT_S3_UNREACHABLE', 'SCALEOUT_S3_FAILED']);

/** Retries of a chunk whose computation failed (a worker's disk, a read); a worker's death is counted apart. */
const JOB_ATTEMPTS = 3;

export async function executeScaleoutRun(ctx: ScaleoutContext): Promise<RunStats> {
  const { run, ledger, store, emit, signal } = ctx;
  const stats = emptyStats();
  const started = performance.now();
  const label = engineLabel(ctx.engine);
  const runKey = runKeyOf(ctx.dataDir, run.id, run.createdAt);
  // The store is checked before any chunk is queued: a missing bucket or refused credentials stop the run at once.
  const s3 = ctx.outputStore ? await openOutputStore(ctx.outputStore) : null;
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

  // S3 troubles that may pass are retried by the reconciliation; lasting longer than the engine's timeout they
  // stop the run, resumable. Any other (a damaged object, refused credentials) stops it at once.
  let s3FailingSince: number | null = null;
  let s3LastFailure: ChangeMapError | null = null;
  const s3Trouble = (error: unknown) => {
    if (!isChangeMapError(error)) return;
    if (!TRANSIENT_S3_FAILURES.has(error.code)) return fail(error);
    s3FailingSince ??= performance.now();
    s3LastFailure = error;
  };
  const fetching = new Map<number, Promise<boolean>>();
  /** Deletions of adopted chunks' objects, awaited before the run's final sweep. */
  const removals: Promise<void>[] = [];
  const removing = new Set<number>();
  /** The chunk's object downloaded into the chunk folder, once however many paths ask; false where there is none. */
  const fetchChunk = (idx: number): Promise<boolean> => {
    if (!s3) return Promise.resolve(false);
    let fetched = fetching.get(idx);
    if (!fetched) {
      fetched = s3.download(s3.keyOf(runKey, idx), store.pathOf(idx)).finally(() => fetching.delete(idx));
      fetching.set(idx, fetched);
    }
    return fetched;
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

  /** A chunk whose job completed: its file fetched from the S3 store where there is one, then adopted. */
  const adoptCompleted = async (idx: number, result: ChunkJobResult | null): Promise<boolean> => {
    if (!out.has(idx)) return true;
    if (s3 && !(await store.isIntact(idx, out.get(idx)!.window))) {
      await fetchChunk(idx);
      s3FailingSince = null;
    }
    const adopted = await adopt(idx, result);
    // Left behind if this fails: the sweep at the end of the run deletes it.
    if (adopted && s3 && !removing.has(idx)) {
      removing.add(idx);
      removals.push(s3.remove(s3.keyOf(runKey, idx)).catch(() => undefined));
    }
    return adopted;
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
    ...(s3 ? { output: ctx.outputStore!.url } : {}),
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
   * Every chunk still out: adopted where its job completed (its completion event may have been lost), adopted by its
   * file or queued again where Redis has no job for it (a Redis restarted without persistence), and a failed job
   * fails the run. A file whose job is still active waits for the job's completion, which names its worker.
   */
  let reconciling = false;
  // Not before the run's chunks are queued: a pass meanwhile would adopt a chunk whose job the queueing is about to
  // put back, and a worker would compute it again (its S3 object deleted by the adoption).
  let queued = false;
  const reconcile = async () => {
    if (reconciling || !queued) return;
    reconciling = true;
    try {
      for (const idx of [...out.keys()]) {
        const job = await queue.getJob(chunkJobId(runKey, idx));
        if (!job) {
          if (await adopt(idx, null)) continue;
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
          let adopted: boolean;
          try {
            adopted = await adoptCompleted(idx, result ?? null);
          } catch (error) {
            s3Trouble(error); // tried again at the next reconciliation
            continue;
          }
          if (adopted) continue;
          if (!out.has(idx)) continue; // adopted meanwhile by the completion event
          // Completed, yet its file is not where this project reads it: the workers write somewhere else.
          if (s3) {
            fail(
              new ChangeMapError(
                'SCALEOUT_CHUNK_NOT_UPLOADED',
                `Worker ${result?.worker ?? '?'} finished chunk ${idx} but ${s3.label} at this machine's S3 endpoint has no file for it; the workers and this project must reach the same store (--s3-endpoint or AWS_ENDPOINT_URL_S3 on each).`,
              ),
            );
            return;
          }
          fail(
            new ChangeMapError(
              'SCALEOUT_CHUNK_NOT_SHARED',
              `Worker ${result?.worker ?? '?'} finished chunk ${idx} but its file is not in ${store.dir}; the workers' --output-dir must be this project's data folder (${ctx.dataDir}) on shared storage, or the run needs an S3 output store (--output s3://bucket/prefix, given again on resume).`,
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
      void adoptCompleted(idx, returnvalue as unknown as ChunkJobResult)
        .then((ok) => (ok ? undefined : reconcile()))
        .catch(s3Trouble);
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
    } else if (s3FailingSince !== null && performance.now() - s3FailingSince > timeoutMs) {
      fail(
        new ChangeMapError(
          s3LastFailure!.code,
          `${s3LastFailure!.message} (for ${timeoutMs / 1000} s; the finished chunks are kept: resume the run once the store answers)`,
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
    queued = true;
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
    // Objects whose deletion after adoption failed (a cancelled run's wait for its resume).
    await Promise.all(removals);
    await s3?.removeRun(runKey).catch(() => undefined);
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
    s3?.close();
  }
}

/** The run's S3 output store, opened and checked (the bucket is there and this machine may use it). */
async function openOutputStore(output: { url: string; endpoint?: string }): Promise<S3ChunkStore> {
  const { S3ChunkStore } = await import('./s3ChunkStore');
  const s3 = await S3ChunkStore.open(output.url, { endpoint: output.endpoint });
  try {
    await s3.check();
  } catch (error) {
    s3.close();
    throw error;
  }
  return s3;
}

/** Takes the run's chunks that no worker has started off the queue (a chunk being computed finishes on its own). */
async function removeQueued(queue: Queue, runKey: string, indices: number[]): Promise<void> {
  for (const idx of indices) {
    const job = await queue.getJob(chunkJobId(runKey, idx));
    if (job && ['waiting', 'delayed', 'prioritized', 'failed'].includes(await job.getState()))
      await job.remove().catch(() => undefined);
  }
}
