// The runs service: start, cancel, resume and inspect change-detection runs of a project, with typed events.
// Plain Node (no electron): the IPC layer, the browser host and the command line all drive this class.
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ChangeMapError, isChangeMapError } from '../../core/errors';
import type { AlignedPairSource } from '../../core/raster/types';
import {
  batchSizeForBudget,
  sessionsForBudget,
  chipSizeForGrid,
  chunkSizeForBudget,
  scaleOutChunkSize,
  maxChipForBudget,
  normaliseChunkSize,
  planChunks,
} from '../../core/tiling/chunkPlan';
import type { FileOps } from '../fileSafety/atomicWrite';
import { fileFingerprint } from '../imagery/fileFingerprint';
import type { ChipPredictor } from '../inference/chipPredictor';
import type { LoadedInfo } from '../inference/inferenceProtocol';
import { InferenceWorker } from '../inference/inferenceWorker';
import { listModels, readModelCard, resolveModel, type ModelEntry } from '../inference/modelCatalog';
import { chooseModelFile, eligibleVariants } from '../../core/models/modelVariants';
import { AUTO_MODEL, gsdRangeWarning } from '../../core/models/modelChoice';
import { deviceBatchSize, freeDeviceMemory } from '../inference/deviceMemory';
import {
  isGpuProvider,
  listProviders,
  onnxRuntimeVersion,
  type ProviderId,
  type ProviderInfo,
  type ProviderRequest,
} from '../inference/providers';
import { PredictorPool } from '../inference/predictorPool';
import { SharedInputs } from '../inference/sharedInputs';
import {
  calibrateThreads,
  calibrationKey,
  calibrationStale,
  fastestLayoutWithin,
  layoutCandidates,
  type CalibrationCache,
  type SessionLayout,
  type ThreadCalibration,
} from '../inference/threadCalibration';
import type { Db } from '../project/projectStore';
import { resolveStoredPath } from '../project/storedPaths';
import { outputStoreOf, type OutputStoreChoice } from '../scaleout/outputStoreChoice';
import { clipToArea } from './areaSource';
import { openReaderBeside, type openRunInputsInThread, type PendingReader } from './pairReadThread';
import { ChunkStore, type StoredChunk } from './chunkStore';
import { packageVersion } from '../../cli/packageVersion';
import { executeRun } from './runEngine';
import type { RunEvent } from './runEvents';
import { RunLedger } from './runLedger';
import { gridPixelSizeM, runModelChoice } from './runModelChoice';
import type { RunInputs, RunParams, RunRecord, StartRunParams } from './runTypes';

export interface RunServiceDeps {
  db: Db;
  /** The project's data folder (`<project>.data`). */
  dataDir: string;
  /** Folders holding `*.card.json` model cards (shipped models first). */
  modelDirs: string[];
  /** Opens the aligned before/after pair named by a run's inputs (the imagery service in the app). */
  openPair: (inputs: RunInputs, options: { bands: readonly string[] }) => Promise<AlignedPairSource>;
  /**
   * Where given, a local run reads its imagery on a thread of its own (pairReadThread.ts): opened beside `openPair`'s
   * while the run starts, and taken at launch when it reads the same grid. The main thread then only cuts, blends
   * and writes (a run's CPU side, what limits it with a GPU, 1.4x as fast on 2 cores).
   */
  openPairOnThread?: typeof openRunInputsInThread;
  /** Scenes from this many pixels up read on the thread (default READ_THREAD_FROM_PIXELS). */
  readThreadFromPixels?: number;
  /**
   * Starts a predictor for a model card (default: an ONNX Runtime worker thread); `variantFile` names a
   * reduced-precision file of the card's `variants` instead of its full-precision file. A run of several sessions
   * starts one per session. `inputs`: the spare input pairs the sessions of one run share.
   */
  startPredictor?: (
    cardPath: string,
    provider: ProviderRequest,
    threads?: number,
    variantFile?: string,
    inputs?: SharedInputs,
  ) => Promise<ChipPredictor>;
  /** Replaces file-system steps of chunk writes (tests simulate a full disk here). */
  chunkFileOps?: Partial<FileOps>;
  /**
   * Where inference thread counts measured for this machine and model are kept (user data). Without it, runs use
   * every core unless they ask for a thread count.
   */
  calibration?: CalibrationCache;
  /** ONNX Runtime's version, part of the calibration's key (default: the installed one). */
  ortVersion?: string;
  /** Scenes from this many pixels up calibrate when there is no calibration yet (default CALIBRATE_FROM_PIXELS). */
  calibrateFromPixels?: number;
  /** Free memory of a GPU provider's device, bytes, or null if unknown (default: inference/deviceMemory.ts). */
  freeDeviceMemory?: (provider: ProviderId) => number | null;
  /** ChangeMap's version, which scale-out workers must share (default: package.json's). */
  version?: string;
}

const DEFAULT_MEMORY_BUDGET = 1 << 30;
/**
 * Scenes from this many pixels up calibrate the thread count when the machine and model have none yet (about a
 * second per thread count tried): on smaller ones the measuring would cost more than it could save.
 */
export const CALIBRATE_FROM_PIXELS = 25e6;
/**
 * Scenes from this many pixels up read on a thread of their own: the thread's start (a quarter of a second from the
 * bundle) is worth it where reading takes seconds (0.8 s of main-thread time per 25 Mpx), not for a small pair
 * whose run should start at once.
 */
export const READ_THREAD_FROM_PIXELS = 4e6;
/** Seconds the bare model is timed at each thread count when calibrating. */
const CALIBRATION_SECONDS = 1;
/** Bands the pair is first opened with when the model is chosen automatically (what every shipped model reads). */
const PROBE_BANDS = ['red', 'green', 'blue'] as const;

interface ActiveRun {
  controller: AbortController;
  predictor: ChipPredictor;
  settled: Promise<void>;
}

/** The fingerprint of each input file, so a resumed run notices inputs that changed under it. */
export async function fingerprintInputs(inputs: RunInputs): Promise<string[]> {
  if (inputs.kind === 'synthetic') return [JSON.stringify(inputs)];
  return Promise.all([...inputs.before, ...inputs.after].map(fileFingerprint));
}

/**
 * The run's chip edge: the one asked for (it must be one the model accepts), else the card's chip, or, for a
 * model that accepts larger chips, the size that covers the grid with the least repeated work within the card's
 * limit and what one chip of the batch budget (a quarter of the run's memory) holds.
 */
export function runChipSize(
  info: Pick<LoadedInfo, 'name' | 'chipSize' | 'chipSizes' | 'bands'>,
  grid: { width: number; height: number },
  overlap: number,
  budget: number,
  requested?: number,
): number {
  const sizes = info.chipSizes;
  if (requested !== undefined) {
    const allowed = sizes
      ? requested >= info.chipSize && requested <= sizes.max && requested % sizes.multipleOf === 0
      : requested === info.chipSize;
    if (!allowed) {
      throw new ChangeMapError(
        'RUN_BAD_CHIP_SIZE',
        sizes
          ? `The model ${info.name} takes chips of ${info.chipSize} to ${sizes.max} pixels in steps of ${sizes.multipleOf}, not ${requested}; pick one of those or leave the chip size out.`
          : `The model ${info.name} takes chips of ${info.chipSize} pixels only, not ${requested}; leave the chip size out.`,
      );
    }
    return requested;
  }
  if (!sizes) return info.chipSize;
  return chipSizeForGrid(grid.width, grid.height, {
    minChip: info.chipSize,
    maxChip: Math.min(sizes.max, maxChipForBudget(budget * 0.25, info.bands, sizes.multipleOf)),
    multiple: sizes.multipleOf,
    overlap,
  });
}

export class RunService {
  private readonly ledger: RunLedger;
  private readonly events = new EventEmitter();
  private readonly active = new Map<number, ActiveRun>();

  constructor(private readonly deps: RunServiceDeps) {
    this.ledger = new RunLedger(deps.db);
    this.events.setMaxListeners(100);
  }

  listModels(): ModelEntry[] {
    return listModels(this.deps.modelDirs);
  }

  listProviders(): Promise<ProviderInfo[]> {
    return listProviders();
  }

  /** Every run event; returns the function that stops listening. */
  subscribe(listener: (event: RunEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit(event: RunEvent): void {
    this.events.emit('event', event);
  }

  runFolder(runId: number): string {
    return path.join(this.deps.dataDir, 'runs', String(runId));
  }

  getRun(runId: number): RunRecord | null {
    const run = this.ledger.get(runId);
    if (run?.probabilityPath)
      run.probabilityPath = resolveStoredPath(
        this.deps.dataDir,
        run.probabilityPath,
        `the probability raster of run ${runId}`,
      );
    // A run the ledger calls running but no process here is running was interrupted (app or machine died).
    return run;
  }

  listRuns() {
    return this.ledger.list();
  }

  isActive(runId: number): boolean {
    return this.active.has(runId);
  }

  /** A finished chunk's probability (uint8, 255 = nodata) as soon as it has landed. */
  async readChunk(runId: number, idx: number): Promise<StoredChunk | null> {
    return new ChunkStore(path.join(this.runFolder(runId), 'chunks')).read(idx);
  }

  /** One session, or a pool of `sessions` sharing their spare input pairs (one per batch a run keeps out). */
  private async startPredictor(
    cardPath: string,
    provider: ProviderRequest,
    threads?: number,
    variantFile?: string,
    sessions = 1,
  ): Promise<ChipPredictor> {
    const inputs = sessions > 1 ? new SharedInputs(sessions + 1) : undefined;
    const startOne = () =>
      this.deps.startPredictor
        ? this.deps.startPredictor(cardPath, provider, threads, variantFile, inputs)
        : InferenceWorker.start(cardPath, { provider, threads, variantFile, inputs });
    if (sessions === 1) return startOne();
    const started = await Promise.allSettled(Array.from({ length: sessions }, startOne));
    const ready = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(ready.map((p) => p.terminate()));
      throw failed.reason;
    }
    return new PredictorPool(ready);
  }

  /**
   * The run's pair opening on a reading thread beside the one this thread opened, where the deps give one, the
   * scene is large enough, and the run is local (a scale-out run's workers read for it).
   */
  private readerBeside(
    inputs: RunInputs,
    bands: readonly string[],
    grid: { width: number; height: number },
    engine: string | undefined,
  ): PendingReader | null {
    const open = this.deps.openPairOnThread;
    const large = grid.width * grid.height >= (this.deps.readThreadFromPixels ?? READ_THREAD_FROM_PIXELS);
    return open && large && !engine ? openReaderBeside(open, inputs, bands) : null;
  }

  /**
   * Validates everything (model against its file, inputs, area), records the run and its chunks in the ledger,
   * and starts it. Resolves with the run id once it is running; anything wrong is refused before that.
   */
  async startRun(request: StartRunParams): Promise<number> {
    const outputStore = outputStoreOf(request);
    const requested = request.model ?? AUTO_MODEL;
    const provider = request.provider ?? 'auto';
    let predictor: ChipPredictor | null = null;
    let source: AlignedPairSource | null = null;
    let reader: PendingReader | null = null;
    // The worker's modules and ONNX Runtime load while the pair opens.
    if (!this.deps.startPredictor) InferenceWorker.prestart();
    try {
      let cardPath: string;
      let modelReason: string | null = null;
      let choiceWarnings: string[];
      if (requested === AUTO_MODEL) {
        // The pair's pixel size decides the model, so the pair opens first, with the RGB bands every shipped
        // model reads; it is reopened only for a chosen model that reads other bands.
        source = await this.deps.openPair(request.inputs, { bands: PROBE_BANDS });
        const choice = runModelChoice(AUTO_MODEL, this.deps.modelDirs, gridPixelSizeM(source.grid));
        cardPath = choice.cardPath;
        modelReason = choice.reason;
        choiceWarnings = choice.warnings;
        if (choice.card.bands.join() !== PROBE_BANDS.join()) {
          const probe = source;
          source = null;
          await probe.close();
          source = await this.deps.openPair(request.inputs, { bands: choice.card.bands });
        }
        reader = this.readerBeside(request.inputs, choice.card.bands, source.grid, request.engine);
        predictor = await this.startPredictor(cardPath, provider, request.threads);
      } else {
        cardPath = resolveModel(requested, this.deps.modelDirs, 'change-detection');
        predictor = await this.startPredictor(cardPath, provider, request.threads);
        source = await this.deps.openPair(request.inputs, { bands: predictor.info.bandRoles });
        reader = this.readerBeside(request.inputs, predictor.info.bandRoles, source.grid, request.engine);
        const warning = gsdRangeWarning(
          { name: predictor.info.name, gsdRangeM: predictor.info.gsdRangeM },
          gridPixelSizeM(source.grid),
        );
        choiceWarnings = warning ? [warning] : [];
      }
      source = clipToArea(source, request.aoi);
      const info = predictor.info;
      if (source.bands < info.bands) {
        throw new ChangeMapError(
          'RUN_BANDS_MISSING',
          `The model ${info.name} needs ${info.bands} bands; the imagery has ${source.bands}.`,
        );
      }
      const budget = request.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
      // The overlap the model was made with (an eighth of its card's chip) whatever chip size the run picks.
      const overlap = request.overlap ?? Math.max(1, Math.round(info.chipSize / 8));
      const chip = runChipSize(info, source.grid, overlap, budget, request.chipSize);
      const chunkSize = request.chunkSize
        ? normaliseChunkSize(request.chunkSize)
        : request.engine
          ? scaleOutChunkSize(source.bands, chip)
          : // Half the budget: the other half holds a batch (a quarter) and what the chunk formula leaves out
            // (decoding and alignment buffers, ONNX Runtime's arena); with 3/4 a 1 GiB budget peaked at 1.3 GiB.
            // Smaller chunks cost little since neighbouring chunks share their border chips.
            chunkSizeForBudget(budget * 0.5, source.bands, chip);
      if (!(overlap >= 0 && overlap < chip)) {
        throw new ChangeMapError(
          'RUN_BAD_OVERLAP',
          `The chip overlap must be between 0 and ${chip - 1} pixels.`,
        );
      }
      const params: RunParams = {
        inputs: request.inputs,
        aoi: request.aoi ?? null,
        modelCardPath: cardPath,
        grid: source.grid,
        bands: source.bands,
        chunkSize,
        chipSize: chip,
        overlap,
        batchSize:
          request.batchSize ??
          (isGpuProvider(info.providerUsed)
            ? // On a GPU the batch lives in the device's memory, not the host's.
              deviceBatchSize(
                (this.deps.freeDeviceMemory ?? freeDeviceMemory)(info.providerUsed),
                info.bands,
                chip,
              )
            : batchSizeForBudget(budget * 0.25, info.bands, chip)),
        threads: request.threads ?? null,
        fingerprints: await fingerprintInputs(request.inputs),
        encoding: 'uint8-254',
      };
      // The layout (and model file) to run with where it differs from the first predictor's: measured, or asked for.
      let wanted: (SessionLayout & { variantFile?: string }) | null = null;
      if (request.threads === undefined && request.sessions === undefined) {
        wanted = await this.calibratedSetup(
          cardPath,
          provider,
          predictor,
          source.grid,
          { chip, batch: params.batchSize },
          // Half the budget: the batch's quarter and the quarter the chunk formula leaves ONNX Runtime.
          sessionsForBudget(budget * 0.5, info.bands, chip, params.batchSize),
        );
        params.threads = wanted?.threads ?? null;
      } else if (request.sessions !== undefined && request.sessions > 1) {
        // Asked for sessions but not threads: the cores split between them.
        const threads = request.threads ?? Math.max(1, Math.floor(availableParallelism() / request.sessions));
        wanted = { sessions: request.sessions, threads };
        params.threads = threads;
      }
      if (
        wanted !== null &&
        (wanted.threads !== predictor.info.threads || wanted.sessions > 1 || wanted.variantFile !== undefined)
      ) {
        await predictor.terminate();
        predictor = null;
        predictor = await this.startPredictor(
          cardPath,
          provider,
          wanted.threads,
          wanted.variantFile,
          wanted.sessions,
        );
      }
      if (wanted && wanted.sessions > 1) params.sessions = wanted.sessions;
      if (wanted?.variantFile) params.variantFile = wanted.variantFile;
      const plan = planChunks(source.grid.width, source.grid.height, chunkSize);
      const runId = this.ledger.create({
        modelName: info.name,
        modelVersion: info.version,
        // The file the run's predictor holds: a variant's when the calibration chose one.
        modelSha256: predictor.info.sha256,
        modelRequested: requested,
        modelReason,
        providerRequested: provider,
        params,
        dates: request.dates,
        warnings: choiceWarnings,
        chunks: plan.chunks,
      });
      await this.launch(runId, predictor, source, false, request.engine, outputStore, reader);
      return runId;
    } catch (error) {
      await predictor?.terminate();
      await reader?.close();
      await source?.close();
      throw error;
    }
  }

  /**
   * The thread count and model file measured for this machine, model and provider: the full-precision file and
   * each variant whose recorded accuracy keeps the bar (core/models/modelVariants.ts) are calibrated like threads
   * (kept from an earlier calibration, or measured now for a large scene) at the run's chip edge and batch (a file
   * that is faster on 256-px chips was slower on 656-px ones), and the fastest is taken. Null when
   * there is nothing to calibrate (no cache, a GPU provider, a small scene with no calibration yet): the predictor
   * keeps its default (every core, full precision).
   */
  private async calibratedSetup(
    cardPath: string,
    provider: ProviderRequest,
    predictor: ChipPredictor,
    grid: { width: number; height: number },
    workload: { chip: number; batch: number },
    /** Most sessions side by side the run's memory holds. */
    maxSessions: number,
  ): Promise<(SessionLayout & { variantFile?: string }) | null> {
    const cache = this.deps.calibration;
    const info = predictor.info;
    if (!cache || info.providerUsed !== 'cpu') return null;
    const mayMeasure = grid.width * grid.height >= (this.deps.calibrateFromPixels ?? CALIBRATE_FROM_PIXELS);
    const calibrated = async (sha256: string, variantFile?: string): Promise<ThreadCalibration | null> => {
      const ortVersion = this.deps.ortVersion ?? onnxRuntimeVersion();
      const key = calibrationKey(sha256, info.providerUsed, ortVersion, workload);
      const kept = cache.get(key);
      if (kept && !calibrationStale(kept)) return kept;
      if (!mayMeasure) return null;
      const calibration = await calibrateThreads(layoutCandidates(availableParallelism()), (layout) =>
        this.measureBareModel(cardPath, 'cpu', layout, info.bands, workload, variantFile),
      );
      await cache.set(key, calibration);
      return calibration;
    };
    const full = await calibrated(info.sha256);
    if (!full) return null;
    const card = (() => {
      try {
        return readModelCard(cardPath);
      } catch {
        return null; // a predictor without a card on disk (tests) has no variants
      }
    })();
    const fastest = (c: ThreadCalibration) => fastestLayoutWithin(c, maxSessions);
    if (!card || eligibleVariants(card).length === 0) return fastest(full).layout;
    const byFile: Record<string, ThreadCalibration> = { [card.file]: full };
    for (const variant of eligibleVariants(card)) {
      // A variant that fails to load here (its self-test differs on this CPU) is simply not a candidate.
      const measured = await calibrated(variant.sha256, variant.file).catch(() => null);
      if (measured) byFile[variant.file] = measured;
    }
    const rates = Object.fromEntries(
      Object.entries(byFile).map(([file, c]) => [file, fastest(c).chipMpxPerS]),
    );
    const choice = chooseModelFile(card, rates);
    return choice.precision === 'full'
      ? fastest(full).layout
      : { ...fastest(byFile[choice.file]).layout, variantFile: choice.file };
  }

  /**
   * chip-Mpx/s of the bare model in `layout`: batches of the run's chips for CALIBRATION_SECONDS, one out to each
   * session at a time.
   */
  private async measureBareModel(
    cardPath: string,
    provider: ProviderRequest,
    { sessions, threads }: SessionLayout,
    bands: number,
    { chip, batch }: { chip: number; batch: number },
    variantFile?: string,
  ): Promise<number> {
    const predictor = await this.startPredictor(cardPath, provider, threads, variantFile, sessions);
    try {
      const base = new Float32Array(batch * bands * chip * chip).map((_, i) => Math.sin(i * 0.01));
      const each = Array.from({ length: sessions });
      // Warm-up: every session's arena grows here.
      await Promise.all(each.map(() => predictor.predict(base.slice(), base.slice(), batch)));
      let chips = 0;
      const started = performance.now();
      const timed = () => performance.now() - started < CALIBRATION_SECONDS * 1000 || chips === 0;
      await Promise.all(
        each.map(async () => {
          while (timed()) {
            await predictor.predict(base.slice(), base.slice(), batch);
            chips += batch;
          }
        }),
      );
      return (chips * chip * chip) / 1e6 / ((performance.now() - started) / 1000);
    } finally {
      await predictor.terminate();
    }
  }

  /**
   * Resumes a cancelled, failed or interrupted run: finished chunks are kept, the rest computed (by the workers of
   * `engine` where one is given, whichever way the run started: the results are the same).
   */
  async resumeRun(
    runId: number,
    options: { engine?: string; output?: string; s3Endpoint?: string } = {},
  ): Promise<void> {
    const outputStore = outputStoreOf(options);
    const run = this.ledger.get(runId);
    if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
    if (this.active.has(runId))
      throw new ChangeMapError('RUN_ALREADY_RUNNING', `Run ${runId} is already running.`);
    if (run.status === 'done')
      throw new ChangeMapError('RUN_ALREADY_DONE', `Run ${runId} has already finished.`);
    const { params } = run;
    const predictor = await this.startPredictor(
      params.modelCardPath,
      run.providerRequested,
      params.threads ?? undefined,
      params.variantFile,
      params.sessions,
    );
    let source: AlignedPairSource | null = null;
    let reader: PendingReader | null = null;
    try {
      if (predictor.info.sha256 !== run.modelSha256) {
        throw new ChangeMapError(
          'RUN_MODEL_CHANGED',
          `The model file of run ${runId} has changed since it started; start a new run.`,
        );
      }
      const fingerprints = await fingerprintInputs(params.inputs).catch(() => null);
      if (!fingerprints || fingerprints.join('\n') !== params.fingerprints.join('\n')) {
        throw new ChangeMapError(
          'RUN_INPUTS_CHANGED',
          `The imagery of run ${runId} has changed or moved since it started; start a new run.`,
        );
      }
      source = clipToArea(
        await this.deps.openPair(params.inputs, { bands: predictor.info.bandRoles }),
        params.aoi,
      );
      if (source.grid.width !== params.grid.width || source.grid.height !== params.grid.height) {
        throw new ChangeMapError(
          'RUN_INPUTS_CHANGED',
          `The imagery of run ${runId} no longer gives the same analysis grid.`,
        );
      }
      // Only once the imagery is known to be the run's: no thread started for a resume that is refused.
      reader = this.readerBeside(params.inputs, predictor.info.bandRoles, source.grid, options.engine);
      await this.launch(runId, predictor, source, true, options.engine, outputStore, reader);
    } catch (error) {
      await predictor.terminate();
      await reader?.close();
      await source?.close();
      throw error;
    }
  }

  /** Stops a run within moments (the batch in flight is abandoned); resolves once the ledger says cancelled. */
  async cancelRun(runId: number): Promise<void> {
    const active = this.active.get(runId);
    if (!active) {
      const run = this.ledger.get(runId);
      if (run && (run.status === 'running' || run.status === 'pending'))
        this.ledger.finish(runId, 'cancelled');
      return;
    }
    active.controller.abort();
    await active.predictor.terminate();
    await active.settled;
  }

  /** Resolves when the run stops (done, failed or cancelled), with its final record. */
  async whenSettled(runId: number): Promise<RunRecord> {
    await this.active.get(runId)?.settled;
    return this.getRun(runId)!;
  }

  /** Cancels every active run (project closing). */
  async close(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.cancelRun(id)));
  }

  private async launch(
    runId: number,
    predictor: ChipPredictor,
    source: AlignedPairSource,
    resumed: boolean,
    engine?: string,
    outputStore?: OutputStoreChoice,
    reader: PendingReader | null = null,
  ): Promise<void> {
    const folder = this.runFolder(runId);
    await mkdir(folder, { recursive: true });
    // Checked before the ledger says running, so a bad address is a refusal, not a failed run.
    const scaleout = engine ? await import('../scaleout/coordinator') : null;
    if (engine) (await import('../scaleout/engineConnection')).parseEngineUrl(engine);
    const info = predictor.info;
    this.ledger.begin(runId, info.providerUsed, info.warnings);
    const run = this.ledger.get(runId)!;
    // The pair on a reading thread, where it opened and reads what `source` does (else the engine reads here).
    const reads = (await reader?.take(source, run.params.aoi)) ?? source;
    const controller = new AbortController();
    const relativeProbability = path.join('runs', String(runId), 'probability.tif');
    const common = {
      run,
      ledger: this.ledger,
      store: new ChunkStore(path.join(folder, 'chunks'), this.deps.chunkFileOps),
      probabilityPath: path.join(this.deps.dataDir, relativeProbability),
      signal: controller.signal,
      emit: (e: RunEvent) => this.emit(e),
      resumed,
    };
    // The model and imagery are let go once: early on a scale-out run, at the end otherwise (a second close of a
    // GeoTIFF once shut a descriptor the process had reused for a socket).
    let released: Promise<void> | null = null;
    const release = () =>
      (released ??= Promise.all([
        predictor.terminate().catch(() => undefined),
        source.close().catch(() => undefined),
        reader?.close().catch(() => undefined),
      ]).then(() => undefined));
    const execution =
      scaleout && engine
        ? // The workers compute the chunks: this process only queues, adopts and assembles, so its model and
          // imagery are let go at once (the lazy import keeps BullMQ out of every local run).
          release().then(() =>
            scaleout.executeScaleoutRun({
              ...common,
              engine,
              dataDir: this.deps.dataDir,
              version: this.deps.version ?? packageVersion(),
              providerUsed: info.providerUsed,
              outputStore,
            }),
          )
        : executeRun({ ...common, source: reads, predictor });
    const settled = execution
      .then((stats) => {
        this.ledger.finish(runId, 'done', { probabilityPath: relativeProbability });
        this.emit({
          type: 'run:done',
          runId,
          probabilityPath: path.join(this.deps.dataDir, relativeProbability),
          seconds: stats.wallMs / 1000,
          stats,
          warnings: this.ledger.get(runId)?.warnings ?? [],
        });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) {
          this.ledger.finish(runId, 'cancelled');
          this.emit({ type: 'run:cancelled', runId });
          return;
        }
        const code = isChangeMapError(error) ? error.code : 'RUN_FAILED';
        const message = isChangeMapError(error)
          ? error.message
          : `The run failed: ${(error as Error)?.message ?? error}`;
        try {
          this.ledger.finish(runId, 'failed', { error: message });
        } catch {
          // The project file itself cannot be written (full disk); the event still tells the user why.
        }
        this.emit({ type: 'run:failed', runId, code, message });
      })
      .finally(async () => {
        this.active.delete(runId);
        await release();
      });
    this.active.set(runId, { controller, predictor, settled });
  }
}
