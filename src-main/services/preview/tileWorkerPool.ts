// Renders tiles in a few worker threads (least busy first), with a same-thread renderer as the fallback when
// workers cannot start or have crashed, so the map keeps working either way.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ChangeMapError } from '../../core/errors';
import { GeoTiffFiles } from './geotiffLevels';
import { renderTileJob, type TileJob } from './tileJob';
import { transferablesOf, type TileReply, type TileRequest } from './tileProtocol';
import { startWorker, workerEntryUrl } from '../workerEntry';

export interface TileRenderer {
  render(job: TileJob, signal?: AbortSignal): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** Renders on the calling thread (tests, and the fallback when workers are unavailable). */
export class SameThreadRenderer implements TileRenderer {
  private readonly files = new GeoTiffFiles();
  render(job: TileJob, signal?: AbortSignal): Promise<Uint8Array | null> {
    return renderTileJob(job, this.files, signal);
  }
  close(): Promise<void> {
    return this.files.close();
  }
}

export const DEFAULT_TILE_WORKER_URL = workerEntryUrl(
  'rasterTiles',
  new URL('../../workers/rasterTiles.worker.ts', import.meta.url),
);

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (v: Uint8Array | null) => void; reject: (e: unknown) => void }>;
}

export class TileWorkerPool implements TileRenderer {
  private readonly slots: Slot[] = [];
  private seq = 0;
  private closed = false;
  private fallback: SameThreadRenderer | null = null;
  /** Why the pool fell back to the calling thread, if it did. */
  failure: string | null = null;

  constructor(size = defaultPoolSize(), url: URL = DEFAULT_TILE_WORKER_URL) {
    for (let i = 0; i < size; i++) {
      try {
        this.slots.push(this.attach(startWorker(url)));
      } catch (error) {
        this.failure = `Tile workers could not start: ${(error as Error).message}`;
      }
    }
  }

  get workerCount(): number {
    return this.slots.length;
  }

  private attach(worker: Worker): Slot {
    const slot: Slot = { worker, pending: new Map() };
    worker.unref(); // idle tile workers never keep the process alive (ref'd while a tile is in flight)
    worker.on('message', (m: TileReply) => {
      const p = slot.pending.get(m.seq);
      if (!p) return;
      slot.pending.delete(m.seq);
      if (slot.pending.size === 0) worker.unref();
      if (m.ok)
        p.resolve(m.value ? new Uint8Array(m.value.buffer, m.value.byteOffset, m.value.byteLength) : null);
      else p.reject(new ChangeMapError(m.error.code, m.error.message));
    });
    const drop = (why: string) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (!this.closed) this.failure = why;
      for (const p of slot.pending.values()) p.reject(new ChangeMapError('PREVIEW_WORKER_CRASHED', why));
      slot.pending.clear();
    };
    worker.on('error', (e) => drop(`A tile worker failed: ${e.message}`));
    worker.on('exit', (code) => drop(`A tile worker stopped (exit code ${code}).`));
    return slot;
  }

  render(job: TileJob, signal?: AbortSignal): Promise<Uint8Array | null> {
    if (this.closed)
      return Promise.reject(new ChangeMapError('PREVIEW_CLOSED', 'The map preview has closed.'));
    if (signal?.aborted)
      return Promise.reject(new ChangeMapError('ABORTED', 'The tile was no longer needed.'));
    if (this.slots.length === 0) {
      this.fallback ??= new SameThreadRenderer();
      return this.fallback.render(job, signal);
    }
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const seq = ++this.seq;
    return new Promise<Uint8Array | null>((resolve, reject) => {
      const onAbort = () =>
        slot.worker.postMessage({ seq: ++this.seq, type: 'cancel', target: seq } satisfies TileRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      slot.pending.set(seq, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      slot.worker.ref();
      slot.worker.postMessage({ seq, type: 'render', job } satisfies TileRequest, transferablesOf(job));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    await this.fallback?.close();
  }
}

/** Half the cores, 1 to 4: tiles share the machine with a run's inference. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2)));
}
