// A predictor in plain JavaScript for run tests: change = how far after differs from before, smoothed over a
// 5x5 neighbourhood inside the chip. Like a CNN it sees less context at chip borders (the window shrinks there),
// so its raw chip outputs have edge effects the blending must hide.
import type { ChipPredictor, InputPair } from '../../inference/chipPredictor';
import type { LoadedInfo } from '../../inference/inferenceProtocol';

export interface FakePredictorOptions {
  chipSize?: number;
  bands?: number;
  /** Milliseconds each batch takes (to test cancelling). */
  delayMs?: number;
  /** Milliseconds a batch takes by its chip edge (a model whose speed depends on the chip); instead of delayMs. */
  delayForChip?: (chip: number) => number;
  /** The ground sampling range its "card" claims (default 0.5-20 m). */
  gsdRangeM?: [number, number];
  /** Larger chips it accepts, as a card's chipSizes (default: chipSize only). */
  chipSizes?: { max: number; multipleOf: number };
  /** Threads it reports (as ONNX Runtime's session would). */
  threads?: number;
  /** The provider it claims to run on (default cpu). */
  providerUsed?: LoadedInfo['providerUsed'];
  /** The sha256 of the model file it claims to run (default f...f). */
  sha256?: string;
  /**
   * Holds each batch's answer until the next batch arrives, or this many milliseconds at most (as a provider
   * that has nothing queued idles): `answeredIdle` then counts the batches answered with nothing queued behind them.
   */
  holdUntilNextMs?: number;
  /** Hands each batch's inputs out again through inputsFor, filled with NaN (a caller must overwrite them all). */
  recycleInputs?: boolean;
}

export function fakePredictor(
  options: FakePredictorOptions = {},
): ChipPredictor & { batches: number; answeredIdle: number } {
  const cardChip = options.chipSize ?? 32;
  const bands = options.bands ?? 3;
  let stopped = false;
  const spare: InputPair[] = [];
  // The answer held back (holdUntilNextMs): released by the next batch, or by its timer.
  let releaseHeld: (() => void) | null = null;
  const holdAnswer = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        self.answeredIdle++;
        releaseHeld = null;
        resolve();
      }, ms);
      releaseHeld = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const info: LoadedInfo = {
    name: 'fake-change',
    version: '1',
    sha256: options.sha256 ?? 'f'.repeat(64),
    chipSize: cardChip,
    ...(options.chipSizes ? { chipSizes: options.chipSizes } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
    bands,
    bandRoles: ['red', 'green', 'blue', 'nir'].slice(0, bands),
    mean: new Array(bands).fill(0.5),
    std: new Array(bands).fill(0.25),
    threshold: 0.5,
    gsdRangeM: options.gsdRangeM ?? [0.5, 20],
    providerUsed: options.providerUsed ?? 'cpu',
    warnings: [],
  };
  const self = {
    info,
    busyMillis: 0,
    batches: 0,
    answeredIdle: 0,
    inputsFor(length: number) {
      const at = spare.findIndex((p) => p.before.length === length);
      return at < 0
        ? { before: new Float32Array(length), after: new Float32Array(length) }
        : spare.splice(at, 1)[0];
    },
    async predict(before: Float32Array, after: Float32Array, n: number) {
      if (stopped) throw new Error('stopped');
      const t = performance.now();
      const previous = releaseHeld;
      releaseHeld = null;
      previous?.();
      const chipEdge = Math.round(Math.sqrt(before.length / (n * bands)));
      const delay = options.delayForChip?.(chipEdge) ?? options.delayMs;
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (stopped) throw new Error('stopped');
      // Square chips of the card's size or any size the run picked (the arrays' length says which).
      const chip = Math.round(Math.sqrt(before.length / (n * bands)));
      const plane = chip * chip;
      const out = new Float32Array(n * plane);
      const diff = new Float32Array(plane);
      for (let k = 0; k < n; k++) {
        diff.fill(0);
        for (let b = 0; b < bands; b++) {
          const o = (k * bands + b) * plane;
          for (let i = 0; i < plane; i++) diff[i] += Math.abs(after[o + i] - before[o + i]) / bands;
        }
        for (let r = 0; r < chip; r++) {
          for (let c = 0; c < chip; c++) {
            let s = 0;
            let m = 0;
            for (let dr = -2; dr <= 2; dr++) {
              for (let dc = -2; dc <= 2; dc++) {
                const rr = r + dr;
                const cc = c + dc;
                if (rr >= 0 && rr < chip && cc >= 0 && cc < chip) {
                  s += diff[rr * chip + cc];
                  m++;
                }
              }
            }
            out[k * plane + r * chip + c] = 1 / (1 + Math.exp(-(6 * (s / m) - 2)));
          }
        }
      }
      self.batches++;
      self.busyMillis += performance.now() - t;
      if (options.recycleInputs)
        spare.push({ before: before.fill(Number.NaN), after: after.fill(Number.NaN) });
      if (options.holdUntilNextMs !== undefined) await holdAnswer(options.holdUntilNextMs);
      return out;
    },
    async terminate() {
      stopped = true;
    },
  };
  return self;
}
