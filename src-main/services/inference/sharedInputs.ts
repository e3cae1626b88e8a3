// Input pairs in memory shared with inference worker threads, handed out again once their batch is answered.
import type { InputPair } from './chipPredictor';

/**
 * Spare shared input pairs, by length (a run uses one or two lengths: full and last batches). Sessions of one pool
 * share one of these, so a pair answered by any of them can be filled for any other.
 */
export class SharedInputs {
  private readonly spare = new Map<number, InputPair[]>();

  /** `maxSpare` pairs a length at most: as many as a run has batches out (a GPU batch can be hundreds of MiB). */
  constructor(private readonly maxSpare: number) {}

  /** A pair of `length`: a spare one, else new shared memory. Its contents are stale. */
  take(length: number): InputPair {
    const spare = this.spare.get(length)?.pop();
    if (spare) return spare;
    const memory = new SharedArrayBuffer(2 * length * Float32Array.BYTES_PER_ELEMENT);
    return {
      before: new Float32Array(memory, 0, length),
      after: new Float32Array(memory, length * Float32Array.BYTES_PER_ELEMENT, length),
    };
  }

  /** A pair whose batch has been answered. Kept once, even when a caller sends one pair again and again. */
  give(pair: InputPair): void {
    const spare = this.spare.get(pair.before.length) ?? [];
    if (spare.length < this.maxSpare && !spare.some((p) => p.before === pair.before)) spare.push(pair);
    this.spare.set(pair.before.length, spare);
  }
}
