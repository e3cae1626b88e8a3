// Change regions of the current run: region settings, the paged list (sorted and filtered on the server, so
/* eslint-disable svelte/prefer-svelte-reactivity -- the page cache is deliberately outside reactivity: pageRevision tells the list a page landed, so a 100,000-row list does not make 100,000 signals. */
// 100,000 regions cost no more than the rows on screen), and outlines for the map.
import type {
  RegionFacets,
  RegionFilters,
  RegionRow,
  RegionSettings,
  RegionSort,
  ReviewState,
  Results,
} from '../../../src-main/ipc/contract';
import { onEvent, request } from '../lib/api';
import { signal } from '../lib/signals';
import { notices } from './notices.svelte';

export type { RegionSort };
export type RegionOutline = Results['regions:outlines'][number];

export const PAGE_SIZE = 200;
/**
 * How long the settings must rest before regions are found again: about one slider drag step, so a drag sends one
 * request at its end rather than one per pixel, while a single change still feels immediate.
 */
export const SETTINGS_DEBOUNCE_MS = 250;
/** The longest a user's settings wait for the regions the services find on their own when a run finishes. */
export const AUTOMATIC_WAIT_MS = 60_000;
export interface FilterChoice {
  minAreaM2: number | null;
  transition: string | null;
  className: string | null;
  minConfidence: number | null;
  reviewStates: ReviewState[];
  /** Regions overlapping one boundary feature (the attribute table's "Regions"). */
  boundaryFeature: { layerId: number; fid: number; label: string } | null;
}

const NO_FACETS: RegionFacets = {
  transitions: [],
  classes: [],
  reviewStates: { unreviewed: 0, confirmed: 0, rejected: 0 },
};

const NO_FILTERS: FilterChoice = {
  minAreaM2: null,
  transition: null,
  className: null,
  minConfidence: null,
  reviewStates: [],
  boundaryFeature: null,
};

export class RegionsState {
  runId = $state<number | null>(null);
  /**
   * The settings in the form, as the user is changing them; null until the services said which settings the run
   * uses (run:get: saved for the run, else the model card's; one rule, on the server).
   */
  settings = $state<RegionSettings | null>(null);
  /** The settings the regions on screen were made with (null: not known yet). */
  applied = $state.raw<RegionSettings | null>(null);
  /** A regions:compute is in flight. */
  computing = $state(false);
  /** A settings change waits for the debounce before it is applied. */
  pending = $state(false);
  /** The run just finished: the services are finding its regions on their own (regions:changed ends it). */
  finding = $state(false);
  lastCompute = $state.raw<{ regionCount: number; seconds: number } | null>(null);

  sort = $state<RegionSort>('area');
  descending = $state(true);
  filters = $state<FilterChoice>({ ...NO_FILTERS });
  /** Rows matching the filters (the list's length). */
  total = $state(0);
  /** Regions of the run, whatever the filters (for "12 of 340"). */
  runTotal = $state(0);
  /** Bumped when a page lands: rows read through rowAt() re-render. */
  pageRevision = $state(0);
  /** Bumped when outlines on the map must be reloaded (new regions, new run). */
  outlineRevision = $state(0);
  /** Every transition, class and review state of the run's regions, with counts (the filter menus). */
  facets = $state.raw<RegionFacets>(NO_FACETS);

  private pages = new Map<number, RegionRow[]>();
  private inflight = new Map<number, Promise<RegionRow[]>>();
  private query = 0;
  private subscribed = false;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private computeInFlight: Promise<void> | null = null;
  /** compute() was asked again while a request ran. */
  private rerun = false;
  private automaticWaiters: (() => void)[] = [];
  /** Runs that finished while the app watched: the services find their regions without being asked. */
  private finishedLive = new Set<number>();

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    onEvent('run:done', ({ id }) => {
      this.finishedLive.add(id);
      if (id === this.runId) this.finding = true;
    });
    onEvent('regions:failed', ({ runId }) => {
      // The services' own warning says why; the count is no longer "being found".
      this.automaticSettled(runId);
    });
    onEvent('regions:changed', ({ runId }) => {
      this.automaticSettled(runId);
      // Our own compute shows its result itself; this is the services' (a finished run, another window).
      if (runId !== this.runId || this.computing || this.pending) return;
      void this.refreshFromServices(runId);
    });
  }

  /** The services are done finding a finished run's regions on their own (found or failed). */
  private automaticSettled(runId: number): void {
    this.finishedLive.delete(runId);
    if (runId === this.runId) this.finding = false;
    for (const resolve of this.automaticWaiters.splice(0)) resolve();
  }

  /**
   * Waits while the services find the run's regions on their own, so a change the user makes meanwhile is applied
   * after theirs and not overwritten by it (at most AUTOMATIC_WAIT_MS, should their answer never come).
   */
  private async afterAutomatic(): Promise<void> {
    if (!this.finding) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, AUTOMATIC_WAIT_MS);
      this.automaticWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Whether the figures on screen may not match the settings in the form (a change not yet applied). */
  get stale(): boolean {
    return this.pending || this.computing || this.finding || !sameSettings(this.applied, this.settings);
  }

  /** "forest -> built" keys of the run's transitions, for the filter menus and exports. */
  get knownTransitions(): string[] {
    return this.facets.transitions.map((t) => `${t.from} -> ${t.to}`);
  }

  get knownClasses(): string[] {
    return this.facets.classes;
  }

  /** How many regions of the run have a transition ("forest -> built"), or null when not known. */
  transitionCount(key: string): number | null {
    const [from, to] = splitTransition(key);
    return this.facets.transitions.find((t) => t.from === from && t.to === to)?.count ?? null;
  }

  /** Shows the regions of a run (null: none), with the settings the services give for it. */
  async useRun(runId: number | null): Promise<void> {
    if (runId === this.runId) return;
    this.cancelScheduled();
    this.runId = runId;
    this.finding = runId !== null && this.finishedLive.has(runId);
    this.settings = null;
    this.applied = null;
    const saved = runId === null ? null : await this.savedSettings(runId);
    if (runId !== this.runId) return;
    this.settings = saved && { ...saved };
    this.applied = saved;
    this.lastCompute = null;
    this.filters = { ...NO_FILTERS };
    this.facets = NO_FACETS;
    this.clearPages();
    this.total = 0;
    this.runTotal = 0;
    this.outlineRevision++;
    if (runId === null) return;
    await Promise.all([this.reload(), this.refreshFacets()]);
    signal('regions:restored');
  }

  /** Reloads the filter menus' transitions, classes and review counts (after new regions and reviews). */
  async refreshFacets(): Promise<void> {
    const runId = this.runId;
    if (runId === null) return;
    try {
      const facets = await request('regions:facets', { runId });
      if (runId !== this.runId) return;
      this.facets = facets;
      signal('regions:facets');
    } catch (error) {
      notices.error(error, 'Reading the region filters');
    }
  }

  /**
   * Changes region settings as the user moves a control: they apply by themselves once the controls rest
   * (SETTINGS_DEBOUNCE_MS); until the new regions are in, `stale` hides the old figures.
   */
  updateSettings(patch: Partial<RegionSettings>): void {
    const valid = Object.values(patch).every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
    if (!valid || !this.settings) return; // a number field half typed (empty): wait for a number
    this.settings = { ...this.settings, ...patch };
    if (this.runId === null) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.pending = true;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.pending = false;
      void this.compute();
    }, SETTINGS_DEBOUNCE_MS);
  }

  /**
   * Finds the regions with the settings in the form now. One request at a time: a change made while one is in
   * flight waits for it and then asks once for the latest settings, and a result for settings the user has since
   * left is never shown.
   */
  async compute(): Promise<void> {
    this.cancelScheduled();
    if (this.runId === null) return;
    if (this.computeInFlight) {
      this.rerun = true;
      return this.computeInFlight;
    }
    this.computeInFlight = this.computeLatest().finally(() => {
      this.computeInFlight = null;
    });
    return this.computeInFlight;
  }

  private async computeLatest(): Promise<void> {
    this.computing = true;
    try {
      for (;;) {
        this.rerun = false;
        await this.afterAutomatic();
        const runId = this.runId;
        if (runId === null || !this.settings) return;
        const asked = { ...this.settings };
        try {
          const result = await request('regions:compute', { runId, ...asked });
          if (runId !== this.runId) return;
          if (this.rerun || !sameSettings(asked, this.settings)) {
            // The user moved on while this ran: its figures are never shown. Ask again for the latest settings,
            // unless a debounce is about to.
            if (this.pending) return;
            continue;
          }
          this.settings = { ...result.settings };
          this.applied = { ...result.settings };
          this.finding = false;
          this.lastCompute = { regionCount: result.regionCount, seconds: result.seconds };
          await Promise.all([this.reload(), this.refreshFacets()]);
          this.outlineRevision++;
          signal('regions:ready');
          return;
        } catch (error) {
          if (runId === this.runId) notices.error(error, 'Finding change regions');
          if (!this.rerun || this.pending) return;
        }
      }
    } finally {
      this.computing = false;
    }
  }

  /** The services found new regions on their own (a run finished): show them with the settings they used. */
  private async refreshFromServices(runId: number): Promise<void> {
    // The user's own change wins: whenever one starts while this reads, this stops (and says nothing is ready).
    const superseded = () => runId !== this.runId || this.computing || this.pending;
    const saved = await this.savedSettings(runId);
    if (superseded()) return;
    if (saved) {
      this.settings = { ...saved };
      this.applied = saved;
    }
    await Promise.all([this.reload(), this.refreshFacets()]);
    if (superseded()) return;
    this.outlineRevision++;
    signal('regions:ready');
  }

  private async savedSettings(runId: number): Promise<RegionSettings | null> {
    try {
      return (await request('run:get', { runId })).regionSettings;
    } catch (error) {
      if (runId === this.runId) notices.error(error, `Reading run ${runId}`);
      return null;
    }
  }

  private cancelScheduled(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
    this.pending = false;
  }

  setSort(sort: RegionSort): void {
    if (this.sort === sort) this.descending = !this.descending;
    else {
      this.sort = sort;
      this.descending = sort !== 'transition';
    }
    void this.reload();
  }

  setFilters(patch: Partial<FilterChoice>): void {
    this.filters = { ...this.filters, ...patch };
    void this.reload();
  }

  clearFilters(): void {
    this.filters = { ...NO_FILTERS };
    void this.reload();
  }

  get filtered(): boolean {
    const f = this.filters;
    return (
      f.minAreaM2 !== null ||
      f.transition !== null ||
      f.className !== null ||
      f.minConfidence !== null ||
      f.reviewStates.length > 0 ||
      f.boundaryFeature !== null
    );
  }

  /** The filters as regions:list takes them. */
  apiFilters(): RegionFilters {
    const f = this.filters;
    const out: RegionFilters = {};
    if (f.minAreaM2 !== null) out.minAreaM2 = f.minAreaM2;
    if (f.transition !== null) {
      const [from, to] = splitTransition(f.transition);
      out.fromClass = from;
      out.toClass = to;
    }
    if (f.className !== null) out.landCoverClass = f.className;
    if (f.minConfidence !== null) out.minConfidence = f.minConfidence;
    if (f.reviewStates.length > 0) out.reviewStates = [...f.reviewStates];
    if (f.boundaryFeature)
      out.boundaryFeature = { layerId: f.boundaryFeature.layerId, fid: f.boundaryFeature.fid };
    return out;
  }

  /** The row at a list position, or null while its page loads (the load starts here). */
  rowAt(index: number): RegionRow | null {
    void this.pageRevision;
    const page = Math.floor(index / PAGE_SIZE);
    const rows = this.pages.get(page);
    if (rows) return rows[index - page * PAGE_SIZE] ?? null;
    void this.fetchPage(page);
    return null;
  }

  /** The row at a list position, waiting for its page. */
  async rowAtAsync(index: number): Promise<RegionRow | null> {
    if (index < 0 || index >= this.total) return null;
    const page = Math.floor(index / PAGE_SIZE);
    const rows = this.pages.get(page) ?? (await this.fetchPage(page));
    return rows[index - page * PAGE_SIZE] ?? null;
  }

  /** Position of a region in the loaded pages, or -1. */
  indexOf(fid: number): number {
    for (const [page, rows] of this.pages) {
      const i = rows.findIndex((r) => r.fid === fid);
      if (i >= 0) return page * PAGE_SIZE + i;
    }
    return -1;
  }

  /** A region's row if its page is loaded (the map's hover summary), else null. */
  loadedRow(fid: number): RegionRow | null {
    for (const rows of this.pages.values()) {
      const row = rows.find((r) => r.fid === fid);
      if (row) return row;
    }
    return null;
  }

  /** Puts a reviewed row back into the loaded pages, so the list shows its new state at once. */
  replaceRow(row: RegionRow): void {
    for (const rows of this.pages.values()) {
      const i = rows.findIndex((r) => r.fid === row.fid);
      if (i >= 0) {
        rows[i] = row;
        this.pageRevision++;
      }
    }
  }

  outlines(extent: [number, number, number, number]): Promise<RegionOutline[]> {
    if (this.runId === null) return Promise.resolve([]);
    return request('regions:outlines', { runId: this.runId, extent, limit: 5000 });
  }

  async reload(): Promise<void> {
    this.clearPages();
    if (this.runId === null) return;
    try {
      await this.fetchPage(0);
      if (!this.filtered) this.runTotal = this.total;
      signal('regions:listed');
    } catch {
      // fetchPage reported it.
    }
  }

  private clearPages(): void {
    this.query++;
    this.pages = new Map();
    this.inflight = new Map();
    this.pageRevision++;
  }

  private fetchPage(page: number): Promise<RegionRow[]> {
    const pending = this.inflight.get(page);
    if (pending) return pending;
    const query = this.query;
    const runId = this.runId;
    if (runId === null) return Promise.resolve([]);
    const promise = request('regions:list', {
      runId,
      sort: this.sort,
      descending: this.descending,
      filters: this.apiFilters(),
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    })
      .then((result) => {
        if (query !== this.query) return result.items;
        this.pages.set(page, result.items);
        this.total = result.total;
        this.pageRevision++;
        return result.items;
      })
      .catch((error: unknown) => {
        if (query === this.query) {
          this.inflight.delete(page);
          notices.error(error, 'Listing change regions');
        }
        throw error;
      });
    promise.catch(() => undefined);
    this.inflight.set(page, promise);
    return promise;
  }
}

/** Whether two region settings are the same (null: unknown, never the same). */
export function sameSettings(a: RegionSettings | null, b: RegionSettings | null): boolean {
  if (!a || !b) return false;
  return (
    a.threshold === b.threshold &&
    a.openingRadius === b.openingRadius &&
    a.closingRadius === b.closingRadius &&
    a.minAreaM2 === b.minAreaM2
  );
}

/** "forest -> bare/construction" as its two classes. */
export function splitTransition(key: string): [string, string] {
  const i = key.indexOf(' -> ');
  return i < 0 ? [key, key] : [key.slice(0, i), key.slice(i + 4)];
}

export const regions = new RegionsState();
