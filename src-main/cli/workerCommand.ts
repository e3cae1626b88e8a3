// `changemap worker --engine redis://host:6379`: a scale-out worker. It takes chunk jobs of any run queued on that
// Redis (`changemap run --engine ...`), computes them with this checkout's models and writes each chunk file into the
// run's folder on shared storage (or uploads it to the run's S3 output store, `run --output s3://...`); SIGINT/SIGTERM finish the chunks in hand, then stop. One JSON line per event.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isChangeMapError } from '../core/errors';
import type { ProviderRequest } from '../services/inference/providers';
import { EXIT } from './exitCodes';
import { packageVersion } from './packageVersion';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkerOptions {
  engine: string;
  concurrency: number;
  outputDir?: string;
  /** The endpoint of the S3-compatible store of runs with an output store, where it is not AWS. */
  s3Endpoint?: string;
  models: string[];
  name?: string;
  provider: ProviderRequest;
  threads?: number;
}

export async function workerCommand(options: WorkerOptions): Promise<number> {
  // Loaded here only: BullMQ and ioredis cost the other commands nothing.
  const { startChunkWorker } = await import('../services/scaleout/chunkWorker');
  const { engineLabel } = await import('../services/scaleout/engineConnection');
  let worker: Awaited<ReturnType<typeof startChunkWorker>>;
  try {
    engineLabel(options.engine);
    worker = await startChunkWorker({
      engine: options.engine,
      version: packageVersion(),
      concurrency: options.concurrency,
      outputDir: options.outputDir && path.resolve(options.outputDir),
      s3Endpoint: options.s3Endpoint,
      modelDirs: [...options.models.map((m) => path.resolve(m)), path.join(repoRoot, 'models')],
      name: options.name,
      provider: options.provider,
      threads: options.threads,
      log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
    });
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    process.stderr.write(`changemap: ${error.message} [${error.code}]\n`);
    return EXIT.refused;
  }
  return new Promise<number>((resolve) => {
    const stop = () => void worker.close().then(() => resolve(EXIT.done));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
