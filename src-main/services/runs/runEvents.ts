// Typed events of a run, for the UI (through IPC), the command line (--json) and tests.
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import type { ProviderId, RunProgress } from '../../ipc/contract';
import type { ChunkState } from './runTypes';

export type RunEvent =
  | {
      type: 'run:started';
      runId: number;
      grid: GridSpec;
      chunks: { idx: number; window: PixelWindow; state: ChunkState }[];
      providerUsed: ProviderId;
      warnings: string[];
      resumed: boolean;
    }
  | {
      type: 'run:chunk';
      runId: number;
      idx: number;
      window: PixelWindow;
      state: ChunkState;
      /** Set when state is done: the finished chunk's stored probability (read it with RunService.readChunk). */
      chunkPath?: string;
      millis?: number;
      /** A scale-out run: the worker computing (running) or that computed (done) the chunk. */
      worker?: string;
    }
  | ({ type: 'run:progress' } & RunProgress)
  | {
      type: 'run:done';
      runId: number;
      probabilityPath: string;
      seconds: number;
      stats: RunStats;
      /** Every warning of the run, including those found while it ran (e.g. its count of nodata pixels). */
      warnings: string[];
    }
  | { type: 'run:failed'; runId: number; code: string; message: string }
  | { type: 'run:cancelled'; runId: number };

/** Where a run's time went (this session of it), for the bench and the log. */
export interface RunStats {
  wallMs: number;
  /** Time inside source reads (reading, decoding, aligning), wherever it overlapped. */
  readMs: number;
  /** Time cutting chips and blending on the calling thread. */
  prepareMs: number;
  /** Time the provider was computing batches. */
  inferenceMs: number;
  /** Time compressing and durably writing chunk results. */
  writeMs: number;
  /** Time assembling the final GeoTIFF. */
  assembleMs: number;
  pixels: number;
  chipPixels: number;
  chunksComputed: number;
}
