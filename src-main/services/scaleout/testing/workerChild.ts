// A scale-out worker in a child process, for the scale-out test: `node --import tsx workerChild.ts <engine> <name>
// <lockMs> <stalledMs> <delayMs> [outputDir]` (an S3 store's endpoint and credentials from the AWS environment). The
// worker of `changemap worker` (startChunkWorker) with the real ONNX Runtime predictor, each batch held back delayMs
// so a chunk lasts long enough to be killed in the middle. Prints each worker event as one JSON line.
import path from 'node:path';
import { startChunkWorker } from '../chunkWorker';
import { delayedPredictor } from './heldBackPredictor';

export const TEST_MODELS = path.resolve(import.meta.dirname, '../../../../models/test');

async function child(): Promise<void> {
  const [engine, name, lockMs, stalledMs, delayMs, outputDir] = process.argv.slice(2);
  await startChunkWorker({
    engine,
    name,
    version: 'scaleout-test',
    modelDirs: [TEST_MODELS],
    lockMs: Number(lockMs),
    stalledMs: Number(stalledMs),
    outputDir: outputDir || undefined,
    log: (line) => process.stdout.write(`${JSON.stringify({ worker: name, ...line })}\n`),
    startPredictor: delayedPredictor(Number(delayMs)),
  });
}

if (process.argv[1]?.endsWith('workerChild.ts')) void child();
