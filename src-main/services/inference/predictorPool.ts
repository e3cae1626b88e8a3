// Several sessions of one model as one predictor: each batch goes to the first session free, the rest wait in order.
// Why: on a CPU, two sessions of one thread each computed 656-px chips faster than one session of two threads
// (2.64-2.67 against 2.40-2.55 chip-Mpx/s on the 2-core development machine), and in a run the difference grows: a
// session's parallel operators wait for their slowest thread, so when the reading thread takes a core from one of
// them the other idles too, where a one-thread session that loses its core delays only its own batch.
import type { ChipPredictor, InputPair } from './chipPredictor';

export class PredictorPool implements ChipPredictor {
  readonly parallelism: number;
  private readonly free: ChipPredictor[];
  /** Batches waiting for a session, in the order they came. */
  private readonly waiting: ((session: ChipPredictor) => void)[] = [];
  private computing = 0;
  private busySince = 0;
  private busyBefore = 0;

  /**
   * `sessions`: predictors of one model, file and settings. Where they hand out shared inputs (inputsFor), they
   * must share their spare pairs (InferenceWorker.start's `inputs`): the pool hands out the first one's.
   */
  constructor(private readonly sessions: ChipPredictor[]) {
    if (sessions.length === 0) throw new Error('A predictor pool needs a session.');
    this.parallelism = sessions.length;
    this.free = [...sessions];
    const inputsFor = sessions[0].inputsFor?.bind(sessions[0]);
    if (inputsFor) this.inputsFor = inputsFor;
  }

  get info() {
    return this.sessions[0].info;
  }

  inputsFor?: (length: number) => InputPair;

  /** Wall-clock milliseconds in which at least one session was computing (what "the provider was busy" means). */
  get busyMillis(): number {
    return this.busyBefore + (this.computing > 0 ? performance.now() - this.busySince : 0);
  }

  async predict(before: Float32Array, after: Float32Array, n: number): Promise<Float32Array> {
    const session =
      this.free.shift() ?? (await new Promise<ChipPredictor>((take) => this.waiting.push(take)));
    if (this.computing++ === 0) this.busySince = performance.now();
    try {
      return await session.predict(before, after, n);
    } finally {
      if (--this.computing === 0) this.busyBefore += performance.now() - this.busySince;
      const next = this.waiting.shift();
      if (next) next(session);
      else this.free.push(session);
    }
  }

  async terminate(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.terminate()));
  }
}
