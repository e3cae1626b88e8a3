// Executes one run: for each chunk not yet done, read it (with the halo its chips need) while the previous one
// is still being predicted, cut chips, predict them in batches with one batch always queued at the provider,
// blend, store the chunk durably, then mark it done in the ledger. When all chunks are done, assemble the
// probability GeoTIFF from the stored chunks.
import { rename, rm } from 'node:fs/promises';
import { ChangeMapError, isChangeMapError } from '../../core/errors';
import type { AlignedChunk, AlignedPairSource, GridSpec, PixelWindow } from '../../core/raster/types';
import {
  addChip,
  chipWeights,
  createBlendTarget,
  finishBlend,
  PROBABILITY_NODATA,
} from '../../core/tiling/blend';
import { chipKey, planChipSharing, type ChunkChipWork } from '../../core/tiling/chipSharing';
import { copyChip, markNonFiniteInvalid, normaliseWindowInPlace } from '../../core/tiling/chips';
import type { ChipPredictor } from '../inference/chipPredictor';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import type { ChunkStore } from './chunkStore';
import type { RunProgress } from '../../ipc/contract';
import type { RunEvent, RunStats } from './runEvents';
import type { RunLedger } from './runLedger';
import type { RunParams, RunRecord } from './runTypes';

export interface EngineContext {
  run: RunRecord;
  ledger: RunLedger;
  store: ChunkStore;
  source: AlignedPairSource;
  predictor: ChipPredictor;
  probabilityPath: string;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
  resumed: boolean;
}

/** Square kilometres per pixel of a metric grid; null for degrees or pixels (not worth guessing). */
function squareKilometresPerPixel(grid: GridSpec): number | null {
  const gt = grid.geoTransform;
  return grid.crs.units === 'm' ? Math.abs(gt[1] * gt[5] - gt[2] * gt[4]) / 1e6 : null;
}

export function emptyStats(): RunStats {
  return {
    wallMs: 0,
    readMs: 0,
    prepareMs: 0,
    inferenceMs: 0,
    writeMs: 0,
    assembleMs: 0,
    pixels: 0,
    chipPixels: 0,
    chunksComputed: 0,
  };
}

/**
 * Memory for chip outputs kept for the next chunks: enough for a row of chips across a seed-sized scene (58
 * chips of 784 px across 43,590 px: 136 MiB), so the chips a row of chunks shares with the next are computed once
 * (with 64 MiB a 20000² scene's chips covered it 1.43x instead of 1.08x). Wider scenes compute the excess chips
 * twice rather than grow.
 */
const KEPT_CHIPS_BYTES = 160 * 2 ** 20;

/** Chip outputs kept for later chunks of this pass that touch the same chips, with how many still need them. */
type KeptChips = Map<string, { probability: Float32Array; uses: number }>;

/** What computing one chunk needs: the run's settings, the predictor and the cancel signal. */
export type ChunkComputeContext = Pick<EngineContext, 'predictor' | 'signal'> & {
  run: { params: RunParams };
};

/**
 * Cuts, predicts and blends one chunk: chips an earlier chunk kept are blended from memory, the rest computed in
 * batches, one batch always queued at the provider while the next is cut and the last blended.
 *
 * Chips are blended in the order of the chunk's chip list (the global lattice's order) whichever computed them:
 * float sums depend on their order, and a fixed order makes a chunk's bytes the same whether its neighbours
 * shared chips with it (a local run) or it computed every chip itself (a scale-out worker).
 */
async function computeChunk(
  ctx: ChunkComputeContext,
  chunk: PixelWindow,
  work: ChunkChipWork,
  input: AlignedChunk,
  weights: Float32Array,
  kept: KeptChips,
  stats: RunStats,
  onBatch: (chipsDone: number, chipsTotal: number) => void,
  afterFirstBatches: () => void,
): Promise<Uint8Array> {
  const { params } = ctx.run;
  const { chipSize: chip, batchSize } = params;
  const info = ctx.predictor.info;
  const bands = info.bands;
  const target = createBlendTarget(chunk);
  const norm = { mean: info.mean, std: info.std, fill: info.fill };
  const plane = bands * chip * chip;
  const chipPlane = chip * chip;
  const chips: { x: number; y: number; laterUses: number; order: number }[] = [];
  let t = performance.now();
  // NaN/Inf in either date makes the pixel invalid in both before either is normalised: the model then sees the
  // card's fill there, and the output is nodata (the pair source already masks them; this holds for any source).
  markNonFiniteInvalid(input.before, bands, input.valid);
  markNonFiniteInvalid(input.after, bands, input.valid);
  // Once per read pixel rather than per chip pixel (chips overlap, and are cut for both dates).
  normaliseWindowInPlace(input.before, input.valid, bands, norm);
  normaliseWindowInPlace(input.after, input.valid, bands, norm);
  work.chips.forEach(([x, y], k) => {
    if (work.computes[k]) chips.push({ x, y, laterUses: work.laterUses[k], order: k });
  });
  // Computed chips whose batch has answered, by their place in work.chips, until the blend reaches them.
  const answered = new Map<number, { probability: Float32Array; offset: number }>();
  let nextToBlend = 0;
  const blendInOrder = () => {
    for (; nextToBlend < work.chips.length; nextToBlend++) {
      const [x, y] = work.chips[nextToBlend];
      if (work.computes[nextToBlend]) {
        const out = answered.get(nextToBlend);
        if (!out) return;
        answered.delete(nextToBlend);
        addChip(target, out.probability, out.offset, x, y, chip, weights);
        continue;
      }
      const key = chipKey(x, y);
      const held = kept.get(key);
      if (!held) throw new Error(`Chip ${key} should have been kept by an earlier chunk.`);
      addChip(target, held.probability, 0, x, y, chip, weights);
      if (--held.uses === 0) kept.delete(key);
    }
  };
  blendInOrder();
  stats.prepareMs += performance.now() - t;
  type Batch = { result: Promise<Float32Array>; chips: typeof chips };
  let inflight: Batch | null = null;
  let submitted = 0;
  const blend = async (batch: Batch) => {
    const probability = await batch.result;
    const t = performance.now();
    batch.chips.forEach(({ x, y, laterUses, order }, k) => {
      answered.set(order, { probability, offset: k * chipPlane });
      if (laterUses > 0) {
        kept.set(chipKey(x, y), {
          probability: probability.slice(k * chipPlane, (k + 1) * chipPlane),
          uses: laterUses,
        });
      }
    });
    blendInOrder();
    stats.prepareMs += performance.now() - t;
  };
  for (let start = 0; start < chips.length; start += batchSize) {
    ctx.signal.throwIfAborted();
    const t = performance.now();
    const batchChips = chips.slice(start, start + batchSize);
    const before = new Float32Array(batchChips.length * plane);
    const after = new Float32Array(batchChips.length * plane);
    batchChips.forEach(({ x, y }, k) => {
      copyChip(before, k, input.before, input.window, bands, x, y, chip, norm);
      copyChip(after, k, input.after, input.window, bands, x, y, chip, norm);
    });
    stats.prepareMs += performance.now() - t;
    stats.chipPixels += batchChips.length * chipPlane;
    const result = ctx.predictor.predict(before, after, batchChips.length);
    // A rejection is handled where the batch is awaited; this only stops Node reporting it as unhandled first.
    result.catch(() => undefined);
    submitted++;
    if (inflight) {
      await blend(inflight);
      onBatch(start, chips.length);
    }
    inflight = { result, chips: batchChips };
    if (submitted === 2 || start + batchSize >= chips.length) afterFirstBatches();
  }
  if (chips.length === 0) afterFirstBatches();
  if (inflight) await blend(inflight);
  ctx.signal.throwIfAborted();
  if (nextToBlend !== work.chips.length) throw new Error('A chip of the chunk was never blended.');
  t = performance.now();
  const out = finishBlend(target, input.valid, input.window);
  stats.prepareMs += performance.now() - t;
  return out;
}

/** Invalid pixels are counted in the run's warnings, so a planner knows where the run could not look. */
function nodataWarning(pixels: number, params: RunParams): string {
  const share = (100 * pixels) / (params.grid.width * params.grid.height);
  return (
    `${pixels.toLocaleString('en')} pixels (${share < 0.1 ? share.toPrecision(1) : share.toFixed(1)}% of the area) ` +
    'have no probability (nodata): invalid in one or both dates (nodata, NaN or infinite values) or outside the area of interest.'
  );
}

/** Assembles the probability GeoTIFF from the stored chunks; written under a temporary name, then renamed. */
export async function assemble(
  ctx: Pick<EngineContext, 'run' | 'ledger' | 'store' | 'probabilityPath' | 'signal'>,
  params: RunParams,
): Promise<void> {
  const temporary = `${ctx.probabilityPath}.partial`;
  const writer = await createGeoTiffWriter(temporary, {
    width: params.grid.width,
    height: params.grid.height,
    bands: 1,
    sampleType: 'uint8',
    grid: params.grid,
    nodata: PROBABILITY_NODATA,
    tileSize: 256,
    compression: 'deflate',
    overviews: true,
    overviewResampling: 'nearest',
  });
  let nodataPixels = 0;
  try {
    for (const chunk of ctx.run.chunks) {
      ctx.signal.throwIfAborted();
      const stored = await ctx.store.read(chunk.idx, chunk.window);
      if (!stored) {
        throw new ChangeMapError(
          'RUN_CHUNK_MISSING',
          `The stored result of chunk ${chunk.idx} is missing or damaged; resume the run to compute it again.`,
        );
      }
      for (const v of stored.data) if (v === PROBABILITY_NODATA) nodataPixels++;
      await writer.writeWindow(stored.window, stored.data);
    }
    await writer.close();
    await rename(temporary, ctx.probabilityPath);
    if (nodataPixels > 0) ctx.ledger.addWarnings(ctx.run.id, [nodataWarning(nodataPixels, params)]);
  } catch (error) {
    await writer.abort().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Chunks a killed process (or a scale-out worker) finished but did not get to record are adopted, not computed
 * again: an intact chunk file is a finished chunk. Chunks the ledger says are done but whose file is damaged or gone
 * go back to waiting (else the run could never be assembled), with a warning. Updates `run` in place.
 */
export async function adoptStoredChunks(run: RunRecord, ledger: RunLedger, store: ChunkStore): Promise<void> {
  const redone: number[] = [];
  for (const chunk of run.chunks) {
    const intact = await store.isIntact(chunk.idx, chunk.window);
    if (chunk.state !== 'done' && intact) {
      ledger.chunkDone(run.id, chunk.idx, null);
      chunk.state = 'done';
      chunk.computedCount++;
    } else if (chunk.state === 'done' && !intact) {
      ledger.chunkRedo(run.id, chunk.idx, 'Its stored result was damaged or missing.');
      chunk.state = 'waiting';
      redone.push(chunk.idx);
    }
  }
  if (redone.length > 0) {
    const warning = `The stored results of ${redone.length} finished chunk(s) (${redone.join(', ')}) were damaged or missing and were computed again.`;
    ledger.addWarnings(run.id, [warning]);
    run.warnings = [...run.warnings, warning];
  }
}

/**
 * A run's progress events: done pixels and chunks, Mpx/s over this session's computed pixels (across every worker
 * of a scale-out run), time left. `due()` says whether a partial report is worth sending (at most 4 a second).
 */
export function runProgress(
  run: RunRecord,
  emit: (event: RunEvent) => void,
  providerUsed: RunProgress['providerUsed'],
  started: number,
) {
  const total = run.chunks.length;
  const totalPixels = run.params.grid.width * run.params.grid.height;
  const km2PerPixel = squareKilometresPerPixel(run.params.grid);
  const done = run.chunks.filter((c) => c.state === 'done');
  let donePixels = done.reduce((a, c) => a + c.window.width * c.window.height, 0);
  let chunksDone = done.length;
  let sessionPixels = 0;
  let lastProgress = 0;
  const report = (partialPixels = 0) => {
    const elapsed = (performance.now() - started) / 1000;
    const px = sessionPixels + partialPixels;
    const rate = elapsed > 0 ? px / elapsed : 0;
    const left = totalPixels - donePixels - partialPixels;
    lastProgress = performance.now();
    emit({
      type: 'run:progress',
      runId: run.id,
      chunksDone,
      chunksTotal: total,
      fraction: (donePixels + partialPixels) / totalPixels,
      megapixelsPerSecond: rate / 1e6,
      squareKilometresPerSecond: km2PerPixel === null ? null : rate * km2PerPixel,
      secondsLeft: rate > 0 ? left / rate : null,
      providerUsed,
    });
  };
  return {
    report,
    due: () => performance.now() - lastProgress > 250,
    chunkDone(pixels: number) {
      chunksDone++;
      donePixels += pixels;
      sessionPixels += pixels;
    },
  };
}

/**
 * Computes one chunk on its own (a scale-out worker's job): every chip touching it, read with the halo they need,
 * blended in lattice order, so its bytes equal the same chunk of a local run of the whole grid.
 */
export async function computeStandaloneChunk(
  ctx: ChunkComputeContext & { source: AlignedPairSource },
  chunk: PixelWindow,
  stats: RunStats = emptyStats(),
): Promise<Uint8Array> {
  const { params } = ctx.run;
  const [work] = planChipSharing(
    [chunk],
    params.grid.width,
    params.grid.height,
    params.chipSize,
    params.chipSize - params.overlap,
  );
  const t = performance.now();
  const input = await ctx.source.read(work.read, ctx.signal);
  stats.readMs += performance.now() - t;
  return computeChunk(
    ctx,
    chunk,
    work,
    input,
    chipWeights(params.chipSize),
    new Map(),
    stats,
    () => undefined,
    () => undefined,
  );
}

/** Runs the chunks still to do, then assembles. Resolves with stats; rejects on cancel (AbortError) or failure. */
export async function executeRun(ctx: EngineContext): Promise<RunStats> {
  const { run, ledger, store, source, predictor, emit, signal } = ctx;
  const { params } = run;
  const stats = emptyStats();
  const started = performance.now();
  const weights = chipWeights(params.chipSize);
  const providerUsed = predictor.info.providerUsed;
  const busyAtStart = predictor.busyMillis;

  await adoptStoredChunks(run, ledger, store);
  const todo = run.chunks.filter((c) => c.state !== 'done');
  const tracker = runProgress(run, emit, providerUsed, started);
  const progress = tracker.report;
  emit({
    type: 'run:started',
    runId: run.id,
    grid: params.grid,
    chunks: run.chunks.map((c) => ({ idx: c.idx, window: c.window, state: c.state })),
    providerUsed,
    warnings: run.warnings,
    resumed: ctx.resumed,
  });
  progress();

  // Chips touching two chunks are computed by the first and kept for the second (see chipSharing).
  const work = planChipSharing(
    todo.map((c) => c.window),
    params.grid.width,
    params.grid.height,
    params.chipSize,
    params.chipSize - params.overlap,
    Math.floor(KEPT_CHIPS_BYTES / (4 * params.chipSize * params.chipSize)),
  );
  const kept: KeptChips = new Map();
  const readChunk = (i: number) => {
    const { read } = work[i];
    const t = performance.now();
    const promise = source.read(read, signal).then((input) => {
      stats.readMs += performance.now() - t;
      return input;
    });
    promise.catch(() => undefined);
    return promise;
  };

  let pendingWrite: Promise<void> = Promise.resolve();
  let next = todo.length > 0 ? readChunk(0) : null;
  let current = -1;
  let failedWrite = -1;
  try {
    for (let i = 0; i < todo.length; i++) {
      const chunk = todo[i];
      current = chunk.idx;
      const input = await next!;
      next = null;
      signal.throwIfAborted();
      const t0 = performance.now();
      ledger.chunkRunning(run.id, chunk.idx);
      emit({ type: 'run:chunk', runId: run.id, idx: chunk.idx, window: chunk.window, state: 'running' });
      const chunkPixels = chunk.window.width * chunk.window.height;
      const data = await computeChunk(
        ctx,
        chunk.window,
        work[i],
        input,
        weights,
        kept,
        stats,
        (doneChips, allChips) => {
          if (tracker.due()) progress((chunkPixels * doneChips) / allChips);
        },
        () => {
          // Read ahead once the provider has work queued, so reading overlaps inference.
          if (!next && i + 1 < todo.length) next = readChunk(i + 1);
        },
      );
      // One write in flight at a time: the next chunk is computed while this one is compressed and stored.
      await pendingWrite;
      pendingWrite = (async () => {
        const t = performance.now();
        let chunkPath: string;
        try {
          chunkPath = await store.write({ idx: chunk.idx, window: chunk.window, data });
        } catch (error) {
          failedWrite = chunk.idx;
          ledger.chunkFailed(run.id, chunk.idx, isChangeMapError(error) ? error.message : String(error));
          throw error;
        }
        stats.writeMs += performance.now() - t;
        const millis = performance.now() - t0;
        ledger.chunkDone(run.id, chunk.idx, millis);
        tracker.chunkDone(chunkPixels);
        stats.pixels += chunkPixels;
        stats.chunksComputed++;
        emit({
          type: 'run:chunk',
          runId: run.id,
          idx: chunk.idx,
          window: chunk.window,
          state: 'done',
          chunkPath,
          millis,
        });
        progress();
      })();
      pendingWrite.catch(() => undefined);
    }
    await pendingWrite;
    current = -1;
    const t = performance.now();
    await assemble(ctx, params);
    stats.assembleMs = performance.now() - t;
  } catch (error) {
    // A chunk interrupted by cancel goes back to waiting; one that failed says why.
    await pendingWrite.catch(() => undefined);
    if (current >= 0 && current !== failedWrite) {
      if (signal.aborted || failedWrite >= 0) ledger.chunkWaiting(run.id, current);
      else ledger.chunkFailed(run.id, current, isChangeMapError(error) ? error.message : String(error));
    }
    throw error;
  } finally {
    stats.wallMs = performance.now() - started;
    stats.inferenceMs = predictor.busyMillis - busyAtStart;
  }
  return stats;
}
