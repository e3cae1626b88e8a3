// Feeds the model chips of one chunk after another without letting it wait at chunk borders: one batch is always
// queued at the provider while the next is cut and the last answered one blended, and the next chunk's first
// batches are cut and queued while the previous chunk's last batch is still being computed. Before, the queue ran
// dry at every chunk (last batch awaited, blend finished, next chunk normalised, its first chip cut): on 2 cores
// the provider sat idle for a fifth of a run.
//
// Chips are blended into their chunk in the order of the chunk's chip list (the global lattice's order) whichever
// chunk computed them: float sums depend on their order, and a fixed order makes a chunk's bytes the same whether
// its neighbours shared chips with it (a local run) or it computed every chip itself (a scale-out worker).
import { SparePool } from '../../core/raster/sparePool';
import type { Normalisation, PixelWindow } from '../../core/raster/types';
import {
  addChip,
  createBlendTarget,
  finishBlend,
  maskInvalid,
  type BlendTarget,
  type ChipWeights,
} from '../../core/tiling/blend';
import { chipKey, type ChunkChipWork } from '../../core/tiling/chipSharing';
import {
  copyChip,
  cutSampleChip,
  normalisePairInPlace,
  rowsAllValid,
  type SampleDate,
} from '../../core/tiling/chips';
import { isSampleRead, type ChipRead, type ReadPlanes } from './chipReads';
import type { ChipPredictor } from '../inference/chipPredictor';
import type { RunStats } from './runEvents';

/** Chip outputs kept for later chunks of this pass that touch the same chips, with how many still need them. */
type KeptChips = Map<string, { probability: Float32Array; uses: number }>;

/** What every chunk of a run shares: chip edge, bands, blend weights and the card's normalisation. */
export interface ChunkShape {
  chip: number;
  /**
   * Pixels of the run's largest chunk: blend sums are made that large, so a spare one fits any later chunk (sized
   * to its own chunk, a sum from the narrow last column could not take the next row's first chunk).
   */
  chunkPixels: number;
  bands: number;
  weights: ChipWeights;
  norm: Normalisation;
}

interface ChipToCompute {
  x: number;
  y: number;
  /** How many later chunks blend this chip from memory (0: not kept). */
  laterUses: number;
  /** Its place in the chunk's chip list, the order of blending. */
  order: number;
}

/** A chunk from its read being normalised until its last chip is blended. */
export class ChunkInProgress {
  /** The chips this chunk computes itself, in lattice order. */
  readonly toCompute: ChipToCompute[] = [];
  private readonly target: BlendTarget;
  /** The read (normalised planes, or samples and their maps), until every chip to compute has been cut from it. */
  private input: ChipRead | null;
  /** A read of samples as cutSampleChip takes each date, while the read is held. */
  private sampleDates: { before: SampleDate; after: SampleDate } | null = null;
  /** Validity of the read, until every chip this chunk computes has been answered (and marked NaN by it). */
  private readonly valid: Uint8Array;
  private readonly readWindow: PixelWindow;
  /** Computed chips whose batch has answered, by their place in the chip list, until the blend reaches them. */
  private readonly answered = new Map<number, { probability: Float32Array; offset: number }>();
  private nextToBlend = 0;

  constructor(
    /** Caller's own tag (the run's chunk index). */
    readonly idx: number,
    readonly window: PixelWindow,
    private readonly work: ChunkChipWork,
    /** The read of the chips it computes; null when it computes none (earlier chunks' chips cover it). */
    input: ChipRead | null,
    private readonly shape: ChunkShape,
    private readonly kept: KeptChips,
    private readonly spareSums: SparePool<Float32Array>,
  ) {
    // NaN/Inf in either date makes the pixel invalid in both before either is normalised: the model then sees the
    // card's fill there, and the output is nodata (the pair source already masks them; this holds for any source).
    // Normalised once per read pixel rather than per chip pixel (chips overlap, and are cut for both dates), here
    // unless the source already did as it read (it was asked to: see the engine's reads). A read of samples is
    // normalised as its chips are cut, through its maps (chipReads.ts).
    if (input && !isSampleRead(input) && input.normalisedBy !== shape.norm)
      normalisePairInPlace(input.before, input.after, input.valid, shape.bands, shape.norm);
    if (input && isSampleRead(input)) {
      const { valid, maps } = input;
      const validRows = rowsAllValid(valid, input.window.width);
      this.sampleDates = {
        before: { samples: input.before, maps: maps.before, valid, validRows },
        after: { samples: input.after, maps: maps.after, valid, validRows },
      };
    }
    this.input = input;
    this.valid = input?.valid ?? new Uint8Array(0);
    this.readWindow = input?.window ?? { x: window.x, y: window.y, width: 0, height: 0 };
    this.target = createBlendTarget(
      window,
      spareSums.takeOrMake(window.width * window.height, () => new Float32Array(shape.chunkPixels)),
    );
    work.chips.forEach(([x, y], order) => {
      if (work.computes[order]) this.toCompute.push({ x, y, laterUses: work.laterUses[order], order });
    });
  }

  get pixels(): number {
    return this.window.width * this.window.height;
  }

  /** Whether every chip touching the chunk has been blended into it. */
  get blended(): boolean {
    return this.nextToBlend === this.work.chips.length;
  }

  /** Share of the chunk's chips blended so far (progress within a chunk). */
  get fractionBlended(): number {
    return this.work.chips.length === 0 ? 1 : this.nextToBlend / this.work.chips.length;
  }

  /** Cuts chips of this chunk into slots of a batch's before and after inputs. */
  cut(chips: readonly ChipToCompute[], before: Float32Array, after: Float32Array): void {
    const input = this.input;
    if (!input) throw new Error(`Chunk ${this.idx}'s chips were cut after its planes were let go.`);
    const { chip, bands, norm } = this.shape;
    const from = this.readWindow;
    const dates = this.sampleDates;
    chips.forEach(({ x, y }, k) => {
      if (dates) {
        cutSampleChip(before, k, dates.before, from, bands, x, y, chip, norm);
        cutSampleChip(after, k, dates.after, from, bands, x, y, chip, norm);
      } else if (!isSampleRead(input)) {
        copyChip(before, k, input.before, from, bands, x, y, chip, norm);
        copyChip(after, k, input.after, from, bands, x, y, chip, norm);
      }
    });
  }

  /**
   * Lets the read planes go once every chip to compute has been cut (they are the chunk's largest buffers), and
   * returns them for a later read to fill.
   */
  releasePlanes(): ReadPlanes | null {
    const input = this.input;
    this.input = null;
    this.sampleDates = null;
    return input && ({ before: input.before, after: input.after } as ReadPlanes);
  }

  /**
   * A computed chip's output, marked NaN where its pixels are invalid before anything blends it (this chunk, or a
   * later one it is kept for): a later chunk reads none of the pixels this chip covers, so it knows their validity
   * from here.
   */
  answer(order: number, probability: Float32Array, offset: number): void {
    const [x, y] = this.work.chips[order];
    maskInvalid(probability, offset, x, y, this.shape.chip, this.valid, this.readWindow);
    this.answered.set(order, { probability, offset });
  }

  /**
   * Blends, in the chunk's chip order, every chip whose output is at hand, and stops at the first that is not yet:
   * computed by this chunk in a batch still at the provider, or kept by an earlier chunk whose batch still is.
   */
  blendReady(): void {
    const { weights } = this.shape;
    const chips = this.work.chips;
    for (; this.nextToBlend < chips.length; this.nextToBlend++) {
      const [x, y] = chips[this.nextToBlend];
      if (this.work.computes[this.nextToBlend]) {
        const out = this.answered.get(this.nextToBlend);
        if (!out) return;
        this.answered.delete(this.nextToBlend);
        addChip(this.target, out.probability, out.offset, x, y, weights);
        continue;
      }
      const key = chipKey(x, y);
      const held = this.kept.get(key);
      if (!held) return;
      addChip(this.target, held.probability, 0, x, y, weights);
      if (--held.uses === 0) this.kept.delete(key);
    }
  }

  /** The chunk's probability bytes (0..254, 255 nodata), once blended. */
  finish(): Uint8Array {
    if (!this.blended) throw new Error(`A chip of chunk ${this.idx} was never blended.`);
    const bytes = finishBlend(this.target);
    this.spareSums.give(this.target.sum);
    return bytes;
  }
}

interface Batch {
  result: Promise<Float32Array>;
  chips: ChipToCompute[];
  chunk: ChunkInProgress;
}

/**
 * Batches of chips from open chunks, in order, to the predictor, one more out than it computes at once (one always
 * queued); chunks are handed to `onBlended`, in the order they were opened, as soon as their last chip is blended.
 */
export class ChipPipeline {
  private readonly open: ChunkInProgress[] = [];
  /** Batches at the predictor, oldest first (answers are taken in this order). */
  private readonly inflight: Batch[] = [];
  private readonly chipPlane: number;

  private readonly kept: KeptChips = new Map();
  /**
   * Weighted sums of finished chunks for the next chunks' blends. Several chunks are open at once (the one being
   * fed, earlier ones with batches still out or waiting for a kept chip; six at the end of a 5000² run, whose last
   * row reads nothing), and they often finish together: keeping two made a new sum every few chunks. A sum is made
   * only when none is kept, so however many are kept, no more exist than chunks were ever open at once.
   */
  private readonly spareSums = new SparePool<Float32Array>(8, (sum) => [sum]);

  constructor(
    private readonly predictor: ChipPredictor,
    private readonly shape: ChunkShape,
    private readonly batchSize: number,
    private readonly stats: RunStats,
    private readonly signal: AbortSignal,
    private readonly onBlended: (chunk: ChunkInProgress) => void,
    /** Receives each chunk's read planes once its chips are cut (for the next reads to fill). */
    private readonly onPlanesFree: (planes: ReadPlanes) => void = () => undefined,
  ) {
    this.chipPlane = shape.chip * shape.chip;
  }

  /** Normalises a chunk's read (unless its source did) and makes it ready to feed (`idx` is the caller's tag for it). */
  openChunk(idx: number, window: PixelWindow, work: ChunkChipWork, input: ChipRead | null): ChunkInProgress {
    const t = performance.now();
    const chunk = new ChunkInProgress(idx, window, work, input, this.shape, this.kept, this.spareSums);
    this.stats.prepareMs += performance.now() - t;
    return chunk;
  }

  /** Chunks opened and not yet handed to onBlended. */
  get unfinished(): readonly ChunkInProgress[] {
    return this.open;
  }

  /**
   * Cuts and queues every chip the chunk computes. `afterFirstBatches` is called once the provider has this
   * chunk's work queued (a good moment to start reading the next chunk); `onBatch` after each answered batch.
   * Resolves when the chunk's last batch is queued, not answered: `drain()` waits for the rest.
   */
  async feed(
    chunk: ChunkInProgress,
    afterFirstBatches: () => void,
    onBatch: (chunk: ChunkInProgress) => void,
  ): Promise<void> {
    this.open.push(chunk);
    let t = performance.now();
    chunk.blendReady();
    this.stats.prepareMs += performance.now() - t;
    this.handOver();
    const chips = chunk.toCompute;
    const { bands } = this.shape;
    const { batchSize } = this;
    let submitted = 0;
    for (let start = 0; start < chips.length; start += batchSize) {
      this.signal.throwIfAborted();
      t = performance.now();
      const batchChips = chips.slice(start, start + batchSize);
      const plane = bands * this.chipPlane;
      const length = batchChips.length * plane;
      const { before, after } = this.predictor.inputsFor?.(length) ?? {
        before: new Float32Array(length),
        after: new Float32Array(length),
      };
      chunk.cut(batchChips, before, after);
      if (start + batchSize >= chips.length) this.freePlanes(chunk);
      this.stats.prepareMs += performance.now() - t;
      this.stats.chipPixels += batchChips.length * this.chipPlane;
      const result = this.predictor.predict(before, after, batchChips.length);
      // A rejection is handled where the batch is awaited; this only stops Node reporting it as unhandled first.
      result.catch(() => undefined);
      submitted++;
      this.inflight.push({ result, chips: batchChips, chunk });
      while (this.inflight.length > (this.predictor.parallelism ?? 1)) await this.settleOldest(onBatch);
      if (submitted === 2 || start + batchSize >= chips.length) afterFirstBatches();
    }
    if (chips.length === 0) {
      this.freePlanes(chunk);
      afterFirstBatches();
    }
  }

  private freePlanes(chunk: ChunkInProgress): void {
    const planes = chunk.releasePlanes();
    if (planes) this.onPlanesFree(planes);
  }

  /** Waits for the batches still at the provider, and hands over every chunk then blended. */
  async drain(onBatch: (chunk: ChunkInProgress) => void = () => undefined): Promise<void> {
    while (this.inflight.length > 0) await this.settleOldest(onBatch);
    this.signal.throwIfAborted();
    if (this.open.length > 0) throw new Error(`A chip of chunk ${this.open[0].idx} was never blended.`);
  }

  private async settleOldest(onBatch: (chunk: ChunkInProgress) => void): Promise<void> {
    const batch = this.inflight.shift();
    if (!batch) return;
    const probability = await batch.result;
    const t = performance.now();
    const chipPlane = this.chipPlane;
    batch.chips.forEach(({ x, y, laterUses, order }, k) => {
      batch.chunk.answer(order, probability, k * chipPlane);
      if (laterUses > 0) {
        // A batch of one is the chip's own array (nothing else holds it): kept as it is, not copied.
        this.kept.set(chipKey(x, y), {
          probability:
            batch.chips.length === 1 ? probability : probability.slice(k * chipPlane, (k + 1) * chipPlane),
          uses: laterUses,
        });
      }
    });
    // The batch may hold chips a later open chunk blends from memory, so every open chunk gets to go on.
    for (const chunk of this.open) chunk.blendReady();
    this.stats.prepareMs += performance.now() - t;
    onBatch(batch.chunk);
    this.handOver();
  }

  /** Hands the blended chunks at the front over, in the order they were opened. */
  private handOver(): void {
    while (this.open.length > 0 && this.open[0].blended) this.onBlended(this.open.shift()!);
  }
}
