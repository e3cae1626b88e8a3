// Many dates and the run history of the open project: the series of dates (added, dated, taken out), the time
// slider's date, batch runs over pairs of dates, every run with its dates and counts, the periods the Results can
// show, the "when did it change" view and the comparison of two runs.
import type { RunComparison, RunHistoryEntry, SeriesDate } from '../../../src-main/ipc/contract';
import { onEvent, request } from '../lib/api';
import { signal } from '../lib/signals';
import { imagery } from './imagery.svelte';
import { notices } from './notices.svelte';
import { run } from './run.svelte';

/** A period of the series (two consecutive dates) and the latest finished run that compared them. */
export interface Period {
  /** 0-based place of the period in the series (its colour in "when did it change"). */
  index: number;
  from: SeriesDate;
  to: SeriesDate;
  /** The latest finished run of exactly these two dates; null until one has run. */
  runId: number | null;
  label: string;
}

/** "2019-06-01" or "date 2" where the acquisition date is unknown. */
export function dateLabel(date: Pick<SeriesDate, 'acquiredAt'> | null, index: number): string {
  return date?.acquiredAt ?? `date ${index + 1}`;
}

export class SeriesState {
  /** The time slider's place in the series (0-based); null: the slider is off and the map shows before/after. */
  sliderIndex = $state<number | null>(null);
  history = $state.raw<RunHistoryEntry[]>([]);
  /** Colour the regions of every period by the period they appeared in, instead of one run's. */
  whenView = $state(false);
  comparison = $state.raw<RunComparison | null>(null);
  /** Runs ticked in the history for a comparison (at most two, oldest pick first). */
  picked = $state.raw<number[]>([]);
  /** Bumped when what the series layers draw changes (history reloaded, view toggled): the map reloads them. */
  mapRevision = $state(0);
  busy = $state(false);
  /** Outlines the series layers have on the map now, by colour (the map sets it; tests and legends read it). */
  mapCounts = $state.raw<Record<string, number>>({});
  private subscribed = false;

  get dates(): SeriesDate[] {
    return imagery.state.dates;
  }

  /** The date the slider is on, or null. */
  get sliderDate(): SeriesDate | null {
    return this.sliderIndex === null ? null : (this.dates[this.sliderIndex] ?? null);
  }

  /** Consecutive pairs of the series, each with the latest finished run that compared it. */
  get periods(): Period[] {
    const dates = this.dates;
    return dates.slice(1).map((to, i) => {
      const from = dates[i];
      const runs = this.history.filter(
        (h) => h.status === 'done' && h.from?.id === from.id && h.to?.id === to.id,
      );
      return {
        index: i,
        from,
        to,
        runId: runs.at(-1)?.id ?? null,
        label: `${dateLabel(from, i)} → ${dateLabel(to, i + 1)}`,
      };
    });
  }

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    // A new run, a finished one and new regions change the history's statuses and counts.
    onEvent('run:started', () => void this.loadHistory());
    onEvent('run:done', () => void this.loadHistory());
    onEvent('regions:changed', () => void this.loadHistory());
  }

  async load(): Promise<void> {
    await this.loadHistory();
  }

  async loadHistory(): Promise<void> {
    try {
      this.history = await request('run:history', {});
      this.mapRevision++;
      signal('series:history');
    } catch (error) {
      notices.error(error, 'Loading the run history');
    }
  }

  /** Adds a date after the last one (one or many tiles), with the acquisition date the user knows. */
  async addDate(uris: string[], acquiredAt: string | null = null): Promise<boolean> {
    try {
      const first = this.dates.length === 0;
      imagery.apply(await request('imagery:addDate', { uris, acquiredAt }));
      // As with the before/after cards: the map goes to the imagery when the first date arrives.
      if (first) imagery.zoomToImagery();
      signal('series:date-added');
      return true;
    } catch (error) {
      notices.error(error, 'Adding a date');
      return false;
    }
  }

  /** Gives a date of the series other imagery (a better scene, a missing tile); its runs keep their results. */
  async replaceFiles(dateId: number, uris: string[]): Promise<boolean> {
    try {
      imagery.apply(await request('imagery:setDateFiles', { dateId, uris }));
      await this.loadHistory();
      signal('series:date-replaced');
      return true;
    } catch (error) {
      notices.error(error, 'Replacing the imagery of a date');
      return false;
    }
  }

  async removeDate(dateId: number): Promise<void> {
    try {
      imagery.apply(await request('imagery:removeDate', { dateId }));
      if (this.sliderIndex !== null && this.sliderIndex >= this.dates.length)
        this.sliderIndex = this.dates.length > 0 ? this.dates.length - 1 : null;
      await this.loadHistory();
    } catch (error) {
      notices.error(error, 'Taking the date out');
    }
  }

  async setAcquiredAt(dateId: number, date: string | null): Promise<void> {
    try {
      imagery.apply(await request('imagery:setAcquiredAt', { dateId, date }));
      await this.loadHistory();
    } catch (error) {
      notices.error(error, 'Setting the acquisition date');
    }
  }

  /** Puts the time slider on a date (null: off). */
  step(index: number | null): void {
    this.sliderIndex = index === null ? null : Math.max(0, Math.min(this.dates.length - 1, index));
    signal(`series:slider:${this.sliderIndex ?? 'off'}`);
  }

  /** One tile of a date of the series (the time slider's layer). */
  async dateTile(dateId: number, z: number, x: number, y: number): Promise<{ png: string } | null> {
    const tile = await request('imagery:previewTile', { dateId, z, x, y });
    if (tile) signal(`tile:series-date:${dateId}`);
    return tile;
  }

  /** Runs every consecutive pair of dates, one after another, with the run panel's model, hardware and area. */
  async startBatch(): Promise<void> {
    this.busy = true;
    const previous = run.current;
    try {
      const { first, pairs } = await request('run:startBatch', run.startOptions());
      run.sayReplaced(previous, first.id);
      await run.view(first.id);
      notices.push(
        'success',
        'RUN_BATCH_STARTED',
        `Started a batch of ${pairs.length} runs, one per pair of dates; each starts when the one before finishes.`,
      );
      signal('series:batch-started');
    } catch (error) {
      notices.error(error, 'Starting the batch');
    } finally {
      this.busy = false;
    }
  }

  /** Runs one pair of dates of the series (any two, earlier first), with the run panel's options. */
  async startPair(from: number, to: number): Promise<void> {
    this.busy = true;
    const previous = run.current;
    try {
      const summary = await request('run:start', { ...run.startOptions(), dates: { from, to } });
      run.sayReplaced(previous, summary.id);
      await run.view(summary.id);
      signal('series:pair-started');
    } catch (error) {
      notices.error(error, 'Starting the run of two dates');
    } finally {
      this.busy = false;
    }
  }

  /** Shows a run of the history on the map and in the Results (its probability, chunks and regions). */
  async show(runId: number): Promise<void> {
    this.whenView = false;
    await run.view(runId);
    signal('series:run-shown');
  }

  setWhenView(on: boolean): void {
    this.whenView = on;
    this.mapRevision++;
  }

  /** Ticks or unticks a run for the comparison; a third tick replaces the older one. */
  pick(runId: number): void {
    this.picked = this.picked.includes(runId)
      ? this.picked.filter((id) => id !== runId)
      : [...this.picked, runId].slice(-2);
  }

  async compare(): Promise<void> {
    if (this.picked.length !== 2) return;
    const [runA, runB] = [...this.picked].sort((a, b) => a - b);
    try {
      this.comparison = await request('run:compare', { runA, runB });
      this.mapRevision++;
      signal('series:compared');
    } catch (error) {
      notices.error(error, 'Comparing the runs');
    }
  }

  clearComparison(): void {
    this.comparison = null;
    this.mapRevision++;
  }

  /** Outlines of one run's regions in a lon/lat box (the period and comparison layers). */
  outlines(runId: number, extent: [number, number, number, number]) {
    return request('regions:outlines', { runId, extent, limit: 5000 });
  }

  reset(): void {
    this.sliderIndex = null;
    this.history = [];
    this.whenView = false;
    this.comparison = null;
    this.picked = [];
    this.mapRevision++;
  }
}

export const series = new SeriesState();
