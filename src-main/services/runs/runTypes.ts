// What a run is, as the services and the command line see it.
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import type { ChunkStateName, ProviderId, ProviderRequest, RunStatusName } from '../../ipc/contract';

export type RunStatus = RunStatusName;
export type ChunkState = ChunkStateName;

/** The area to analyse, in the analysis grid's CRS (or pixels for a pair without georeference). */
export type AreaOfInterest =
  | { kind: 'bbox'; minX: number; minY: number; maxX: number; maxY: number }
  /** Outer ring first, then holes; each ring a flat list of [x, y] pairs. */
  | { kind: 'polygon'; rings: [number, number][][] };

/** How to reopen the inputs on resume. Opaque to the engine: the openPair dependency interprets it. */
export type RunInputs =
  | { kind: 'files'; before: string[]; after: string[] }
  | {
      kind: 'synthetic';
      width: number;
      height: number;
      bands: number;
      seed: number;
      georeferenced?: boolean;
      /** Values on the steps of 8-bit imagery, read as samples (SyntheticPairOptions.eightBit). */
      eightBit?: boolean;
    };

/** The two dates of the project's series a run compares (cm_imagery_sets ids). */
export interface RunDates {
  from: number | null;
  to: number | null;
}

export interface StartRunParams {
  inputs: RunInputs;
  /** Which dates of the series the inputs are (left out: none recorded, e.g. a generated pair). */
  dates?: RunDates;
  aoi?: AreaOfInterest | null;
  /**
   * 'auto' (default: chosen from the imagery's pixel size and the cards, core/models/modelChoice.ts), a model name
   * from the catalogue, or a path to a card or an .onnx with a card beside it.
   */
  model?: string;
  provider?: ProviderRequest;
  /** Chunk edge in pixels (rounded to whole 256-pixel tiles). Default: from the memory budget. */
  chunkSize?: number;
  /**
   * Chip edge in pixels: the card's chipSize or, for a model whose card allows larger chips (chipSizes), one of
   * those. Default: the size that repeats the least work on this grid (RunService runChipSize).
   */
  chipSize?: number;
  /** Chip overlap in pixels. Default: the card's chip / 8. */
  overlap?: number;
  /** Chips per batch. Default: from the memory budget. */
  batchSize?: number;
  /** Memory the run may use, bytes. Default 1 GiB. */
  memoryBudget?: number;
  /** CPU threads for inference. Default: measured for the machine and model (threadCalibration), else all cores. */
  threads?: number;
  /**
   * Sessions of the model computing side by side, each with `threads` threads (default: measured with the threads;
   * given without threads, the cores are split between them).
   */
  sessions?: number;
  /**
   * A job engine (redis:// or rediss:// URL of a Redis that BullMQ workers take chunks from): the run's chunks are
   * computed by `changemap worker` processes (services/scaleout). Left out: computed in this process.
   */
  engine?: string;
  /** With an engine: an S3-compatible store (s3://bucket/prefix) the workers hand their chunk files over through. */
  output?: string;
  /** The S3 endpoint of `output` where it is not AWS (default: the AWS environment's). */
  s3Endpoint?: string;
}

/** Stored in cm_runs.params: everything needed to resume the run exactly as it started. */
export interface RunParams {
  inputs: RunInputs;
  aoi: AreaOfInterest | null;
  modelCardPath: string;
  grid: GridSpec;
  bands: number;
  chunkSize: number;
  chipSize: number;
  overlap: number;
  batchSize: number;
  threads: number | null;
  /** Sessions of the model side by side, `threads` each (absent: one). Scale-out workers run one. */
  sessions?: number;
  /**
   * The reduced-precision file of the card's `variants` the run uses, chosen by measurement (absent: the card's
   * full-precision file). The run's modelSha256 is that file's.
   */
  variantFile?: string;
  /** Fingerprints of the inputs (size and mtime of each file), checked on resume. */
  fingerprints: string[];
  /** Probability encoding in the output raster. */
  encoding: 'uint8-254';
}

export interface ChunkRecord {
  idx: number;
  window: PixelWindow;
  state: ChunkState;
  attempts: number;
  computedCount: number;
  millis: number | null;
  error: string | null;
  /** The scale-out worker that computed it (null: this process, or unknown). */
  worker: string | null;
}

export interface RunRecord {
  id: number;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  modelName: string;
  modelVersion: string;
  modelSha256: string;
  /** 'auto' or the model name / card path the user gave; null for runs recorded before ChangeMap kept it. */
  modelRequested: string | null;
  /** Why this model: the automatic choice's reason; null when the user picked the model. */
  modelReason: string | null;
  providerRequested: ProviderRequest;
  providerUsed: ProviderId | null;
  params: RunParams;
  /** The dates compared; null ids where the run names none or the date was taken out of the series since. */
  dates: RunDates;
  /** Absolute path of the probability raster once the run is done. */
  probabilityPath: string | null;
  warnings: string[];
  error: string | null;
  chunks: ChunkRecord[];
}
