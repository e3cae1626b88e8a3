// Executes one run: for each chunk not yet done, read it (with the halo its chips need) while the previous one
// is still being predicted, cut chips and predict them in batches with one batch always queued at the provider,
// across chunk borders (chipPipeline.ts), blend, store the chunk durably, then mark it done in the ledger. When
// all chunks are done, finish the probability GeoTIFF, fed each chunk as it was stored (probabilityAssembly.ts).
import { isChangeMapError } from '../../core/errors';
import type { AlignedPairSource, GridSpec, PixelWindow } from '../../core/raster/types';
import { SparePool } from '../../core/raster/sparePool';
import { chipWeights } from '../../core/tiling/blend';
import { planChipSharing } from '../../core/tiling/chipSharing';
import type { ChipPredictor } from '../inference/chipPredictor';
import { ChipPipeline, type ChunkInProgress, type ChunkShape } from './chipPipeline';
import { makeReadPlanes, readForChips, type ChipRead, type ReadPlanes } from './chipReads';
import { ProbabilityAssembly } from './probabilityAssembly';
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

/** What computing one chunk needs: the run's settings, the predictor and the cancel signal. */
export type ChunkComputeContext = Pick<EngineContext, 'predictor' | 'signal'> & {
  run: { params: RunParams };
};

function chunkShape(ctx: ChunkComputeContext): ChunkShape {
  const info = ctx.predictor.info;
  const chip = ctx.run.params.chipSize;
  const { chunkSize } = ctx.run.params;
  return {
    chip,
    chunkPixels: chunkSize * chunkSize,
    bands: info.bands,
    weights: chipWeights(chip),
    norm: { mean: info.mean, std: info.std, fill: info.fill },
  };
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
  let t = performance.now();
  const shape = chunkShape(ctx);
  // Alone, a chunk computes every chip touching it, so it always has a read.
  const input =
    work.read && (await readForChips(ctx.source, work.read, { signal: ctx.signal, normalise: shape.norm }));
  stats.readMs += performance.now() - t;
  let data: Uint8Array | null = null;
  const pipeline = new ChipPipeline(ctx.predictor, shape, params.batchSize, stats, ctx.signal, (c) => {
    t = performance.now();
    data = c.finish();
    stats.prepareMs += performance.now() - t;
  });
  await pipeline.feed(
    pipeline.openChunk(0, chunk, work, input),
    () => undefined,
    () => undefined,
  );
  await pipeline.drain();
  return data!;
}

/** Runs the chunks still to do, then assembles. Resolves with stats; rejects on cancel (AbortError) or failure. */
export async function executeRun(ctx: EngineContext): Promise<RunStats> {
  const { run, ledger, store, source, predictor, emit, signal } = ctx;
  const { params } = run;
  const stats = emptyStats();
  const shape = chunkShape(ctx);
  const started = performance.now();
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
  // Planes of chunks whose chips are all cut, for the next reads to fill: two alternate in a long run (one read
  // ahead, one being cut). Two are kept: a chunk that reads nothing (its chips all computed by earlier chunks) hands
  // both back before the next read, and keeping one made a fresh pair at every row of chunks (166 MiB of fresh
  // pages a 5000² run). No more than two pairs are ever made, held and kept together, as one is made only when none
  // is kept. Each pair holds the run's largest read, so a spare one always fits:
  // sized to its own read, a pair from a narrower chunk could not take a wider one, and most reads scaled into
  // fresh zero-filled pages (2.0-2.3 ns a sample instead of 0.5; 1.1 s over a 5000² bench's two runs).
  const planeLength =
    work.reduce((most, w) => Math.max(most, w.read ? w.read.width * w.read.height : 0), 0) * source.bands;
  const sparePlanes = new SparePool<ReadPlanes>(2, (p) => [p.before, p.after]);
  const readChunk = (i: number): Promise<ChipRead | null> => {
    const { read } = work[i];
    // A chunk whose chips earlier chunks all computed reads nothing: their outputs carry its validity.
    if (!read) return Promise.resolve(null);
    const reuse = sparePlanes.takeOrMake(planeLength, () => makeReadPlanes(source, planeLength));
    const t = performance.now();
    const promise = readForChips(source, read, { signal, reuse, normalise: shape.norm }).then((input) => {
      stats.readMs += performance.now() - t;
      return input;
    });
    promise.catch(() => undefined);
    return promise;
  };

  // Chunks marked running in the ledger and not yet done, with when they started.
  const unfinished = new Map<number, number>();
  // Blended chunks are compressed and stored one at a time, in order, while the next chunks are computed.
  let writes: Promise<void> = Promise.resolve();
  const queuedWrites: Promise<void>[] = [];
  let failedWrite = -1;
  const storeChunk = (chunk: ChunkInProgress) => {
    let t = performance.now();
    const data = chunk.finish();
    stats.prepareMs += performance.now() - t;
    const { idx, window } = chunk;
    writes = writes.then(async () => {
      t = performance.now();
      let chunkPath: string;
      try {
        chunkPath = await store.write({ idx, window, data });
      } catch (error) {
        failedWrite = idx;
        unfinished.delete(idx);
        ledger.chunkFailed(run.id, idx, isChangeMapError(error) ? error.message : String(error));
        throw error;
      }
      stats.writeMs += performance.now() - t;
      const millis = performance.now() - (unfinished.get(idx) ?? t);
      unfinished.delete(idx);
      ledger.chunkDone(run.id, idx, millis);
      tracker.chunkDone(chunk.pixels);
      stats.pixels += chunk.pixels;
      stats.chunksComputed++;
      emit({ type: 'run:chunk', runId: run.id, idx, window, state: 'done', chunkPath, millis });
      progress();
      t = performance.now();
      await assembly.add(idx, window, data);
      stats.assembleMs += performance.now() - t;
    });
    const queued = writes.finally(() => queuedWrites.splice(queuedWrites.indexOf(queued), 1));
    queued.catch(() => undefined);
    queuedWrites.push(queued);
  };
  const pipeline = new ChipPipeline(predictor, shape, params.batchSize, stats, signal, storeChunk, (planes) =>
    sparePlanes.give(planes),
  );
  const onBatch = (chunk: ChunkInProgress) => {
    if (tracker.due()) progress(chunk.pixels * chunk.fractionBlended);
  };

  let next = todo.length > 0 ? readChunk(0) : null;
  let current = -1;
  const assembly = await ProbabilityAssembly.open(ctx);
  try {
    for (let i = 0; i < todo.length; i++) {
      const chunk = todo[i];
      const input = await next!;
      next = null;
      signal.throwIfAborted();
      // A slow disk holds the computing back rather than letting blended chunks pile up in memory (and a failed
      // write stops the run here).
      if (failedWrite >= 0) await writes;
      while (queuedWrites.length > 1) await queuedWrites[0];
      current = chunk.idx;
      unfinished.set(chunk.idx, performance.now());
      ledger.chunkRunning(run.id, chunk.idx);
      emit({ type: 'run:chunk', runId: run.id, idx: chunk.idx, window: chunk.window, state: 'running' });
      await pipeline.feed(
        pipeline.openChunk(chunk.idx, chunk.window, work[i], input),
        () => {
          // Read ahead once the provider has work queued, so reading overlaps inference.
          if (!next && i + 1 < todo.length) next = readChunk(i + 1);
        },
        onBatch,
      );
    }
    await pipeline.drain(onBatch);
    await writes;
    current = -1;
    const t = performance.now();
    await assembly.finish();
    stats.assembleMs += performance.now() - t;
  } catch (error) {
    // Chunks interrupted by cancel (or by another chunk's failed write) go back to waiting; the one being
    // computed when the run failed says why.
    await writes.catch(() => undefined);
    await assembly.abort();
    for (const idx of unfinished.keys()) {
      if (signal.aborted || failedWrite >= 0 || idx !== current) ledger.chunkWaiting(run.id, idx);
      else ledger.chunkFailed(run.id, idx, isChangeMapError(error) ? error.message : String(error));
    }
    throw error;
  } finally {
    stats.wallMs = performance.now() - started;
    stats.inferenceMs = predictor.busyMillis - busyAtStart;
  }
  return stats;
}
