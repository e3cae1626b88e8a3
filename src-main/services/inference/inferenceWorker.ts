// The main-thread side of the inference protocol over a worker thread.
import type { Worker } from 'node:worker_threads';
import { ChangeMapError } from '../../core/errors';
import type { ChipPredictor } from './chipPredictor';
import type { InferenceReply, InferenceRequest, LoadedInfo, PredictResult } from './inferenceProtocol';
import type { ProviderRequest } from './providers';
import { startWorker, workerEntryUrl } from '../workerEntry';

/** A request before the client numbers it (distributes over the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'seq'> : never;

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** URL of the worker entry. Source checkouts run the .ts through tsx; a bundled app passes its built file. */
export const DEFAULT_WORKER_URL = workerEntryUrl(
  'inference',
  new URL('../../workers/inference.worker.ts', import.meta.url),
);

export class InferenceWorker implements ChipPredictor {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  info!: LoadedInfo;
  busyMillis = 0;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: InferenceReply) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.ok) p.resolve(m.value);
      else p.reject(new ChangeMapError(m.error.code, m.error.message));
    });
    const failAll = (error: unknown) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', (e) =>
      failAll(new ChangeMapError('INFERENCE_CRASHED', `The inference worker failed: ${e.message}`)),
    );
    worker.on('exit', (code) => {
      this.closed = true;
      failAll(new ChangeMapError('INFERENCE_STOPPED', `The inference worker stopped (exit code ${code}).`));
    });
  }

  /** Starts a worker and loads the model into it; rejects with the model's error (e.g. MODEL_CARD_MISMATCH). */
  static async start(
    cardPath: string,
    options: { provider?: ProviderRequest; threads?: number; workerUrl?: URL } = {},
  ): Promise<InferenceWorker> {
    const url = options.workerUrl ?? DEFAULT_WORKER_URL;
    const worker = startWorker(url);
    const client = new InferenceWorker(worker);
    try {
      client.info = (await client.call({
        type: 'load',
        cardPath,
        provider: options.provider ?? 'auto',
        threads: options.threads,
      })) as LoadedInfo;
    } catch (error) {
      await client.terminate();
      throw error;
    }
    return client;
  }

  private call(request: Unnumbered<InferenceRequest>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed)
      return Promise.reject(new ChangeMapError('INFERENCE_STOPPED', 'The inference worker has stopped.'));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.worker.postMessage({ ...request, seq }, transfer);
    });
  }

  async predict(before: Float32Array, after: Float32Array, n: number): Promise<Float32Array> {
    const result = (await this.call({ type: 'predict', before, after, n }, [
      before.buffer as ArrayBuffer,
      after.buffer as ArrayBuffer,
    ])) as PredictResult;
    this.busyMillis += result.millis;
    return result.probability;
  }

  /**
   * Stops the worker. Never while ONNX Runtime is inside a batch: terminating a thread in native code aborts the
   * whole process. A dispose request queues behind the batch in flight (the host answers in order); the thread is
   * ended once it is answered. Resolves when that is done, or after `graceMs` with the ending left to finish in the
   * background, so a cancel stays prompt.
   */
  async terminate(graceMs = 1500): Promise<void> {
    if (this.closed) return;
    const disposed = this.call({ type: 'dispose' }).catch(() => undefined);
    this.closed = true;
    const ended = disposed.then(() => this.worker.terminate()).then(() => undefined);
    await Promise.race([ended, new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
  }
}
