// Chunks and chips of the analysis grid.
//
// Why chips sit on one global lattice: a chunk computes every chip that touches it, at the chip's global
// position, reading a halo wide enough to hold those chips whole. Every pixel therefore sees the same chips with
// the same inputs whatever the chunk size, so the blended probability does not depend on chunk borders at all.
import { ChangeMapError } from '../errors';
import type { PixelWindow } from '../raster/types';

/** Tile size of the probability raster; chunk sizes are multiples of it so each chunk owns whole tiles. */
export const OUTPUT_TILE_SIZE = 256;

export interface ChunkPlan {
  chunkSize: number;
  /** Chunks in row-major order; index in this array = chunk idx in the ledger. */
  chunks: PixelWindow[];
  columns: number;
  rows: number;
}

/** Rounds a requested chunk size to a multiple of the output tile size (at least one tile). */
export function normaliseChunkSize(requested: number): number {
  if (!Number.isFinite(requested) || requested <= 0) {
    throw new ChangeMapError(
      'RUN_BAD_CHUNK_SIZE',
      `Chunk size must be a positive number of pixels, got ${requested}.`,
    );
  }
  return Math.max(OUTPUT_TILE_SIZE, Math.round(requested / OUTPUT_TILE_SIZE) * OUTPUT_TILE_SIZE);
}

/** Cuts a width x height grid into chunks of chunkSize (the last row/column may be smaller). */
export function planChunks(width: number, height: number, chunkSize: number): ChunkPlan {
  if (width <= 0 || height <= 0) throw new ChangeMapError('RUN_EMPTY_AREA', 'The area to analyse is empty.');
  if (chunkSize % OUTPUT_TILE_SIZE !== 0) {
    throw new ChangeMapError(
      'RUN_BAD_CHUNK_SIZE',
      `Chunk size ${chunkSize} is not a multiple of ${OUTPUT_TILE_SIZE}.`,
    );
  }
  const columns = Math.ceil(width / chunkSize);
  const rows = Math.ceil(height / chunkSize);
  const chunks: PixelWindow[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const x = c * chunkSize;
      const y = r * chunkSize;
      chunks.push({ x, y, width: Math.min(chunkSize, width - x), height: Math.min(chunkSize, height - y) });
    }
  }
  return { chunkSize, chunks, columns, rows };
}

/**
 * Chip origins along one axis of a grid of the given length: multiples of stride, plus one chip flush with the
 * far edge so the edge is covered without padding. For a length below the chip size there is one chip at 0
 * (it hangs over the edge and is padded).
 */
export function chipOrigins(length: number, chip: number, stride: number): number[] {
  if (stride <= 0 || stride > chip) {
    throw new ChangeMapError(
      'RUN_BAD_OVERLAP',
      `Chip overlap must leave a stride between 1 and ${chip} pixels.`,
    );
  }
  if (length <= chip) return [0];
  const last = length - chip;
  const origins: number[] = [];
  for (let o = 0; o < last; o += stride) origins.push(o);
  origins.push(last);
  return origins;
}

/** The chip origins (one axis) whose chips overlap [start, start + size). */
export function originsTouching(
  origins: readonly number[],
  chip: number,
  start: number,
  size: number,
): number[] {
  return origins.filter((o) => o < start + size && o + chip > start);
}

export interface ChunkChips {
  /** Chip origins (grid pixels) touching the chunk, x and y separately; chips are all (x, y) pairs. */
  xs: number[];
  ys: number[];
  /** The window to read: the union of those chips, clipped to the grid. The halo is what lies outside the chunk. */
  read: PixelWindow;
}

/** Chips to compute for one chunk, and the window (chunk plus halo) to read for them. */
export function chipsForChunk(
  chunk: PixelWindow,
  gridWidth: number,
  gridHeight: number,
  chip: number,
  stride: number,
): ChunkChips {
  const xs = originsTouching(chipOrigins(gridWidth, chip, stride), chip, chunk.x, chunk.width);
  const ys = originsTouching(chipOrigins(gridHeight, chip, stride), chip, chunk.y, chunk.height);
  const x0 = xs[0];
  const y0 = ys[0];
  const x1 = Math.min(gridWidth, xs[xs.length - 1] + chip);
  const y1 = Math.min(gridHeight, ys[ys.length - 1] + chip);
  return { xs, ys, read: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } };
}

export interface ChipSizeOptions {
  /** The smallest chip: the card's chipSize, the context the model was made for. */
  minChip: number;
  /** The largest chip the model file accepts and memory allows; minChip when the file is fixed to one size. */
  maxChip: number;
  /** Chip edges must be multiples of this (a network that halves its input n times needs 2^n). */
  multiple: number;
  overlap: number;
}

/**
 * The chip edge for a width x height grid: among the allowed sizes, the one whose chips (on the run's lattice,
 * overlapping by `overlap`) cover the grid with the fewest computed pixels, the largest on a tie. A fixed lattice
 * stride wastes most at the far edge (the flush chip); fitting the chip to the grid avoids that: a 5000 px edge
 * takes 23 chips of 256 (coverage 1.18 per axis) but 9 of 592 (1.07).
 */
export function chipSizeForGrid(width: number, height: number, options: ChipSizeOptions): number {
  const { minChip, multiple, overlap } = options;
  const maxChip = Math.max(minChip, options.maxChip);
  let best = minChip;
  let bestCost = Infinity;
  for (let chip = minChip; chip <= maxChip; chip += multiple) {
    if (chip <= overlap) continue;
    const stride = chip - overlap;
    const cost =
      chipOrigins(width, chip, stride).length * chipOrigins(height, chip, stride).length * chip * chip;
    if (cost <= bestCost) {
      best = chip;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * The memory a scale-out worker is expected to have for its chunk (the deployment recipe asks for it): the chunk of a
 * scale-out run comes from this, not from the coordinator's own budget.
 */
export const SCALEOUT_WORKER_BUDGET = 2 * 1024 ** 3;

/**
 * The chunk of a scale-out run with no chunk size given. A worker computes every chip touching its chunk (nothing is
 * shared with the neighbours other workers compute), so small chunks repeat much of their halo: at 1280 px with
 * 800-px chips a worker computes about 3x the scene's pixels. A worker holds one chunk at a time (nothing read ahead),
 * so its working set per pixel is half a local run's, and half the worker's budget goes to the chunk as locally.
 */
export function scaleOutChunkSize(
  bands: number,
  chip: number,
  workerBudget = SCALEOUT_WORKER_BUDGET,
): number {
  const bytesPerPixel = 2 * bands * 4 + 4 + 4 + 1;
  const side = Math.sqrt((workerBudget * 0.5) / bytesPerPixel) - 2 * chip;
  const size = Math.floor(side / OUTPUT_TILE_SIZE) * OUTPUT_TILE_SIZE;
  return Math.max(OUTPUT_TILE_SIZE, Math.min(8192, size));
}

/** Chunk and memory sizing: the largest tile-multiple chunk whose working set fits the budget. */
export function chunkSizeForBudget(
  budgetBytes: number,
  bands: number,
  chip: number,
  maxChunk = 8192,
): number {
  // Per chunk pixel: before+after float32 planes, twice (the chunk being computed and the one read ahead),
  // plus the float32 accumulators and the uint8 result.
  const bytesPerPixel = 2 * (2 * bands * 4) + 2 * 4 + 1;
  const side = Math.sqrt(budgetBytes / bytesPerPixel) - 2 * chip;
  const size = Math.floor(side / OUTPUT_TILE_SIZE) * OUTPUT_TILE_SIZE;
  return Math.max(OUTPUT_TILE_SIZE, Math.min(maxChunk, size));
}

/**
 * The most chips in one batch, from the budget or asked for (the run:start contract's limit): beyond it a batch
 * of large chips needs gigabytes of activations and gains no speed.
 */
export const MAX_BATCH_SIZE = 64;

/** Float planes one chip holds in a batch: both dates' bands, the output, and the activations' allowance. */
function planesPerChip(bands: number, activationFactor: number): number {
  return 2 * bands + 1 + activationFactor;
}

/**
 * Chips per batch from a memory budget for one batch: inputs, output and an allowance for the network's
 * activations of 96 chip-sized float planes (with 24, batches of 33 chips of the shipped 256-px model took the
 * process to 1.9 GB RSS on a 1 GiB budget).
 */
export function batchSizeForBudget(
  budgetBytes: number,
  bands: number,
  chip: number,
  activationFactor = 96,
): number {
  const perChip = chip * chip * 4 * planesPerChip(bands, activationFactor);
  return Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor(budgetBytes / perChip)));
}

/**
 * Sessions of the model side by side whose batches of `batch` chips fit `budgetBytes` together (each session holds
 * its own inputs and activations); at least 1.
 */
export function sessionsForBudget(
  budgetBytes: number,
  bands: number,
  chip: number,
  batch: number,
  activationFactor = 96,
): number {
  const perSession = batch * chip * chip * 4 * planesPerChip(bands, activationFactor);
  return Math.max(1, Math.floor(budgetBytes / perSession));
}

/** The largest chip edge (a multiple of `multiple`) of which one fits a batch budget; at least `multiple`. */
export function maxChipForBudget(
  budgetBytes: number,
  bands: number,
  multiple: number,
  activationFactor = 96,
): number {
  const edge = Math.sqrt(budgetBytes / (4 * planesPerChip(bands, activationFactor)));
  return Math.max(multiple, Math.floor(edge / multiple) * multiple);
}
