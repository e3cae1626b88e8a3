// A scale-out worker: takes chunk jobs from the queue, computes each with the run engine's own chunk code
// (runEngine.computeStandaloneChunk) and writes the chunk file atomically into the run's chunk folder, where the
// coordinator adopts it (or, for a run with an S3 output store, writes it in a scratch folder of its own and
// uploads it there, where the coordinator downloads it). BullMQ gives the retries and the stalled-job detection: a
// worker killed mid-chunk stops renewing its job's lock, and another worker takes the job once the lock has lapsed.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { isChangeMapError } from '../../core/errors';
import type { AlignedPairSource } from '../../core/raster/types';
import type { ChipPredictor } from '../inference/chipPredictor';
import { InferenceWorker } from '../inference/inferenceWorker';
import { resolveModel } from '../inference/modelCatalog';
import type { ProviderRequest } from '../inference/providers';
import { clipToArea } from '../runs/areaSource';
import { ChunkStore } from '../runs/chunkStore';
import { openRunInputs } from '../runs/openRunInputs';
import { computeStandaloneChunk } from '../runs/runEngine';
import type { RunInputs, RunParams } from '../runs/runTypes';
import {
  CHUNK_QUEUE,
  chunkJobSchema,
  type ChunkJob,
  type ChunkJobProgress,
  type ChunkJobResult,
} from './chunkJob';
import { engineConnection } from './engineConnection';
import { PERMANENT_S3_FAILURES, type S3ChunkStore } from './s3ChunkStore';

export interface ChunkWorkerOptions {
  engine: string;
  /** This ChangeMap's version: jobs from another version are refused. */
  version: string;
  /** Folders with model cards, for a job whose card path does not exist on this machine. */
  modelDirs: string[];
  /** Chunks computed at once (default 1). */
  concurrency?: number;
  /**
   * Where this machine sees the project's data folder (shared storage mounted elsewhere than on the coordinator).
   * Default: the path the job names.
   */
  outputDir?: string;
  /**
   * The S3 endpoint of runs whose chunks go to an S3-compatible store (default: AWS_ENDPOINT_URL_S3 or
   * AWS_ENDPOINT_URL, else AWS); the bucket and prefix come with each job, the credentials from this machine.
   */
  s3Endpoint?: string;
  /** Name in the ledger and the logs (default host/pid). */
  name?: string;
  provider?: ProviderRequest;
  threads?: number;
  /** How long a job's lock lasts without renewal: a killed worker's chunk is taken over after about this. */
  lockMs?: number;
  /** How often the workers look for jobs whose lock has lapsed. */
  stalledMs?: number;
  /** One object per event (ready, chunk started, done, refused), for the command line to print. */
  log?: (line: Record<string, unknown>) => void;
  /** Starts a predictor for a card (default: the ONNX Runtime worker thread, as a local run). */
  startPredictor?: (
    cardPath: string,
    provider: ProviderRequest,
    threads?: number,
    variantFile?: string,
  ) => Promise<ChipPredictor>;
  openPair?: (inputs: RunInputs, options: { bands: readonly string[] }) => Promise<AlignedPairSource>;
}

export interface RunningWorker {
  name: string;
  /** Stops taking jobs, lets the chunks in hand finish, and frees the models. */
  close(): Promise<void>;
}

/** A refusal the queue must not retry (another version, another model): the job fails at once with this. */
function refuse(code: string, message: string): UnrecoverableError {
  return new UnrecoverableError(`${code}: ${message}`);
}

/** Predictors kept between jobs, one per chunk computed at once (loading a model costs more than a small chunk). */
class PredictorPool {
  private readonly free = new Map<string, ChipPredictor[]>();
  private readonly all: ChipPredictor[] = [];

  constructor(
    private readonly start: (
      cardPath: string,
      provider: ProviderRequest,
      threads?: number,
      variantFile?: string,
    ) => Promise<ChipPredictor>,
  ) {}

  async use<T>(
    cardPath: string,
    provider: ProviderRequest,
    threads: number | undefined,
    variantFile: string | undefined,
    work: (p: ChipPredictor) => Promise<T>,
  ): Promise<T> {
    const key = `${cardPath}\n${provider}\n${threads ?? ''}\n${variantFile ?? ''}`;
    let predictor = this.free.get(key)?.pop();
    if (!predictor) {
      predictor = await this.start(cardPath, provider, threads, variantFile);
      this.all.push(predictor);
    }
    try {
      return await work(predictor);
    } finally {
      this.free.set(key, [...(this.free.get(key) ?? []), predictor]);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((p) => p.terminate().catch(() => undefined)));
  }
}

/** The card the job names: its path where this machine has it, else the same name in the worker's model folders. */
function locateCard(model: ChunkJob['model'], modelDirs: string[]): string {
  if (existsSync(model.cardPath)) return model.cardPath;
  try {
    return resolveModel(model.name, modelDirs, 'change-detection');
  } catch {
    throw refuse(
      'SCALEOUT_MODEL_MISSING',
      `This worker has no model ${model.name} (neither ${model.cardPath} nor in ${modelDirs.join(', ') || 'its model folders'}); copy the model files to it.`,
    );
  }
}

export async function startChunkWorker(options: ChunkWorkerOptions): Promise<RunningWorker> {
  const name = options.name ?? `${os.hostname()}/${process.pid}`;
  const log = options.log ?? (() => undefined);
  const pool = new PredictorPool(
    options.startPredictor ??
      ((card, provider, threads, variantFile) =>
        InferenceWorker.start(card, { provider, threads, variantFile })),
  );
  const openPair = options.openPair ?? openRunInputs;
  const neverAborted = new AbortController().signal;
  // S3 stores by address, opened at their first job; chunk files bound for one wait in a scratch folder.
  const s3Stores = new Map<string, Promise<S3ChunkStore>>();
  const s3Store = (url: string): Promise<S3ChunkStore> => {
    let store = s3Stores.get(url);
    if (!store) {
      store = import('./s3ChunkStore').then(({ S3ChunkStore }) =>
        S3ChunkStore.open(url, { endpoint: options.s3Endpoint }),
      );
      // A store that failed to open is tried again by the next job.
      store.catch(() => s3Stores.delete(url));
      s3Stores.set(url, store);
    }
    return store;
  };
  let scratch: Promise<string> | null = null;
  const scratchDir = () => (scratch ??= mkdtemp(path.join(os.tmpdir(), 'changemap-worker-')));

  async function computeJob(job: Job): Promise<ChunkJobResult> {
    const parsed = chunkJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw refuse('SCALEOUT_BAD_JOB', `Job ${job.id} is not a ChangeMap chunk job: ${parsed.error.message}`);
    const data = parsed.data;
    const { idx, window, params } = data;
    if (data.changemapVersion !== options.version) {
      throw refuse(
        'SCALEOUT_VERSION_MISMATCH',
        `Worker ${name} runs ChangeMap ${options.version} but run ${data.runId} was started by ChangeMap ${data.changemapVersion}; run workers of the same version as the project's ChangeMap.`,
      );
    }
    const started = performance.now();
    const s3 = data.output ? await s3Store(data.output) : null;
    const s3Key = s3?.keyOf(data.runKey, idx) ?? '';
    const store = new ChunkStore(
      s3
        ? path.join(await scratchDir(), data.runKey)
        : path.join(options.outputDir ?? data.dataDir, data.chunkDir),
    );
    const result = (computeMs: number, reused: boolean): ChunkJobResult => ({
      idx,
      worker: name,
      millis: performance.now() - started,
      computeMs,
      pixels: window.width * window.height,
      reused,
    });
    // An earlier attempt whose completion was lost (Redis restarted) already wrote it: the file is the result.
    if (s3 ? await s3.has(s3Key) : await store.isIntact(idx, window)) return result(0, true);
    await job.updateProgress({ state: 'running', worker: name } satisfies ChunkJobProgress);
    log({ type: 'chunk:start', runId: data.runId, idx, job: job.id });
    const cardPath = locateCard(data.model, options.modelDirs);
    const provider = options.provider ?? (data.provider as ProviderRequest);
    const threads = workerThreads(params, options.threads);
    // The file the run chose by measurement (a reduced-precision variant, or the card's own): its sha256 is the run's.
    return pool.use(cardPath, provider, threads, params.variantFile, async (predictor) => {
      if (predictor.info.sha256 !== data.model.sha256) {
        throw refuse(
          'SCALEOUT_MODEL_MISMATCH',
          `Worker ${name}'s copy of the model ${data.model.name} (${cardPath}) differs from the run's (sha256 ${data.model.sha256.slice(0, 12)}...); give every worker the same model files.`,
        );
      }
      const source = clipToArea(
        await openPair(params.inputs, { bands: predictor.info.bandRoles }),
        params.aoi,
      );
      let computeMs: number;
      try {
        const t = performance.now();
        const probability = await computeStandaloneChunk(
          { run: { params }, predictor, source, signal: neverAborted },
          window,
        );
        computeMs = performance.now() - t;
        await store.write({ idx, window, data: probability });
      } finally {
        await source.close().catch(() => undefined);
      }
      if (s3) {
        try {
          await s3.upload(s3Key, store.pathOf(idx));
        } finally {
          await rm(store.pathOf(idx), { force: true });
        }
      }
      const done = result(computeMs, false);
      log({ type: 'chunk:done', runId: data.runId, idx, millis: done.millis, computeMs });
      return done;
    });
  }

  const connection = engineConnection(options.engine);
  const worker = new Worker(
    CHUNK_QUEUE,
    async (job: Job) => {
      try {
        return await computeJob(job);
      } catch (error) {
        // The coordinator reads the code back from the job's failure reason (failureOf).
        if (isChangeMapError(error) && PERMANENT_S3_FAILURES.has(error.code))
          throw refuse(error.code, `Worker ${name} cannot use the run's output store: ${error.message}`);
        if (isChangeMapError(error)) throw new Error(`${error.code}: ${error.message}`);
        throw error;
      }
    },
    {
      connection,
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockMs ?? 30_000,
      stalledInterval: options.stalledMs ?? 30_000,
      // A chunk whose worker died twice is still tried again (a flaky machine), up to the job's attempts.
      maxStalledCount: 3,
      autorun: false,
    },
  );
  worker.on('failed', (job, error) => {
    log({ type: 'chunk:failed', idx: (job?.data as ChunkJob | undefined)?.idx, ...failureOf(error.message) });
  });
  worker.on('error', (error) => log({ type: 'worker:error', message: error.message }));
  void worker.run();
  await worker.waitUntilReady();
  log({ type: 'worker:ready', name, concurrency: options.concurrency ?? 1 });
  return {
    name,
    async close() {
      await worker.close();
      connection.disconnect(); // BullMQ leaves a connection it was given open
      await pool.close();
      for (const store of s3Stores.values()) (await store.catch(() => null))?.close();
      if (scratch) await rm(await scratch, { recursive: true, force: true });
    },
  };
}

/** A failed job's reason as ChangeMap's code and sentence (workers prefix refusals with their code). */
export function failureOf(reason: string): { code: string; message: string } {
  const m = /^([A-Z_]+): (.*)$/s.exec(reason);
  return m ? { code: m[1], message: m[2] } : { code: 'SCALEOUT_CHUNK_FAILED', message: reason };
}

/**
 * ONNX Runtime threads of a worker's one session: its own --threads, else all the threads of the run's sessions
 * (a run measured with sessions side by side), else the default (every core).
 */
export function workerThreads(
  params: Pick<RunParams, 'threads' | 'sessions'>,
  own: number | undefined,
): number | undefined {
  return own ?? (params.threads === null ? undefined : params.threads * (params.sessions ?? 1));
}
