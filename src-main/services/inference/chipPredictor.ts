// What a run needs from a model: chips in, probabilities out. Implemented by the inference worker client (and by
// plain functions in tests).
import type { LoadedInfo } from './inferenceProtocol';

/** One batch's inputs: n chips of each date, NCHW, normalised. */
export interface InputPair {
  before: Float32Array;
  after: Float32Array;
}

export interface ChipPredictor {
  readonly info: LoadedInfo;
  /**
   * n chips before/after (NCHW, normalised) -> n*chip*chip probabilities. The inputs may be transferred (moved
   * away) unless they came from inputsFor.
   */
  predict(before: Float32Array, after: Float32Array, n: number): Promise<Float32Array>;
  /**
   * A pair of input arrays of `length` to fill for the next predict, where the predictor has a cheaper kind than
   * fresh arrays (the worker's shared memory); free again once that predict has answered. Their contents are stale:
   * every element must be written.
   */
  inputsFor?(length: number): InputPair;
  /** Batches it computes at once (default 1: one session); a run keeps one more than this out to it. */
  readonly parallelism?: number;
  /** Milliseconds the provider spent computing batches so far. */
  readonly busyMillis: number;
  /** Stops at once, abandoning any batch in flight (cancel). */
  terminate(): Promise<void>;
}
