// What a run needs from a model: chips in, probabilities out. Implemented by the inference worker client (and by
// plain functions in tests).
import type { LoadedInfo } from './inferenceProtocol';

export interface ChipPredictor {
  readonly info: LoadedInfo;
  /** n chips before/after (NCHW, normalised) -> n*chip*chip probabilities. The inputs may be transferred. */
  predict(before: Float32Array, after: Float32Array, n: number): Promise<Float32Array>;
  /**
   * A pair of input arrays of `length` from earlier batches, to fill for the next predict instead of allocating
   * new ones; null when none is free. Their contents are stale: every element must be written.
   */
  recycledInputs?(length: number): { before: Float32Array; after: Float32Array } | null;
  /** Milliseconds the provider spent computing batches so far. */
  readonly busyMillis: number;
  /** Stops at once, abandoning any batch in flight (cancel). */
  terminate(): Promise<void>;
}
