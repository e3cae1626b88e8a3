// How much memory a GPU provider's device has free, for the batch size: chips per batch from the device's memory,
// not the host's. NVIDIA (CUDA, TensorRT): nvidia-smi's free memory of the first GPU. DirectML and Core ML offer no
// query to Node, so they get a conservative assumption (most discrete cards and Apple chips have more).
import { execFileSync } from 'node:child_process';
import { batchSizeForBudget } from '../../core/tiling/chunkPlan';
import type { ProviderId } from './providers';

/** What a device whose free memory cannot be read is assumed to have free. */
export const ASSUMED_DEVICE_MEMORY = 2 * 2 ** 30;
/** The share of the free device memory one batch may take (the rest: the session's weights and workspace). */
const DEVICE_BATCH_SHARE = 0.5;

/** Free MiB of the first GPU in `nvidia-smi --query-gpu=memory.free --format=csv,noheader,nounits` output. */
export function parseNvidiaSmiFreeMiB(output: string): number | null {
  const first = output.split('\n')[0]?.trim();
  const value = Number(first);
  return first && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Free bytes of the provider's device; null where it cannot be read (then ASSUMED_DEVICE_MEMORY applies). */
export function freeDeviceMemory(
  provider: ProviderId,
  run: (command: string, args: string[]) => string = (command, args) =>
    execFileSync(command, args, { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] }),
): number | null {
  if (provider !== 'cuda' && provider !== 'tensorrt') return null;
  try {
    const mib = parseNvidiaSmiFreeMiB(
      run('nvidia-smi', ['--query-gpu=memory.free', '--format=csv,noheader,nounits']),
    );
    return mib === null ? null : mib * 2 ** 20;
  } catch {
    return null;
  }
}

/** Chips per batch for a GPU provider: half the device's free memory (or the assumption), as a CPU batch is sized. */
export function deviceBatchSize(freeBytes: number | null, bands: number, chip: number): number {
  return batchSizeForBudget((freeBytes ?? ASSUMED_DEVICE_MEMORY) * DEVICE_BATCH_SHARE, bands, chip);
}
