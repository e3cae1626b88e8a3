// The scale-out tests' predictor: the real ONNX Runtime worker of `changemap worker`, each batch held back until
// `wait()` settles (a delay, so a chunk lasts long enough to be killed in its middle, or a promise the test releases,
// so a run can be cancelled while a chunk is in hand). One home for the worker child and the in-process tests.
import { InferenceWorker } from '../../inference/inferenceWorker';
import type { ChunkWorkerOptions } from '../chunkWorker';

export function heldBackPredictor(
  wait: () => Promise<unknown>,
): NonNullable<ChunkWorkerOptions['startPredictor']> {
  return async (cardPath, provider, threads) => {
    const inner = await InferenceWorker.start(cardPath, { provider, threads: threads ?? 1 });
    return {
      info: inner.info,
      get busyMillis() {
        return inner.busyMillis;
      },
      async predict(before, after, n) {
        await wait();
        return inner.predict(before, after, n);
      },
      terminate: () => inner.terminate(),
    };
  };
}

/** Each batch held back `ms` milliseconds. */
export const delayedPredictor = (ms: number) =>
  heldBackPredictor(() => new Promise((resolve) => setTimeout(resolve, ms)));
