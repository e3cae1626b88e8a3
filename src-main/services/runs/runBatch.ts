// A batch of runs over pairs of dates, one run after another: a second model on the same two cores would only
// slow both, and the memory budget is per run. The first run is started by the caller (so its refusal reaches the
// request); each next one starts when the previous has finished, and a run that did not finish stops the batch.
import type { RunRecord } from './runTypes';

export interface DatePair {
  from: number;
  to: number;
}

/** Each date against the next, in series order. */
export function consecutivePairs(dateIds: readonly number[]): DatePair[] {
  return dateIds.slice(1).map((to, i) => ({ from: dateIds[i], to }));
}

export interface RunBatchDeps {
  /** Starts the run of one pair; resolves with its id once it is running. */
  start: (pair: DatePair) => Promise<number>;
  whenSettled: (runId: number) => Promise<RunRecord>;
  /** A batch stopped early (a run failed, was cancelled, or the next could not start), one sentence. */
  stopped: (message: string) => void;
}

export class RunBatch {
  /** Ids of the batch's runs started so far, in pair order. */
  readonly runIds: number[] = [];
  /** Settles when the last run has settled or the batch stopped; never rejects. */
  readonly finished: Promise<number[]>;

  constructor(
    readonly pairs: readonly DatePair[],
    firstRunId: number,
    deps: RunBatchDeps,
  ) {
    this.runIds.push(firstRunId);
    this.finished = this.follow(deps);
  }

  private async follow(deps: RunBatchDeps): Promise<number[]> {
    for (let i = 0; i < this.pairs.length; i++) {
      const run = await deps.whenSettled(this.runIds[i]);
      if (i === this.pairs.length - 1) break;
      if (run.status !== 'done') {
        deps.stopped(
          `Run ${run.id} ${run.status === 'cancelled' ? 'was cancelled' : 'did not finish'}, so the batch stopped before the remaining ${this.pairs.length - 1 - i} pair(s); start them again from the run panel.`,
        );
        break;
      }
      try {
        this.runIds.push(await deps.start(this.pairs[i + 1]));
      } catch (error) {
        const pair = this.pairs[i + 1];
        deps.stopped(
          `The run of dates ${pair.from} → ${pair.to} could not start (${(error as Error).message}), so the batch stopped.`,
        );
        break;
      }
    }
    return this.runIds;
  }
}
