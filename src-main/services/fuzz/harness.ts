// The fuzzer's property, in one place: work on hostile input either succeeds with in-bounds results or fails with the
// project's typed error (a ChangeMapError with a code); it never throws anything else, never outlasts its time
// budget and never grows memory past its cap. A breach throws PropertyViolation, which fast-check then shrinks.
import { Worker } from 'node:worker_threads';
import { isChangeMapError } from '../../core/errors';
import { SAMPLE_TYPES } from '../../core/raster/sampleTypes';
import { markNonFiniteInvalid } from '../../core/tiling/chips';
import type { PixelWindow } from '../../core/raster/types';
import type { RasterMetadata } from '../imagery/rasterSource';

export interface Bounds {
  /** Wall-clock budget of one step (an open, a read), ms. */
  timeoutMs: number;
  /** Most the process's resident memory may grow during one step, MiB. */
  maxGrowthMiB: number;
}

/** Bounds of one case: generous against a loaded CI machine, far below what a hang or a bomb reaches. */
export const CASE_BOUNDS: Bounds = { timeoutMs: 5_000, maxGrowthMiB: 400 };

export class PropertyViolation extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PropertyViolation';
  }
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

/**
 * Runs one step under the bounds. Its result, or the code of the typed error it failed with; anything else (another
 * exception, a timeout, memory growth past the cap) is a PropertyViolation. Memory is sampled while the event loop
 * turns; a step that blocks the loop for good is caught by the test's own timeout.
 */
export async function bounded<T>(
  what: string,
  work: () => Promise<T>,
  bounds = CASE_BOUNDS,
): Promise<Outcome<T>> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PropertyViolation(`${what} took more than ${bounds.timeoutMs} ms (a hang)`)),
      bounds.timeoutMs,
    );
  });
  try {
    const value = await Promise.race([work(), timeout]);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof PropertyViolation) throw error;
    return { ok: false, code: typedErrorCode(what, error) };
  } finally {
    clearTimeout(timer);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    const grewMiB = (peak - start) / 2 ** 20;
    if (grewMiB > bounds.maxGrowthMiB) {
      // eslint-disable-next-line no-unsafe-finally -- a breach of the memory bound outranks the step's own result
      throw new PropertyViolation(
        `${what} grew memory by ${grewMiB.toFixed(0)} MiB (cap ${bounds.maxGrowthMiB})`,
      );
    }
  }
}

/** The code of a typed error; anything else breaks the property. */
export function typedErrorCode(what: string, error: unknown): string {
  if (isChangeMapError(error) && /^[A-Z][A-Z0-9_]+$/.test(error.code) && error.message.length > 0)
    return error.code;
  const kind = error instanceof Error ? `${error.name}: ${error.message}` : `a thrown ${typeof error}`;
  throw new PropertyViolation(`${what} failed with ${kind}, not a ChangeMapError with a code`, {
    cause: error,
  });
}

/** What an opened raster must look like: a size and bands that a reader can act on. */
export function checkMetadata(m: RasterMetadata): void {
  const { width, height } = m.grid;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
    throw new PropertyViolation(`opened with a size of ${width} x ${height}`);
  if (!(Number.isInteger(m.bandCount) && m.bandCount > 0))
    throw new PropertyViolation(`opened with ${m.bandCount} bands`);
  if (m.bandRoles.length !== m.bandCount)
    throw new PropertyViolation(`${m.bandRoles.length} band roles for ${m.bandCount} bands`);
  if (!m.grid.geoTransform.every(Number.isFinite))
    throw new PropertyViolation(`opened with a geotransform of ${m.grid.geoTransform.join(', ')}`);
}

/**
 * A window read must have the window's shape, mark pixels outside the image invalid, and hold in every pixel that is
 * valid (after the run's own rule that NaN and infinite values are invalid) a finite value of the sample type.
 */
export function checkRead(
  m: RasterMetadata,
  window: PixelWindow,
  bands: number,
  read: { data: ArrayLike<number>; valid: Uint8Array },
): void {
  const n = window.width * window.height;
  if (read.data.length !== n * bands || read.valid.length !== n)
    throw new PropertyViolation(
      `a ${window.width} x ${window.height} read of ${bands} bands gave ${read.data.length} values and ${read.valid.length} flags`,
    );
  const expected = SAMPLE_TYPES[m.sampleType].create(0).constructor;
  if (read.data.constructor !== expected)
    throw new PropertyViolation(`read ${read.data.constructor.name} for a ${m.sampleType} raster`);
  const valid = read.valid.slice();
  markNonFiniteInvalid(read.data, bands, valid);
  for (let r = 0; r < window.height; r++) {
    for (let c = 0; c < window.width; c++) {
      const i = r * window.width + c;
      if (read.valid[i] > 1) throw new PropertyViolation(`validity flag ${read.valid[i]} at (${c}, ${r})`);
      const x = window.x + c;
      const y = window.y + r;
      const outside = x < 0 || y < 0 || x >= m.grid.width || y >= m.grid.height;
      if (outside && read.valid[i])
        throw new PropertyViolation(`pixel (${x}, ${y}) outside the image is valid`);
      if (!valid[i]) continue;
      for (let b = 0; b < bands; b++) {
        const v = read.data[b * n + i];
        if (!Number.isFinite(v)) throw new PropertyViolation(`valid pixel (${x}, ${y}) band ${b} holds ${v}`);
      }
    }
  }
}

/**
 * A case that blocks the event loop (a synchronous loop over a hostile count) stops every timer on this thread, the
 * test runner's timeout included, and would hang CI. The watchdog is a worker thread with a loop of its own: when a
 * case runs past `limitMs`, it writes the case to stderr and kills the process, so the run fails, naming the case.
 */
export class Watchdog {
  private readonly started = new BigInt64Array(new SharedArrayBuffer(8));
  private readonly text = new Uint8Array(new SharedArrayBuffer(64 * 1024 + 4));
  private readonly worker: Worker;

  constructor(limitMs: number) {
    this.worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const fs = require('node:fs');
       const { started, text, limitMs } = workerData;
       setInterval(() => {
         const t = Number(Atomics.load(started, 0));
         if (t === 0 || Date.now() - t < limitMs) return;
         const length = new DataView(text.buffer).getUint32(0);
         const what = Buffer.from(text.slice(4, 4 + length)).toString();
         fs.writeSync(2, 'Fuzz case blocked the process for ' + limitMs + ' ms (a hang): ' + what + '\\n');
         process.kill(process.pid, 'SIGKILL');
       }, 200);`,
      { eval: true, workerData: { started: this.started, text: this.text, limitMs } },
    );
    this.worker.unref();
  }

  enter(what: string): void {
    const bytes = new TextEncoder().encode(what).subarray(0, this.text.length - 4);
    this.text.set(bytes, 4);
    new DataView(this.text.buffer).setUint32(0, bytes.length);
    Atomics.store(this.started, 0, BigInt(Date.now()));
  }

  leave(): void {
    Atomics.store(this.started, 0, 0n);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
