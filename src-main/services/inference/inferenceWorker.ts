// The main-thread side of the inference protocol over a worker thread.
import type { Worker } from 'node:worker_threads';
import { ChangeMapError } from '../../core/errors';
import { RpcClient } from '../../ipc/rpc';
import { nodeRpcPort, startWorker, workerEntryUrl } from '../workerEntry';
import type { ChipPredictor, InputPair } from './chipPredictor';
import type { InferenceRequest, LoadedInfo, PredictResult } from './inferenceProtocol';
import type { ProviderRequest } from './providers';
import { SharedInputs } from './sharedInputs';

/** URL of the worker entry. Source checkouts run the .ts through tsx; a bundled app passes its built file. */
export const DEFAULT_WORKER_URL = workerEntryUrl(
  'inference',
  new URL('../../workers/inference.worker.ts', import.meta.url),
);

/**
 * Shared input pairs kept per length (inputsFor) by a worker of its own: two, since a run has at most two batches
 * out to one session (one computing, one queued), and a GPU batch can be hundreds of MiB.
 */
const MAX_SPARE_INPUTS = 2;

export interface InferenceWorkerOptions {
  provider?: ProviderRequest;
  threads?: number;
  variantFile?: string;
  workerUrl?: URL;
  /** Spare input pairs shared with other sessions of a pool (default: the worker's own). */
  inputs?: SharedInputs;
}

/** A worker started ahead of its first use (prestart), with the entry it runs. */
let spare: { href: string; worker: Worker } | null = null;

export class InferenceWorker implements ChipPredictor {
  private readonly client: RpcClient;
  private closed = false;
  info!: LoadedInfo;
  busyMillis = 0;
  private constructor(
    private readonly worker: Worker,
    /** Shared input pairs no batch is using. */
    private readonly inputs: SharedInputs = new SharedInputs(MAX_SPARE_INPUTS),
  ) {
    this.client = new RpcClient(nodeRpcPort(worker), {
      closedError: (reason) =>
        new ChangeMapError(
          reason.startsWith('failed') ? 'INFERENCE_CRASHED' : 'INFERENCE_STOPPED',
          `The inference worker ${reason}.`,
        ),
    });
  }

  /**
   * Starts a worker thread before the model is known, so that its modules and ONNX Runtime load while the caller
   * opens the project and the imagery (about a quarter of a second of a run's start); the next start() with the
   * same entry takes it. Until then it does not keep the process alive.
   */
  static prestart(url: URL = DEFAULT_WORKER_URL): void {
    if (spare) return;
    const worker = startWorker(url);
    worker.unref();
    const drop = () => {
      if (spare?.worker === worker) spare = null;
    };
    // A spare that fails to start is just dropped; start() then starts another and reports its failure.
    worker.once('error', drop).once('exit', drop);
    spare = { href: url.href, worker };
  }

  /**
   * Ends a prestarted worker no run took (the run was refused first: bad imagery, a locked project). Call it before a
   * short-lived process (the command line) ends: an exiting process ends its threads wherever they are, and a worker
   * still loading ONNX Runtime's native code then aborts the whole process (SIGABRT; seen once in the hostile corpus).
   * The worker answers its dispose request only once its modules have loaded, so it is ended at a safe point.
   */
  static async releaseSpare(graceMs = 10_000): Promise<boolean> {
    const taken = spare;
    if (!taken) return false;
    spare = null;
    await new InferenceWorker(taken.worker).terminate(graceMs);
    return true;
  }

  /** Starts a worker (or takes the prestarted one) and loads the model into it; rejects with the model's error. */
  static async start(cardPath: string, options: InferenceWorkerOptions = {}): Promise<InferenceWorker> {
    const url = options.workerUrl ?? DEFAULT_WORKER_URL;
    let worker: Worker;
    if (spare?.href === url.href) {
      worker = spare.worker;
      spare = null;
      worker.ref();
    } else worker = startWorker(url);
    const client = new InferenceWorker(worker, options.inputs);
    try {
      client.info = (await client.call({
        type: 'load',
        cardPath,
        provider: options.provider ?? 'auto',
        threads: options.threads,
        variantFile: options.variantFile,
      })) as LoadedInfo;
    } catch (error) {
      await client.terminate();
      throw error;
    }
    return client;
  }

  private call(request: InferenceRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed)
      return Promise.reject(new ChangeMapError('INFERENCE_STOPPED', 'The inference worker has stopped.'));
    const { type, ...payload } = request;
    return this.client.call(type, payload, { transfer });
  }

  async predict(before: Float32Array, after: Float32Array, n: number): Promise<Float32Array> {
    // Inputs in shared memory (inputsFor) go as they are: the worker reads them in place. Others are moved.
    const shared = before.buffer instanceof SharedArrayBuffer && after.buffer instanceof SharedArrayBuffer;
    const transfer = shared ? [] : [before.buffer as ArrayBuffer, after.buffer as ArrayBuffer];
    const result = (await this.call({ type: 'predict', before, after, n }, transfer)) as PredictResult;
    this.busyMillis += result.millis;
    // The worker has answered, so ONNX Runtime is done with them: the pair can be filled again.
    if (shared) this.inputs.give({ before, after });
    return result.probability;
  }

  /**
   * Input arrays in memory shared with the worker thread. Moving fresh arrays to the worker and back for every batch
   * made each arrival a new allocation on the main thread, and V8 answered with a mark-compact every few batches
   * (about 5 a second: 190 in a 5000² bench, a tenth of the model's speed lost on 2 cores).
   */
  inputsFor(length: number): InputPair {
    return this.inputs.take(length);
  }

  /**
   * Stops the worker. Never while ONNX Runtime is inside a batch: terminating a thread in native code aborts the
   * whole process. A dispose request queues behind the batch in flight (the host answers in order); the thread is
   * ended once it is answered. Resolves when that is done, or after `graceMs` with the ending left to finish in the
   * background, so a cancel stays prompt.
   */
  async terminate(graceMs = 1500): Promise<void> {
    if (this.closed || this.client.closed) return;
    const disposed = this.call({ type: 'dispose' }).catch(() => undefined);
    this.closed = true;
    const ended = disposed.then(() => this.worker.terminate()).then(() => undefined);
    await Promise.race([ended, new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
  }
}
