// One chunk of a run as a BullMQ job: the queue's name, what a job carries (checked by the worker: a queue is shared
// and anything can write to it), its id and what a worker answers.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PixelWindow } from '../../core/raster/types';
import { outputStoreUrl } from '../../ipc/contract';
import type { RunParams } from '../runs/runTypes';

/** Every run's chunks go to this one queue; `changemap worker` takes from it. */
export const CHUNK_QUEUE = 'changemap-chunks';

/** Where a run's chunk files live under the project's data folder (the workers' --output-dir). */
export const chunkDirOf = (runId: number): string => `runs/${runId}/chunks`;

const count = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31);
const windowSchema = z.object({ x: count, y: count, width: count.min(1), height: count.min(1) }).strict();

export const chunkJobSchema = z.object({
  /** The ChangeMap version of the coordinator: a worker of another version refuses the job. */
  changemapVersion: z.string().min(1).max(64),
  /** The run's identity across projects sharing the queue (runKey). */
  runKey: z.string().regex(/^[0-9a-f]{16}$/),
  runId: z.number().int().min(1),
  idx: count,
  window: windowSchema,
  /** The project's data folder as the coordinator sees it (a worker without --output-dir writes there). */
  dataDir: z.string().min(1).max(4096),
  /** The chunk folder inside it: only runs/<id>/chunks, so a job cannot make a worker write elsewhere. */
  chunkDir: z.string().regex(/^runs\/\d+\/chunks$/),
  /**
   * The S3-compatible store (s3://bucket/prefix) the worker uploads the chunk file to instead of writing it into
   * chunkDir; absent: shared storage. Only the bucket and prefix: each machine has its own endpoint and credentials.
   */
  output: outputStoreUrl.optional(),
  /** The model: the card path on the coordinator, its name (looked up in the worker's model folders if the path is
   * not there) and the sha256 of its file, which the worker's copy must match. */
  model: z
    .object({ cardPath: z.string().min(1).max(4096), name: z.string().min(1).max(200), sha256: z.string() })
    .strict(),
  provider: z.string().max(32),
  /** The run's settings (inputs, area, grid, chip, overlap, batch); the worker opens the inputs as a resume does. */
  params: z.custom<RunParams>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as RunParams).grid === 'object' &&
      Number.isInteger((v as RunParams).chipSize) &&
      Number.isInteger((v as RunParams).overlap) &&
      Number.isInteger((v as RunParams).batchSize),
  ),
});

export type ChunkJob = z.infer<typeof chunkJobSchema>;

/** What a worker answers when the chunk's file is written. */
export interface ChunkJobResult {
  idx: number;
  worker: string;
  /** Milliseconds from taking the job to the file being durable. */
  millis: number;
  /** Milliseconds of compute (read, chips, model, blend) alone. */
  computeMs: number;
  pixels: number;
  /** The file was already there and intact (an earlier attempt wrote it): nothing was computed again. */
  reused: boolean;
}

/** What a worker reports when it takes a chunk (BullMQ job progress). */
export interface ChunkJobProgress {
  state: 'running';
  worker: string;
}

/**
 * A run's key on the queue: run ids restart at 1 in every project, so the project's data folder and the run's
 * creation time make it unique among the projects sharing a Redis.
 */
export function runKeyOf(dataDir: string, runId: number, createdAt: string): string {
  return createHash('sha256').update(`${dataDir}\n${runId}\n${createdAt}`).digest('hex').slice(0, 16);
}

/** One job per chunk: the id makes BullMQ refuse a second copy of a chunk that is still queued or running. */
export const chunkJobId = (runKey: string, idx: number): string => `${runKey}-${idx}`;

export const sameWindow = (a: PixelWindow, b: PixelWindow): boolean =>
  a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
