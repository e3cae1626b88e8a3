// Inference threads chosen by measurement for this machine and model, not by a fixed rule: a short calibration
// (the bare model at a few thread counts and numbers of sessions side by side, about a second each) run once per
// machine + model + provider and kept in the user's data folder. Which wins depends on the cores, on what else the
// machine runs and on the model (on the shared 2-core bench machine two threads beat one on an idle machine, one
// beat two under load, and two one-thread sessions beat one two-thread session).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../fileSafety/atomicWrite';

/** The user-data file that keeps the calibrations. */
export const CALIBRATION_FILE = 'inference-calibration.json';

/** How a run computes: `sessions` sessions of the model side by side, each with `threads` ONNX Runtime threads. */
export interface SessionLayout {
  sessions: number;
  threads: number;
}

/** A layout's name in a calibration's rates: "2" is one session of 2 threads, "2x1" two sessions of 1. */
export function layoutName({ sessions, threads }: SessionLayout): string {
  return sessions === 1 ? `${threads}` : `${sessions}x${threads}`;
}

export interface ThreadCalibration {
  /** ONNX Runtime threads of each session. */
  threads: number;
  /** Sessions side by side (absent: one). */
  sessions?: number;
  /** Measured chip-Mpx/s of the bare model per layout tried (layoutName). */
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

/**
 * Layouts worth trying, in the order calibrateThreads wants (every core in one session last, the default): one
 * session at each of threadCandidates, then every core split between 2 sessions (and 4, from 8 cores). How many a
 * run may take is its memory's business (sessionsForBudget).
 */
export function layoutCandidates(cores: number): SessionLayout[] {
  const single = threadCandidates(cores).map((threads) => ({ sessions: 1, threads }));
  const split = [2, 4]
    .filter((sessions) => cores >= (sessions === 2 ? 2 : 8))
    .map((sessions) => ({ sessions, threads: Math.floor(cores / sessions) }));
  return [...single.slice(0, -1), ...split, single[single.length - 1]];
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
  // "sessions": calibrations since layouts of several sessions are tried (older ones never timed them).
  const timed = workload ? `|chip ${workload.chip} batch ${workload.batch}|sessions` : '';
  return createHash('sha256')
    .update(`${machine}|${modelSha256}|${provider}${timed}`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * Measures `rate(layout)` (chip-Mpx/s) for each candidate, last first, and keeps the fastest; an earlier one wins
 * only when it is faster, so noise neither leaves cores idle on a quiet machine nor starts sessions for nothing.
 */
export async function calibrateThreads(
  candidates: readonly SessionLayout[],
  rate: (layout: SessionLayout) => Promise<number>,
): Promise<ThreadCalibration> {
  const chipMpxPerS: Record<string, number> = {};
  let best = candidates[candidates.length - 1];
  for (const layout of [...candidates].reverse()) {
    chipMpxPerS[layoutName(layout)] = await rate(layout);
    if (chipMpxPerS[layoutName(layout)] > chipMpxPerS[layoutName(best)]) best = layout;
  }
  return {
    threads: best.threads,
    ...(best.sessions > 1 ? { sessions: best.sessions } : {}),
    chipMpxPerS,
    measuredAt: new Date().toISOString(),
    loadPerCore: loadPerCore(),
  };
}

/** The layout a calibration chose. */
export function calibratedLayout(c: ThreadCalibration): SessionLayout {
  return { sessions: c.sessions ?? 1, threads: c.threads };
}

/** The layout a name in a calibration's rates stands for (layoutName's inverse), or null for another name. */
export function parseLayoutName(name: string): SessionLayout | null {
  const m = /^(?:(\d+)x)?(\d+)$/.exec(name);
  return m ? { sessions: m[1] ? Number(m[1]) : 1, threads: Number(m[2]) } : null;
}

/**
 * The fastest layout a calibration measured with at most `maxSessions` sessions (what the run's memory holds), and
 * its rate: the calibration's own choice where it fits.
 */
export function fastestLayoutWithin(
  c: ThreadCalibration,
  maxSessions: number,
): { layout: SessionLayout; chipMpxPerS: number } {
  const chosen = calibratedLayout(c);
  if (chosen.sessions <= maxSessions)
    return { layout: chosen, chipMpxPerS: c.chipMpxPerS[layoutName(chosen)] ?? 0 };
  let best: { layout: SessionLayout; chipMpxPerS: number } = {
    layout: { sessions: 1, threads: c.threads * chosen.sessions },
    chipMpxPerS: 0,
  };
  for (const [name, rate] of Object.entries(c.chipMpxPerS)) {
    const layout = parseLayoutName(name);
    if (layout && layout.sessions <= maxSessions && rate > best.chipMpxPerS)
      best = { layout, chipMpxPerS: rate };
  }
  return best;
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
    const sessionsOk =
      entry?.sessions === undefined || (Number.isInteger(entry.sessions) && entry.sessions > 0);
    return Number.isInteger(entry?.threads) && entry.threads > 0 && sessionsOk ? entry : null;
  }

  async set(key: string, value: ThreadCalibration): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify({ ...this.readAll(), [key]: value }, null, 2), {
      overwrite: true,
    });
  }
}
