// Models, hardware and the change-detection run: start, cancel, resume, progress, and every chunk's state.
/* eslint-disable svelte/prefer-svelte-reactivity -- chunk states are deliberately outside reactivity: chunkCounts and onChunk() carry the changes, so thousands of chunk events do not re-run effects. */
import type {
  ChunkStateName,
  ModelChoiceInfo,
  ModelInfo,
  ProviderInfo,
  ProviderRequest,
  RunDetail,
  RunProgress,
  RunStatusName,
  RunSummary,
} from '../../../src-main/ipc/contract';
import { AUTO_MODEL } from '../../../src-main/core/models/modelChoice';
import { engineUrl, outputStoreUrl, s3EndpointUrl } from '../../../src-main/ipc/contract';
import { onEvent, request } from '../lib/api';
import { signal } from '../lib/signals';
import { notices } from './notices.svelte';

export type LonLat = [number, number];
/**
 * The area of a run, in the API's map coordinates: longitude/latitude, or (inPixels) the pixel coordinates of
 * imagery without georeference, which are its grid's own coordinates.
 */
export type AreaChoice =
  | { kind: 'whole' }
  | { kind: 'bbox'; min: LonLat; max: LonLat; inPixels?: boolean }
  | { kind: 'polygon'; ring: LonLat[]; inPixels?: boolean };
export type ProviderChoice = ProviderRequest;
/** The model select's value for the automatic choice (run:start's default). */
export const AUTOMATIC_MODEL = AUTO_MODEL;

type ChunkListener = (idx: number, state: ChunkStateName) => void;

/** Finished chunks reach the probability tiles at most this often, so a fast run does not flood tile requests. */
const PROBABILITY_REFRESH_MS = 1200;

export class RunState {
  models = $state.raw<ModelInfo[]>([]);
  providers = $state.raw<ProviderInfo[]>([]);
  /** 'auto' (the automatic choice) or a model's id. */
  modelId = $state<string | null>(AUTOMATIC_MODEL);
  /** The model a run would use on the project's imagery now, and why (models:choose); null until both dates. */
  choice = $state.raw<ModelChoiceInfo | null>(null);
  provider = $state<ProviderChoice>('auto');
  area = $state.raw<AreaChoice>({ kind: 'whole' });
  /** Chunk side in pixels; null lets the service choose from its memory budget. */
  chunkSize = $state<number | null>(null);
  /** Where the chunks are computed: '' this computer, else the job engine of scale-out workers (redis://...). */
  engine = $state('');
  /**
   * With an engine: the S3-compatible store through which workers that share no folder with this project hand
   * their chunks over (s3://bucket/prefix), and its endpoint where it is not AWS's; '' for the shared folder / AWS.
   */
  output = $state('');
  s3Endpoint = $state('');
  /** Why the engine, store or endpoint typed is not one (the contract's own checks), or null. */
  engineProblem = $derived.by(() => {
    const engine = this.engine.trim();
    const output = this.output.trim();
    const endpoint = this.s3Endpoint.trim();
    const problem = (schema: typeof engineUrl, text: string, fallback: string) => {
      const parsed = schema.safeParse(text);
      return parsed.success ? null : (parsed.error.issues[0]?.message ?? fallback);
    };
    if (!engine) return null;
    return (
      problem(engineUrl, engine, 'Not a job engine address') ??
      (output ? problem(outputStoreUrl, output, 'Not an S3 store address') : null) ??
      (endpoint ? problem(s3EndpointUrl, endpoint, 'Not an S3 endpoint') : null)
    );
  });
  /** The map is waiting for the user to draw this kind of area. */
  drawing = $state<'bbox' | 'polygon' | null>(null);

  /** The run on screen (the latest of the project), with its chunk outlines. */
  current = $state.raw<RunDetail | null>(null);
  status = $state<RunStatusName | null>(null);
  progress = $state.raw<RunProgress | null>(null);
  chunkCounts = $state({ waiting: 0, running: 0, done: 0, failed: 0 });
  warnings = $state.raw<string[]>([]);
  failure = $state.raw<{ code: string; message: string } | null>(null);
  busy = $state(false);
  /** Bumped (throttled) as chunks finish: the map reloads the probability tiles. */
  probabilityRevision = $state(0);

  /** A scale-out run's workers and how many chunks each has finished, busiest first (empty for a local run). */
  workers = $state.raw<{ name: string; chunks: number }[]>([]);

  /** Chunk states by index, outside reactivity: thousands of chunks update one by one. */
  private chunkStates = new Map<number, ChunkStateName>();
  /** Who computed each finished chunk of a scale-out run, by index. */
  private chunkWorkers = new Map<number, string>();
  private chunkListeners = new Set<ChunkListener>();
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRefresh = 0;
  private subscribed = false;
  private choiceRequest = 0;
  /** The last new run whose start was announced as replacing the one on screen. */
  private announced: number | null = null;

  /** The model a run would use: the picked one, or the automatic choice once it is known. */
  get model(): ModelInfo | null {
    const id = this.modelId === AUTOMATIC_MODEL ? this.choice?.id : this.modelId;
    return this.models.find((m) => m.id === id) ?? null;
  }

  /** Asks which model a run would use now (the select or the imagery changed); the latest answer wins. */
  async refreshChoice(): Promise<void> {
    const ticket = ++this.choiceRequest;
    const model = this.modelId;
    if (!model) {
      this.choice = null;
      return;
    }
    try {
      const choice = await request('models:choose', { model });
      if (ticket !== this.choiceRequest) return;
      this.choice = choice;
      signal('model:chosen');
    } catch (error) {
      if (ticket !== this.choiceRequest) return;
      this.choice = null;
      notices.error(error, 'Choosing the model');
    }
  }

  get changeModels(): ModelInfo[] {
    return this.models.filter((m) => m.task === 'change-detection');
  }

  get active(): boolean {
    return this.status === 'running' || this.status === 'pending';
  }

  get resumable(): boolean {
    return this.status === 'cancelled' || this.status === 'failed';
  }

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    onEvent('run:started', (detail) => {
      const previous = this.current;
      this.show(detail);
      this.sayReplaced(previous, detail.id);
      signal('run:started');
    });
    onEvent('run:chunk', ({ runId, idx, state, worker }) => {
      if (runId !== this.current?.id) return;
      this.setChunk(idx, state);
      if (state === 'done' && worker) this.setWorker(idx, worker);
      if (state === 'done') {
        this.scheduleProbabilityRefresh();
        signal('run:chunk-done');
      }
    });
    onEvent('run:progress', (progress) => {
      if (progress.runId !== this.current?.id) return;
      this.progress = progress;
      if (this.status === 'pending') this.status = 'running';
    });
    onEvent('run:done', (summary) => {
      if (summary.id !== this.current?.id) return;
      this.applySummary(summary);
      this.refreshProbabilityNow();
      signal('run:done');
    });
    onEvent('run:failed', ({ runId, code, message }) => {
      if (runId !== this.current?.id) return;
      this.status = 'failed';
      this.failure = { code, message };
      notices.push('error', code, `The run stopped: ${message}`);
      signal('run:failed');
    });
    onEvent('run:cancelled', ({ runId }) => {
      if (runId !== this.current?.id) return;
      this.status = 'cancelled';
      this.refreshProbabilityNow();
      signal('run:cancelled');
    });
  }

  /** Loads models, providers and the project's latest run. */
  async load(): Promise<void> {
    try {
      const [models, providers, runs] = await Promise.all([
        request('models:list', {}),
        request('providers:list', {}),
        request('run:list', {}),
      ]);
      this.models = models;
      this.providers = providers;
      this.modelId ??= models.find((m) => m.task === 'change-detection')?.id ?? null;
      const latest = [...runs].sort((a, b) => b.id - a.id)[0];
      if (latest) this.show(await request('run:get', { runId: latest.id }));
    } catch (error) {
      notices.error(error, 'Loading models and runs');
    }
    signal('run:ready');
  }

  async addModel(path: string): Promise<boolean> {
    try {
      const model = await request('models:add', { path });
      this.models = [...this.models.filter((m) => m.id !== model.id), model];
      if (model.task === 'change-detection') this.modelId = model.id;
      signal('model:added');
      return true;
    } catch (error) {
      notices.error(error, 'Adding the model');
      return false;
    }
  }

  /** What a run asks for from this panel: model, hardware, area, chunk size (run:start, run:startBatch). */
  startOptions() {
    return {
      model: this.modelId ?? undefined,
      provider: this.provider,
      ...aoiRequest(this.area),
      chunkSize: this.chunkSize ?? undefined,
      ...this.engineRequest(),
    };
  }

  /** The scale-out part of run:start and run:resume: left out for this computer (the store fields with it). */
  private engineRequest(): { engine?: string; output?: string; s3Endpoint?: string } {
    const engine = this.engine.trim();
    if (!engine) return {};
    const output = this.output.trim();
    const s3Endpoint = this.s3Endpoint.trim();
    return { engine, ...(output ? { output } : {}), ...(output && s3Endpoint ? { s3Endpoint } : {}) };
  }

  /**
   * A new run takes the map and the Results: says where the run that was on screen went, once per new run (the
   * run:started event and the start request's answer may come in either order).
   */
  sayReplaced(previous: RunDetail | null, next: number): void {
    if (!previous || previous.id === next || this.announced === next) return;
    this.announced = next;
    notices.push(
      'success',
      'RUN_PREVIOUS_KEPT',
      `Run ${next} started and is now on the map; run ${previous.id} is kept in the run history.`,
    );
  }

  /** Puts a run of the project on screen (the run history's "show"): its chunks, probability and regions. */
  async view(runId: number): Promise<void> {
    if (this.current?.id === runId) return;
    try {
      this.show(await request('run:get', { runId }));
    } catch (error) {
      notices.error(error, 'Showing the run');
    }
  }

  async start(): Promise<void> {
    if (!this.modelId) return;
    this.busy = true;
    this.failure = null;
    const previous = this.current;
    try {
      const summary = await request('run:start', this.startOptions());
      this.sayReplaced(previous, summary.id);
      // run:started usually arrives first; if not, fetch the chunk grid ourselves.
      if (this.current?.id !== summary.id) this.show(await request('run:get', { runId: summary.id }));
      else this.applySummary(summary);
    } catch (error) {
      this.failure = notices.error(error, 'Starting the run');
    } finally {
      this.busy = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.current) return;
    try {
      this.applySummary(await request('run:cancel', { runId: this.current.id }));
    } catch (error) {
      notices.error(error, 'Cancelling the run');
    }
  }

  async resume(): Promise<void> {
    if (!this.current) return;
    this.busy = true;
    this.failure = null;
    try {
      const summary = await request('run:resume', { runId: this.current.id, ...this.engineRequest() });
      this.show(await request('run:get', { runId: summary.id }));
    } catch (error) {
      this.failure = notices.error(error, 'Resuming the run');
    } finally {
      this.busy = false;
    }
  }

  /** One web-mercator tile of the current run's change probability (the map's tile loader). */
  probabilityTile(z: number, x: number, y: number): Promise<{ png: string } | null> {
    const runId = this.current?.id;
    if (runId === undefined) return Promise.resolve(null);
    return request('run:probabilityTile', { runId, z, x, y });
  }

  chunkState(idx: number): ChunkStateName {
    return this.chunkStates.get(idx) ?? 'waiting';
  }

  /** The map's chunk grid listens here instead of diffing thousands of chunks through reactivity. */
  onChunk(listener: ChunkListener): () => void {
    this.chunkListeners.add(listener);
    return () => this.chunkListeners.delete(listener);
  }

  reset(): void {
    this.announced = null;
    this.current = null;
    this.status = null;
    this.progress = null;
    this.warnings = [];
    this.failure = null;
    this.chunkStates.clear();
    this.chunkWorkers.clear();
    this.workers = [];
    this.chunkCounts = { waiting: 0, running: 0, done: 0, failed: 0 };
  }

  private show(detail: RunDetail): void {
    this.chunkStates = new Map(detail.chunks.map((c) => [c.idx, c.state]));
    this.chunkWorkers = new Map(
      detail.chunks.flatMap((c) => (c.state === 'done' && c.worker ? [[c.idx, c.worker] as const] : [])),
    );
    this.recount();
    this.tallyWorkers();
    this.current = detail;
    this.progress = this.current.id === this.progress?.runId ? this.progress : null;
    this.applySummary(detail);
    this.refreshProbabilityNow();
  }

  private applySummary(summary: RunSummary): void {
    this.status = summary.status;
    this.warnings = summary.warnings;
    if (summary.error && summary.status === 'failed')
      this.failure = { code: 'RUN_FAILED', message: summary.error };
    if (this.current && this.current.id === summary.id) this.current = { ...this.current, ...summary };
  }

  private setChunk(idx: number, state: ChunkStateName): void {
    const previous = this.chunkStates.get(idx) ?? 'waiting';
    if (previous === state) return;
    this.chunkStates.set(idx, state);
    this.chunkCounts[previous]--;
    this.chunkCounts[state]++;
    for (const listener of this.chunkListeners) listener(idx, state);
  }

  private setWorker(idx: number, worker: string): void {
    if (this.chunkWorkers.get(idx) === worker) return;
    this.chunkWorkers.set(idx, worker);
    this.tallyWorkers();
  }

  private tallyWorkers(): void {
    const counts = new Map<string, number>();
    for (const worker of this.chunkWorkers.values()) counts.set(worker, (counts.get(worker) ?? 0) + 1);
    this.workers = [...counts]
      .map(([name, chunks]) => ({ name, chunks }))
      .sort((a, b) => b.chunks - a.chunks || a.name.localeCompare(b.name));
  }

  private recount(): void {
    const counts = { waiting: 0, running: 0, done: 0, failed: 0 };
    for (const state of this.chunkStates.values()) counts[state]++;
    this.chunkCounts = counts;
  }

  private scheduleProbabilityRefresh(): void {
    if (this.refreshTimer) return;
    const wait = Math.max(0, this.lastRefresh + PROBABILITY_REFRESH_MS - Date.now());
    this.refreshTimer = setTimeout(() => this.refreshProbabilityNow(), wait);
  }

  private refreshProbabilityNow(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.lastRefresh = Date.now();
    this.probabilityRevision++;
  }
}

function aoiRequest(area: AreaChoice) {
  if (area.kind === 'whole') return { aoi: null };
  if (area.inPixels) {
    // Pixel coordinates are the grid's own: run:start's gridAoi, a rectangle (a polygon gives its bounding box).
    const points = area.kind === 'bbox' ? [area.min, area.max] : area.ring;
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    return {
      gridAoi: { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) },
    };
  }
  if (area.kind === 'bbox') return { aoi: { kind: 'bbox' as const, min: area.min, max: area.max } };
  return { aoi: { kind: 'polygon' as const, ring: area.ring } };
}

export const run = new RunState();
