// Inference threads chosen by measurement for this machine and model, not by a fixed rule: a short calibration
// (the bare model at a few thread counts, about a second each) run once per machine + model + provider and kept
// in the user's data folder. Which count wins depends on the cores, on what else the machine runs and on the
// model (on the shared 2-core bench machine two threads beat one on an idle machine, one beat two under load).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../fileSafety/atomicWrite';

/** The user-data file that keeps the calibrations. */
export const CALIBRATION_FILE = 'inference-calibration.json';

export interface ThreadCalibration {
  threads: number;
  /** Measured chip-Mpx/s of the bare model per thread count tried. */
  chipMpxPerS: Record<string, number>;
  measuredAt: string;
  /** The 1-minute load average per core while it was measured (other work on the machine skews the choice). */
  loadPerCore?: number;
}

/** The machine's 1-minute load average per core now. */
export function loadPerCore(): number {
  return os.loadavg()[0] / os.availableParallelism();
}

/**
 * A calibration measured on a busy machine (more runnable work than cores) no longer holds once the machine is
 * quiet: fewer threads win under load, every core when idle. Such a one is measured again on a quiet machine.
 */
export function calibrationStale(kept: ThreadCalibration, loadNow = loadPerCore()): boolean {
  return (kept.loadPerCore ?? 0) > 1 && loadNow < 0.5;
}

/** Thread counts worth trying: powers of two below the core count, then all cores but one and all (at most ~7). */
export function threadCandidates(cores: number): number[] {
  const out = new Set<number>();
  for (let t = 1; t < cores; t *= 2) out.add(t);
  out.add(Math.max(1, cores - 1));
  out.add(Math.max(1, cores));
  return [...out].sort((a, b) => a - b);
}

/** What a calibration holds for: the CPU, its core count, the ONNX Runtime version, the model file, the provider. */
export function calibrationKey(
  modelSha256: string,
  provider: string,
  ortVersion: string,
  /** What was timed, where it varies (a run's chip edge and batch): a file fastest on small chips may not be on large. */
  workload?: { chip: number; batch: number },
): string {
  const machine = `${os.cpus()[0]?.model ?? 'cpu'}|${os.availableParallelism()}|${os.arch()}|ort ${ortVersion}`;
  const timed = workload ? `|chip ${workload.chip} batch ${workload.batch}` : '';
  return createHash('sha256')
    .update(`${machine}|${modelSha256}|${provider}${timed}`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * Measures `rate(threads)` (chip-Mpx/s) for each candidate and keeps the fastest; a count with fewer threads wins
 * only when it is faster, so noise does not leave cores idle on a quiet machine.
 */
export async function calibrateThreads(
  candidates: readonly number[],
  rate: (threads: number) => Promise<number>,
): Promise<ThreadCalibration> {
  const chipMpxPerS: Record<string, number> = {};
  let best = candidates[candidates.length - 1];
  for (const threads of [...candidates].reverse()) {
    chipMpxPerS[threads] = await rate(threads);
    if (chipMpxPerS[threads] > chipMpxPerS[best]) best = threads;
  }
  return { threads: best, chipMpxPerS, measuredAt: new Date().toISOString(), loadPerCore: loadPerCore() };
}

/** The calibrations kept in one JSON file (unreadable or foreign content counts as none: measure again). */
export class CalibrationCache {
  constructor(readonly file: string) {}

  private readAll(): Record<string, ThreadCalibration> {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, ThreadCalibration>) : {};
    } catch {
      return {};
    }
  }

  get(key: string): ThreadCalibration | null {
    const entry = this.readAll()[key];
    return Number.isInteger(entry?.threads) && entry.threads > 0 ? entry : null;
  }

  async set(key: string, value: ThreadCalibration): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify({ ...this.readAll(), [key]: value }, null, 2), {
      overwrite: true,
    });
  }
}
